"""Accounts: users (admin), enrolment codes (admin), device tokens (admin or their owner), and the
public exchange of a one-time code for a device token (rate limited)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from ..domain.links import enrolment_url
from ..services import accounts
from ..services.accounts import IssuedToken
from ..store.accounts import USER_ORDER, Role, TokenInfo, User
from .auth import require
from .context import Context, SignedIn
from .openapi import Documented, NoToken, OptionalBody, problems
from .paging import DEFAULT_LIMIT, NEXT_PAGE, Cursor, Limit, answer, position

Name = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9._-]{1,39}(?![\s\S])", description="login name: lower case, 2-40 characters")]


class NewUser(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Name
    role: Role
    display_name: Annotated[str, Meta(max_length=100)] = ""
    stores: list[str] = []
    all_stores: bool = False
    language: str | None = None
    plans_visits: Annotated[bool, Meta(description="a manager who plans mystery visits (an area manager)")] = False


class EnrolmentAnswer(msgspec.Struct, frozen=True, kw_only=True):
    user: str
    code: str
    url: str  # what the enrolment QR code carries
    expires_at: dt.datetime


class NewEnrolment(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    hours: Annotated[int, Meta(ge=1, le=24 * 7)] = accounts.ENROLMENT_HOURS


class DeviceRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: Annotated[str, Meta(min_length=8, max_length=64)]
    device: Annotated[str, Meta(min_length=1, max_length=100)]


class AccountsController(Controller):
    path = "/api/v1"
    tags = ["accounts"]

    @post("/users", guards=[require("admin")], summary="Create a user (admin)", sync_to_thread=True, responses=problems(400, 401, 403, 409, 413, 422))
    def create_user(self, context: NamedDependency[SignedIn], data: JSONBody[NewUser]) -> User:
        return accounts.add_user(
            context.database,
            data.name,
            data.role,
            display_name=data.display_name,
            stores=data.stores,
            all_stores=data.all_stores,
            language=data.language,
            plans_visits=data.plans_visits,
            known_stores=set(context.book.stores_by_id),
        )

    @get(
        "/users", guards=[require("admin")], summary="Every user, by login, a page at a time (admin)", sync_to_thread=True,
        description="At most `limit` users a page; when more follow, the `Link` header names the next page (`rel=\"next\"`).",
        response_headers=NEXT_PAGE, responses=problems(400, 401, 403),
    )
    def users(
        self, request: Request[Any, Any, Any], context: NamedDependency[SignedIn], limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[User]]:
        after = position(cursor, "users", USER_ORDER)
        return answer(request, accounts.list_users(context.database, after=after, limit=limit + 1), limit, "users", USER_ORDER)

    @post(
        "/users/{name:str}/enrolments", guards=[require("admin")], summary="A one-time enrolment code (admin)", sync_to_thread=True,
        responses=problems(400, 401, 403, 404, 413), operation_class=OptionalBody,
    )
    def enrol(self, context: NamedDependency[SignedIn], name: FromPath[str], data: JSONBody[NewEnrolment | None] = None) -> EnrolmentAnswer:
        user = accounts.find_user(context.database, name)
        enrolment = accounts.start_enrolment(context.database, user, (data or NewEnrolment()).hours, context.now)
        url = enrolment_url(context.settings.public_url, enrolment.code)
        return EnrolmentAnswer(user=user.name, code=enrolment.code, url=url, expires_at=enrolment.expires_at)

    @get(
        "/users/{name:str}/tokens", guards=[require("admin")], summary="A user's device tokens (admin)", sync_to_thread=True,
        responses=problems(401, 403, 404), operation_class=Documented,
    )
    def user_tokens(self, context: NamedDependency[SignedIn], name: FromPath[str]) -> list[TokenInfo]:
        return accounts.list_tokens(context.database, accounts.find_user(context.database, name))

    @get("/me", summary="Who this token belongs to", sync_to_thread=False, responses=problems(401))
    def me(self, context: NamedDependency[SignedIn]) -> User:
        return context.user

    @get("/me/tokens", summary="My device tokens", sync_to_thread=True, responses=problems(401))
    def my_tokens(self, context: NamedDependency[SignedIn]) -> list[TokenInfo]:
        return accounts.list_tokens(context.database, context.user)

    @delete(
        "/tokens/{token_id:str}", summary="Revoke a device token (admin, or its owner)", sync_to_thread=True,
        responses=problems(401, 404), operation_class=Documented,
    )
    def revoke(self, context: NamedDependency[SignedIn], token_id: FromPath[str]) -> None:
        accounts.revoke_token(context.database, context.user, token_id, context.now)


class DevicesController(Controller):
    """Public: a phone trades the one-time code from its enrolment QR code for a device token."""

    path = "/api/v1/devices"
    tags = ["accounts"]

    @post(
        "/", summary="Exchange an enrolment code for a device token (shown once)", sync_to_thread=True,
        responses=problems(400, 404, 413, 429), operation_class=NoToken,
    )
    def enrol_device(self, context: NamedDependency[Context], data: JSONBody[DeviceRequest]) -> IssuedToken:
        return accounts.redeem_enrolment(context.database, data.code, data.device, context.now)
