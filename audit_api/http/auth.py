"""Who is calling: device tokens (`Authorization: Bearer <token>`) and the role guards on controllers.

No token or a bad one: 401. A valid token without the role a controller needs: 403. A resource the
caller may not see (another auditor's visit, an upcoming visit to a manager's own store): 404, so its
existence is not given away.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import Guard

from ..services.accounts import lookup_token, touch_token
from ..store.accounts import User
from .threads import to_thread
from .wiring import Plug

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="audit"'}  # RFC 9110: every 401 names its scheme


class TokenAuthMiddleware(AbstractAuthenticationMiddleware):
    def __init__(self, app: Any, plug: Plug, **kwargs: Any):
        # Every method needs the token, OPTIONS too: Litestar's default lets OPTIONS through (for CORS
        # preflights, which this API does not serve), and the role guards would then find no caller.
        super().__init__(app, exclude_http_methods=(), **kwargs)
        self.plug = plug

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("send the device token: Authorization: Bearer <token>", headers=CHALLENGE)
        token = token.strip()
        wiring = self.plug.wiring
        found = lookup_token(wiring.database, token, token_days=wiring.settings.token_days)  # indexed reads: cheaper here than a thread hop
        if found is None:
            raise NotAuthorizedException("this token is unknown, expired or revoked: enrol the device again", headers=CHALLENGE)
        user, stale = found
        if stale:  # at most every few minutes a token: a write, which may wait for the writer, so not on the loop
            await to_thread(touch_token, wiring.database, token)
        return AuthenticationResult(user=user, auth=token)


def require(*roles: str) -> Guard:
    """A guard: the caller's role must be one of `roles`.

    Async on purpose: Litestar runs a sync guard in a worker thread, a hop that cost more than the check.
    """

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if not isinstance(user, User):  # a route the token middleware let through: never allow, never crash
            raise NotAuthorizedException("send the device token: Authorization: Bearer <token>", headers=CHALLENGE)
        if user.role not in roles:
            raise PermissionDeniedException(f"this needs the role {' or '.join(roles)}; you are {user.role}")

    guard.__name__ = f"require_{'_or_'.join(roles)}"
    return guard
