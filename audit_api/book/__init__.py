"""The standards book: load and validate `checklists/` into msgspec Structs. Pure: reads files only."""

from .i18n import negotiate, pick
from .loader import LoadResult, check_book, load_book
from .models import Book

__all__ = ["Book", "LoadResult", "check_book", "load_book", "negotiate", "pick"]
