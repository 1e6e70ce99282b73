"""The states of a visit and which may follow which. Pure.

    assigned -> in_progress -> submitted -> approved
                                         -> rejected
                                         -> returned -> submitted (a correction: the next revision)
    assigned, in_progress -> cancelled (by whoever plans for the store, with a reason; final)

A visit is *upcoming* until its audit is submitted: a mystery visit must stay unknown to the store
until then. A cancelled visit never happened, so the store never learns of it either. Photos may still
follow the audit while it is submitted (phones on bad networks). A visit changes auditor only while
it is `assigned`: once started, the auditor's work on their phone belongs to that visit.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

State = Literal["assigned", "in_progress", "submitted", "approved", "rejected", "returned", "cancelled"]
Decision = Literal["approve", "reject", "return"]

UPCOMING: frozenset[State] = frozenset({"assigned", "in_progress"})
UNDISCLOSED: frozenset[State] = UPCOMING | {"cancelled"}  # what a store's own managers never see
STARTABLE: frozenset[State] = frozenset({"assigned"})
OPEN_FOR_SUBMISSION: frozenset[State] = frozenset({"assigned", "in_progress", "returned"})
TAKES_EVIDENCE: frozenset[State] = OPEN_FOR_SUBMISSION | {"submitted"}
REVIEWABLE: frozenset[State] = frozenset({"submitted"})
DECIDED: dict[Decision, State] = {"approve": "approved", "reject": "rejected", "return": "returned"}
CANCELLABLE: frozenset[State] = UPCOMING
REASSIGNABLE: frozenset[State] = frozenset({"assigned"})


def needs_comment(decision: Decision) -> bool:
    """A reviewer says why when sending an audit back or rejecting it."""
    return decision != "approve"


def window_has_ended(window_end: dt.date, today: dt.date) -> bool:
    """A window whose last day is before today (the store's today, in its time zone) can no longer be visited."""
    return window_end < today
