"""Managers' side of customer feedback: the complaint queue, moving a complaint along, and the metrics.

Roles: managers see the complaints and metrics of their stores; admins see all; auditors none.
Contact details and the staff notes (resolution, root cause, history notes) appear only here, to those
roles; the reply to the customer is written here and read by anyone holding the ticket once resolved.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import Meta

from ..domain.complaints import State
from ..errors import FieldError, InvalidInput
from ..services import feedback
from ..services.feedback import ComplaintView, Metrics
from ..store.feedback import COMPLAINT_ORDER, RESPONSE_ORDER, ComplaintEvent, ResponseView
from .auth import require
from .context import SignedIn
from .openapi import Documented, problems
from .paging import DEFAULT_LIMIT, NEXT_PAGE, Cursor, Limit, answer, position

# The days a period may name: every day the product can hold answers for, kept away from the calendar's
# ends (a period runs to the midnight after its last day, which for 9999-12-31 has no date).
FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(2999, 12, 31)
_DAY_RANGE = f"a date from {FIRST_DAY} to {LAST_DAY}"


def _check_period(**days: dt.date | None) -> None:
    """422 naming each query parameter (as the client sends it) whose day lies outside the range."""
    errors = [FieldError(f"query.{name}", _DAY_RANGE) for name, day in days.items() if day is not None and not FIRST_DAY <= day <= LAST_DAY]
    if errors:
        raise InvalidInput("the period lies outside the dates this API answers for", errors)


Reply = Annotated[
    str,
    Meta(
        max_length=feedback.REPLY_MAX_CHARS,
        description="the answer the customer reads on the complaint's status page (plain text; line breaks kept); "
        "anyone holding the ticket reads it, so it names no staff and holds no staff notes",
    ),
]


class Transition(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    to: State
    note: Annotated[str, Meta(max_length=4000, description="a staff note for the history")] = ""
    resolution: Annotated[str, Meta(max_length=4000, description="staff note, required to resolve: what was done")] = ""
    root_cause: Annotated[str, Meta(max_length=1000, description="staff note, required to resolve: why it happened")] = ""
    reply: Reply = ""  # required to resolve; refused with any other move


class ReplyCorrection(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reply: Reply
    note: Annotated[str, Meta(max_length=4000, description="a staff note for the history: why it was corrected")] = ""


class ComplaintDetail(msgspec.Struct, frozen=True, kw_only=True):
    complaint: ComplaintView
    events: list[ComplaintEvent]


class ComplaintsController(Controller):
    path = "/api/v1/complaints"
    tags = ["feedback"]
    guards = [require("admin", "manager")]

    @get(
        "/", summary="The complaint queue: soonest due first, overdue flagged, a page at a time", sync_to_thread=True,
        description=(
            "By the time the answer is due, then ticket. At most `limit` complaints a page; when more follow, the `Link` "
            "header names the next page (`rel=\"next\"`, the same query with `cursor` set)."
        ),
        response_headers=NEXT_PAGE, responses=problems(400, 401, 403),
    )
    def index(
        self, request: Request[Any, Any, Any], context: NamedDependency[SignedIn],
        include_closed: Annotated[bool, QueryParameter(name="all", description="resolved and closed ones too")] = False,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[ComplaintView]]:
        after = position(cursor, "complaints", COMPLAINT_ORDER)
        rows = feedback.queue(context.database, context.user, context.now, include_closed=include_closed, after=after, limit=limit + 1)
        return answer(request, rows, limit, "complaints", COMPLAINT_ORDER)

    @get(
        "/{ticket:str}", summary="One complaint with contact details and its history", sync_to_thread=True,
        responses=problems(401, 403, 404), operation_class=Documented,
    )
    def show(self, context: NamedDependency[SignedIn], ticket: FromPath[str]) -> ComplaintDetail:
        return ComplaintDetail(
            complaint=feedback.complaint_for(context.database, context.user, ticket, context.now),
            events=feedback.complaint_history(context.database, context.user, ticket, context.now),
        )

    @post(
        "/{ticket:str}/transitions", summary="Move a complaint: acknowledged, in_progress, resolved, closed", sync_to_thread=True,
        description=(
            "received -> acknowledged -> in_progress -> resolved -> closed (and resolved -> in_progress to reopen). To resolve, "
            "give `resolution` and `root_cause` (staff notes, never shown to the customer) and `reply`, the answer the customer "
            "reads on the status page; each missing one is a 422 naming it (`body.reply`). A `reply` with any other move is a 422."
        ),
        status_code=200, responses=problems(400, 401, 403, 404, 409, 413, 422),
    )
    def move(self, context: NamedDependency[SignedIn], ticket: FromPath[str], data: JSONBody[Transition]) -> ComplaintDetail:
        complaint = feedback.move_complaint(
            context.database, context.user, ticket, data.to, data.note, context.now, data.resolution, data.root_cause, data.reply
        )
        return ComplaintDetail(complaint=complaint, events=feedback.complaint_history(context.database, context.user, ticket, context.now))

    @put(
        "/{ticket:str}/reply", summary="Correct the reply to the customer of a resolved complaint",
        description=(
            "While the complaint is `resolved`, whoever may move it may replace the reply the customer reads on the status "
            "page. The history records who changed it and when (an event of kind `reply`); the same text again changes nothing. "
            "Any other state answers 409."
        ),
        sync_to_thread=True, status_code=200, responses=problems(400, 401, 403, 404, 409, 413, 422),
    )
    def correct_reply(self, context: NamedDependency[SignedIn], ticket: FromPath[str], data: JSONBody[ReplyCorrection]) -> ComplaintDetail:
        complaint = feedback.correct_reply(context.database, context.user, ticket, data.reply, data.note, context.now)
        return ComplaintDetail(complaint=complaint, events=feedback.complaint_history(context.database, context.user, ticket, context.now))


class MetricsController(Controller):
    path = "/api/v1/metrics"
    tags = ["feedback"]
    guards = [require("admin", "manager")]

    @get(
        "/", summary="NPS, CSAT, CES and the SERVQUAL dimensions, over the reader's stores and per store, over a period",
        description=(
            "`overall`: the figures over every answer the reader may see within the filters, counted once (not a mean of "
            "the stores' figures): chain-wide for an admin, over their stores for a manager. `stores`: the same figures per "
            "store, or per store and touchpoint with `by_touchpoint`, for each that has answers. Each figure counts only "
            "answers that count (`suspect`: how many were left out), and is null with its count 0 when there are none. "
            "`dimensions` holds each SERVQUAL dimension (tangibles, reliability, responsiveness, assurance, empathy): the "
            "mean of the rating answers that measure it, on the scale `min`..`max`. `from` and `to` are days in each "
            "store's own time zone: an answer at 00:30 local time on 24 November counts on the 24th, wherever UTC is."
        ),
        sync_to_thread=True, responses=problems(400, 401, 403, 422),
    )
    def metrics(
        self,
        context: NamedDependency[SignedIn],
        store: Annotated[str | None, QueryParameter(name="store")] = None,
        touchpoint: Annotated[str | None, QueryParameter(name="touchpoint")] = None,
        since: Annotated[dt.date | None, QueryParameter(name="from", description=f"first day, in each store's time zone, {_DAY_RANGE}")] = None,
        until: Annotated[
            dt.date | None, QueryParameter(name="to", description=f"last day (included), in each store's time zone, {_DAY_RANGE}")
        ] = None,
        by_touchpoint: Annotated[bool, QueryParameter(name="by_touchpoint", description="`stores` per store and touchpoint")] = False,
    ) -> Metrics:
        _check_period(**{"from": since, "to": until})
        return feedback.metrics(
            context.database, context.user, store_id=store, touchpoint_id=touchpoint, since=since, until=until, by_touchpoint=by_touchpoint
        )


class ResponsesController(Controller):
    path = "/api/v1/responses"
    tags = ["feedback"]
    guards = [require("admin", "manager")]

    @get(
        "/", summary="Survey responses, newest first, with contact details where the customer consented, a page at a time",
        description=(
            "Newest first: by the day in the store's time zone (`local_day`), and within a day the latest first. At most "
            "`limit` responses a page; when more follow, the `Link` header names the next page (`rel=\"next\"`, the same "
            "query with `cursor` set)."
        ),
        sync_to_thread=True, response_headers=NEXT_PAGE, responses=problems(400, 401, 403, 422),
    )
    def index(
        self,
        request: Request[Any, Any, Any],
        context: NamedDependency[SignedIn],
        store: Annotated[str | None, QueryParameter(name="store")] = None,
        since: Annotated[dt.date | None, QueryParameter(name="from", description=f"first day, in each store's time zone, {_DAY_RANGE}")] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[ResponseView]]:
        _check_period(**{"from": since})
        after = position(cursor, "responses", RESPONSE_ORDER)
        rows = feedback.list_responses(context.database, context.user, store_id=store, since=since, after=after, limit=limit + 1)
        return answer(request, rows, limit, "responses", RESPONSE_ORDER)
