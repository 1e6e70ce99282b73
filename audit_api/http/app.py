"""`create_app()`: the one place that wires the Litestar app: routes, dependencies, limits, errors, docs.

    public routes      no credentials; rate limited per client address; small bodies
    signed-in routes   a device token (Authorization: Bearer); role guards on each controller
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import os
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Litestar, Request
from litestar._asgi.utils import wrap_in_exception_handler
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import Redirect
from litestar.types import ControllerRouterHandler

from .. import __version__
from ..book import Book, negotiate
from ..config import Settings
from ..store import Database
from .accounts import AccountsController, DevicesController
from .actions import ActionPhotosController, ActionsController
from .auditor_app import AuditorApp
from .audits import AuditsController
from .auth import TokenAuthMiddleware
from .context import Context, SignedIn
from .evidence import MULTIPART_OVERHEAD, EvidenceController
from .exports import ExportsController
from .feedback_api import ComplaintsController, MetricsController, ResponsesController
from .front import Front
from .head import HeadAsGet
from .health import healthz
from .layer import Layer
from .limits import RateLimitMiddleware
from .openapi import TAGS, StructSchemas
from .pages import FeedbackPages
from .problems import EXCEPTION_HANDLERS
from .public import PublicController
from .report import ReportController
from .reports import DashboardController
from .schema_ui import SwaggerUI
from .security import SecurityHeaders
from .site_files import site_router
from .survey_route import survey_routes
from .visits import ChecklistsController, PlanningController, VisitsController
from .wiring import Plug, Wiring, shape


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_the_readers_language(book: Callable[[], Book]) -> Callable[[Request[Any, Any, Any]], Awaitable[Redirect | None]]:
    """`/` sends a reader to the site in their language: the best Accept-Language match among the
    chain's languages, else the chain's default. Every other file is served as it is."""

    async def redirect(request: Request[Any, Any, Any]) -> Redirect | None:
        if request.url.path != "/":
            return None
        chain = book().chain
        lang = negotiate(chain.languages, chain.default_language, accept=request.headers.get("accept-language"))
        return Redirect(f"/{lang}/", status_code=302, headers={"Vary": "Accept-Language", "Cache-Control": "no-store"})

    return redirect


def rewire(app: Litestar, settings: Settings, *, database: Database | None = None, clock: Callable[[], dt.datetime] = _utcnow) -> None:
    """Serve `app`'s routes from another database, book, clock and limits, as `create_app(settings, ...)` would,
    without building them again (~120 ms each): for a process that serves one database after another, such as a
    test run. The app must be idle, and `settings` must give routes of the same shape. If the new wiring cannot be
    made (a database that needs migrating), the app keeps the one it had."""
    if app.state.shape != shape(settings):
        raise ValueError("these settings need other routes (site folder or body limits): create_app them")
    plug: Plug = app.state.plug
    old, plug.wiring = plug.wiring, Wiring.of(settings, database, clock)
    old.close()


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Callable[[], dt.datetime] = _utcnow,
) -> Litestar:
    """The app over `settings.db_path` (or an open `database`); the book must be loaded there."""
    settings = settings or Settings.from_env()
    plug = Plug(Wiring.of(settings, database, clock))

    def provide_context() -> Context:
        w = plug.wiring
        return Context(
            database=w.database, book=w.books.get(), now=w.clock(), blobs=w.blobs, settings=w.settings, links=w.links,
            form_limit=w.form_limit,
        )

    def provide_signed_in(request: Request[Any, Any, Any]) -> SignedIn:
        w = plug.wiring
        return SignedIn(
            database=w.database, book=w.books.get(), now=w.clock(), blobs=w.blobs, settings=w.settings, links=w.links,
            form_limit=w.form_limit, user=request.user,
        )

    signed_in_context = {"context": Provide(provide_signed_in, sync_to_thread=False)}

    public_limit = RateLimitMiddleware(plug.public_limit)
    public = Layer(
        path="/", route_handlers=[PublicController, DevicesController, FeedbackPages, *survey_routes(provide_context), AuditorApp],
        middleware=[public_limit],
    )
    token_auth = DefineMiddleware(TokenAuthMiddleware, plug=plug)
    signed_in = Layer(
        path="/",
        route_handlers=[
            AccountsController,
            ActionsController,
            VisitsController,
            PlanningController,
            ChecklistsController,
            AuditsController,
            ReportController,
            ComplaintsController,
            MetricsController,
            ResponsesController,
            ExportsController,
            DashboardController,
        ],
        middleware=[token_auth],
        dependencies=signed_in_context,
        security=[{"device_token": []}],
    )
    uploads = Layer(
        path="/",
        route_handlers=[EvidenceController, ActionPhotosController],
        middleware=[token_auth],
        dependencies=signed_in_context,
        security=[{"device_token": []}],
        request_max_body_size=settings.evidence_max_bytes + MULTIPART_OVERHEAD,
    )
    handlers: list[ControllerRouterHandler] = [healthz, public, signed_in, uploads]
    if settings.site_dir.is_dir():  # the public site, built by `audit site build`
        handlers.append(site_router(settings.site_dir, plug.book, before_request=to_the_readers_language(plug.book)))
    app = Litestar(
        route_handlers=handlers,
        dependencies={"context": Provide(provide_context, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        # CSP and friends on every response, errors and files too
        before_send=[SecurityHeaders(settings.site_dir, https=plug.https)],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Audit API",
            version=__version__,
            description="Service standards, audits and customer feedback for store chains.",
            path="/schema",
            render_plugins=[SwaggerUI()],  # served from the package: works offline
            tags=TAGS,
            components=Components(
                security_schemes={
                    "device_token": SecurityScheme(
                        type="http", scheme="bearer", description="A device token from enrolment (POST /api/v1/devices)"
                    )
                }
            ),
        ),
        plugins=[StructSchemas()],  # Struct schemas that say what msgspec enforces
        on_shutdown=[lambda: plug.wiring.close()],
        state=State({"plug": plug, "shape": shape(settings)}),
        debug=False,
    )
    # The busiest public routes ahead of the router, inside the exception middleware as the router is (what Litestar's
    # own `_create_asgi_handler` builds for an app without CORS or OpenTelemetry, as this one is); a HEAD is the GET
    # without its body, everywhere (head.py).
    app.asgi_handler = HeadAsGet(wrap_in_exception_handler(Front(app.asgi_router, provide_context, plug.public_limit, app.exception_handlers)))
    return app


def worker_app() -> Litestar:
    """The app of one worker process of `audit serve` (uvicorn starts each afresh and calls this): the settings
    from the environment `audit serve` set for it. The worker ends with its parent, so that none outlives a server
    stopped by force (`kill -9`) still holding the port and the database."""
    _end_with_parent()
    return create_app()


def _end_with_parent() -> None:
    """Linux: the kernel sends this process SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG)."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: a worker then ends when uvicorn's supervisor tells it to
        return
    if os.getppid() != parent:  # the parent died before the line above
        os.kill(os.getpid(), signal.SIGKILL)
