"""Customers' feedback: survey responses, complaints and their clock, metrics, the privacy purge.

Survey responses go through the group commit (`Database.submit`): a customer's phone is answered only
once the response is on disk; a second response from the same browser and store within ten minutes
is absorbed. An answer counts in the figures and the prize draw only when it came with a fresh
single-use form token from the survey page, and within the book's limits (`survey_limits`: one browser
once a day per store, one network address ten times an hour per store, by default); the others are
kept, marked suspect with the reason, and counted apart so managers see them. Each touchpoint's QR link
serves that touchpoint's survey (`Book.survey_id_for`), and each response keeps the survey's id and
published version and its store-local day. Metrics count each store's local days, and come for the
reader's whole scope (`overall`) as well as per store and touchpoint, from counts SQLite makes.
Complaints follow the states of `domain/complaints.py` with the book's clock. To resolve one, a manager
records two staff notes (resolution, root cause) and the reply the customer reads on the status page,
which stays correctable while the complaint is resolved; the public status shows the reply only once
resolved, and never the notes, the narrative or contact details. Managers read their stores'
complaints, responses and metrics, admins all (`access.stores`, as SQL). Personal data is kept only
with consent and purged after the book's retention period, with the complaint's free text and reply;
scores stay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Literal

import msgspec
import sqlite_utils

from ..book.models import Book, Store, Survey, SurveyLimits
from ..book.questions import DIMENSIONS, Dimension, RatingQuestion
from ..domain import complaints as rules
from ..domain.forms import ComplaintForm, SurveyAnswers
from ..domain.hours import day_start
from ..domain.metrics import SCALES, Ces, Csat, DimensionMean, Nps, ces, csat, dimension_mean, nps
from ..errors import Conflict, FieldError, InvalidInput, NotFound
from ..lru import LRU
from ..progress import Step, Total, no_step
from ..store import Database, current_version, rollups
from ..store import feedback as store
from ..store.accounts import User
from ..store.feedback import (
    Complaint,
    ComplaintChange,
    ComplaintEvent,
    ContactDetails,
    DimensionAnswer,
    NewResponse,
    PublicStatus,
    PublicStep,
    ResponseView,
)
from ..store.scope import EVERYTHING, Scope, column_in
from . import access

DUPLICATE_WINDOW = dt.timedelta(minutes=10)
REPLY_MAX_CHARS = 2000  # the reply to a customer: a few short paragraphs, read on a phone
_encode = msgspec.json.Encoder(order="deterministic").encode
_COUPON_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


class Receipt(msgspec.Struct, frozen=True, kw_only=True):
    """What the customer sees after submitting: the reward, and whether it repeats an earlier answer."""

    response_id: int
    reward: str | None  # a coupon code or a prize-draw entry; none for a suspect answer
    duplicate: bool
    suspect: str | None = None


class Origin(msgspec.Struct, frozen=True, kw_only=True):
    """Where an answer came from, for the book's limits. The default is an answer the product itself
    vouches for (tests, imports); the survey page fills in what it saw."""

    form_nonce: str | None = None  # the nonce of a good form token
    token_problem: str | None = None  # why the form token was not good (missing, forged, expired)
    address_key: str | None = None  # a keyed hash of the network address


class ComplaintView(Complaint, frozen=True, kw_only=True):
    overdue: bool = False
    acknowledgement_overdue: bool = False
    contact: ContactDetails | None = None  # only for managers of the store and admins


Due = Literal["ahead", "passed", "met", "missed"]


class CustomerStatus(msgspec.Struct, frozen=True, kw_only=True):
    """What anyone holding the ticket reads: no staff notes (resolution, root cause, history notes), no
    narrative, no contact details, no names of staff."""

    ticket: str
    store_id: str
    state: rules.State
    desired: str  # the remedy the customer chose from the form's fixed list
    received_at: str
    respond_by: str
    due: Due  # open: the answer time is still ahead or has passed; answered: in time (met) or late (missed)
    steps: list[PublicStep]  # the states reached so far, in order
    reply: str | None  # the store's answer, once resolved (and while closed); None before
    reply_corrected_at: str | None  # when the reply shown replaced an earlier one after resolving
    reply_removed: bool  # resolved, but the privacy purge has removed the reply's text


VOUCHED = Origin()
DEFAULT_LIMITS = SurveyLimits()


class Figures(msgspec.Struct, frozen=True, kw_only=True):
    responses: int  # the answers that count
    suspect: int  # answers kept but left out: over the book's limits, or without a good form token
    nps: Nps
    csat: Csat
    ces: Ces
    dimensions: dict[Dimension, DimensionMean]  # every SERVQUAL dimension, each from the rating questions that measure it


class StoreMetrics(Figures, frozen=True, kw_only=True):
    store_id: str
    touchpoint_id: str | None  # only with by_touchpoint


class Metrics(msgspec.Struct, frozen=True, kw_only=True):
    overall: Figures  # every answer the reader may see, within the filters, counted once (no mean of stores' figures)
    stores: list[StoreMetrics]  # per store, or per store and touchpoint; only those with answers


class PurgeReport(msgspec.Struct, frozen=True, kw_only=True):
    survey_contacts: int
    survey_texts: int
    complaint_contacts: int
    complaint_texts: int
    batches: int  # transactions it took: each held the write lock for one batch of rows only


def _contact(contact: object) -> ContactDetails | None:
    return None if contact is None else msgspec.convert(contact, ContactDetails, from_attributes=True)


def _within(scope: Scope, store_id: str | None) -> Scope:
    """`scope`, narrowed to one store when the reader asked for one."""
    return scope if store_id is None else scope.both(column_in("store_id", [store_id]))


# --- survey responses -------------------------------------------------------------------------


def current_survey(database: Database, book: Book, store: Store, touchpoint_id: str) -> tuple[Survey, int]:
    """The survey a touchpoint's customers answer (its own, else its store's, else the chain's default,
    else the book's only one), and its published version."""
    touchpoint = store.touchpoint(touchpoint_id)
    survey_id = book.survey_id_for(store, touchpoint) if touchpoint else None
    survey = book.surveys_by_id.get(survey_id) if survey_id else None
    if survey is None:
        raise NotFound("there is no survey to answer")
    _, version = _survey_versions.get((id(book), survey.id), lambda: (book, _published_version(database, survey.id)))
    if version is None:
        raise NotFound("there is no survey to answer")
    return survey, version


# The version a published book's survey was stored as, read once per book and survey rather than on every answer
# (`bench/requests.py`); the entry keeps its book, so that book's id is not reused while it lives.
_survey_versions: LRU[tuple[int, str], tuple[Book, int | None]] = LRU(1024)


def _published_version(database: Database, survey_id: str) -> int | None:
    version = current_version(database, "survey", survey_id)
    return version.version if version else None


def address_key(secret: bytes, address: str) -> str:
    """A network address as kept with an answer: a keyed hash, so the stored value names nobody."""
    return hmac.new(secret, f"address|{address}".encode(), hashlib.sha256).hexdigest()


def browser_key(cookie: str, store_id: str) -> str:
    return hashlib.sha256(f"{cookie}/{store_id}".encode()).hexdigest()


def _reward(survey: Survey) -> str | None:
    if survey.incentive is None:
        return None
    number, code = secrets.randbelow(len(_COUPON_ALPHABET) ** 8), []  # one draw for eight characters, each as likely
    for _ in range(8):
        number, digit = divmod(number, len(_COUPON_ALPHABET))
        code.append(_COUPON_ALPHABET[digit])
    return f"{survey.incentive.prefix}-{''.join(code)}"


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _first_of_kind(survey: Survey, answers: SurveyAnswers, kind: str) -> int | None:
    question = next((q for q in survey.questions if q.metric == kind), None)
    return _whole(answers.answers.get(question.id)) if question else None


def _dimension_answers(survey: Survey, answers: SurveyAnswers) -> list[DimensionAnswer]:
    """The answers to rating questions that measure a SERVQUAL dimension, with their scales."""
    return [
        DimensionAnswer(question_id=q.id, dimension=q.dimension, value=value, scale_min=q.min, scale_max=q.max)
        for q in survey.questions
        if isinstance(q, RatingQuestion) and q.dimension is not None and (value := _whole(answers.answers.get(q.id))) is not None
    ]


def response_job(
    survey: Survey,
    survey_version: int,
    *,
    at: Store,
    touchpoint_id: str,
    language: str,
    answers: SurveyAnswers,
    browser: str | None,
    now: dt.datetime,
    origin: Origin = VOUCHED,
    limits: SurveyLimits = DEFAULT_LIMITS,
) -> Callable[[sqlite_utils.Database], Receipt]:
    """The group commit's job that stores one response: `database.submit(job)` (its future resolves once the answer is
    on disk), or `submit_on_loop` from the event loop. A second one from the same browser and store within ten
    minutes is absorbed: nothing new is stored and the first receipt is shown again. An answer without
    a good, unused form token or over the book's limits is stored as suspect, without a reward. The
    response keeps its day in the store's time zone, and its dimension answers go in the same transaction."""
    store_id, local_day = at.id, day_start(at, now).date().isoformat()
    response = NewResponse(
        store_id=store_id, touchpoint_id=touchpoint_id, language=language, survey_id=survey.id, survey_version=survey_version,
        answers=_encode(answers.answers).decode(), nps=_first_of_kind(survey, answers, "nps"),
        csat=_first_of_kind(survey, answers, "csat"), ces=_first_of_kind(survey, answers, "ces"),
        browser_key=browser, reward=_reward(survey), created_at=now.isoformat(), local_day=local_day,
    )
    dimensions = _dimension_answers(survey, answers)
    contact = _contact(answers.contact)
    since = (now - DUPLICATE_WINDOW).isoformat()
    hour_ago = (now - dt.timedelta(hours=1)).isoformat()

    def write(db: sqlite_utils.Database) -> Receipt:
        # In the group commit, one answer after another: what the store has seen includes every earlier answer.
        seen = store.seen(
            db, store_id=store_id, local_day=local_day, browser_key=browser, since=since, nonce=origin.form_nonce,
            address_key=origin.address_key, hour_ago=hour_ago,
        )
        if browser and seen.earlier:
            return Receipt(response_id=seen.earlier.id, reward=seen.earlier.reward, duplicate=True)
        suspect, nonce = origin.token_problem, origin.form_nonce
        if suspect is None and nonce is not None and seen.nonce_used:
            suspect, nonce = "reused_form_token", None
        if suspect is None and browser and seen.browser_today >= limits.per_browser_per_day:
            suspect = "browser_limit"
        if suspect is None and origin.address_key and seen.address_last_hour >= limits.per_address_per_hour:
            suspect = "address_limit"
        kept = msgspec.structs.replace(
            response, form_nonce=nonce, address_key=origin.address_key, suspect=suspect, reward=None if suspect else response.reward
        )
        response_id = store.insert_response(db, kept, contact)
        store.insert_dimension_answers(db, response_id, kept, dimensions)
        store.add_to_rollups(db, kept, dimensions)
        return Receipt(response_id=response_id, reward=kept.reward, duplicate=False, suspect=suspect)

    return write


def list_responses(
    database: Database, user: User, *, store_id: str | None = None, since: dt.date | None = None,
    after: Sequence[object] | None = None, limit: int | None = 200,
) -> list[ResponseView]:
    """Newest first (`store.RESPONSE_ORDER`), for the stores `user` covers, with contact details where given
    with consent: after the sort key `after` (None: from the newest), at most `limit` (None: all)."""
    scope = _within(access.stores(user), store_id)
    return store.list_responses(database.read(), scope, since=since, after=after, limit=limit)


class _Tallies:
    """What one set of figures is worked out from: the responses, and the counts SQLite made of their answers."""

    def __init__(self) -> None:
        self.responses = self.suspect = 0
        self.scores: dict[str, Counter[int]] = {column: Counter() for column in SCALES}
        self.dimensions: dict[str, dict[tuple[int, int], tuple[int, int]]] = {dimension: {} for dimension in DIMENSIONS}

    def add(self, counts: dict[str, Any]) -> None:
        """A roll-up's sums (`rollups.SURVEY_COUNTS`): the answers counted, left out, and each score's tally."""
        self.responses += counts["counted"]
        self.suspect += counts["suspect"]
        for column, (low, high) in SCALES.items():
            self.scores[column].update({value: n for value in range(low, high + 1) if (n := counts[f"{column}_{value}"])})

    def add_dimension(self, sums: dict[str, Any]) -> None:
        if sums["dimension"] in self.dimensions:  # a dimension the product no longer knows stays out
            scale, known = (sums["scale_min"], sums["scale_max"]), self.dimensions[sums["dimension"]]
            n, total = known.get(scale, (0, 0))
            known[scale] = (n + sums["n"], total + sums["total"])

    def figures(self) -> dict[str, Any]:
        return {
            "responses": self.responses, "suspect": self.suspect,
            "nps": nps(self.scores["nps"]), "csat": csat(self.scores["csat"]), "ces": ces(self.scores["ces"]),
            "dimensions": {dimension: dimension_mean(sums) for dimension, sums in self.dimensions.items()},
        }


def metrics(
    database: Database, user: User, *, store_id: str | None = None, touchpoint_id: str | None = None,
    since: dt.date | None = None, until: dt.date | None = None, by_touchpoint: bool = False,
) -> Metrics:
    """NPS, CSAT, CES and the SERVQUAL dimensions' means over the store-local days [since, until], for the
    stores `user` covers: over all of them at once, and per store (and touchpoint). Read from the daily, monthly
    and yearly roll-ups (`store/rollups.py`): a reader of the whole chain reads the chain's own rows for
    `overall`; the figures are worked out from those counts."""
    db, scope = database.read(), _within(access.stores(user), store_id)
    period: dict[str, Any] = {"touchpoint_id": touchpoint_id, "first": since, "last": until}
    overall, groups = _Tallies(), dict[tuple[str, str | None], _Tallies]()
    chain = scope == EVERYTHING  # the chain's own rows hold `overall`; else it is the sum of the stores' rows read below
    if chain:
        for counts in rollups.survey_counts(db, scope, chain=True, **period):
            overall.add(counts)
        for sums in rollups.dimension_sums(db, scope, chain=True, **period):
            overall.add_dimension(sums)
    for counts in rollups.survey_counts(db, scope, chain=False, by_store=True, by_touchpoint=by_touchpoint, **period):
        groups.setdefault((counts["store_id"], counts["touchpoint_id"] if by_touchpoint else None), _Tallies()).add(counts)
        if not chain:
            overall.add(counts)
    for sums in rollups.dimension_sums(db, scope, chain=False, by_store=True, by_touchpoint=by_touchpoint, **period):
        groups.setdefault((sums["store_id"], sums["touchpoint_id"] if by_touchpoint else None), _Tallies()).add_dimension(sums)
        if not chain:
            overall.add_dimension(sums)
    return Metrics(
        overall=Figures(**overall.figures()),
        stores=[
            StoreMetrics(store_id=key[0], touchpoint_id=key[1], **tallies.figures())
            for key, tallies in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
        ],
    )


# --- complaints -------------------------------------------------------------------------------


def file_complaint(
    database: Database, book: Book, form: ComplaintForm, language: str, now: dt.datetime, source_response: int | None = None
) -> str:
    """Store a complaint; returns its ticket number. The clock starts now, with the book's targets.

    `source_response` is the survey response it follows, read from a reference only the server makes
    (`forms.linked_response`); one no longer stored leaves the complaint unlinked rather than refused."""
    acknowledge_by, respond_by = rules.due_times(book.chain.complaints, now)
    stamp = now.isoformat()
    at = book.stores_by_id.get(form.store_id)
    local_day = day_start(at, now).date().isoformat() if at else now.date().isoformat()

    def write(db: sqlite_utils.Database) -> str:
        ticket = rules.new_ticket()
        for _ in range(5):  # 40 random bits: a clash is astronomically rare, but never fatal
            if not store.ticket_taken(db, ticket):
                break
            ticket = rules.new_ticket()
        complaint = Complaint(
            ticket=ticket, store_id=form.store_id, language=language, happened_on=form.happened_on.isoformat(), what=form.what,
            desired=form.desired, state="received", received_at=stamp, acknowledge_by=acknowledge_by.isoformat(),
            respond_by=respond_by.isoformat(), acknowledged_at=None, resolved_at=None, closed_at=None, resolution="", root_cause="",
            reply="", reply_at=None,
        )
        linked = source_response if source_response is not None and store.response_exists(db, source_response) else None
        store.insert_complaint(db, complaint, _contact(form.contact), linked, local_day)
        store.add_complaint_event(db, ticket, stamp, "received")
        return ticket

    return database.run(write)


def _view(complaint: Complaint, now: dt.datetime, contact: ContactDetails | None = None) -> ComplaintView:
    stamp = now.isoformat()
    return ComplaintView(
        **msgspec.structs.asdict(complaint),
        overdue=complaint.state in rules.OPEN_STATES and complaint.respond_by < stamp,
        acknowledgement_overdue=complaint.state == "received" and complaint.acknowledge_by < stamp,
        contact=contact,
    )


def complaint_for(database: Database, user: User, ticket: str, now: dt.datetime) -> ComplaintView:
    db = database.read()
    complaint = store.find_complaint(db, ticket, access.stores(user))
    if complaint is None:
        raise NotFound(f"no complaint '{ticket}'")
    return _view(complaint, now, store.complaint_contact(db, ticket))


def queue(
    database: Database, user: User, now: dt.datetime, *, include_closed: bool = False, after: Sequence[object] | None = None,
    limit: int | None = None,
) -> list[ComplaintView]:
    """The complaints a manager must answer, soonest due first (`store.COMPLAINT_ORDER`), overdue ones
    flagged: after the sort key `after` (None: from the first), at most `limit` (None: all)."""
    states = None if include_closed else sorted(rules.OPEN_STATES)
    return [_view(c, now) for c in store.list_complaints(database.read(), access.stores(user), states, after=after, limit=limit)]


def _plain(text: str) -> str:
    """A reply as kept: one kind of line break, no blanks around it."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _reply_problems(reply: str) -> list[FieldError]:
    if not reply:
        return [FieldError("body.reply", "write the reply the customer reads on the status page")]
    if len(reply) > REPLY_MAX_CHARS:
        return [FieldError("body.reply", f"at most {REPLY_MAX_CHARS} characters")]
    return []


def move_complaint(
    database: Database, user: User, ticket: str, target: str, note: str, now: dt.datetime,
    resolution: str = "", root_cause: str = "", reply: str = "",
) -> ComplaintView:
    """Move a complaint one state on. Resolving takes the staff notes (resolution, root cause) and the
    reply the customer reads; a reply with any other move is refused rather than dropped."""
    current = complaint_for(database, user, ticket, now)
    if not rules.can_move(current.state, target):
        allowed = ", ".join(sorted(rules.TRANSITIONS.get(current.state, ()))) or "none"
        raise Conflict(f"a {current.state} complaint cannot become {target} (allowed: {allowed})")
    reply = _plain(reply)
    if target == "resolved":
        problems = [
            FieldError(f"body.{name}", f"write the {what}")
            for name, value, what in (("resolution", resolution, "resolution (a staff note)"), ("root_cause", root_cause, "root cause (a staff note)"))
            if not value.strip()
        ] + _reply_problems(reply)
        if problems:
            raise InvalidInput("record the resolution, the root cause and the reply to the customer to resolve a complaint", problems)
    elif reply:
        raise InvalidInput("a reply to the customer goes with resolving", [FieldError("body.reply", "give a reply only with \"to\": \"resolved\"")])
    stamp = now.isoformat()
    resolving = target == "resolved"
    change = ComplaintChange(
        state=target,
        acknowledged_at=stamp if target in ("acknowledged", "in_progress") else None,
        resolved_at=stamp if resolving else None,
        closed_at=stamp if target == "closed" else None,
        resolution=resolution if resolving else None,
        root_cause=root_cause if resolving else None,
        reply=reply if resolving else None,
        reply_at=stamp if resolving else None,
    )
    with database.write() as db:
        if not store.change_complaint(db, ticket, current.state, change):
            raise Conflict("the complaint changed meanwhile: reload it")
        store.add_complaint_event(db, ticket, stamp, target, actor_id=user.id, from_state=current.state, note=note)
    return complaint_for(database, user, ticket, now)


def correct_reply(database: Database, user: User, ticket: str, reply: str, note: str, now: dt.datetime) -> ComplaintView:
    """Replace the reply of a resolved complaint (whoever may move it may correct it); the history records
    who did it and when. The same text again changes nothing and records nothing."""
    current = complaint_for(database, user, ticket, now)
    if current.state != "resolved":
        raise Conflict(f"a {current.state} complaint's reply cannot be changed: only while the complaint is resolved")
    reply = _plain(reply)
    if problems := _reply_problems(reply):
        raise InvalidInput("write the reply the customer reads on the status page", problems)
    if reply == current.reply:
        return current
    stamp = now.isoformat()
    with database.write() as db:
        if not store.change_complaint(db, ticket, "resolved", ComplaintChange(state="resolved", reply=reply, reply_at=stamp)):
            raise Conflict("the complaint changed meanwhile: reload it")
        store.add_complaint_event(db, ticket, stamp, "resolved", actor_id=user.id, from_state="resolved", note=note, kind="reply")
    return complaint_for(database, user, ticket, now)


def complaint_history(database: Database, user: User, ticket: str, now: dt.datetime) -> list[ComplaintEvent]:
    complaint_for(database, user, ticket, now)  # raises when not visible
    return store.complaint_events(database.read(), ticket)


def _due(status: PublicStatus, now: dt.datetime) -> Due:
    respond_by = dt.datetime.fromisoformat(status.respond_by)
    if status.resolved_at is None or status.state in rules.OPEN_STATES:
        return "ahead" if now <= respond_by else "passed"
    return "met" if dt.datetime.fromisoformat(status.resolved_at) <= respond_by else "missed"


def public_status(database: Database, ticket: str, now: dt.datetime) -> CustomerStatus:
    """The status anyone holding the ticket may read: the states reached and when, the answer time, and
    the store's reply once the complaint is resolved. An unknown ticket is NotFound, whatever it looks like."""
    db = database.read()
    status = store.public_status(db, ticket)
    if status is None:
        raise NotFound(f"no complaint '{ticket}'")
    answered = status.state in ("resolved", "closed")
    corrected = status.reply_at is not None and status.resolved_at is not None and (
        dt.datetime.fromisoformat(status.reply_at) > dt.datetime.fromisoformat(status.resolved_at)
    )
    return CustomerStatus(
        ticket=status.ticket, store_id=status.store_id, state=status.state, desired=status.desired, received_at=status.received_at,
        respond_by=status.respond_by, due=_due(status, now), steps=store.public_steps(db, ticket),
        reply=status.reply if answered and status.reply else None,
        reply_corrected_at=status.reply_at if answered and status.reply and corrected else None,
        reply_removed=answered and status.purged and not status.reply,
    )


# --- the privacy purge ------------------------------------------------------------------------


# Rows per transaction. Measured with `python -m bench.purge` on the 2-core development machine while
# answers kept coming: a batch of 200 responses (half with a comment to strip, one in five with contact
# details) holds the write lock 11 ms at the median, about 4 ms of it the batch's own work (some 18 us a
# row) and the rest its durable commit; 500 rows held it 14 ms at the median but up to 69 ms, 1000 rows
# 25 ms and up to 54 ms alone. The commit's fsync, not the batch, makes the rare long holds, so smaller
# batches would only add commits; with 200 the p99 hold is about 30 ms (README, Benchmarks).
PURGE_BATCH = 200
_Batch = Callable[[sqlite_utils.Database], tuple[int, dict[str, int]]]


def purge(
    database: Database, book: Book, now: dt.datetime, *, batch_size: int = PURGE_BATCH, max_batches: int | None = None,
    step: Step = no_step, total: Total | None = None,
) -> PurgeReport:
    """Remove personal data older than the book's retention period; keep every score and state.

    In batches of `batch_size` rows, the oldest first, each its own short transaction, giving way to
    other writers between two (`_give_way`). A row is purged whole in one transaction and marked done,
    so a run stopped between batches (killed, or after `max_batches`) leaves no row half-changed, and
    the next run carries on with the rows left; a run with nothing left changes nothing. With `total`,
    the rows to purge (responses and complaints) are counted first, through the indexes of the rows
    left; `step` is told of each batch's rows once committed."""
    cutoff, stamp = (now - dt.timedelta(days=book.chain.retention_days)).isoformat(), now.isoformat()
    text_questions = frozenset(q.id for s in book.surveys for q in s.questions if q.free_text)
    if total is not None:
        total(store.count_to_purge(database.read(), cutoff))
    kinds: tuple[_Batch, ...] = (
        lambda db: _purge_responses(db, cutoff, stamp, batch_size, text_questions),
        lambda db: _purge_complaints(db, cutoff, stamp, batch_size),
    )
    removed: Counter[str] = Counter()
    batches = 0
    for purge_batch in kinds:
        full = True
        while full and batches != max_batches:
            started = time.perf_counter()
            with database.write() as db:
                rows, counts = purge_batch(db)
            full = rows == batch_size
            if rows:
                batches += 1
                removed.update(counts)
                step(rows)
                _give_way(database, time.perf_counter() - started)
    return PurgeReport(
        survey_contacts=removed["survey_contacts"], survey_texts=removed["survey_texts"],
        complaint_contacts=removed["complaint_contacts"], complaint_texts=removed["complaint_texts"], batches=batches,
    )


def _purge_responses(
    db: sqlite_utils.Database, cutoff: str, stamp: str, limit: int, text_questions: frozenset[str]
) -> tuple[int, dict[str, int]]:
    """One batch of responses: contact details and network address go, answers lose their free text."""
    batch = store.responses_to_purge(db, cutoff, limit)
    if not batch:
        return 0, {}
    stripped = {}
    for response_id, answers in batch:
        kept = {k: v for k, v in answers.items() if k not in text_questions}
        if kept != answers:
            stripped[response_id] = kept
    store.set_answers(db, stripped)
    contacts = store.purge_responses(db, [response_id for response_id, _ in batch], stamp)
    return len(batch), {"survey_contacts": contacts, "survey_texts": len(stripped)}


def _purge_complaints(db: sqlite_utils.Database, cutoff: str, stamp: str, limit: int) -> tuple[int, dict[str, int]]:
    """One batch of complaints: contact details go, and what the customer wrote and the reply to them."""
    tickets = store.complaints_to_purge(db, cutoff, limit)
    if not tickets:
        return 0, {}
    contacts = store.purge_complaints(db, tickets, stamp)
    return len(tickets), {"complaint_contacts": contacts, "complaint_texts": len(tickets)}


def _give_way(database: Database, held: float) -> None:
    """Let the writers that queued during a batch in before the next one. This process's submissions
    wait in the group commit's queue, in order: a job that does nothing returns once every job queued
    before it is committed. Another process's (the server's, while the CLI purges) waits on the writers'
    lock (`store/db.py`) and gets it as soon as the batch's transaction ends: pausing as long as the batch
    took leaves the lock free at least half the time."""
    database.run(_nothing)
    time.sleep(held)


def _nothing(db: sqlite_utils.Database) -> None:
    return None
