"""Corrective actions' clock: when an action is due, and when it is overdue. Pure; no I/O.

Every failed item of an approved audit opens an action for the store's managers (`services/actions.py`).
The checklist says how many days they have (`action_days`), counted in the store's own days: an audit
approved at any hour of 24 November, Sarajevo time, with 14 days, is due at the end of 8 December in
Sarajevo, that is at its midnight (00:00 on 9 December, local), whatever the hour in UTC. Days are
calendar days, so a change of the clocks in between moves no deadline off its local midnight.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def due_at(timezone: str, approved_at: dt.datetime, days: int) -> dt.datetime:
    """The end of the store-local day `days` after the local day of `approved_at` (an aware datetime),
    as an instant in UTC: the local midnight that starts the day after it."""
    zone = ZoneInfo(timezone)
    last_day = approved_at.astimezone(zone).date() + dt.timedelta(days=days)
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=zone).astimezone(dt.UTC)


def is_overdue(state: str, due: dt.datetime, now: dt.datetime) -> bool:
    """An open action whose due time has passed."""
    return state == "open" and due < now
