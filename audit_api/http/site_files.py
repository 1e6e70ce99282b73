"""The public site (the folder `audit site build` writes) at `/`: its files, compressed, and its own "not found" page.

    /                   to the reader's language (a `before_request` hook the app passes in)
    /<path>             the file, or the folder's index.html, gzip-compressed for a browser that takes it
    anything else       404 with the site's page for it (MkDocs' `<lang>/404.html`), in the language of the
                        path's first folder (`/ru/nope`: Russian), else in the reader's language; an API
                        client (no text/html) that strays outside the language folders gets the problem JSON

Only the site is compressed: Material's stylesheet and script shrink to a fifth, which a phone on a slow
network feels. The product's own pages are not: they carry a form token next to text a customer typed,
which compression would let an eavesdropper guess at (BREACH); the site holds neither.
The not-found page is the site's, with the site's scripts and styles, so it carries the site's
Content-Security-Policy, set here (`SecurityHeaders` keeps a policy a handler set; it gives every
other error the product's own).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path, PurePath
from typing import Any

from litestar import Request, get, head
from litestar.config.compression import CompressionConfig
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.file_system import BaseLocalFileSystem
from litestar.middleware import DefineMiddleware
from litestar.middleware.compression import CompressionMiddleware
from litestar.params import FromPath
from litestar.response.file import ASGIFileResponse
from litestar.static_files import StaticFiles

from ..book import Book, negotiate
from .layer import Layer
from .security import SITE_ROUTE_OPT, SitePolicy

# Text compresses; images and archives are compressed already.
COMPRESSION = CompressionConfig(backend="gzip", gzip_compress_level=6, exclude=[r"\.(png|jpe?g|gif|webp|ico|gz|zip|woff2?)$"])
NOT_FOUND_PAGE = "404.html"
_NOT_THE_SITE = ("api/", "schema", "healthz")  # where a stray path is the API's, answered as a problem

BeforeRequest = Callable[[Request[Any, Any, Any]], Awaitable[Any]]


def site_router(site_dir: Path, book: Callable[[], Book], *, before_request: BeforeRequest | None = None) -> Layer:
    """The router that serves `site_dir` at `/`, tagged as the site for the security headers."""
    file_system = BaseLocalFileSystem()
    files = StaticFiles(is_html_mode=True, directories=[site_dir], file_system=file_system)
    policy = SitePolicy(site_dir)

    async def serve(request: Request[Any, Any, Any], path: str, is_head: bool) -> ASGIFileResponse:
        try:
            return await files.handle(path=path, is_head_response=is_head)
        except NotFoundException:
            page = _not_found_page(request, site_dir, book, path)
            if page is None:
                raise
            return ASGIFileResponse(
                file_path=page, file_system=file_system, filename=NOT_FOUND_PAGE, content_disposition_type="inline", status_code=404,
                media_type=MediaType.HTML, is_head_response=is_head,
                headers={"Content-Security-Policy": policy.get().decode(), "Vary": "Accept-Language", "Cache-Control": "no-cache"},
            )

    @get("/", name="site/index")
    async def index(request: Request[Any, Any, Any]) -> ASGIFileResponse:
        return await serve(request, "/", False)

    @get("/{file_path:path}", name="site")
    async def site_file(request: Request[Any, Any, Any], file_path: FromPath[PurePath]) -> ASGIFileResponse:
        return await serve(request, file_path.as_posix(), False)

    @head("/{file_path:path}", name="site/head")
    async def site_file_head(request: Request[Any, Any, Any], file_path: FromPath[PurePath]) -> ASGIFileResponse:
        return await serve(request, file_path.as_posix(), True)

    return Layer(
        path="/",
        route_handlers=[index, site_file, site_file_head],
        before_request=before_request,
        middleware=[DefineMiddleware(CompressionMiddleware, config=COMPRESSION)],
        include_in_schema=False,
        opt=SITE_ROUTE_OPT,
    )


def _not_found_page(request: Request[Any, Any, Any], site_dir: Path, book: Callable[[], Book], path: str) -> Path | None:
    """The site's not-found page for `path`: its language folder's, else the reader's language's; None for an API client."""
    inside = path.strip("/")
    first = inside.split("/", 1)[0]
    if first and "." not in first and (site_dir / first / NOT_FOUND_PAGE).is_file():
        return site_dir / first / NOT_FOUND_PAGE
    if inside.startswith(_NOT_THE_SITE) or "text/html" not in request.headers.get("accept", ""):
        return None
    chain = book().chain
    lang = negotiate(chain.languages, chain.default_language, accept=request.headers.get("accept-language"))
    page = site_dir / lang / NOT_FOUND_PAGE
    return page if page.is_file() else None
