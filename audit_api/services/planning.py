"""Planning visits beyond one at a time: waves, a CSV import, cancelling, reassigning, and auditors' exclusions.

Who plans: admins and area managers, for the stores they cover (`access.may_plan`), as for one visit
(`services/visits.py` assign_visits). The rules every path keeps: a window that has ended (its last
day before today in the store's time zone) is refused at `window_end`, and an auditor is never given
a visit to a store they are excluded from (they are known there): refused at the auditor's place.

A wave is one visit per chosen store, each to the eligible chosen auditor with the fewest visits of
this wave so far (ties: the order given), so the auditors' counts differ by at most one unless
exclusions force otherwise. A wave and an import are all or none, and each names every problem it
finds at once: a wave by its field (`body.store_ids[3]`), an import by the CSV's line and column
(`line 3.auditor`). A visit is cancelled only while upcoming, and changes auditor only while not yet
started; each is an event of its history. Those who plan (and only they) may list the auditors, with
the stores each is excluded from, and the checklists they may plan. Not for: one visit (`services/visits.py`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence

import msgspec

from ..book.i18n import pick
from ..book.models import Book
from ..domain.hours import day_start
from ..domain.visits import CANCELLABLE, REASSIGNABLE, window_has_ended
from ..errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound, TooLarge
from ..store import Database, current_version
from ..store import accounts as accounts_store
from ..store import planning as store
from ..store import visits as visits_store
from ..store.accounts import User
from ..store.visits import PlannedVisit
from . import access, visits
from .accounts import find_user, get_user
from .visits import VisitView

MAX_WAVE = 500  # stores in one wave, and visits in one import
MAX_SCENARIO = 2000
CSV_COLUMNS = ("store_id", "checklist_id", "auditor", "window_start", "window_end", "scenario")


class Wave(msgspec.Struct, frozen=True, kw_only=True):
    store_ids: list[str]
    checklist_id: str
    auditors: list[str]  # logins, in the order ties are broken
    window_start: dt.date
    window_end: dt.date
    scenario: str


class Exclusions(msgspec.Struct, frozen=True, kw_only=True):
    user: str
    stores: list[str]  # the stores the auditor is never sent to, sorted


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- exclusions -------------------------------------------------------------------------------


def exclusions(database: Database, name: str) -> Exclusions:
    user = _excludable(database, name)
    return Exclusions(user=user.name, stores=store.excluded_stores(database.read(), user.id))


def set_exclusions(database: Database, book: Book, name: str, stores: list[str], now: dt.datetime | None = None) -> Exclusions:
    """Make the auditor's exclusions exactly `stores` (an empty list: none)."""
    user = _excludable(database, name)
    errors = [FieldError(f"body.stores[{i}]", f"no store '{s}'", "unknown_store") for i, s in enumerate(stores) if s not in book.stores_by_id]
    if errors:
        raise InvalidInput("unknown store(s)", errors)
    with database.write() as db:
        store.set_exclusions(db, user.id, stores, (now or _now()).isoformat())
    return exclusions(database, name)


def _excludable(database: Database, name: str) -> User:
    user = find_user(database, name)
    if user.role != "auditor":
        raise InvalidInput(f"'{name}' is not an auditor", [FieldError("path.name", "only auditors are excluded from stores", "not_an_auditor")])
    return user


# --- waves ------------------------------------------------------------------------------------


def plan_wave(database: Database, book: Book, by: User, wave: Wave, now: dt.datetime | None = None) -> list[VisitView]:
    """One visit per store of the wave, spread over its auditors (see the module's docstring); all or none."""
    now = now or _now()
    if not 1 <= len(wave.store_ids) <= MAX_WAVE:
        raise InvalidInput("a wave has 1 to 500 stores", [FieldError("body.store_ids", f"give 1 to {MAX_WAVE} stores", "too_many")])
    if not wave.auditors:
        raise InvalidInput("a wave needs auditors", [FieldError("body.auditors", "give at least one auditor", "required")])
    for store_id in wave.store_ids:
        if not access.may_plan(by, book.chain.visits, store_id):
            raise Forbidden(f"you do not plan visits to store '{store_id}'")
    errors: list[FieldError] = []
    errors += _repeated("body.store_ids", wave.store_ids, "store")
    errors += [FieldError(f"body.store_ids[{i}]", f"no store '{s}'", "unknown_store") for i, s in enumerate(wave.store_ids) if s not in book.stores_by_id]
    errors += _repeated("body.auditors", wave.auditors, "auditor")
    found = _Auditors(database)
    auditors: list[User] = []
    for i, name in enumerate(wave.auditors):
        if (auditor := found.get(name)) is None:
            errors.append(FieldError(f"body.auditors[{i}]", f"no auditor '{name}'", "unknown_auditor"))
        elif auditor not in auditors:
            auditors.append(auditor)
    version = _checklist_version(database, wave.checklist_id)
    if version is None:
        errors.append(FieldError("body.checklist_id", f"no checklist '{wave.checklist_id}'", "unknown_checklist"))
    known = [s for s in dict.fromkeys(wave.store_ids) if s in book.stores_by_id]
    errors += _window_errors(book, known, wave.window_start, wave.window_end, now, "body.")
    if not wave.scenario.strip() or len(wave.scenario) > MAX_SCENARIO:
        errors.append(FieldError("body.scenario", f"say what the shopper asks for or buys, in 1 to {MAX_SCENARIO} characters", "scenario_length"))
    excluded = store.exclusions_of(database.read(), [a.id for a in auditors])
    chosen: dict[str, User] = {}
    counts = {a.id: 0 for a in auditors}
    for i, store_id in enumerate(wave.store_ids):
        if store_id not in book.stores_by_id or store_id in chosen or not auditors:
            continue
        eligible = [a for a in auditors if (a.id, store_id) not in excluded]
        if not eligible:
            errors.append(FieldError(f"body.store_ids[{i}]", f"every chosen auditor is excluded from store '{store_id}'", "excluded"))
            continue
        auditor = min(eligible, key=lambda a: counts[a.id])  # the first of the fewest: ties go by the order given
        counts[auditor.id] += 1
        chosen[store_id] = auditor
    if errors or version is None:
        raise InvalidInput(f"the wave cannot be planned: {errors[0].path}: {errors[0].message}", errors)
    planned = [
        PlannedVisit(
            store_id=store_id, checklist_id=wave.checklist_id, checklist_version=version, auditor_id=auditor.id,
            window_start=wave.window_start, window_end=wave.window_end, scenario=wave.scenario,
        )
        for store_id, auditor in chosen.items()
    ]
    return _insert(database, book, by, planned, now)


def _repeated(path: str, values: list[str], what: str) -> list[FieldError]:
    seen: set[str] = set()
    errors = []
    for i, value in enumerate(values):
        if value in seen:
            errors.append(FieldError(f"{path}[{i}]", f"{what} '{value}' is listed twice", "listed_twice"))
        seen.add(value)
    return errors


# --- importing a CSV --------------------------------------------------------------------------


def import_csv(database: Database, book: Book, by: User, content: bytes, limit: int, now: dt.datetime | None = None) -> list[VisitView]:
    """Assign every visit of a CSV file (a header row naming `CSV_COLUMNS`, in any order, then a visit a line;
    UTF-8, with or without a byte order mark): all or none. Errors name the line and column."""
    now = now or _now()
    if len(content) > limit:
        raise TooLarge(f"the file is {len(content)} bytes; the limit is {limit}")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise InvalidInput("the file is not UTF-8 text", [FieldError(f"line {line}", "not UTF-8 text: save the file as CSV UTF-8", "not_utf8")]) from None
    try:
        records = list(_records(text))
    except csv.Error as error:
        raise InvalidInput("the file is not CSV", [FieldError("body", f"not CSV: {error}", "not_csv")]) from None
    if not records:
        raise InvalidInput("the file is empty", [FieldError("line 1", "a header row is needed: " + ",".join(CSV_COLUMNS), "no_header")])
    header_line, header = records[0]
    names = [name.strip().lower() for name in header]
    errors = [FieldError(f"line {header_line}", f"no column '{c}' (the header row names: {', '.join(CSV_COLUMNS)})", "missing_column")
              for c in CSV_COLUMNS if c not in names]
    errors += [FieldError(f"line {header_line}", f"unknown column '{n}'", "unknown_column") for n in names if n not in CSV_COLUMNS]
    errors += _repeated(f"line {header_line}", [n for n in names if n], "column")
    if errors:
        raise InvalidInput(f"line {header_line}: the header row is not {','.join(CSV_COLUMNS)}", errors)
    rows = records[1:]
    if not rows:
        raise InvalidInput("the file has no visits", [FieldError(f"line {header_line + 1}", "no visits after the header row", "no_rows")])
    if len(rows) > MAX_WAVE:
        raise InvalidInput(f"at most {MAX_WAVE} visits a file", [FieldError("body", f"{len(rows)} visits: import at most {MAX_WAVE} a file", "too_many")])
    for line, fields in rows:  # a store that does not exist is a problem of its line, below
        if (store_id := _field(names, fields, "store_id")) in book.stores_by_id and not access.may_plan(by, book.chain.visits, store_id):
            raise Forbidden(f"line {line}: you do not plan visits to store '{store_id}'")
    found = _Auditors(database)
    versions: dict[str, int | None] = {}
    planned: list[PlannedVisit] = []
    for line, fields in rows:
        where = f"line {line}."
        if len(fields) != len(names):
            errors.append(FieldError(f"line {line}", f"{len(fields)} fields where the header names {len(names)}", "field_count"))
            continue
        row = {name: _field(names, fields, name) for name in CSV_COLUMNS}
        row_errors: list[FieldError] = []
        store_id = row["store_id"]
        if store_id not in book.stores_by_id:
            row_errors.append(FieldError(f"{where}store_id", f"no store '{store_id}'", "unknown_store"))
        checklist_id = row["checklist_id"]
        if checklist_id not in versions:
            versions[checklist_id] = _checklist_version(database, checklist_id)
        if versions[checklist_id] is None:
            row_errors.append(FieldError(f"{where}checklist_id", f"no checklist '{checklist_id}'", "unknown_checklist"))
        auditor = found.get(row["auditor"])
        if auditor is None:
            row_errors.append(FieldError(f"{where}auditor", f"no auditor '{row['auditor']}'", "unknown_auditor"))
        elif store_id in book.stores_by_id and store.is_excluded(database.read(), auditor.id, store_id):
            row_errors.append(FieldError(f"{where}auditor", f"'{auditor.name}' is excluded from store '{store_id}'", "excluded"))
        days: dict[str, dt.date | None] = {}
        for column in ("window_start", "window_end"):
            try:
                days[column] = dt.date.fromisoformat(row[column]) if len(row[column]) == 10 else None
            except ValueError:
                days[column] = None
            if days[column] is None:
                row_errors.append(FieldError(f"{where}{column}", f"'{row[column]}' is not a date: write it as YYYY-MM-DD", "not_a_date"))
        start, end = days["window_start"], days["window_end"]
        if start is not None and end is not None and store_id in book.stores_by_id:
            row_errors += _window_errors(book, [store_id], start, end, now, where)
        if not row["scenario"] or len(row["scenario"]) > MAX_SCENARIO:
            row_errors.append(FieldError(f"{where}scenario", f"say what the shopper asks for or buys, in 1 to {MAX_SCENARIO} characters", "scenario_length"))
        errors += row_errors
        version = versions[checklist_id]
        if not row_errors and auditor is not None and start is not None and end is not None and version is not None:
            planned.append(PlannedVisit(
                store_id=store_id, checklist_id=checklist_id, checklist_version=version, auditor_id=auditor.id,
                window_start=start, window_end=end, scenario=row["scenario"],
            ))
    if errors:
        raise InvalidInput(f"nothing was imported: {len(errors)} problem(s), the first at {errors[0].path}: {errors[0].message}", errors)
    return _insert(database, book, by, planned, now)


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank record of the CSV with the line it starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    for fields in reader:
        if any(field.strip() for field in fields):
            yield line, fields
        line = reader.line_num + 1


def _field(names: list[str], fields: list[str], name: str) -> str:
    index = names.index(name)
    return fields[index].strip() if index < len(fields) else ""


# --- cancelling and reassigning ---------------------------------------------------------------


def cancel(database: Database, book: Book, by: User, visit_id: str, reason: str, now: dt.datetime | None = None) -> VisitView:
    """Cancel an upcoming visit (assigned or in progress), saying why; the reason is the event's comment."""
    visit = _planned_visit(database, book, by, visit_id)
    if not reason.strip():
        raise InvalidInput("say why the visit is cancelled", [FieldError("body.reason", "a reason is required", "required")])
    stamp = (now or _now()).isoformat()
    with database.write() as db:
        if not visits_store.change_state(db, visit.id, "cancelled", CANCELLABLE, stamp):
            state = visits_store.visit_state(db, visit.id)
            raise Conflict(f"visit '{visit.id}' is {state}: only an upcoming visit (assigned, in progress) can be cancelled")
        visits_store.add_event(db, visit.id, by.id, "cancelled", stamp, comment=reason.strip())
    return visits.view(visits.visible_visit(database, by, visit.id), by, book.chain.visits)


def reassign(database: Database, book: Book, by: User, visit_id: str, auditor_name: str, now: dt.datetime | None = None) -> VisitView:
    """Give a visit not yet started to another auditor (never one excluded from its store). The auditor it
    leaves no longer sees it; the history says it was reassigned, not between whom (the store's managers
    read that history once the audit is in)."""
    visit = _planned_visit(database, book, by, visit_id)
    auditor = _Auditors(database).get(auditor_name)
    if auditor is None:
        raise InvalidInput(f"no auditor '{auditor_name}'", [FieldError("body.auditor", f"no auditor '{auditor_name}'", "unknown_auditor")])
    if store.is_excluded(database.read(), auditor.id, visit.store_id):
        message = f"'{auditor.name}' is excluded from store '{visit.store_id}'"
        raise InvalidInput(message, [FieldError("body.auditor", message, "excluded")])
    if auditor.id != visit.auditor_id:  # the same auditor again (a retry) changes nothing
        stamp = (now or _now()).isoformat()
        with database.write() as db:
            if not store.change_auditor(db, visit.id, auditor.id, REASSIGNABLE, stamp):
                state = visits_store.visit_state(db, visit.id)
                raise Conflict(f"visit '{visit.id}' is {state}: only a visit not yet started can be reassigned")
            visits_store.add_event(db, visit.id, by.id, "reassigned", stamp)
    return visits.view(visits.visible_visit(database, by, visit.id), by, book.chain.visits)


def _planned_visit(database: Database, book: Book, by: User, visit_id: str) -> visits_store.Visit:
    """A visit `by` sees and plans for; one they do not see answers NotFound, as everywhere."""
    visit = visits.visible_visit(database, by, visit_id)
    if not access.may_plan(by, book.chain.visits, visit.store_id):
        raise Forbidden(f"you do not plan visits to store '{visit.store_id}'")
    return visit


# --- what a planner chooses from --------------------------------------------------------------


class AuditorChoice(msgspec.Struct, frozen=True, kw_only=True):
    """An auditor a planner may send: only those who plan learn auditors' logins (`access.sees_auditor`)."""

    name: str  # the login, as `GET /api/v1/users` names it
    display_name: str
    excluded_stores: list[str]  # of the stores the planner covers, sorted: never offer the auditor a visit there


class ChecklistChoice(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    version: int  # the published version a visit planned now uses
    title: str  # in the reader's language
    channel: str


def _planner(book: Book, by: User) -> None:
    if not access.plans_visits(by, book.chain.visits):
        raise Forbidden("you do not plan visits")


def list_auditors(
    database: Database, book: Book, by: User, *, after: Sequence[object] | None = None, limit: int | None = None
) -> list[AuditorChoice]:
    """The auditors who are not disabled, by login, each with the stores (of those `by` covers) they are
    excluded from; for those who plan visits only."""
    _planner(book, by)
    db = database.read()
    rows = store.active_auditors(db, after=after, limit=limit)
    excluded = store.exclusions_of(db, [row.id for row in rows])
    return [
        AuditorChoice(
            name=row.name, display_name=row.display_name,
            excluded_stores=sorted(s for user_id, s in excluded if user_id == row.id and access.covers(by, s)),
        )
        for row in rows
    ]


def list_checklists(database: Database, book: Book, by: User, language: str) -> list[ChecklistChoice]:
    """The book's published checklists, by id, with their titles in `language`; for those who plan visits only.
    A book holds a handful, so the list is not paged."""
    _planner(book, by)
    choices = []
    for checklist in sorted(book.checklists, key=lambda c: c.id):
        version = _checklist_version(database, checklist.id)
        if version is not None:
            title = pick(checklist.title, language, book.chain.default_language)
            choices.append(ChecklistChoice(id=checklist.id, version=version, title=title, channel=checklist.channel))
    return choices


# --- shared -----------------------------------------------------------------------------------


class _Auditors:
    """Auditors by login, each looked up once; an unknown login, a user who is not an auditor and a
    disabled one are all None (so a probe learns nothing more than `no auditor`)."""

    def __init__(self, database: Database):
        self.database = database
        self.known: dict[str, User | None] = {}

    def get(self, name: str) -> User | None:
        if name not in self.known:
            user_id = accounts_store.user_id_by_name(self.database.read(), name)
            try:
                user = get_user(self.database, user_id) if user_id is not None else None
            except NotFound:
                user = None
            ok = user is not None and user.role == "auditor" and user.disabled_at is None
            self.known[name] = user if ok else None
        return self.known[name]


def _checklist_version(database: Database, checklist_id: str) -> int | None:
    version = current_version(database, "checklist", checklist_id)
    return None if version is None else version.version


def _window_errors(book: Book, store_ids: list[str], start: dt.date, end: dt.date, now: dt.datetime, where: str) -> list[FieldError]:
    """The window's problems at `{where}window_end`: it ends before it starts, or it has ended in a store's time zone."""
    if end < start:
        return [FieldError(f"{where}window_end", "the window ends before it starts", "window_backwards")]
    for store_id in store_ids:
        today = day_start(book.stores_by_id[store_id], now).date()
        if window_has_ended(end, today):
            return [FieldError(f"{where}window_end", f"the window ended on {end}; it is {today} in store '{store_id}'", "window_ended")]
    return []


def _insert(database: Database, book: Book, by: User, planned: list[PlannedVisit], now: dt.datetime) -> list[VisitView]:
    with database.write() as db:
        ids = visits_store.insert_visits(db, planned, by.id, now.isoformat())
    return [visits.view(visits.visible_visit(database, by, visit_id), by, book.chain.visits) for visit_id in ids]
