"""Keyset pages of a list: the rows of a scope in one fixed order, from just after a given row, at most so many.

A list's `Order` ends in a unique column, so the sort key of a page's last row says exactly where the
next page starts (`WHERE (k1, k2) > (?, ?)`): a row inserted meanwhile appears in its place, and no row
is repeated or skipped. The scope's disjoint arms (`Scope.arms`) are read each through the index that
has the arm's equalities first and the order's columns next, and SQLite merges them in order (the plan
says `MERGE (UNION ALL)`), stopping at the limit: no page sorts or reads rows outside the scope.

Not for: how a position travels to a client (the API's cursor, `http/paging.py`) or what a list filters.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from .scope import Scope

# Above this many arms (a manager of dozens of listed stores), one query reads the whole scope and SQLite
# sorts it: slower, as correct, and within SQLite's limit of 500 terms to a compound SELECT.
MAX_ARMS = 100


class Order(msgspec.Struct, frozen=True):
    """A list's order: columns of the query (qualified, `v.window_start`), the last one unique. The
    query names each as its bare name (`v.window_start AS window_start`), as do the list's Structs."""

    columns: tuple[str, ...]
    descending: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.rsplit(".", 1)[-1] for column in self.columns)

    def key(self, row: msgspec.Struct) -> list[object]:
        """The sort key of a row, as the database holds it (a day as `YYYY-MM-DD`)."""
        return [msgspec.to_builtins(getattr(row, name)) for name in self.names]


def page(
    select: str, args: Sequence[object], scope: Scope, order: Order, *, after: Sequence[object] | None, limit: int | None
) -> tuple[str, list[object]]:
    """`select` (ending in a WHERE condition) narrowed to `scope` and to the rows after the sort key `after`
    (None: from the first), in `order`, at most `limit` rows (None: all); the SQL and its arguments."""
    if after is not None and len(after) != len(order.columns):
        raise ValueError(f"a position in this list has {len(order.columns)} values, not {len(after)}")
    arms = scope.arms()
    if len(arms) > MAX_ARMS:
        arms = [scope]
    since = "" if after is None else f" AND ({', '.join(order.columns)}) {'<' if order.descending else '>'} ({', '.join('?' * len(after))})"
    parts, values = [], []
    for arm in arms:
        sql, arm_args = arm.where(select, list(args))
        parts.append(sql + since)
        values += [*arm_args, *(after or ())]
    direction = " DESC" if order.descending else ""
    sql = " UNION ALL ".join(parts) + " ORDER BY " + ", ".join(name + direction for name in order.names)
    if limit is not None:
        sql, values = f"{sql} LIMIT ?", [*values, limit]
    return sql, values
