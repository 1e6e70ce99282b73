"""`create_app()`: the one place that wires the Litestar app: routes, dependencies, limits, errors, docs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin

from .. import __version__
from ..config import Settings
from ..errors import SchemaNotCurrent
from ..store import Database, pending
from .book_cache import BookCache
from .health import healthz
from .limits import RateLimit, RateLimitMiddleware
from .problems import EXCEPTION_HANDLERS
from .public import PublicController, Published


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Callable[[], dt.datetime] = _utcnow,
) -> Litestar:
    """The app over `settings.db_path` (or an open `database`); the book must be loaded there."""
    settings = settings or Settings.from_env()
    owned = database is None  # close only what this app opened
    database = database or Database(settings.db_path)
    if missing := pending(database):
        raise SchemaNotCurrent(f"the database {database.path} needs migrating ({', '.join(missing)}): run `audit db migrate`")
    books = BookCache(database)
    public_limit = RateLimitMiddleware(RateLimit(settings.public_rate_limit, period=60.0))
    public = Router(path="/", route_handlers=[PublicController], middleware=[public_limit])
    return Litestar(
        route_handlers=[healthz, public],
        dependencies={
            "database": Provide(lambda: database, use_cache=True, sync_to_thread=False),
            "published": Provide(lambda: Published(book=books.get(), now=clock()), sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Audit API",
            version=__version__,
            description="Service standards, audits and customer feedback for store chains.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
        ),
        on_shutdown=[database.close] if owned else [],
        debug=False,
    )
