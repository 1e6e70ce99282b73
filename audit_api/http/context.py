"""What a request works with, handed to handlers as one dependency: `Context` on public routes,
`SignedIn` (the same, plus the caller) on routes behind a device token.

One dependency rather than several: Litestar resolves several dependencies of a handler in an anyio
task group, which costs more than most of these handlers' own work (measured in `bench/`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar.params import HeaderParameter, QueryParameter

from ..book import Book, negotiate
from ..config import Settings
from ..domain.links import LinkIndex
from ..store import Database
from ..store.accounts import User
from ..store.blobs import BlobStore
from .limits import RateLimit

Lang = Annotated[
    str | None,
    QueryParameter(name="lang", description="language code; else the user's language; else Accept-Language; else the default"),
]
AcceptLanguage = Annotated[str | None, HeaderParameter(name="Accept-Language")]


class Context(msgspec.Struct, frozen=True, kw_only=True):
    database: Database
    book: Book  # the published book, as of this request
    now: dt.datetime  # the instant of this request
    blobs: BlobStore
    settings: Settings
    links: LinkIndex  # the QR links' tokens -> store and touchpoint
    form_limit: RateLimit  # customers' form posts, per address and store


class SignedIn(Context, frozen=True, kw_only=True):
    user: User  # the caller, set by the token middleware on every signed-in route


def language_for(context: Context, explicit: str | None, accept: str | None) -> str:
    """The caller's language: `?lang=`, else their profile's, else Accept-Language, else the default."""
    chain = context.book.chain
    profile = context.user.language if isinstance(context, SignedIn) else None
    preferred = explicit if explicit in chain.languages else profile
    return negotiate(chain.languages, chain.default_language, explicit=preferred, accept=accept)
