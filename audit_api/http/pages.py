"""The pages customers open on their phones: the QR survey, the complaint form, the ticket status.

Role: anyone. Server-rendered HTML that works without JavaScript, in the customer's language (an
explicit choice among the store's languages, else Accept-Language, else the default). Abuse guards:
an unknown or altered link answers 404; each address may post a limited number of times a minute per
store (429); a second survey from the same browser within ten minutes is absorbed; a filled honeypot
field is thanked and dropped; bodies over 16 KB answer 413.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import parse_qs, quote
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import TooManyRequestsException
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect
from litestar.types import Scope

from ..book import Book, negotiate, pick
from ..book.base import Text
from ..book.i18n import language_name
from ..book.models import Store, Survey
from ..domain import forms
from ..domain.complaints import normalise_ticket
from ..domain.hours import day_start
from ..errors import NotFound
from ..lru import LRU
from ..render import render, when
from ..services import feedback
from ..services.feedback import CustomerStatus
from ..words import words
from .context import AcceptLanguage, Context, Lang
from .limits import client_address
from .render import html
from .threads import to_thread

FORM_MAX_BYTES = 16 * 1024
BROWSER_COOKIE = "fb"
TOKEN_SLOT = "form-token-goes-here"  # in the cached blank page; each page load puts a fresh form token there
# An empty survey page depends only on the published book, the place and the language: it is rendered
# once per book (rendering cost more than everything else in that request; see bench/). The entry keeps
# its book, so the book's id cannot be reused by another book while the entry lives.
_blank_pages: LRU[tuple[int, str, str, str], tuple[Book, bytes]] = LRU(4096)


class FormValues:
    """What the customer typed, for re-showing the form: `get` for one value, `getlist` for checkboxes."""

    def __init__(self, form: forms.Form | None = None):
        self.form = form or {}

    def get(self, name: str, default: str = "") -> str:
        values = self.form.get(name)
        return values[0] if values else default

    def getlist(self, name: str) -> list[str]:
        return self.form.get(name, [])


def store_language(context: Context, store: Store, lang: str | None, accept: str | None) -> str:
    """An explicit choice, else the best Accept-Language match among the store's languages, else the
    store's first language (the chain's default only where the store names none)."""
    fallback = store.languages[0] if store.languages else context.book.chain.default_language
    return negotiate(store.languages, fallback, explicit=lang, accept=accept)


def survey_page(
    context: Context, store: Store, touchpoint_id: str, lang: str, values: FormValues, errors: dict[str, str], form_token: str
) -> str:
    """The survey form of a store's touchpoint in `lang`, with what the customer typed and what was wrong with it."""
    survey, _ = feedback.current_survey(context.database, context.book, store, touchpoint_id)
    default = context.book.chain.default_language

    def text(value: Text) -> str:
        return pick(value, lang, default)

    # The template draws each question by its kind's widget, with the hints that widget needs (and by its
    # kind, the words under a scale's ends).
    questions = [
        {"id": q.id, "kind": q.kind, "widget": q.widget, "text": text(q.text), "required": q.required, **q.hints(text)}
        for q in survey.questions
    ]
    touchpoint = next((t for t in store.touchpoints if t.id == touchpoint_id), None)
    return render(
        "survey.html",
        lang=lang, t=words(lang, context.book.chain), chain=context.book.chain.name, title=pick(survey.title, lang, default),
        intro=pick(survey.intro, lang, default), store_name=pick(store.name, lang, default),
        touchpoint=pick(touchpoint.name, lang, default) if touchpoint else "",
        languages=[(code, language_name(code)) for code in store.languages],
        questions=questions, question_titles={q["id"]: q["text"] for q in questions},
        values=values, errors=errors, honeypot=forms.HONEYPOT, retention_days=context.book.chain.retention_days,
        form_token=form_token,
    )


def blank_survey_page(context: Context, store: Store, touchpoint_id: str, lang: str) -> bytes:
    """The empty survey form, rendered and encoded once per book, place and language, with `TOKEN_SLOT` for the form
    token (encoding the page on every load was a tenth of its time)."""
    return _blank_pages.get(
        (id(context.book), store.id, touchpoint_id, lang),
        lambda: (context.book, survey_page(context, store, touchpoint_id, lang, FormValues(), {}, TOKEN_SLOT).encode()),
    )[1]


async def _form(request: Request[Any, Any, Any]) -> forms.Form:
    return parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)


def check_form_limit(context: Context, scope: Scope, what: str) -> None:
    """The flood guard on customers' forms: at most so many posts a minute from one address, per store (or complaint)."""
    wait = context.form_limit.hit(f"{client_address(scope)}|{what}")
    if wait:
        raise TooManyRequestsException(detail="too many forms from here just now; please try again in a minute", headers={"Retry-After": str(int(wait) + 1)})


class FeedbackPages(Controller):
    path = "/"
    include_in_schema = False
    request_max_body_size = FORM_MAX_BYTES

    def _resolve(self, context: Context, token: str) -> tuple[Store, str]:
        found = context.links.resolve(context.book, token)
        if found is None or found[0] not in context.book.stores_by_id:
            raise NotFound("this link is not one of ours: please scan the code in the store again")
        return context.book.stores_by_id[found[0]], found[1]

    def _complaint_page(self, context: Context, lang: str, values: FormValues, errors: dict[str, str], status: int = 200) -> Response[str]:
        """The form. Its date offers the chosen store's own today (the store a link named, or a refused form): between
        Moscow's midnight and Sarajevo's, the chain's latest date would be a day that has not come in Sarajevo."""
        book = context.book
        return html(
            "complaint.html", status,
            lang=lang, t=words(lang, book.chain), chain=book.chain.name,
            languages=[(code, language_name(code)) for code in book.chain.languages],
            respond_hours=book.chain.complaints.respond_within_hours, retention_days=book.chain.retention_days,
            stores=sorted(((s.id, f"{pick(s.name, lang, book.chain.default_language)}, {pick(s.city, lang, book.chain.default_language)}") for s in book.stores), key=lambda pair: pair[1]),
            desired=forms.DESIRED, values=values, errors=errors, honeypot=forms.HONEYPOT,
            today=(_store_today(context, values.get("store")) or _latest_today(context)).isoformat(),
        )

    @get("/complaint", sync_to_thread=False)
    def complaint_page(
        self, context: NamedDependency[Context], lang: Lang = None, accept_language: AcceptLanguage = None,
        store: Annotated[str | None, QueryParameter(name="store")] = None,
        source: Annotated[str | None, QueryParameter(name="from")] = None,
    ) -> Response[str]:
        chain = context.book.chain
        language = negotiate(chain.languages, chain.default_language, explicit=lang, accept=accept_language)
        prefill = {k: [v] for k, v in (("store", store), ("from", source)) if v}
        return self._complaint_page(context, language, FormValues(prefill), {})

    @post("/complaint", status_code=200)
    async def complaint_submit(self, request: Request[Any, Any, Any], context: NamedDependency[Context], accept_language: AcceptLanguage = None) -> Response[str]:
        check_form_limit(context, request.scope, "complaint")
        form = await _form(request)
        chain = context.book.chain
        language = negotiate(chain.languages, chain.default_language, explicit=FormValues(form).get("lang") or None, accept=accept_language)
        if forms.is_bot(form):
            return html("thanks.html", lang=language, t=words(language, chain), chain=chain.name, thanks="", reward=None, follow_up=None)
        complaint, errors = forms.read_complaint(form, lambda store_id: _store_today(context, store_id), _latest_today(context))
        if errors or complaint is None:
            return self._complaint_page(context, language, FormValues(form), errors, status=422)
        ticket = await to_thread(
            feedback.file_complaint, context.database, context.book, complaint, language, context.now,
            forms.linked_response(form, context.links.secret),
        )
        status = feedback.public_status(context.database, ticket, context.now)
        due = _local_status(context, status, language)["respond_by"]
        return html(
            "ticket.html", lang=language, t=words(language, chain), chain=chain.name, ticket=ticket, due=due,
            contact_given=complaint.contact is not None,
        )

    @get("/complaint/status/{ticket:str}", sync_to_thread=False)
    def status_page(self, context: NamedDependency[Context], ticket: FromPath[str], lang: Lang = None, accept_language: AcceptLanguage = None) -> Response[str]:
        """The ticket's status; an unknown ticket, whatever it looks like, gets the same kind 404 page with the lookup form."""
        chain = context.book.chain
        language = negotiate(chain.languages, chain.default_language, explicit=lang, accept=accept_language)
        wanted = normalise_ticket(ticket)
        try:
            status = feedback.public_status(context.database, wanted, context.now)
        except NotFound:
            typed = wanted if len(wanted) <= 16 else ""  # offered back for correcting a typo; anything longer is no ticket
            return _status_html(context, language, None, typed=typed, status_code=404)
        return _status_html(context, language, _local_status(context, status, language))

    @get("/complaint/status", sync_to_thread=False)
    def status_lookup(
        self, context: NamedDependency[Context], ticket: Annotated[str, QueryParameter(name="ticket")] = "",
        lang: Lang = None, accept_language: AcceptLanguage = None,
    ) -> Response[str] | Redirect:
        """The lookup form; with a ticket, its status page."""
        chain = context.book.chain
        language = negotiate(chain.languages, chain.default_language, explicit=lang, accept=accept_language)
        if ticket.strip():
            return Redirect(f"/complaint/status/{quote(normalise_ticket(ticket), safe='-')}?lang={language}")
        return _status_html(context, language, None)


def incentive_text(survey: Survey, lang: str, default: str) -> str:
    """The incentive's words, with what it is worth (from the book) in the reader's way of writing money."""
    if survey.incentive is None:
        return ""
    text, value = pick(survey.incentive.text, lang, default), survey.incentive.value
    shown = when.worth(value.amount, value.currency, value.percent, lang) if value else ""
    return f"{text} ({shown})" if shown else text


def _store_today(context: Context, store_id: str) -> dt.date | None:
    """The store's own date at this instant (None for a store the book does not have)."""
    store = context.book.stores_by_id.get(store_id)
    return day_start(store, context.now).date() if store else None


def _latest_today(context: Context) -> dt.date:
    """The latest date any of the chain's stores has reached: a date after it is in the future everywhere."""
    return max((day_start(store, context.now).date() for store in context.book.stores), default=context.now.date())


def _local_status(context: Context, status: CustomerStatus, lang: str) -> dict[str, Any]:
    """The status as the customer reads it: every time in the store's time zone, in their language, the
    store by its name in that language. The ticket page and the status page both show it so, and so
    agree to the minute. Each time comes with its machine-readable local form, for `<time datetime>`."""
    store = context.book.stores_by_id.get(status.store_id)
    timezone = store.timezone if store else "UTC"
    default = context.book.chain.default_language

    def local(stamp: str) -> dict[str, str]:
        iso = dt.datetime.fromisoformat(stamp).astimezone(ZoneInfo(timezone)).isoformat(timespec="minutes")
        return {"text": when.moment(stamp, timezone, lang), "iso": iso}

    return {
        "ticket": status.ticket, "state": status.state, "desired": status.desired, "due": status.due,
        "store": f"{pick(store.name, lang, default)}, {pick(store.city, lang, default)}" if store else "",
        "received_at": local(status.received_at)["text"], "respond_by": local(status.respond_by)["text"],
        "respond_by_iso": local(status.respond_by)["iso"],
        "steps": [{"state": step.state, **local(step.at)} for step in status.steps],
        "reply": status.reply, "reply_removed": status.reply_removed,
        "reply_corrected_at": local(status.reply_corrected_at) if status.reply_corrected_at else None,
    }


def _status_html(context: Context, lang: str, status: dict[str, Any] | None, *, typed: str = "", status_code: int = 200) -> Response[str]:
    """The status page: a ticket's status (`status`), else the lookup form; with 404, the kind not-found message."""
    chain = context.book.chain
    return html(
        "status.html", status_code, lang=lang, t=words(lang, chain), chain=chain.name, status=status, missing=status_code == 404,
        typed=typed, languages=[(code, language_name(code)) for code in chain.languages], retention_days=chain.retention_days,
    )
