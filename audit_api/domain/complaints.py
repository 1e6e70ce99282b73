"""Complaints: ticket numbers, the states a complaint moves through, and its response clock. Pure.

    received -> acknowledged -> in_progress -> resolved -> closed
                                            <- (reopened from resolved)

The clock comes from the book's complaint procedure: acknowledge within N hours, respond within M
hours (10 by default, as the procedure promises the public).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Literal

from ..book.models import ComplaintProcedure

State = Literal["received", "acknowledged", "in_progress", "resolved", "closed"]
OPEN_STATES: frozenset[str] = frozenset({"received", "acknowledged", "in_progress"})
TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"acknowledged", "in_progress"}),
    "acknowledged": frozenset({"in_progress"}),
    "in_progress": frozenset({"resolved"}),
    "resolved": frozenset({"closed", "in_progress"}),
    "closed": frozenset(),
}
# Crockford's base32: no I, L, O or U, so a ticket read aloud over the phone is not misheard.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ticket() -> str:
    """`C-XXXX-XXXX`: 40 random bits, short enough to read out, too many to guess."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"C-{chars[:4]}-{chars[4:]}"


def normalise_ticket(text: str) -> str:
    """What a person typed, as a ticket: upper case, O read as 0, I and L as 1."""
    cleaned = text.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")
    return cleaned if cleaned.startswith("C-") else f"C-{cleaned}"


def due_times(procedure: ComplaintProcedure, received: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(acknowledge by, respond by)."""
    return (
        received + dt.timedelta(hours=procedure.acknowledge_within_hours),
        received + dt.timedelta(hours=procedure.respond_within_hours),
    )


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())
