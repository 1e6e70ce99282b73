"""`/s/{token}`: the survey a customer opens from a QR code (GET) and sends (POST), as lean routes.

Role: anyone. The busiest public route, so it is answered ahead of Litestar's router (`front.Front`, which
says what still applies there as on every public route). With the router, the public layer's middleware and
the handler machinery (dependency injection, parameter parsing, the response object and its cookie jar),
it cost more than the route's own work. Measured per request by `bench/requests.py` on the event loop
(issue 14): the post cost 684 µs against 89 µs for a bare form handler; of it ~110 µs the cookie
(`Cookie.simple_cookie` copies dataclasses), ~170 µs the thank-you template rendered every time, ~115 µs
the incentive's money formatted by Babel every time, ~60 µs parameter parsing and injection, and a read of
the survey's version per post. Then, with all of that gone, the router, the layer's middleware and the
handler around the route's own work still cost ~80 µs of the ~280 µs a post spent without its storage
(in-process, median of 4 rounds), against ~100 µs for the bare form post. Here the scope is read directly,
the cookie header is written as text, and the thank-you page, like the blank survey page, is rendered once
per published book, place, language and outcome, with slots for what differs per answer (the reward code,
the complaint link).

The routes stay registered with Litestar too, for whatever `Front` passes on (another method, a root path).
Everything the pages did before, they still do (tests/test_survey_route.py): the signed link, the
per-address flood limit, the form token's nonce and the duplicate absorbed, validation with the answers
shown again, storage in the group commit, the reward, the page and the browser cookie.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from jinja2.utils import url_quote
from litestar import Request, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send
from markupsafe import escape

from ..book import Book, pick
from ..book.models import Store, Survey
from ..domain import form_tokens, forms
from ..errors import NotFound
from ..lru import LRU
from ..render import render
from ..services import feedback
from ..words import words
from .context import Context
from .limits import client_address
from .pages import (
    BROWSER_COOKIE,
    FORM_MAX_BYTES,
    TOKEN_SLOT,
    FormValues,
    blank_survey_page,
    check_form_limit,
    incentive_text,
    store_language,
    survey_page,
)

REWARD_SLOT = "reward-code-goes-here"
COMPLAINT_SLOT = "complaint-reference-goes-here"
# The thank-you page depends on the book, the place, the language, whether there is a reward and which follow-up
# rule (if any) the answers met: rendered once for each, kept with its book so the book's id is not reused.
_thanks_pages: LRU[tuple[int, str, str, str, bool, int], tuple[Book, bytes]] = LRU(4096)
_TOKEN_SLOT, _REWARD_SLOT, _COMPLAINT_SLOT = TOKEN_SLOT.encode(), REWARD_SLOT.encode(), COMPLAINT_SLOT.encode()
_HTML = [(b"content-type", b"text/html; charset=utf-8"), (b"cache-control", b"no-store")]


def survey_routes(context_of: Callable[[], Context]) -> list[HTTPRouteHandler]:
    """The page and its post over the app's request context (`create_app` hands its provider in). Each takes the
    request alone and answers with a ready ASGI response, so Litestar neither injects nor encodes anything."""

    @get("/s/{token:str}", sync_to_thread=False, include_in_schema=False)
    def page(request: Request[Any, Any, Any]) -> ASGIApp:
        return page_answer(context_of(), request.scope, survey_headers(request.scope), request.path_params["token"])

    @post("/s/{token:str}", include_in_schema=False, request_max_body_size=FORM_MAX_BYTES)
    async def submit(request: Request[Any, Any, Any]) -> ASGIApp:
        return await submit_answer(context_of(), request.scope, await request.body(), survey_headers(request.scope), request.path_params["token"])

    return [page, submit]


class _Page:
    """An HTML answer as an ASGI app: never cached (it may carry a customer's answers), maybe setting the cookie."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, page: str | bytes, cookie: tuple[bytes, bytes] | None):
        self.status, self.body = status, page if isinstance(page, bytes) else page.encode()
        self.headers = [*_HTML, (b"content-length", str(len(self.body)).encode()), *([cookie] if cookie else [])]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


def survey_headers(scope: Scope) -> dict[str, str]:
    """The request headers this route reads (the first of each), by lower-case name."""
    wanted: dict[str, str] = {}
    for name, value in scope["headers"]:
        key = name.decode("latin-1")
        if key in ("accept-language", "cookie") and key not in wanted:
            wanted[key] = value.decode("latin-1")
    return wanted


def _cookie(headers: dict[str, str]) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == BROWSER_COOKIE and value:
            return value
    return None


def _set_cookie(context: Context) -> tuple[bytes, bytes]:
    """The browser's random key for absorbing a second answer: a day long, for /s/ only, out of scripts' reach, and
    Secure wherever customers reach us by HTTPS (a plain-HTTP instance could not read it back)."""
    secure = "; Secure" if context.settings.https else ""
    value = secrets.token_urlsafe(16)
    return b"set-cookie", f"{BROWSER_COOKIE}={value}; HttpOnly; Max-Age=86400; Path=/s/; SameSite=lax{secure}".encode()


def _resolve(context: Context, token: str) -> tuple[Store, str]:
    found = context.links.resolve(context.book, token)
    if found is None or found[0] not in context.book.stores_by_id:
        raise NotFound("this link is not one of ours: please scan the code in the store again")
    return context.book.stores_by_id[found[0]], found[1]


def page_answer(context: Context, scope: Scope, headers: dict[str, str], token: str) -> _Page:
    store, touchpoint_id = _resolve(context, token)
    lang = parse_qs(scope["query_string"].decode("latin-1")).get("lang", [None])[-1]
    language = store_language(context, store, lang, headers.get("accept-language"))
    page = blank_survey_page(context, store, touchpoint_id, language)
    fresh = form_tokens.issue(context.links.secret, store.id, touchpoint_id, context.now)  # every page load its own
    cookie = None if _cookie(headers) else _set_cookie(context)
    return _Page(200, page.replace(_TOKEN_SLOT, fresh.encode(), 1), cookie)


async def submit_answer(context: Context, scope: Scope, body: bytes, headers: dict[str, str], token: str) -> _Page:
    store, touchpoint_id = _resolve(context, token)
    check_form_limit(context, scope, store.id)
    form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    values = FormValues(form)
    language = store_language(context, store, values.get("lang") or None, headers.get("accept-language"))
    survey, version = feedback.current_survey(context.database, context.book, store, touchpoint_id)
    chain = context.book.chain
    cookie = _cookie(headers)
    if forms.is_bot(form):  # thanked and dropped
        return _Page(200, _thanks(context, store.id, touchpoint_id, language, survey, reward=False, follow_up=-1), None)
    answers, errors = forms.read_survey(survey, form)
    secret = context.links.secret
    if errors:
        fresh = form_tokens.issue(secret, store.id, touchpoint_id, context.now)
        return _Page(422, survey_page(context, store, touchpoint_id, language, values, errors, fresh), None)
    nonce, problem = form_tokens.check(secret, values.get(form_tokens.FIELD), store.id, touchpoint_id, context.now)
    origin = feedback.Origin(form_nonce=nonce, token_problem=problem, address_key=feedback.address_key(secret, client_address(scope)))
    receipt = await context.database.submit_on_loop(
        feedback.response_job(
            survey, version, at=store, touchpoint_id=touchpoint_id, language=language, answers=answers,
            browser=feedback.browser_key(cookie, store.id) if cookie else None, now=context.now, origin=origin, limits=chain.survey_limits,
        )
    )
    follow_up = next(
        (n for n, rule in enumerate(survey.follow_up) if isinstance(given := answers.answers.get(rule.question), int) and given <= rule.at_most),
        -1,
    )
    page = _thanks(context, store.id, touchpoint_id, language, survey, reward=receipt.reward is not None, follow_up=follow_up)
    if receipt.reward is not None:
        page = page.replace(_REWARD_SLOT, str(escape(receipt.reward)).encode(), 1)
    page = page.replace(_COMPLAINT_SLOT, url_quote(forms.complaint_reference(secret, receipt.response_id)).encode(), 1)
    return _Page(200, page, None if cookie else _set_cookie(context))


def _thanks(context: Context, store_id: str, touchpoint_id: str, language: str, survey: Survey, *, reward: bool, follow_up: int) -> bytes:
    """The thank-you page, encoded, with slots for the reward code and the complaint link (a bot's gets neither)."""
    book = context.book

    def make() -> tuple[Book, bytes]:
        default = book.chain.default_language
        rule = survey.follow_up[follow_up] if follow_up >= 0 else None
        return book, render(
            "thanks.html", lang=language, t=words(language, book.chain), chain=book.chain.name, thanks=pick(survey.thanks, language, default),
            store_id=store_id, reward=REWARD_SLOT if reward else None, incentive=incentive_text(survey, language, default),
            follow_up=pick(rule.text, language, default) if rule else None, complaint_from=COMPLAINT_SLOT,
        ).encode()

    return _thanks_pages.get((id(book), store_id, touchpoint_id, language, reward, follow_up), make)[1]
