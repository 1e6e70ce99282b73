"""`/schema`: the OpenAPI reference as Swagger UI, served from this package, so it works with no internet.

Swagger UI's files are vendored, pinned, with their licence (`static/swagger-ui-<version>/README.md`)
and served under /schema/assets/ with the small script that starts it (`static/schema.js`). The page
itself holds no inline script or style, so its Content-Security-Policy allows this origin only
(`security.SCHEMA_POLICY`). The spec is fetched from /schema/openapi.json.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router

STATIC = Path(__file__).parent / "static"
SWAGGER_UI = "swagger-ui-5.35.0"  # the vendored folder; its name changes with the version, so a week's caching is safe


class SwaggerUI(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path="/swagger", favicon="", style="")
        self.assets = "/schema/assets"

    def receive_router(self, router: Router) -> None:
        self.assets = f"{router.path.rstrip('/')}/assets"
        router.register(
            create_static_files_router(
                path="/assets", directories=[STATIC], name="schema-assets", include_in_schema=False,
                cache_control=CacheControlHeader(max_age=7 * 86400),
            )
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(str(openapi_schema.get("info", {}).get("title", "API")))
        spec = html.escape(self.get_openapi_json_route(request))
        return (
            "<!doctype html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n"
            f'<link rel="stylesheet" href="{self.assets}/{SWAGGER_UI}/swagger-ui.css">\n'
            f'<script src="{self.assets}/{SWAGGER_UI}/swagger-ui-bundle.js" defer></script>\n'
            f'<script src="{self.assets}/schema.js" defer></script>\n'
            f'</head>\n<body>\n<div id="swagger-ui" data-spec-url="{spec}"></div>\n</body>\n</html>\n'
        ).encode()
