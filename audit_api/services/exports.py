"""Exports of audits, survey responses and complaints, as CSV or JSON lines, streamed a batch at a time.

Who reads what: managers and admins, within their scope and the dashboard's filters (a store, a city, a
country: `access.report_stores`), over store-local days; auditors none. An audit's auditor appears by
login only to those who may know them (`access.sees_auditor`), else by pseudonym, as on every other
page; contact details appear where managers see them (a response's with the customer's consent, a
complaint's until the purge). Times are written in each store's time zone.

An export is a generator: each step reads one batch (`BATCH` rows, or audits) after the last one read
(keyset, `store/exports.py`) and answers it encoded (`domain/exports.py`), so memory stays the same
whatever the size, and each step may run on another worker thread (it reads through that thread's
own connection). Each checklist version an export meets is laid out once for it.

The command line (`audit export`) reads the same exports as `chain_operator()`, and may count an export's
rows up front and follow its batches (`total`, `step`: audits, responses or complaints, as they are read).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import sqlite_utils

from ..book.models import Book
from ..domain.exports import (
    MEDIA_TYPES,
    AuditBody,
    AuditFacts,
    AuditOutcome,
    Format,
    Kind,
    Layout,
    answered_on_time,
    answers_cell,
    header,
    local_time,
    rows_csv,
    rows_jsonl,
)
from ..errors import FieldError, Forbidden, InvalidInput
from ..progress import Step, Total, no_step
from ..store import Database
from ..store import exports as store
from ..store.accounts import User
from ..store.book import checklist_by_hash, checklist_hash
from ..store.exports import count as count_rows  # `store` is also export()'s filter
from ..store.scope import Scope
from . import access

# Rows a query: 500 audits are some 18,000 CSV rows (about 5 MB), answered as one chunk of the stream.
BATCH = 500

_bodies = msgspec.json.Decoder(AuditBody)
_outcomes = msgspec.json.Decoder(AuditOutcome)


@dataclass(frozen=True)
class Export:
    filename: str  # names the kind and the period
    media_type: str
    chunks: Iterator[bytes]  # the header, then one chunk per batch read


@dataclass(frozen=True)
class _Request:
    database: Database
    book: Book
    user: User
    scope: Scope
    fmt: Format
    first_day: dt.date | None
    last_day: dt.date | None
    step: Step = no_step
    zones: dict[str, dt.tzinfo] = field(default_factory=dict)  # by store, for this export

    def zone(self, store_id: str) -> dt.tzinfo:
        """The store's time zone (UTC for a store the book no longer has)."""
        zone = self.zones.get(store_id)
        if zone is None:
            store = self.book.stores_by_id.get(store_id)
            zone = self.zones[store_id] = _zone(store.timezone) if store else dt.UTC
        return zone


def _zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return dt.UTC


def export(
    database: Database, book: Book, user: User, kind: Kind, fmt: Format, *, first_day: dt.date | None = None,
    last_day: dt.date | None = None, store: str | None = None, city: str | None = None, country: str | None = None,
    step: Step = no_step, total: Total | None = None,
) -> Export:
    """The export of `kind` the reader may see, over the store-local days [first_day, last_day] (either
    open), narrowed to a store, a city or a country; a filter outside the reader's scope reads nothing.
    With `total`, the rows (audits, responses, complaints) are counted first and it is told how many;
    `step` is told of each batch as the export moves past it."""
    if user.role not in ("admin", "manager"):
        raise Forbidden("exports are for managers and admins")
    if first_day is not None and last_day is not None and first_day > last_day:
        raise InvalidInput("the period ends before it starts", [FieldError("query.to", f"a day on or after {first_day}")])
    scope = access.report_stores(user, book, store=store, city=city, country=country)
    if total is not None:
        total(count_rows(database.read(), kind, scope, first_day=first_day, last_day=last_day))
    request = _Request(database, book, user, scope, fmt, first_day, last_day, step)
    extension = "csv" if fmt == "csv" else "jsonl"
    return Export(
        filename=f"{kind}-{_period(first_day, last_day)}.{extension}",
        media_type=MEDIA_TYPES[fmt],
        chunks=itertools.chain([header(kind, fmt)], _READERS[kind](request)),
    )


def chain_operator() -> User:
    """Whoever runs `audit export` on the server: they hold the database file, so they read as the whole chain.

    An admin of every store who plans visits, and no stored account (id 0: SQLite numbers rows from 1, so
    no visit names it and nothing can sign in as it). It sees what an admin sees: every store's rows, every
    auditor by login, customers' contact details where managers see them (a response's with consent, a
    complaint's until the purge)."""
    return User(
        id=0, name="audit-cli", display_name="the command line", role="admin", all_stores=True, stores=[], language=None,
        plans_visits=True, pseudonym="", disabled_at=None,
    )


def _period(first_day: dt.date | None, last_day: dt.date | None) -> str:
    if first_day and last_day:
        return f"{first_day}-to-{last_day}"
    if first_day:
        return f"from-{first_day}"
    return f"until-{last_day}" if last_day else "all-days"


def _batches(request: _Request, read: Callable[..., Sequence[Any]]) -> Iterator[tuple[sqlite_utils.Database, Sequence[Any]]]:
    """The rows `read` gives (a store reader of this module, rows with `local_day` and `rowid`) in keyset
    batches of `BATCH`, each from a fresh read, with the connection it came from."""
    after: list[object] | None = None
    while True:
        db = request.database.read()
        batch = read(db, request.scope, first_day=request.first_day, last_day=request.last_day, after=after, limit=BATCH)
        if not batch:
            return
        yield db, batch
        request.step(len(batch))
        if len(batch) < BATCH:
            return
        after = [batch[-1].local_day, batch[-1].rowid]


def _audits(request: _Request) -> Iterator[bytes]:
    layouts: dict[tuple[str, int], Layout] = {}
    rules = request.book.chain.visits
    known = functools.cache(lambda auditor_id: access.sees_auditor(request.user, rules, auditor_id))  # per auditor, for this export
    for db, batch in _batches(request, store.audits):
        people = store.visit_people(db, [record.visit_id for record in batch])
        lines: list[str] = []
        for record in batch:
            visit = people[record.visit_id]
            outcome = _outcomes.decode(record.result)
            key = (outcome.checklist_id, outcome.checklist_version)
            layout = layouts.get(key)
            if layout is None:
                layout = layouts[key] = Layout(checklist_by_hash(db, checklist_hash(db, *key)))
            body, zone = _bodies.decode(record.body), request.zone(record.store_id)
            facts = AuditFacts(
                visit_id=record.visit_id, audit_id=record.audit_id, revision=record.revision, store_id=record.store_id,
                local_day=record.local_day, started_at=local_time(body.started_at, zone) or "",
                finished_at=local_time(body.finished_at, zone) or "", state=visit.state,
                auditor=visit.auditor_name if known(visit.auditor_id) else visit.auditor_pseudonym,
                body=body, outcome=outcome,
            )
            lines.append(layout.csv(facts) if request.fmt == "csv" else layout.jsonl(facts))
        yield "".join(lines).encode()


def _responses(request: _Request) -> Iterator[bytes]:
    for _, batch in _batches(request, store.responses):
        rows = [
            (r.rowid, r.store_id, r.touchpoint_id, r.survey_id, r.survey_version, r.language, r.local_day,
             local_time(r.created_at, request.zone(r.store_id)), r.nps, r.csat, r.ces, r.suspect, answers_cell(r.answers, request.fmt),
             r.contact_name, r.contact_email, r.contact_phone)
            for r in batch
        ]
        yield rows_csv(rows) if request.fmt == "csv" else rows_jsonl("responses", rows)


def _complaints(request: _Request) -> Iterator[bytes]:
    for _, batch in _batches(request, store.complaints):
        rows = []
        for c in batch:
            zone = request.zone(c.store_id)
            rows.append((
                c.ticket, c.store_id, c.local_day, local_time(c.received_at, zone), local_time(c.acknowledge_by, zone),
                local_time(c.respond_by, zone), local_time(c.acknowledged_at, zone), local_time(c.resolved_at, zone),
                local_time(c.closed_at, zone), c.state, answered_on_time(c.state, c.resolved_at, c.respond_by), c.what, c.desired,
                c.language, c.contact_name, c.contact_email, c.contact_phone,
            ))
        yield rows_csv(rows) if request.fmt == "csv" else rows_jsonl("complaints", rows)


_READERS: dict[Kind, Callable[[_Request], Iterator[bytes]]] = {"audits": _audits, "responses": _responses, "complaints": _complaints}
