"""SQLite through sqlite-utils: the connection design, migrations, and the queries. The one writer."""

from .book import PublishReport, current_book, current_version, generation, publish
from .db import Database
from .migrations import migrate, pending

__all__ = [
    "Database",
    "PublishReport",
    "current_book",
    "current_version",
    "generation",
    "migrate",
    "pending",
    "publish",
]
