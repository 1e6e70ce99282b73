"""The book's public data, resolved into one language: what the API answers and the site prints.

Both the public endpoints and the site generator call these functions, so the two cannot disagree.
Pure: a Book, a language and an instant in, Structs out.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated

import msgspec
from msgspec import Meta

from ..book.i18n import every, pick
from ..book.intervals import format_minutes, parse_interval
from ..book.models import WEEKDAYS, Book, ContactKind, Store
from .hours import day_start, intervals_on, status_at

EXCEPTIONS_AHEAD_DAYS = 60


class _Out(msgspec.Struct, frozen=True, kw_only=True):
    pass


class PublicInterval(_Out, frozen=True, kw_only=True):
    opens: str
    closes: str


class PublicDay(_Out, frozen=True, kw_only=True):
    day: Annotated[str, Meta(extra_json_schema={"enum": list(WEEKDAYS)})]
    intervals: list[PublicInterval]


class PublicException(_Out, frozen=True, kw_only=True):
    date: dt.date
    closed: bool
    intervals: list[PublicInterval]
    note: str


class PublicTouchpoint(_Out, frozen=True, kw_only=True):
    id: str
    name: str


class PublicCoordinates(_Out, frozen=True, kw_only=True):
    lat: float
    lon: float


class PublicStore(_Out, frozen=True, kw_only=True):
    id: str
    name: str
    names: list[str]  # every name and city name the store goes by, in any language, for finding it
    address: str
    city: str
    country: str
    timezone: str
    phone: str
    email: str
    coordinates: PublicCoordinates | None
    languages: list[str]
    hours: list[PublicDay]
    exceptions: list[PublicException]
    touchpoints: list[PublicTouchpoint]
    open_now: bool
    next_change: dt.datetime | None


class PublicFaqEntry(_Out, frozen=True, kw_only=True):
    id: str
    question: str
    answer: str


class PublicFaqTopic(_Out, frozen=True, kw_only=True):
    id: str
    title: str
    entries: list[PublicFaqEntry]


class PublicComplaintProcedure(_Out, frozen=True, kw_only=True):
    steps: list[str]
    acknowledge_within_hours: int
    respond_within_hours: int


class PublicContact(_Out, frozen=True, kw_only=True):
    kind: ContactKind
    value: str
    label: str
    hours: str | None


def _intervals(pairs: list[tuple[int, int]]) -> list[PublicInterval]:
    return [PublicInterval(opens=format_minutes(o), closes=format_minutes(c)) for o, c in pairs]


@functools.lru_cache(maxsize=1024)
def _week(hours: tuple[tuple[str, ...], ...]) -> list[PublicDay]:
    """The weekly hours as shown; cached by value, since every request for a store shows the same week.

    The cached list is shared between answers: it is never mutated.
    """
    return [
        PublicDay(day=day, intervals=_intervals(sorted(parse_interval(t) for t in texts)))
        for day, texts in zip(WEEKDAYS, hours)
    ]


def public_store(book: Book, store: Store, lang: str, now: dt.datetime) -> PublicStore:
    default = book.chain.default_language
    status = status_at(store, now)
    today = status.local_time.date()
    horizon = today + dt.timedelta(days=EXCEPTIONS_AHEAD_DAYS)
    return PublicStore(
        id=store.id,
        name=pick(store.name, lang, default),
        names=sorted(set(every(store.name)) | set(every(store.city))),
        address=store.address,
        city=pick(store.city, lang, default),
        country=store.country,
        timezone=store.timezone,
        phone=store.phone,
        email=store.email,
        coordinates=PublicCoordinates(lat=store.coordinates.lat, lon=store.coordinates.lon) if store.coordinates else None,
        languages=list(store.languages),
        hours=_week(tuple(tuple(getattr(store.hours, day)) for day in WEEKDAYS)),
        exceptions=[
            PublicException(
                date=exception.date,
                closed=exception.closed,
                intervals=_intervals(intervals_on(store, exception.date)),
                note=pick(exception.note, lang, default),
            )
            for exception in sorted(store.exceptions, key=lambda e: e.date)
            if today <= exception.date <= horizon
        ],
        touchpoints=[PublicTouchpoint(id=t.id, name=pick(t.name, lang, default)) for t in store.touchpoints],
        open_now=status.open_now,
        next_change=status.next_change,
    )


def public_store_until(book: Book, store: Store, lang: str, now: dt.datetime) -> tuple[PublicStore, dt.datetime]:
    """`public_store`, and the instant until which it stays as it is: the next opening or closing, or the store's
    next local midnight (when "today" moves, and with it the exceptions shown), whichever comes first. A cache may
    keep the answer until then."""
    shown = public_store(book, store, lang, now)
    local = shown.next_change or dt.datetime.max.replace(tzinfo=dt.UTC)
    tomorrow = day_start(store, now) + dt.timedelta(days=1) if now.date() < dt.date.max - dt.timedelta(days=2) else local
    return shown, min(local, tomorrow)


def public_faq(book: Book, lang: str) -> list[PublicFaqTopic]:
    default = book.chain.default_language
    return [
        PublicFaqTopic(
            id=topic.id,
            title=pick(topic.title, lang, default),
            entries=[
                PublicFaqEntry(id=e.id, question=pick(e.question, lang, default), answer=pick(e.answer, lang, default))
                for e in book.faq.entries
                if e.topic == topic.id
            ],
        )
        for topic in book.faq.topics
    ]


def public_complaint_procedure(book: Book, lang: str) -> PublicComplaintProcedure:
    procedure, default = book.chain.complaints, book.chain.default_language
    return PublicComplaintProcedure(
        steps=[pick(step, lang, default) for step in procedure.steps],
        acknowledge_within_hours=procedure.acknowledge_within_hours,
        respond_within_hours=procedure.respond_within_hours,
    )


def public_contacts(book: Book, lang: str) -> list[PublicContact]:
    default = book.chain.default_language
    return [
        PublicContact(
            kind=c.kind,
            value=c.value,
            label=pick(c.label, lang, default),
            hours=pick(c.hours, lang, default) if c.hours is not None else None,
        )
        for c in book.chain.contacts
    ]
