"""Export rows and their encodings: the columns of each kind, a batch of rows as CSV or JSON lines. Pure.

Three kinds: audits (one row per item answer of a visit's latest revision, with its stage, weight,
score and the audit's flags), survey responses (one row each) and complaints (one row each). The
columns, in order, and what each holds are `AUDIT_COLUMNS`, `RESPONSE_COLUMNS` and `COMPLAINT_COLUMNS`;
the OpenAPI document lists them from there.

CSV follows RFC 4180 (comma, `"` quoting, CRLF) as the `csv` module writes it, with a UTF-8 byte order
mark before the header: without one, Excel reads a UTF-8 file in the machine's legacy code page and
turns Cyrillic and Bosnian letters to mojibake; pandas, Python's `utf-8-sig`, LibreOffice, Google Sheets
and BI tools skip it. Booleans are `true`/`false`, a missing value is an empty cell, lists (flags) are
codes separated by spaces, a response's answers are one JSON cell. Formula injection (OWASP, "CSV
Injection"): a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
`'`, so a spreadsheet shows it as text instead of running it (a phone number `+387...` reads `'+387...`);
numbers stay numbers. JSON lines hold the same columns with their JSON types and no escaping.

Responses and complaints are written by the csv module, a batch at a time. Audits are the big export
(100,000 audits are some 3.6 million rows, about 1 GB): their rows are joined from parts encoded once
(an audit's own columns; an item with an answer's value, score and failure, kept per value), each cell
exactly as the csv module writes it (`csv_cell`, held to it by a test): encoding each part through a
`csv.writer` took four times as long (`bench/export.py`). Their JSON lines are joined the same way from
parts encoded once by msgspec (`Layout.jsonl`, held by a test to one object a row, which took nine times
as long).

Not for: which rows a reader gets, or reading them (`services/exports.py`, `store/exports.py`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import msgspec

from ..book.items import Item, Value
from ..book.models import Checklist, Stage
from .scoring import Answer

Kind = Literal["audits", "responses", "complaints"]
Format = Literal["csv", "jsonl"]
MEDIA_TYPES: dict[Format, str] = {"csv": "text/csv", "jsonl": "application/x-ndjson"}  # Litestar adds `; charset=utf-8` to text/
BOM = "\ufeff"
NOT_APPLICABLE = "N/A"
_RISKY = ("=", "+", "-", "@", "\t", "\r")
_SPECIAL = re.compile('[,"\r\n]')

AUDIT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("visit_id", "the visit"),
    ("audit_id", "the submission (its client's UUID)"),
    ("revision", "the visit's latest revision: 1, or the last correction"),
    ("store_id", "the store"),
    ("checklist_id", "the checklist"),
    ("checklist_version", "its version the visit was scored against"),
    ("local_day", "the day of the visit in the store's time zone (what `from` and `to` read)"),
    ("started_at", "when the auditor started, in the store's time zone (ISO 8601 with offset)"),
    ("finished_at", "when the auditor finished, in the store's time zone"),
    ("state", "the visit's state: submitted, approved, returned or rejected"),
    ("auditor", "the auditor's login, or their pseudonym for readers who may not know them"),
    ("stage_id", "the item's stage"),
    ("stage_weight", "the stage's weight in the total"),
    ("item_id", "the item"),
    ("item_kind", "yes_no, scale, number or choice"),
    ("critical", "a critical item (failing it caps the total as the checklist says)"),
    ("weight", "the item's weight in its stage"),
    ("answer", "the value answered (true/false, a number, a choice's id), or N/A"),
    ("item_score", "the answer's score, 0-100; empty for N/A"),
    ("failed", "the answer fails the standard"),
    ("comment", "the auditor's comment on the item"),
    ("total", "the audit's total, 0-100, after the critical cap; empty when nothing was scorable"),
    ("stage_score", "the stage's score, 0-100; empty when all its items are N/A"),
    ("flags", "the audit's proof-of-visit flags: outside_hours, far_from_store, late_submission (CSV: separated by spaces)"),
)
RESPONSE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "the response"),
    ("store_id", "the store"),
    ("touchpoint_id", "where the QR code was"),
    ("survey_id", "the survey"),
    ("survey_version", "its version answered"),
    ("language", "the language it was answered in"),
    ("local_day", "the day in the store's time zone (what `from` and `to` read)"),
    ("created_at", "when it was answered, in the store's time zone"),
    ("nps", "the recommendation score, 0-10"),
    ("csat", "satisfaction, 1-5"),
    ("ces", "effort, 1-7"),
    ("suspect", "why it does not count in the figures (over the book's limits, no good form token); empty when it counts"),
    ("answers", "every answer by question id (CSV: one JSON cell; JSON lines: the object)"),
    ("contact_name", "only where the customer consented, until the privacy purge"),
    ("contact_email", "as contact_name"),
    ("contact_phone", "as contact_name"),
)
COMPLAINT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ticket", "the ticket number"),
    ("store_id", "the store"),
    ("local_day", "the day it was received in the store's time zone (what `from` and `to` read)"),
    ("received_at", "when it was received, in the store's time zone"),
    ("acknowledge_by", "when the acknowledgement is due"),
    ("respond_by", "when the answer is due"),
    ("acknowledged_at", "when it was first acknowledged"),
    ("resolved_at", "when it was resolved"),
    ("closed_at", "when it was closed"),
    ("state", "received, acknowledged, in_progress, resolved or closed"),
    ("answered_on_time", "resolved by respond_by; empty while open"),
    ("what", "the customer's account (blank after the privacy purge)"),
    ("desired", "the remedy the customer chose"),
    ("language", "the language it was filed in"),
    ("contact_name", "the customer's contact details, as the store's managers see them, until the privacy purge"),
    ("contact_email", "as contact_name"),
    ("contact_phone", "as contact_name"),
)
COLUMNS: dict[Kind, tuple[tuple[str, str], ...]] = {"audits": AUDIT_COLUMNS, "responses": RESPONSE_COLUMNS, "complaints": COMPLAINT_COLUMNS}
_encode_lines = msgspec.json.Encoder().encode_lines


class AuditBody(msgspec.Struct, frozen=True, kw_only=True):
    """What an export reads of a stored AuditSubmission (its other fields are skipped while decoding)."""

    started_at: dt.datetime
    finished_at: dt.datetime
    answers: list[Answer]


class _Stage(msgspec.Struct, frozen=True):
    stage: str
    score: float | None


class _Score(msgspec.Struct, frozen=True):
    total: float | None
    stages: list[_Stage]


class _Flag(msgspec.Struct, frozen=True):
    code: str


class AuditOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What an export reads of a stored AuditResult."""

    checklist_id: str
    checklist_version: int
    score: _Score
    flags: list[_Flag]


class AuditFacts(msgspec.Struct, frozen=True, kw_only=True):
    """One audit as its reader may see it, times already in the store's zone: what its rows repeat."""

    visit_id: str
    audit_id: str
    revision: int
    store_id: str
    local_day: str
    started_at: str
    finished_at: str
    state: str
    auditor: str
    body: AuditBody
    outcome: AuditOutcome


def local_time(moment: dt.datetime | str | None, zone: dt.tzinfo) -> str | None:
    """An instant (stored as ISO 8601) as the store's wall-clock time with its offset."""
    if moment is None:
        return None
    at = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(zone).isoformat()


def escaped(text: str) -> str:
    """A text cell as a spreadsheet may open it: a leading `'` where it would start a formula."""
    return "'" + text if text.startswith(_RISKY) else text


def _cell(value: object) -> object:
    """A value as the csv module is handed it: booleans as words, nothing as an empty cell, text escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return escaped(value)
    return value


def csv_cell(value: object) -> str:
    """One cell exactly as `csv.writer` (RFC 4180, the default dialect) writes `_cell(value)`: quoted, with
    its quotes doubled, only when it holds a comma, a quote or a line break. For the audits' rows, built
    from parts (`Layout.csv`); `tests/test_export.py` holds it to the csv module's own output."""
    if value.__class__ is str:
        text = "'" + value if value.startswith(_RISKY) else value
        return '"' + text.replace('"', '""') + '"' if _SPECIAL.search(text) else text
    if value.__class__ is float:
        return repr(value)
    cell = _cell(value)
    return cell if isinstance(cell, str) else str(cell)


def header(kind: Kind, fmt: Format) -> bytes:
    """What an export starts with: for CSV the byte order mark and the header row; nothing for JSON lines."""
    return (BOM + rows_csv([[name for name, _ in COLUMNS[kind]]]).decode()).encode() if fmt == "csv" else b""


def rows_csv(rows: Iterable[Iterable[object]]) -> bytes:
    """Rows (cells in their kind's column order) as CSV lines, by the csv module."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue().encode()


def rows_jsonl(kind: Kind, rows: Iterable[Iterable[object]]) -> bytes:
    """Rows (values in their kind's column order) as JSON lines, one object each."""
    names = [name for name, _ in COLUMNS[kind]]
    return _encode_lines([dict(zip(names, row)) for row in rows])


_Key = tuple[str, bool, type, "Value | None"]
_json = msgspec.json.encode
# Each column's name as a JSON object member starts: the audit's own (up to `auditor`), then an item's
# (`stage_id` .. `failed`), then the comment's.
_AUDIT_KEYS = [f'"{name}":' for name, _ in AUDIT_COLUMNS[:11]]
_ITEM_KEYS = [f'"{name}":' for name, _ in AUDIT_COLUMNS[11:20]]
_COMMENT_KEY = '"comment":'
_EMPTY = '""'  # an empty comment, as JSON


class Layout:
    """One checklist version laid out for export: each item with its stage, and each answer's value already
    scored and encoded (an export meets the same few values thousands of times). An audit's rows follow
    its answers' order (the checklist's, as the app sends them)."""

    CACHE = 50_000  # answers kept encoded; past it the cache starts again, so memory stays bounded

    def __init__(self, checklist: Checklist):
        self._items: dict[str, tuple[Stage, Item]] = {item.id: (stage, item) for stage in checklist.stages for item in stage.items}
        self._answers: dict[_Key, tuple[str, str, tuple[object, ...], str]] = {}

    def _answer(self, answer: Answer) -> tuple[str, str, tuple[object, ...], str] | None:
        """An answer's item and value as CSV up to its comment, its stage, the same as values (`stage_id`
        .. `failed`) and as JSON object members up to the comment's value; None for an item the checklist
        does not have."""
        key = (answer.item, answer.na, type(answer.value), answer.value)
        known = self._answers.get(key)
        if known is None:
            found = self._items.get(answer.item)
            if found is None:
                return None
            stage, item = found
            shown: Value | str
            score: float | None
            if answer.na or answer.value is None:
                shown, score, failed = NOT_APPLICABLE, None, False
            else:
                fraction = item.score(answer.value)
                shown, score, failed = answer.value, round(fraction * 100, 2), item.failed(fraction)  # as domain/scoring.py's percentages
            values = (stage.id, stage.weight, item.id, item.kind, item.critical, item.weight, shown, score, failed)
            if len(self._answers) >= self.CACHE:
                self._answers.clear()
            members = "".join(f"{name}{_json(value).decode()}," for name, value in zip(_ITEM_KEYS, values))
            known = self._answers[key] = (",".join(map(csv_cell, values)) + ",", stage.id, values, members + _COMMENT_KEY)
        return known

    def csv(self, audit: AuditFacts) -> str:
        """The audit's rows as CSV lines: one per item answer."""
        outcome = audit.outcome
        # The day, times and numbers never need quoting or escaping (digits first); the texts may.
        c = csv_cell
        prefix = (f"{c(audit.visit_id)},{c(audit.audit_id)},{audit.revision},{c(audit.store_id)},{c(outcome.checklist_id)},"
                  f"{outcome.checklist_version},{audit.local_day},{audit.started_at},{audit.finished_at},{c(audit.state)},{c(audit.auditor)},")
        flags = " ".join(f.code for f in outcome.flags)
        total = "" if outcome.score.total is None else repr(outcome.score.total)
        tails = {s.stage: f",{total},{'' if s.score is None else repr(s.score)},{flags}\r\n" for s in outcome.score.stages}
        missing = f",{total},,{flags}\r\n"
        cached, tail = self._answers.get, tails.get
        parts: list[str] = []
        add = parts.append
        for answer in audit.body.answers:
            value = answer.value
            known = cached((answer.item, answer.na, value.__class__, value)) or self._answer(answer)
            if known is not None:
                add(prefix)
                add(known[0])
                if answer.comment:
                    add(csv_cell(answer.comment))
                add(tail(known[1], missing))
        return "".join(parts)

    def jsonl(self, audit: AuditFacts) -> str:
        """The audit's rows as JSON lines, the same as `rows_jsonl("audits", self.rows(audit))` (a test holds
        them to it), joined from parts encoded once: an object a row took three times as long (`bench/export.py`)."""
        outcome = audit.outcome
        prefix = "{" + "".join(f"{name}{_json(value).decode()}," for name, value in zip(_AUDIT_KEYS, self._audit_values(audit)))
        flags = _json([f.code for f in outcome.flags]).decode()
        total = f',"total":{_json(outcome.score.total).decode()},"stage_score":'
        tails = {s.stage: f"{total}{_json(s.score).decode()},\"flags\":{flags}}}\n" for s in outcome.score.stages}
        missing = f"{total}null,\"flags\":{flags}}}\n"
        json, cached, tail = _json, self._answers.get, tails.get
        # One string a row, the prefix put between them by `join`, as `csv` builds its rows.
        rows = [
            f"{known[3]}{json(answer.comment).decode() if answer.comment else _EMPTY}{tail(known[1], missing)}"
            for answer in audit.body.answers
            if (known := cached((answer.item, answer.na, answer.value.__class__, answer.value)) or self._answer(answer)) is not None
        ]
        return prefix + prefix.join(rows) if rows else ""

    def rows(self, audit: AuditFacts) -> list[tuple[object, ...]]:
        """The audit's rows as values in `AUDIT_COLUMNS` order (flags a list of codes)."""
        outcome = audit.outcome
        own = self._audit_values(audit)
        flags = [f.code for f in outcome.flags]
        stage_scores = {s.stage: s.score for s in outcome.score.stages}
        rows = []
        for answer in audit.body.answers:
            known = self._answer(answer)
            if known is not None:
                values = known[2]
                rows.append((*own, *values, answer.comment, outcome.score.total, stage_scores.get(str(values[0])), flags))
        return rows

    @staticmethod
    def _audit_values(audit: AuditFacts) -> tuple[object, ...]:
        return (audit.visit_id, audit.audit_id, audit.revision, audit.store_id, audit.outcome.checklist_id,
                audit.outcome.checklist_version, audit.local_day, audit.started_at, audit.finished_at, audit.state, audit.auditor)


def answered_on_time(state: str, resolved_at: str | None, respond_by: str) -> bool | None:
    """Whether a complaint was resolved by its due time; None while it is open (received, acknowledged, in progress)."""
    if state not in ("resolved", "closed") or resolved_at is None:
        return None
    return dt.datetime.fromisoformat(resolved_at) <= dt.datetime.fromisoformat(respond_by)


def answers_cell(answers: Mapping[str, Any] | str, fmt: Format) -> object:
    """A response's answers: one JSON text in CSV, the object in JSON lines."""
    if fmt == "csv":
        return answers if isinstance(answers, str) else msgspec.json.encode(answers).decode()
    return msgspec.json.decode(answers) if isinstance(answers, str) else answers
