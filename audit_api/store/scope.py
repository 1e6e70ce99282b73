"""A reader's scope as SQL: a condition that the store's list and look-up queries add to their WHERE.

The store never decides what a reader may see. The services build a `Scope` from the reader and the
product's policy (`services/access.py`), and a query only adds `AND (<scope>)`, so the filter runs
inside SQLite, on the indexes: a manager of two stores never makes the server read other stores' rows.
Column names in a scope are those of the table the query reads, unqualified.

A scope also knows itself as disjoint arms (`arms()`): `store_id IN (a, b)` is the arm `store_id = a`
and the arm `store_id = b`. A list read in an index's order reads each arm through the index that has
its equalities first and lets SQLite merge them in order (`store/pages.py`), where one IN of several
values would make SQLite sort every row in scope before the first page.
"""

from __future__ import annotations

import msgspec


class Scope(msgspec.Struct, frozen=True):
    sql: str
    args: tuple[object, ...] = ()
    parts: tuple[Scope, ...] = ()  # the same rows as disjoint scopes, when there is more than one (`arms`)

    def where(self, sql: str, args: tuple[object, ...] | list[object] = ()) -> tuple[str, list[object]]:
        """`sql` (which ends in a WHERE condition) with this scope ANDed in, and the arguments of both."""
        return f"{sql} AND ({self.sql})", [*args, *self.args]

    def arms(self) -> list[Scope]:
        """Disjoint scopes whose rows together are this scope's: one for each value of an IN list (and
        each combination of values, for two), and each side of an `either`."""
        return list(self.parts) or [self]

    def both(self, other: Scope) -> Scope:
        """The rows in this scope and in `other`."""
        parts = [Scope(f"({a.sql}) AND ({b.sql})", (*a.args, *b.args)) for a in self.arms() for b in other.arms()]
        return Scope(f"({self.sql}) AND ({other.sql})", (*self.args, *other.args), tuple(parts) if len(parts) > 1 else ())

    def either(self, other: Scope) -> Scope:
        """The rows in this scope or in `other`."""
        # `other`'s arms leave out this scope's rows, so no row is in two arms.
        theirs = [Scope(f"({b.sql}) AND ({self.sql}) IS NOT TRUE", (*b.args, *self.args)) for b in other.arms()]
        return Scope(f"({self.sql}) OR ({other.sql})", (*self.args, *other.args), (*self.arms(), *theirs))


EVERYTHING = Scope("1 = 1")
NOTHING = Scope("0 = 1")


def column_in(column: str, values: list[str] | tuple[str, ...]) -> Scope:
    """`column IN (?, ...)`; nothing at all for an empty list."""
    if not values:
        return NOTHING
    distinct = tuple(dict.fromkeys(values))
    parts = tuple(Scope(f"{column} = ?", (value,)) for value in distinct) if len(distinct) > 1 else ()
    return Scope(f"{column} IN ({', '.join('?' * len(values))})", tuple(values), parts)
