"""Public read endpoints: the book's public data in the reader's language, for apps and the site.

Role: anyone (no credentials). Rate limited per client address and answered from the in-memory
published book, never from the YAML files. The language is `?lang=` if the chain offers it, else
the best match of Accept-Language, else the chain's default; the answer names the language used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from ..book import Book
from ..book.i18n import every
from ..domain.public import (
    PublicComplaintProcedure,
    PublicContact,
    PublicFaqTopic,
    PublicStore,
    public_complaint_procedure,
    public_contacts,
    public_faq,
    public_store_until,
)
from ..errors import NotFound
from ..lru import LRU
from .context import AcceptLanguage, Context, Lang, language_for
from .openapi import NoToken, headers, problems

LANGUAGE_HEADERS = headers({"Content-Language": "The language of the answer's texts", "Vary": "Accept-Language"})
City = Annotated[str | None, QueryParameter(name="city", description="only stores in this city")]


class StoreList(msgspec.Struct, frozen=True):
    language: str
    stores: list[PublicStore]


class StoreAnswer(msgspec.Struct, frozen=True):
    language: str
    store: PublicStore


class FaqAnswer(msgspec.Struct, frozen=True):
    language: str
    topics: list[PublicFaqTopic]


class ComplaintProcedureAnswer(msgspec.Struct, frozen=True):
    language: str
    procedure: PublicComplaintProcedure


class ContactsAnswer(msgspec.Struct, frozen=True):
    language: str
    chain: str
    contacts: list[PublicContact]


def _answer(content: object, lang: str) -> Response[Any]:
    return Response(content, headers={"Content-Language": lang, "Vary": "Accept-Language"})


# An answer about stores depends on the book, the language (and the city asked for), and on the instant only through
# "open now" and the store's "today": kept encoded until the first of those changes. Working out every store's hours
# on each request cost 430 µs of the event loop for the demo's list (bench/requests.py), more than all the rest.
_stores_answers: LRU[tuple[int, str, str, str | None], tuple[Book, dt.datetime, dt.datetime, bytes]] = LRU(4096)


def _until_changed(context: Context, key: tuple[str, str, str | None], make: Callable[[], tuple[object, dt.datetime]]) -> bytes:
    """The encoded answer for `key` under the request's book, made again outside the span it holds for (a clock
    set back, as in a test, gets its own answer too)."""
    full = (id(context.book), *key)

    def fresh() -> tuple[Book, dt.datetime, dt.datetime, bytes]:
        content, until = make()
        return context.book, context.now, until, msgspec.json.encode(content)

    _, made, until, body = _stores_answers.get(full, fresh)
    if not made <= context.now < until:
        _, _, _, body = entry = fresh()
        _stores_answers.put(full, entry)
    return body


def store_list(context: Context, lang: str | None, accept_language: str | None, city: str | None) -> tuple[bytes, str]:
    """`GET /api/v1/stores`: the `StoreList` encoded, and its language (also answered by `front.Front`)."""
    book = context.book
    language = language_for(context, lang, accept_language)

    def answer() -> tuple[StoreList, dt.datetime]:
        shown = [
            public_store_until(book, store, language, context.now)
            for store in book.stores
            if city is None or city.casefold() in {name.casefold() for name in every(store.city)}
        ]
        until = min((until for _, until in shown), default=dt.datetime.max.replace(tzinfo=dt.UTC))
        return StoreList(language=language, stores=[store for store, _ in shown]), until

    return _until_changed(context, ("*", language, city.casefold() if city else None), answer), language


def one_store(context: Context, store_id: str, lang: str | None, accept_language: str | None) -> tuple[bytes, str]:
    """`GET /api/v1/stores/{store_id}`: the `StoreAnswer` encoded, and its language (also answered by `front.Front`)."""
    book = context.book
    store = book.stores_by_id.get(store_id)
    if store is None:
        raise NotFound(f"no store '{store_id}'")
    language = language_for(context, lang, accept_language)

    def answer() -> tuple[StoreAnswer, dt.datetime]:
        shown, until = public_store_until(book, store, language, context.now)
        return StoreAnswer(language=language, store=shown), until

    return _until_changed(context, (store.id, language, None), answer), language


def _json(body: bytes, lang: str) -> Response[Any]:
    """An answer already encoded, of the type its handler declares (and the API's schema shows)."""
    return Response(body, media_type="application/json", headers={"Content-Language": lang, "Vary": "Accept-Language"})


class PublicController(Controller):
    path = "/api/v1"
    tags = ["public"]
    opt = {"role": "public"}

    @get(
        "/stores", summary="All stores, with hours and whether each is open now", sync_to_thread=False,
        response_headers=LANGUAGE_HEADERS, operation_class=NoToken, responses=problems(429),
    )
    def stores(
        self,
        context: NamedDependency[Context],
        lang: Lang = None,
        accept_language: AcceptLanguage = None,
        city: City = None,
    ) -> Response[StoreList]:
        return _json(*store_list(context, lang, accept_language, city))

    @get("/stores/{store_id:str}", summary="One store", sync_to_thread=False, response_headers=LANGUAGE_HEADERS, operation_class=NoToken, responses=problems(404, 429))
    def store(
        self,
        store_id: FromPath[str],
        context: NamedDependency[Context],
        lang: Lang = None,
        accept_language: AcceptLanguage = None,
    ) -> Response[StoreAnswer]:
        return _json(*one_store(context, store_id, lang, accept_language))

    @get("/faq", summary="The FAQ, grouped by topic", sync_to_thread=False, response_headers=LANGUAGE_HEADERS, operation_class=NoToken, responses=problems(429))
    def faq(
        self, context: NamedDependency[Context], lang: Lang = None, accept_language: AcceptLanguage = None
    ) -> Response[FaqAnswer]:
        book = context.book
        language = language_for(context, lang, accept_language)
        return _answer(FaqAnswer(language=language, topics=public_faq(book, language)), language)

    @get(
        "/complaint-procedure", summary="How complaints are handled, with the response targets", sync_to_thread=False,
        response_headers=LANGUAGE_HEADERS, operation_class=NoToken, responses=problems(429),
    )
    def complaint_procedure(
        self, context: NamedDependency[Context], lang: Lang = None, accept_language: AcceptLanguage = None
    ) -> Response[ComplaintProcedureAnswer]:
        book = context.book
        language = language_for(context, lang, accept_language)
        procedure = public_complaint_procedure(book, language)
        return _answer(ComplaintProcedureAnswer(language=language, procedure=procedure), language)

    @get("/contacts", summary="Every contact channel", sync_to_thread=False, response_headers=LANGUAGE_HEADERS, operation_class=NoToken, responses=problems(429))
    def contacts(
        self, context: NamedDependency[Context], lang: Lang = None, accept_language: AcceptLanguage = None
    ) -> Response[ContactsAnswer]:
        book = context.book
        language = language_for(context, lang, accept_language)
        answer = ContactsAnswer(language=language, chain=book.chain.name, contacts=public_contacts(book, language))
        return _answer(answer, language)
