"""`Wiring`: what an app serves from, apart from its routes; `Plug`: where the routes find it.

`create_app` builds the routes once (most of its time goes to Litestar reading every handler's signature) and
plugs a `Wiring` in; `rewire` plugs in another, for a process that serves one database after another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ..book import Book
from ..config import Settings
from ..domain.links import LinkIndex
from ..errors import SchemaNotCurrent
from ..store import Database, pending
from ..store.blobs import BlobStore
from ..store.secret import instance_secret
from .book_cache import BookCache
from .limits import Allowances, RateLimit


@dataclass(frozen=True, slots=True)
class Wiring:
    """What an app serves from, apart from its routes: the database and its book, the evidence files, the QR
    links' secret, the rate limits and the clock. The routes read it on every request through the app's `Plug`."""

    settings: Settings
    database: Database
    owned: bool  # opened by the app, so closed by it
    books: BookCache
    blobs: BlobStore
    links: LinkIndex
    public_limit: RateLimit
    form_limit: RateLimit
    clock: Callable[[], dt.datetime]

    @classmethod
    def of(cls, settings: Settings, database: Database | None, clock: Callable[[], dt.datetime]) -> Wiring:
        owned = database is None
        database = database or Database(settings.db_path)
        try:
            if missing := pending(database):
                raise SchemaNotCurrent(f"the database {database.path} needs migrating ({', '.join(missing)}): run `audit db migrate`")
            books = BookCache(database)
        except BaseException:
            if owned:
                database.close()
            raise
        allowances = Allowances(settings.limits_path)  # shared by every process of one `audit serve`
        return cls(
            settings=settings, database=database, owned=owned, books=books, blobs=BlobStore(settings.evidence_dir),
            links=LinkIndex(instance_secret(settings.db_path)), clock=clock,
            public_limit=RateLimit(settings.public_rate_limit, period=60.0, allowances=allowances, name="public"),
            form_limit=RateLimit(settings.form_rate_limit, period=60.0, allowances=allowances, name="form"),
        )

    def close(self) -> None:
        """Done with the database: the book's refresh stopped first (whoever owns the database may close it next)."""
        self.books.close()
        if self.owned:
            self.database.close()


class Plug:
    """Where an app's routes find its `Wiring`: one reference, so that `rewire` can hand the same routes another."""

    __slots__ = ("wiring",)

    def __init__(self, wiring: Wiring):
        self.wiring = wiring

    def book(self) -> Book:
        return self.wiring.books.get()

    def public_limit(self) -> RateLimit:
        return self.wiring.public_limit

    def https(self) -> bool:
        return self.wiring.settings.https


def shape(settings: Settings) -> tuple[object, ...]:
    """The settings that shape the routes themselves (which exist, how big a body they take): the rest is `Wiring`."""
    return (settings.site_dir, settings.site_dir.is_dir(), settings.max_body_bytes, settings.evidence_max_bytes)
