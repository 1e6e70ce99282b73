"""Who may see what, written once per resource and handed to the store as SQL (`Scope`).

Visits: an auditor sees their own; an admin sees all; a manager sees an upcoming visit (assigned, in
progress) or a cancelled one only when they assigned it, so a store's own staff never learn of a mystery
visit in advance, and every later visit of the stores they cover. Complaints, survey responses and metrics:
managers see their stores', admins all, auditors none. Anything outside the scope answers as if it
did not exist.

The mystery shopper stays a mystery: visits are planned by admins and area managers (managers marked
`plans_visits`), not by a store's own managers unless the book says so (`visits.store_managers_plan`),
and only those who may plan see an auditor's name or login; a store's managers see a stable pseudonym.
"""

from __future__ import annotations

from ..book.base import Text
from ..book.models import Book, VisitRules
from ..domain.visits import UNDISCLOSED
from ..store.accounts import User
from ..store.scope import EVERYTHING, NOTHING, Scope, column_in
from ..store.visits import Visit


def covers(user: User, store_id: str) -> bool:
    """Whether the store is in the user's scope (admins: every store; auditors: none)."""
    return user.role == "admin" or (user.role == "manager" and (user.all_stores or store_id in user.stores))


def stores(user: User) -> Scope:
    """The rows of the stores `user` covers: complaints, survey responses, metrics (column `store_id`)."""
    if user.role == "admin" or (user.role == "manager" and user.all_stores):
        return EVERYTHING
    return column_in("store_id", user.stores) if user.role == "manager" else NOTHING


def visits(user: User) -> Scope:
    """The visits `user` may see (columns of `visits`)."""
    if user.role == "admin":
        return EVERYTHING
    if user.role == "auditor":
        return Scope("auditor_id = ?", (user.id,))
    upcoming = column_in("state", sorted(UNDISCLOSED))  # a cancelled visit never happened: the store never learns of it
    assigned = upcoming.both(Scope("assigned_by = ?", (user.id,)))
    later = Scope(f"NOT ({upcoming.sql})", upcoming.args).both(stores(user))
    return assigned.either(later)


def plans_visits(user: User, rules: VisitRules) -> bool:
    """Admins, area managers, and store managers where the book lets them."""
    return user.role == "admin" or (user.role == "manager" and (user.plans_visits or rules.store_managers_plan))


def may_plan(user: User, rules: VisitRules, store_id: str) -> bool:
    return plans_visits(user, rules) and covers(user, store_id)


def sees_auditor(user: User, rules: VisitRules, auditor_id: int) -> bool:
    """Whether `user` may know who the auditor is: the auditor themself and those who plan visits."""
    return user.id == auditor_id or plans_visits(user, rules)


def may_review(user: User, visit: Visit) -> bool:
    """Managers of the visit's store and admins review; nobody reviews an audit of their own."""
    return user.role in ("admin", "manager") and covers(user, visit.store_id) and visit.auditor_id != user.id


def report_stores(user: User, book: Book, *, store: str | None = None, city: str | None = None, country: str | None = None) -> Scope:
    """The stores a report, dashboard or export reads (column `store_id`): those `user` covers, narrowed to
    one store, a city (any of its names, in any language, case aside) or a country (ISO code), each filter
    given. No filter: the reader's whole scope (the chain, for an admin). A filter naming nothing the
    reader covers reads nothing, as if the store did not exist."""
    if store is None and city is None and country is None:
        return stores(user)
    wanted = city.casefold() if city is not None else None
    chosen = [
        s.id for s in book.stores
        if (store is None or s.id == store)
        and (country is None or s.country == country.upper())
        and (wanted is None or wanted in {name.casefold() for name in _names(s.city)})
        and covers(user, s.id)
    ]
    return column_in("store_id", chosen)


def _names(text: Text) -> list[str]:
    return [text] if isinstance(text, str) else list(text.values())
