"""The states of a visit and which may follow which. Pure.

    assigned -> in_progress -> submitted -> approved
                                         -> rejected
                                         -> returned -> submitted (a correction: the next revision)

A visit is *upcoming* until its audit is submitted: a mystery visit must stay unknown to the store
until then. Photos may still follow the audit while it is submitted (phones on bad networks).
"""

from __future__ import annotations

from typing import Literal

State = Literal["assigned", "in_progress", "submitted", "approved", "rejected", "returned"]
Decision = Literal["approve", "reject", "return"]

UPCOMING: frozenset[State] = frozenset({"assigned", "in_progress"})
STARTABLE: frozenset[State] = frozenset({"assigned"})
OPEN_FOR_SUBMISSION: frozenset[State] = frozenset({"assigned", "in_progress", "returned"})
TAKES_EVIDENCE: frozenset[State] = OPEN_FOR_SUBMISSION | {"submitted"}
REVIEWABLE: frozenset[State] = frozenset({"submitted"})
DECIDED: dict[Decision, State] = {"approve": "approved", "reject": "rejected", "return": "returned"}


def needs_comment(decision: Decision) -> bool:
    """A reviewer says why when sending an audit back or rejecting it."""
    return decision != "approve"
