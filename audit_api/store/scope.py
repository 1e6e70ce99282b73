"""A reader's scope as SQL: a condition that the store's list and look-up queries add to their WHERE.

The store never decides what a reader may see. The services build a `Scope` from the reader and the
product's policy (`services/access.py`), and a query only adds `AND (<scope>)`, so the filter runs
inside SQLite, on the indexes: a manager of two stores never makes the server read other stores' rows.
Column names in a scope are those of the table the query reads, unqualified.
"""

from __future__ import annotations

import msgspec


class Scope(msgspec.Struct, frozen=True):
    sql: str
    args: tuple[object, ...] = ()

    def where(self, sql: str, args: tuple[object, ...] | list[object] = ()) -> tuple[str, list[object]]:
        """`sql` (which ends in a WHERE condition) with this scope ANDed in, and the arguments of both."""
        return f"{sql} AND ({self.sql})", [*args, *self.args]

    def both(self, other: Scope) -> Scope:
        """The rows in this scope and in `other`."""
        return Scope(f"({self.sql}) AND ({other.sql})", (*self.args, *other.args))

    def either(self, other: Scope) -> Scope:
        """The rows in this scope or in `other`."""
        return Scope(f"({self.sql}) OR ({other.sql})", (*self.args, *other.args))


EVERYTHING = Scope("1 = 1")
NOTHING = Scope("0 = 1")


def column_in(column: str, values: list[str] | tuple[str, ...]) -> Scope:
    """`column IN (?, ...)`; nothing at all for an empty list."""
    if not values:
        return NOTHING
    return Scope(f"{column} IN ({', '.join('?' * len(values))})", tuple(values))
