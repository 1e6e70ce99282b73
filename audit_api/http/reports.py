"""The managers' dashboard: a period's figures over the stores the reader chooses.

Roles: admins (the chain) and managers (their stores); auditors none. The figures come from
`services/reports.py`; this controller parses the period and the filters and answers its Structs.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from ..errors import FieldError, InvalidInput
from ..services import reports
from ..services.reports import Dashboard
from .auth import require
from .context import SignedIn
from .feedback_api import FIRST_DAY, LAST_DAY
from .openapi import problems

_DAY_RANGE = f"a date from {FIRST_DAY} to {LAST_DAY}"


def _check_period(since: dt.date | None, until: dt.date | None) -> None:
    errors = [
        FieldError(f"query.{name}", _DAY_RANGE) for name, day in (("from", since), ("to", until)) if day is not None and not FIRST_DAY <= day <= LAST_DAY
    ]
    if not errors and since is not None and until is not None and since > until:
        errors = [FieldError("query.to", "a day on or after `from`")]
    if errors:
        raise InvalidInput("the period is not one this API answers for", errors)


class DashboardController(Controller):
    path = "/api/v1/dashboard"
    tags = ["reports"]
    guards = [require("admin", "manager")]

    @get(
        "/", summary="The dashboard: audit scores, failures, survey figures and the complaint clock over a period",
        description=(
            "Over the store-local days `from`..`to` (both included; default the 30 days ending today, today being the latest "
            "date any store has reached; `from` alone: the 30 days from it; `to` alone: the 30 days ending on it) and the stores the reader covers (an admin: the chain; a manager: their stores), "
            "narrowed by `store`, `city` (any of its names, in any language) or `country` (ISO code); a filter naming no store "
            "the reader covers gives empty figures. `audits`: approved audits by the day of the visit, their mean total, its "
            "trend, stores ranked by mean total, stages and items ranked by failure rate (failed / answered item answers, N/A "
            "left out). `survey`: NPS, CSAT, CES and each SERVQUAL dimension's mean over the period, and their trends "
            "(answers that count; `suspect` ones left out). Trends go by day; for a period longer than 92 days, by ISO week "
            "(`trend_by: week`, each point keyed by its Monday). `complaints`: over the complaints received in the period, "
            "how many were answered (resolved), how many at or before their answer time and that share of those received, "
            "the median hours from receipt to answer, and how many are open, overdue and unacknowledged past their time now. "
            "`actions`: the stores' corrective actions open now and how many of them are past due (whatever the period). "
            "`checklists_due`: checklists whose six-monthly review falls due within 30 days (or has passed)."
        ),
        sync_to_thread=True, responses=problems(400, 401, 403, 422),
    )
    def dashboard(
        self,
        context: NamedDependency[SignedIn],
        since: Annotated[dt.date | None, QueryParameter(name="from", description=f"first day, in each store's time zone, {_DAY_RANGE}")] = None,
        until: Annotated[dt.date | None, QueryParameter(name="to", description=f"last day (included), in each store's time zone, {_DAY_RANGE}")] = None,
        store: Annotated[str | None, QueryParameter(name="store", description="one store's id")] = None,
        city: Annotated[str | None, QueryParameter(name="city", description="a city, by any of its names")] = None,
        country: Annotated[str | None, QueryParameter(name="country", description="a country's ISO 3166 code, e.g. BA")] = None,
    ) -> Dashboard:
        _check_period(since, until)
        return reports.dashboard(
            context.database, context.book, context.user, context.now, first=since, last=until, store=store, city=city, country=country
        )
