"""Who is calling: device tokens (`Authorization: Bearer <token>`) and the role guards on controllers.

No token or a bad one: 401. A valid token without the role a controller needs: 403. A resource the
caller may not see (another auditor's visit, an upcoming visit to a manager's own store): 404, so its
existence is not given away.
"""

from __future__ import annotations

from typing import Any

import anyio
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult

from ..store import Database
from ..store.accounts import User, authenticate


class TokenAuthMiddleware(AbstractAuthenticationMiddleware):
    def __init__(self, app: Any, database: Database, **kwargs: Any):
        super().__init__(app, **kwargs)
        self.database = database

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("send the device token: Authorization: Bearer <token>")
        # In a worker thread: a token's first use in a while writes last_used_at, which may wait for the writer.
        user = await anyio.to_thread.run_sync(authenticate, self.database, token.strip())
        if user is None:
            raise NotAuthorizedException("this token is unknown or revoked: enrol the device again")
        return AuthenticationResult(user=user, auth=token)


def require(*roles: str):
    """A guard: the caller's role must be one of `roles`."""

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user: User = connection.user
        if user.role not in roles:
            raise PermissionDeniedException(f"this needs the role {' or '.join(roles)}; you are {user.role}")

    guard.__name__ = f"require_{'_or_'.join(roles)}"
    return guard
