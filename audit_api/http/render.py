"""`html()`: a page this product renders (`audit_api/render`) as a Litestar response."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.datastructures import Cookie

from ..render import render


def html(template: str, status_code: int = 200, cookies: list[Cookie] | None = None, **values: Any) -> Response[str]:
    """A rendered page, never cached (it may carry a customer's answers or a ticket)."""
    return Response(
        render(template, **values),
        media_type="text/html",
        status_code=status_code,
        cookies=cookies or [],
        headers={"Cache-Control": "no-store"},
    )
