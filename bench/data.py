"""Large data sets for the benchmarks, written fast through direct SQL: audits, survey responses, complaints.

`generate_audits`, `generate_responses` and `generate_complaints` write rows the app itself would have
written, in big transactions (`CHUNK` rows each): every audit body and result decodes as the app's own
types, built with the domain's `AuditSubmission` and `score` so each result is the true score of its
answers, with the proof-of-visit flags the domain gives; every survey answer is what the question's own
`read` made of a posted value; each row carries the store-local day the app would give it. Rows are
spread over `days` days from `first_day` (store-local, during opening-ish hours) and over the given
stores; random choices come from a seeded generator, so a run is repeatable. What varies little (an
audit's answers, a survey's answers) is built once as a few variants and reused.

`chain_of(book, n)` makes a book of `n` stores from the demo book's (copies under new ids, each with its
original's zone and hours) for a benchmark of a bigger chain; publish it before generating.

Rows written straight into tables skip what services do on the side: the dashboard's roll-ups (m013).
Each generator ends by rebuilding them from the rows (`store.rollups.rebuild_rollups`, as the migration
does) unless told `rollups=False`, and loads survey answers with the roll-up triggers set aside (they
would cost some 0.4 ms an answer; `rollups_set_aside`), putting them back before the rebuild.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
import zoneinfo
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import msgspec
import sqlite_utils

from audit_api.book import Book
from audit_api.book.models import Store, Survey
from audit_api.book.questions import RatingQuestion
from audit_api.domain import complaints as complaint_rules
from audit_api.domain.audits import AuditSubmission, proof_of_visit_flags
from audit_api.domain.forms import DESIRED
from audit_api.domain.scoring import Answer, Score, score
from audit_api.store import Database, current_version
from audit_api.store.visits import AuditResult

Row = tuple[object, ...]  # one row for executemany, its columns in the statement's order

CHUNK = 20_000  # rows of the main table a transaction
_encode = msgspec.json.Encoder(order="deterministic").encode  # as services/visits.py stores a body
_result = msgspec.json.Encoder().encode  # as store/visits.py stores a result
VARIANTS = 32
COMMENT = "Seen at 10:40, staff busy restocking."


def chain_of(book: Book, count: int) -> Book:
    """The book with `count` stores: copies of its own stores in turn, as `<id>-<n>`."""
    stores = [msgspec.structs.replace(book.stores[n % len(book.stores)], id=f"{book.stores[n % len(book.stores)].id}-{n:04d}")
              for n in range(count)]
    return msgspec.structs.replace(book, stores=stores)


def _moments(pick: random.Random, store: Store, first_day: dt.date, days: int, n: int, count: int) -> tuple[dt.date, dt.datetime]:
    """The store-local day of the `n`th of `count` rows spread evenly over the period, oldest first (as rows
    arrive, so each index by day or time grows at its end), and an instant of it between 10:00 and 17:00."""
    day = first_day + dt.timedelta(days=n * days // count)
    local = dt.datetime.combine(day, dt.time(10), tzinfo=_zone(store.timezone)) + dt.timedelta(minutes=pick.randrange(7 * 60))
    return day, local.astimezone(dt.UTC)


_ZONES: dict[str, zoneinfo.ZoneInfo] = {}


def _zone(name: str) -> zoneinfo.ZoneInfo:
    if name not in _ZONES:
        _ZONES[name] = zoneinfo.ZoneInfo(name)
    return _ZONES[name]


def _chunks(count: int) -> Iterator[range]:
    for start in range(0, count, CHUNK):
        yield range(start, min(start + CHUNK, count))


@contextmanager
def _big_cache(database: Database) -> Iterator[None]:
    """A page cache on the writer big enough for the indexes a bulk load touches (SQLite's default is 2 MB)."""
    with database.writer() as db:
        before = next(db.query("PRAGMA cache_size"))["cache_size"]
        db.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with database.writer() as db:
            db.execute(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def rollups_set_aside(database: Database, rebuild: bool = True) -> Iterator[None]:
    """Drop the survey roll-up triggers while rows load in bulk; then put them back as they were and,
    with `rebuild`, make every roll-up again from the rows."""
    with database.write() as db:
        triggers = [row["sql"] for row in db.query("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%rollups%'")]
        names = [row["name"] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%rollups%'")]
        for name in names:
            db.execute(f'DROP TRIGGER "{name}"')
    try:
        with _big_cache(database):
            yield
    finally:
        with database.write() as db:
            for sql in triggers:
                db.execute(sql)
            if rebuild and triggers:
                from audit_api.store.rollups import rebuild_rollups  # the dashboard's (m013), present with its triggers

                rebuild_rollups(db)


# --- audits -----------------------------------------------------------------------------------------


def _audit_variants(book: Book, checklist_id: str, pick: random.Random) -> list[tuple[list[Answer], Score]]:
    """Answer sets of the checklist, mostly passing, some items failed (with the comment the rules may ask
    for), some N/A where allowed; each with its score."""
    checklist = book.checklists_by_id[checklist_id]
    variants = []
    for _ in range(VARIANTS):
        answers = []
        for stage in checklist.stages:
            for item in stage.items:
                if item.na_allowed and pick.random() < 0.1:
                    answers.append(Answer(item=item.id, na=True))
                    continue
                good = pick.random() > 0.15
                value = _item_value(item, good)
                failed = item.failed(item.score(value))
                answers.append(Answer(item=item.id, value=value, comment=COMMENT if failed else ""))
        variants.append((answers, score(checklist, answers)))
    return variants


def _item_value(item: object, good: bool) -> bool | int | float | str:
    kind = getattr(item, "kind", "")
    if kind == "yes_no":
        return good
    if kind == "scale":
        low, high = getattr(item, "min"), getattr(item, "max")
        return int(high if good else low + (high - low) // 3)
    if kind == "number":
        target = float(getattr(item, "target"))
        better_low = getattr(item, "rule") == "at_most"
        return target * (0.8 if good == better_low else 1.25)
    if kind == "choice":
        choices = sorted(getattr(item, "choices"), key=lambda c: c.points)
        return str((choices[-1] if good else choices[0]).id)
    raise ValueError(f"no generated value for item kind {kind!r}")


def generate_audits(
    database: Database, book: Book, count: int, stores: Sequence[Store], *, auditor_ids: Sequence[int], assigned_by: int,
    first_day: dt.date, days: int, checklist_id: str = "in-store-visit", seed: int = 7, rollups: bool = True,
) -> list[str]:
    """`count` visits with one submitted audit each, half of them approved; returns the visit ids.

    Each visit: its `assigned` and `submitted` events (and `approved`), its audit (revision 1), scored
    against the published version of `checklist_id`, at a store of `stores` on a day of the period."""
    pick = random.Random(seed)
    version = current_version(database, "checklist", checklist_id)
    if version is None:
        raise ValueError(f"publish a book with the checklist {checklist_id!r} first")
    variants = _audit_variants(book, checklist_id, pick)
    visit_ids: list[str] = []
    with rollups_set_aside(database, rebuild=rollups):
        _write_audits(database, book, count, stores, pick, variants, version.version, auditor_ids, assigned_by, first_day, days,
                      checklist_id, seed, visit_ids)
    return visit_ids


def _write_audits(
    database: Database, book: Book, count: int, stores: Sequence[Store], pick: random.Random, variants: list[tuple[list[Answer], Score]],
    checklist_version: int, auditor_ids: Sequence[int], assigned_by: int, first_day: dt.date, days: int, checklist_id: str, seed: int,
    visit_ids: list[str],
) -> None:
    for part in _chunks(count):
        visits: list[Row] = []
        events: list[Row] = []
        audits: list[Row] = []
        for n in part:
            store = stores[n % len(stores)]
            day, started = _moments(pick, store, first_day, days, n, count)
            finished, submitted = started + dt.timedelta(minutes=25), started + dt.timedelta(minutes=85)
            visit_id, auditor = f"bench-{seed}-{n:07d}", auditor_ids[n % len(auditor_ids)]
            answers, result_score = variants[n % VARIANTS]
            body = _encode(AuditSubmission(visit_id=visit_id, started_at=started, finished_at=finished, answers=answers))
            audit_id = str(uuid.UUID(int=pick.getrandbits(128), version=4))
            decided = n % 2 == 1
            stamp, decided_at = submitted.isoformat(), (submitted + dt.timedelta(days=1)).isoformat()
            result = AuditResult(
                audit_id=audit_id, visit_id=visit_id, revision=1, checklist_id=checklist_id, checklist_version=checklist_version,
                score=result_score, flags=proof_of_visit_flags(store, AuditSubmission(
                    visit_id=visit_id, started_at=started, finished_at=finished, answers=[]), submitted), submitted_at=stamp,
            )
            assigned_at = (started - dt.timedelta(days=3)).isoformat()
            visits.append((visit_id, store.id, checklist_id, checklist_version, auditor, assigned_by, (day - dt.timedelta(days=2)).isoformat(),
                           (day + dt.timedelta(days=5)).isoformat(), "Ask about wholesale discounts.",
                           "approved" if decided else "submitted", assigned_at, decided_at if decided else stamp))
            audits.append((audit_id, visit_id, hashlib.sha256(body).hexdigest(), body.decode(), _result(result).decode(), auditor, stamp,
                           store.id, day.isoformat()))
            events.append((visit_id, assigned_at, assigned_by, "assigned", None))
            events.append((visit_id, stamp, auditor, "submitted", 1))
            if decided:
                events.append((visit_id, decided_at, assigned_by, "approved", 1))
            visit_ids.append(visit_id)
        with database.write() as db:
            _insert_audits(db, visits, events, audits)


def _insert_audits(db: sqlite_utils.Database, visits: list[Row], events: list[Row], audits: list[Row]) -> None:
    db.conn.executemany(
        "INSERT INTO visits (id, store_id, checklist_id, checklist_version, auditor_id, assigned_by, window_start, window_end, "
        "scenario, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        visits,
    )
    db.conn.executemany(
        "INSERT INTO audits (id, visit_id, revision, body_hash, body, result, submitted_by, submitted_at, store_id, local_day) "
        "VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
        audits,
    )
    db.conn.executemany("INSERT INTO visit_events (visit_id, at, actor_id, action, revision) VALUES (?, ?, ?, ?, ?)", events)


# --- survey responses -------------------------------------------------------------------------------


class _Filled(msgspec.Struct, frozen=True):
    answers: str  # JSON, as services/feedback.py stores it
    nps: int | None
    csat: int | None
    ces: int | None
    dimensions: list[tuple[str, str, int, int, int]]  # question, dimension, value, scale min, scale max
    consented: bool


def _survey_variants(survey: Survey, pick: random.Random) -> list[_Filled]:
    """Answer sets of the survey, each value what the question's own `read` makes of a posted one."""
    variants = []
    for n in range(VARIANTS):
        answers: dict[str, object] = {}
        for question in survey.questions:
            if question.kind == "consent":
                raw = ["yes"] if n % 8 == 0 else []
            elif (bounds := question.range()) is not None:
                raw = [str(pick.randint(*bounds))]
            elif question.kind in ("single", "multiple"):
                options = [o.id for o in getattr(question, "options")]
                raw = pick.sample(options, 1 if question.kind == "single" else pick.randint(1, len(options)))
            elif question.kind == "text":
                raw = ["More sizes in the fitting room, please."] if n % 2 == 0 else []
            else:
                raise ValueError(f"no generated answer for question kind {question.kind!r}")
            value, problem = question.read(raw)
            if problem is not None:
                raise ValueError(f"{survey.id}/{question.id}: {problem}")
            if value is not None:
                answers[question.id] = value

        def first(metric: str, answers: dict[str, object] = answers) -> int | None:
            value = next((answers.get(q.id) for q in survey.questions if q.metric == metric), None)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        dimensions: list[tuple[str, str, int, int, int]] = [
            (q.id, q.dimension, value, q.min, q.max) for q in survey.questions
            if isinstance(q, RatingQuestion) and q.dimension is not None and isinstance(value := answers.get(q.id), int)
        ]
        consented = any(answers.get(q.id) is True for q in survey.questions if q.contact_consent)
        variants.append(_Filled(_encode(answers).decode(), first("nps"), first("csat"), first("ces"), dimensions, consented))
    return variants


def generate_responses(
    database: Database, book: Book, count: int, stores: Sequence[Store], *, first_day: dt.date, days: int, seed: int = 7,
    rollups: bool = True,
) -> int:
    """`count` survey responses at the stores' touchpoints (each the survey its QR code serves), one in ten
    suspect, with their dimension answers and, where the customer consented, contact details; returns
    the id of the last one written. The roll-ups are made again at the end (unless `rollups=False`)."""
    pick = random.Random(seed)
    places = [(store, touchpoint.id, book.surveys_by_id[survey_id]) for store in stores for touchpoint in store.touchpoints
              if (survey_id := book.survey_id_for(store, touchpoint)) is not None]
    if not places:
        raise ValueError("no touchpoint of these stores serves a survey")
    versions: dict[str, int] = {}
    variants: dict[str, list[_Filled]] = {}
    for _, _, survey in places:
        if survey.id not in versions:
            version = current_version(database, "survey", survey.id)
            if version is None:
                raise ValueError(f"publish a book with the survey {survey.id!r} first")
            versions[survey.id], variants[survey.id] = version.version, _survey_variants(survey, pick)
    with database.write() as db:
        last = int(next(db.query("SELECT COALESCE(MAX(id), 0) AS id FROM survey_responses"))["id"])
    with rollups_set_aside(database, rebuild=rollups):
        for part in _chunks(count):
            rows, dimensions, contacts = [], [], []
            for n in part:
                store, touchpoint, survey = places[n % len(places)]
                day, at = _moments(pick, store, first_day, days, n, count)
                filled = variants[survey.id][pick.randrange(VARIANTS)]
                response_id = last + n + 1
                suspect = "address_limit" if n % 10 == 9 else None
                rows.append((response_id, store.id, touchpoint, store.languages[0] if store.languages else book.chain.default_language,
                             survey.id, versions[survey.id], filled.answers, filled.nps, filled.csat, filled.ces, at.isoformat(),
                             day.isoformat(), suspect))
                counted = int(suspect is None)
                dimensions += [(response_id, q, store.id, touchpoint, day.isoformat(), dim, value, low, high, counted)
                               for q, dim, value, low, high in filled.dimensions]
                if filled.consented:
                    contacts.append((response_id, "Amra Hodžić", f"amra{n}@example.com", "+387 61 000 000"))
            with database.write() as db:
                db.conn.executemany(
                    "INSERT INTO survey_responses (id, store_id, touchpoint_id, language, survey_id, survey_version, answers, nps, csat, ces, "
                    "created_at, local_day, suspect) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                db.conn.executemany(
                    "INSERT INTO survey_dimension_answers (response_id, question_id, store_id, touchpoint_id, local_day, dimension, value, "
                    "scale_min, scale_max, counted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    dimensions,
                )
                db.conn.executemany("INSERT INTO survey_contacts (response_id, name, email, phone) VALUES (?, ?, ?, ?)", contacts)
    return last + count


# --- complaints -------------------------------------------------------------------------------------

_STEPS = ("received", "acknowledged", "in_progress", "resolved", "closed")


def generate_complaints(
    database: Database, book: Book, count: int, stores: Sequence[Store], *, first_day: dt.date, days: int, handled_by: int,
    seed: int = 7,
) -> list[str]:
    """`count` complaints through the procedure's clock, in every state (most resolved or closed, some late),
    each with its history and, for half, contact details; returns their tickets."""
    pick = random.Random(seed)
    tickets: list[str] = []
    with _big_cache(database):
        _write_complaints(database, book, count, stores, pick, first_day, days, handled_by, seed, tickets)
    return tickets


def _write_complaints(
    database: Database, book: Book, count: int, stores: Sequence[Store], pick: random.Random, first_day: dt.date, days: int,
    handled_by: int, seed: int, tickets: list[str],
) -> None:
    procedure = book.chain.complaints
    for part in _chunks(count):
        rows: list[Row] = []
        events: list[Row] = []
        contacts: list[Row] = []
        for n in part:
            store = stores[n % len(stores)]
            day, received = _moments(pick, store, first_day, days, n, count)
            acknowledge_by, respond_by = complaint_rules.due_times(procedure, received)
            reached = _STEPS.index(pick.choices(_STEPS, weights=(1, 1, 2, 3, 5))[0])
            ticket = _ticket(seed, n)
            took = (respond_by - received) * (0.5 if n % 7 else 1.5)  # one in seven answered late
            times = {1: received + (acknowledge_by - received) / 2, 2: received + took / 2, 3: received + took, 4: received + took * 2}
            stamp = {step: times[step].isoformat() if reached >= step else None for step in times}
            resolved = reached >= 3
            rows.append((ticket, store.id, book.chain.default_language, day.isoformat(), "The cashier was rude to me and my mother.",
                         DESIRED[n % len(DESIRED)], _STEPS[reached], received.isoformat(), acknowledge_by.isoformat(), respond_by.isoformat(),
                         stamp[1] or stamp[2], stamp[3], stamp[4], "Talked to the cashier." if resolved else "",
                         "Staff shortage." if resolved else "", "We are sorry; we have talked to the team." if resolved else "",
                         stamp[3], day.isoformat()))
            events.append((ticket, received.isoformat(), None, None, "received"))
            path = [0, 1, 2, 3, 4] if reached >= 1 else [0]
            for before, after in zip(path, path[1:]):
                if after <= reached:
                    events.append((ticket, times[after].isoformat(), handled_by, _STEPS[before], _STEPS[after]))
            if n % 2 == 0:
                contacts.append((ticket, "Amra Hodžić", f"amra{n}@example.com", "+387 61 000 000"))
            tickets.append(ticket)
        with database.write() as db:
            db.conn.executemany(
                "INSERT INTO complaints (ticket, store_id, language, happened_on, what, desired, state, received_at, acknowledge_by, "
                "respond_by, acknowledged_at, resolved_at, closed_at, resolution, root_cause, reply, reply_at, local_day) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.conn.executemany(
                "INSERT INTO complaint_events (ticket, at, actor_id, from_state, to_state) VALUES (?, ?, ?, ?, ?)", events
            )
            db.conn.executemany("INSERT INTO complaint_contacts (ticket, name, email, phone) VALUES (?, ?, ?, ?)", contacts)


_TICKET_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _ticket(seed: int, n: int) -> str:
    """A ticket in the app's shape (`C-XXXX-XXXX`, Crockford's base32), unique for each seed and number."""
    value = (seed % 256) << 32 | n
    chars = "".join(_TICKET_ALPHABET[(value >> (5 * k)) & 31] for k in reversed(range(8)))
    return f"C-{chars[:4]}-{chars[4:]}"


# --- corrective actions -----------------------------------------------------------------------------


class _Failed(msgspec.Struct):
    stage: str
    item: str
    critical: bool


class _FailedScore(msgspec.Struct):
    failed: list[_Failed]


class _FailedResult(msgspec.Struct):
    score: _FailedScore


def generate_actions(database: Database, book: Book, *, now: dt.datetime, closed_by: int, seed: int = 7) -> int:
    """The corrective actions the approvals of the approved audits written by `generate_audits` would have
    opened (`services.actions.open_actions`): one per failed item of each approved visit's latest audit,
    opened when it was approved, due the checklist's `action_days` store-local days later, pointing at the
    latest earlier action of another visit for the same store, checklist and item opened before the audit
    was submitted ("failed again"). Nine in ten of those due before `now` are closed (with a note, a day
    before they were due); the rest stay open, and those past due are overdue. Returns how many were opened."""
    pick = random.Random(seed)
    zones = {store.id: store.timezone for store in book.stores}
    opened = 0
    earlier: dict[tuple[str, str, str], list[tuple[str, str]]] = {}  # (store, checklist, item) -> [(opened_at, id)], in time order
    rows: list[tuple[object, ...]] = []
    with database.write() as db:
        visits = list(db.query(
            "SELECT v.id, v.store_id, v.checklist_id, v.checklist_version, v.updated_at, a.revision, a.submitted_at, a.result "
            "FROM visits v JOIN audits a ON a.visit_id = v.id AND a.revision = (SELECT MAX(b.revision) FROM audits b WHERE b.visit_id = v.id) "
            "WHERE v.state = 'approved' ORDER BY v.updated_at, v.id"
        ))
    days = {checklist.id: checklist.action_days for checklist in book.checklists}
    with _big_cache(database):
        for visit in visits:
            approved = dt.datetime.fromisoformat(visit["updated_at"]).astimezone(dt.UTC)
            due = _action_due(zones.get(visit["store_id"], "UTC"), approved, days[visit["checklist_id"]])
            submitted = dt.datetime.fromisoformat(visit["submitted_at"]).astimezone(dt.UTC).isoformat()
            for failed in msgspec.json.decode(visit["result"], type=_FailedResult).score.failed:
                key = (visit["store_id"], visit["checklist_id"], failed.item)
                before = earlier.setdefault(key, [])
                repeat_of = next((action_id for at, action_id in reversed(before) if at < submitted), None)
                action_id = f"bench{seed}-{opened:08d}"
                closed = due < now and pick.random() < 0.9
                closed_at = (due - dt.timedelta(days=1)).isoformat() if closed else None
                rows.append((action_id, visit["id"], visit["revision"], visit["store_id"], visit["checklist_id"], failed.stage, failed.item,
                             int(failed.critical), approved.isoformat(), due.isoformat(), "closed" if closed else "open", closed_at,
                             closed_by if closed else None, "Talked to the team; checked again the next day." if closed else "", repeat_of))
                before.append((approved.isoformat(), action_id))
                opened += 1
            if len(rows) >= CHUNK:
                _insert_actions(database, rows)
                rows = []
        _insert_actions(database, rows)
    return opened


def _action_due(timezone: str, approved: dt.datetime, days: int) -> dt.datetime:
    """As `domain.actions.due_at`, with the zone cached."""
    last_day = approved.astimezone(_zone(timezone)).date() + dt.timedelta(days=days)
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=_zone(timezone)).astimezone(dt.UTC)


def _insert_actions(database: Database, rows: list[tuple[object, ...]]) -> None:
    with database.write() as db:
        db.conn.executemany(
            "INSERT INTO corrective_actions (id, visit_id, revision, store_id, checklist_id, stage_id, item_id, critical, opened_at, due_at, "
            "state, closed_at, closed_by, note, repeat_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
