"""Managers' side of customer feedback: the complaint queue, moving a complaint along, and the metrics.

Roles: managers see the complaints and metrics of their stores; admins see all; auditors none.
Contact details appear only here, to those roles.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import Meta

from ..domain.complaints import State
from ..services import feedback
from ..services.feedback import ComplaintView, StoreMetrics
from ..store.feedback import ComplaintEvent, ResponseView
from .auth import require
from .context import SignedIn


class Transition(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    to: State
    note: Annotated[str, Meta(max_length=4000)] = ""
    resolution: Annotated[str, Meta(max_length=4000)] = ""
    root_cause: Annotated[str, Meta(max_length=1000)] = ""


class ComplaintDetail(msgspec.Struct, frozen=True, kw_only=True):
    complaint: ComplaintView
    events: list[ComplaintEvent]


class ComplaintsController(Controller):
    path = "/api/v1/complaints"
    tags = ["feedback"]
    guards = [require("admin", "manager")]

    @get("/", summary="The complaint queue: soonest due first, overdue flagged", sync_to_thread=True)
    def index(
        self, context: NamedDependency[SignedIn],
        include_closed: Annotated[bool, QueryParameter(name="all", description="resolved and closed ones too")] = False,
    ) -> list[ComplaintView]:
        return feedback.queue(context.database, context.user, context.now, include_closed=include_closed)

    @get("/{ticket:str}", summary="One complaint with contact details and its history", sync_to_thread=True)
    def show(self, context: NamedDependency[SignedIn], ticket: FromPath[str]) -> ComplaintDetail:
        return ComplaintDetail(
            complaint=feedback.complaint_for(context.database, context.user, ticket, context.now),
            events=feedback.complaint_history(context.database, context.user, ticket, context.now),
        )

    @post("/{ticket:str}/transitions", summary="Move a complaint: acknowledged, in_progress, resolved, closed", sync_to_thread=True, status_code=200)
    def move(self, context: NamedDependency[SignedIn], ticket: FromPath[str], data: JSONBody[Transition]) -> ComplaintDetail:
        complaint = feedback.move_complaint(
            context.database, context.user, ticket, data.to, data.note, context.now, data.resolution, data.root_cause
        )
        return ComplaintDetail(complaint=complaint, events=feedback.complaint_history(context.database, context.user, ticket, context.now))


class MetricsController(Controller):
    path = "/api/v1/metrics"
    tags = ["feedback"]
    guards = [require("admin", "manager")]

    @get("/", summary="NPS, CSAT and CES per store (and touchpoint) over a period", sync_to_thread=True)
    def metrics(
        self,
        context: NamedDependency[SignedIn],
        store: Annotated[str | None, QueryParameter(name="store")] = None,
        touchpoint: Annotated[str | None, QueryParameter(name="touchpoint")] = None,
        since: Annotated[dt.date | None, QueryParameter(name="from")] = None,
        until: Annotated[dt.date | None, QueryParameter(name="to")] = None,
        by_touchpoint: Annotated[bool, QueryParameter(name="by_touchpoint")] = False,
    ) -> list[StoreMetrics]:
        return feedback.metrics(
            context.database, context.user, store_id=store, touchpoint_id=touchpoint, since=since, until=until, by_touchpoint=by_touchpoint
        )


class ResponsesController(Controller):
    path = "/api/v1/responses"
    tags = ["feedback"]
    guards = [require("admin", "manager")]

    @get("/", summary="Survey responses, newest first, with contact details where the customer consented", sync_to_thread=True)
    def index(
        self,
        context: NamedDependency[SignedIn],
        store: Annotated[str | None, QueryParameter(name="store")] = None,
        since: Annotated[dt.date | None, QueryParameter(name="from")] = None,
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=1000)] = 200,
    ) -> list[ResponseView]:
        return feedback.list_responses(context.database, context.user, store_id=store, since=since, limit=limit)
