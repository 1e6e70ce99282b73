"""The roll-ups the dashboard and the metrics read (migration m013): writes, the rebuild, and the reads.

Each roll-up sums a store's rows by store-local day ('d'), month ('m') and year ('y'), each keyed by
its first day, and again for the whole chain under the store '*' (and for every touchpoint or
checklist under '*'), so a chain-wide figure reads one row a day, and a period reads whole years, then
whole months, then the days at its ends (`pieces`). Survey roll-ups are kept by triggers on the answer
tables (m013), in the same transaction as each write; an approved audit is added by
`add_approved_audit`, called in the review's transaction. `rebuild_rollups` makes every roll-up again
from the rows (the migration's backfill; a benchmark that loads rows in bulk calls it too).

Reads take the stores as a `Scope` on `store_id` and `chain`: True reads the chain's own rows (the
service decides that the reader's scope is the whole chain). Each read is one query per piece of the
period, each an index range on the table's key; the pieces' sums are added up here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import msgspec
import sqlite_utils

from ..domain.audits import AuditSubmission
from ..domain.dashboard import AuditTally, audit_tally
from .db import insert_rows
from .scope import EVERYTHING, Scope
from .visits import AuditResult

CHAIN = "*"  # the store (touchpoint, checklist) of a chain-wide row: no slug is '*', and it sorts before them all
SCORES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
SURVEY_COUNTS = ("counted", "suspect", *(f"{c}_{v}" for c, (low, high) in SCORES.items() for v in range(low, high + 1)))
_FIRST, _LAST = dt.date.min, dt.date.max
Piece = tuple[str, str, str]  # grain, first key, last key


# --- periods ------------------------------------------------------------------------------------


def _month_after(day: dt.date) -> dt.date | None:
    return None if (day.year, day.month) == (9999, 12) else dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def pieces(first: dt.date | None, last: dt.date | None, *, by_day: bool = False) -> list[Piece]:
    """The roll-up rows that sum to the days [first, last] (None: open): the whole years inside by their
    year rows, the whole months left by month rows, the days left at the ends by day rows; only day rows
    when `by_day`."""
    first, last = first or _FIRST, last or _LAST
    if first > last:
        return []
    if by_day:
        return [("d", first.isoformat(), last.isoformat())]
    years_from = first.year if (first.month, first.day) == (1, 1) else first.year + 1
    years_to = last.year if (last.month, last.day) == (12, 31) else last.year - 1
    if years_from > years_to:
        return _months(first, last)
    head = _months(first, dt.date(years_from, 1, 1) - dt.timedelta(days=1)) if years_from > first.year else []
    tail = _months(dt.date(years_to + 1, 1, 1), last) if years_to < last.year else []
    return [*head, ("y", dt.date(years_from, 1, 1).isoformat(), dt.date(years_to, 1, 1).isoformat()), *tail]


def _months(first: dt.date, last: dt.date) -> list[Piece]:
    """[first, last], with no whole year inside: its whole months by month rows, the days at its ends by day rows."""
    months_from = first if first.day == 1 else _month_after(first)
    after_last = _month_after(last)
    ends_month = after_last is None or (after_last - dt.timedelta(days=1)) == last
    months_to = last.replace(day=1) if ends_month else (last.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if months_from is None or months_from > months_to:
        return [("d", first.isoformat(), last.isoformat())]
    parts = []
    if first < months_from:
        parts.append(("d", first.isoformat(), (months_from - dt.timedelta(days=1)).isoformat()))
    parts.append(("m", months_from.isoformat(), months_to.isoformat()))
    tail = _month_after(months_to)
    if tail is not None and tail <= last:
        parts.append(("d", tail.isoformat(), last.isoformat()))
    return parts


def _stores(stores: Scope, chain: bool) -> tuple[str, list[object]]:
    if chain:
        return "store_id = ?", [CHAIN]
    if stores == EVERYTHING:  # every store, each through the key: never the chain's rows
        return "store_id IN (SELECT store_id FROM rollup_stores)", []
    return f"({stores.sql})", list(stores.args)


# The Monday that starts a day's ISO week (`domain.dashboard.bucket`): six days back, then on to a Monday.
_WEEK = "date(day, '-6 days', 'weekday 1')"


def _summed(
    db: sqlite_utils.Database, table: str, counts: Sequence[str], conditions: list[tuple[str, list[object]]], group: Sequence[str],
    parts: list[Piece], by_week: bool = False,
) -> list[dict[str, Any]]:
    """Per `group` (columns of `table`), the sums of `counts` over the rows meeting `conditions` in the period `parts`;
    with `by_week`, the group `day` is the Monday of each day's ISO week (a long period's trend: a year is 52
    rows to read, not 365, sorted in SQLite)."""
    totals: dict[tuple[Any, ...], list[Any]] = {}
    keys = ", ".join(f"{_WEEK} AS day" if by_week and c == "day" else c for c in group)
    grouped = ", ".join(_WEEK if by_week and c == "day" else c for c in group)
    sums = ", ".join(f"SUM({c}) AS {c}" for c in counts)
    for grain, low, high in parts:
        where = " AND ".join(["grain = ?", *(sql for sql, _ in conditions), "day BETWEEN ? AND ?"])
        args = [grain, *(a for _, values in conditions for a in values), low, high]
        sql = f"SELECT {keys + ', ' if keys else ''}{sums} FROM {table} WHERE {where}"
        if group:
            sql += f" GROUP BY {grouped}"
        if len(parts) == 1:  # nothing to add up across pieces: the rows as they come
            return [row for row in db.query(sql, args) if row[counts[0]] is not None]
        for row in db.query(sql, args):
            if row[counts[0]] is None:
                continue  # no rows at all: an aggregate without GROUP BY still answers one
            known = totals.setdefault(tuple(row[k] for k in group), [0] * len(counts))
            for i, column in enumerate(counts):
                known[i] += row[column]
    return [{**dict(zip(group, key)), **dict(zip(counts, values))} for key, values in totals.items()]


# --- survey answers -----------------------------------------------------------------------------


class SurveyAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """What one new survey response adds to the survey roll-ups: its place and day, whether it counted, its
    scores, and its counted answers that measure a dimension (dimension, scale_min, scale_max, value)."""

    store_id: str
    touchpoint_id: str
    local_day: str
    counted: bool
    scores: dict[str, int | None]  # nps, csat, ces
    dimensions: list[tuple[str, int, int, int]]


def _copies(grain_day: str, store_id: str, sub: str) -> Iterator[tuple[str, str, str, str]]:
    """Each roll-up key a row of `grain_day` adds to: (grain, sub, store, day) by day, month and year, for its store
    and the chain ('*'), for its touchpoint and all of them ('*')."""
    for grain, day in (("d", grain_day), ("m", grain_day[:8] + "01"), ("y", grain_day[:5] + "01-01")):
        for store in (store_id, CHAIN):
            for one in (sub, CHAIN):
                yield grain, one, store, day


_SURVEY_INDEX = {name: n for n, name in enumerate(SURVEY_COUNTS)}
_SURVEY_UPSERT = (  # head and tail of `insert_rows`
    f"INSERT INTO survey_rollups (grain, touchpoint_id, store_id, day, {', '.join(SURVEY_COUNTS)})",
    f"ON CONFLICT (grain, store_id, touchpoint_id, day) DO UPDATE SET {', '.join(f'{c} = {c} + excluded.{c}' for c in SURVEY_COUNTS)}",
)
_DIMENSION_UPSERT = (
    "INSERT INTO survey_dimension_rollups (grain, touchpoint_id, store_id, day, dimension, scale_min, scale_max, n, total)",
    "ON CONFLICT (grain, store_id, touchpoint_id, day, dimension, scale_min, scale_max) "
    "DO UPDATE SET n = n + excluded.n, total = total + excluded.total",
)


def add_survey_answers(db: sqlite_utils.Database, answers: list[SurveyAnswer]) -> None:
    """Add new responses to the survey roll-ups: each key once, however many of `answers` share it (a group commit
    hands a whole batch here, `db.later`). Updates and deletes of responses are kept by m013's triggers."""
    counts: defaultdict[tuple[str, ...], list[int]] = defaultdict(lambda: [0] * len(SURVEY_COUNTS))
    sums: defaultdict[tuple[object, ...], list[int]] = defaultdict(lambda: [0, 0])
    for answer in answers:
        columns = [_SURVEY_INDEX["counted" if answer.counted else "suspect"]]
        if answer.counted:
            # A score outside its scale (a book's own CSAT of 1-7, say) is not tallied, as the triggers did not.
            columns += [n for name, value in answer.scores.items() if (n := _SURVEY_INDEX.get(f"{name}_{value}")) is not None]
        for key in _copies(answer.local_day, answer.store_id, answer.touchpoint_id):
            row = counts[key]
            for column in columns:
                row[column] += 1
            for dimension in answer.dimensions if answer.counted else ():
                total = sums[(*key, *dimension[:3])]
                total[0] += 1
                total[1] += dimension[3]
    insert_rows(db.conn, _SURVEY_UPSERT[0], [(*key, *row) for key, row in counts.items()], _SURVEY_UPSERT[1])
    insert_rows(db.conn, _DIMENSION_UPSERT[0], [(*key, *total) for key, total in sums.items()], _DIMENSION_UPSERT[1])
    db.conn.executemany("INSERT OR IGNORE INTO rollup_stores (store_id) VALUES (?)", [(s,) for s in sorted({a.store_id for a in answers})])


def survey_counts(
    db: sqlite_utils.Database, stores: Scope, *, chain: bool, touchpoint_id: str | None, first: dt.date | None, last: dt.date | None,
    by_store: bool = False, by_touchpoint: bool = False, by_day: bool = False, by_week: bool = False,
) -> list[dict[str, Any]]:
    """Counted and suspect answers and each score's tally (`SURVEY_COUNTS`), per the keys asked for (`by_week`:
    with `by_day`, per ISO week, keyed by its Monday). `touchpoint_id`: that touchpoint's rows; else all
    touchpoints at once, or each with `by_touchpoint`."""
    conditions = [_touchpoints(touchpoint_id, by_touchpoint), _stores(stores, chain)]
    group = [c for c, wanted in (("store_id", by_store), ("touchpoint_id", by_touchpoint), ("day", by_day)) if wanted]
    return _summed(db, "survey_rollups", SURVEY_COUNTS, conditions, group, pieces(first, last, by_day=by_day), by_week)


def dimension_sums(
    db: sqlite_utils.Database, stores: Scope, *, chain: bool, touchpoint_id: str | None, first: dt.date | None, last: dt.date | None,
    by_store: bool = False, by_touchpoint: bool = False, by_day: bool = False, by_week: bool = False,
) -> list[dict[str, Any]]:
    """Counted dimension answers (`n`) and their sum (`total`) per dimension and scale, and the keys asked for."""
    conditions = [_touchpoints(touchpoint_id, by_touchpoint), _stores(stores, chain)]
    group = [c for c, wanted in (("store_id", by_store), ("touchpoint_id", by_touchpoint), ("day", by_day)) if wanted]
    return _summed(
        db, "survey_dimension_rollups", ("n", "total"), conditions, [*group, "dimension", "scale_min", "scale_max"],
        pieces(first, last, by_day=by_day), by_week,
    )


def _touchpoints(touchpoint_id: str | None, each: bool) -> tuple[str, list[object]]:
    if touchpoint_id is not None:
        return "touchpoint_id = ?", [touchpoint_id]
    return ("touchpoint_id > ?", [CHAIN]) if each else ("touchpoint_id = ?", [CHAIN])


# --- audits -------------------------------------------------------------------------------------


def audit_sums(
    db: sqlite_utils.Database, stores: Scope, *, chain: bool, first: dt.date, last: dt.date, by_store: bool = False, by_day: bool = False,
    by_week: bool = False,
) -> list[dict[str, Any]]:
    """Approved audits, those with a total (`scored`) and the sum of their totals, per the keys asked for."""
    group = [c for c, wanted in (("store_id", by_store), ("day", by_day)) if wanted]
    conditions: list[tuple[str, list[object]]] = [("checklist_id = ?", [CHAIN]), _stores(stores, chain)]
    return _summed(db, "audit_rollups", ("approved", "scored", "total_sum"), conditions, group, pieces(first, last, by_day=by_day), by_week)


def stage_sums(db: sqlite_utils.Database, stores: Scope, *, chain: bool, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Per checklist and stage: how many audits scored it and the sum of its percentages, items answered and failed."""
    return _summed(
        db, "audit_stage_rollups", ("scored", "score_sum", "answered", "failed"), [_stores(stores, chain)], ["checklist_id", "stage_id"],
        pieces(first, last),
    )


def item_sums(db: sqlite_utils.Database, stores: Scope, *, chain: bool, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Per checklist, stage and item: how many answered it (not N/A) and how many of those failed it."""
    return _summed(
        db, "audit_item_rollups", ("answered", "failed"), [_stores(stores, chain)], ["checklist_id", "stage_id", "item_id"],
        pieces(first, last),
    )


class _AuditSums:
    """What approved audits add to the audit roll-ups, by key, before it is written."""

    def __init__(self) -> None:
        self.audits: defaultdict[tuple[str, ...], list[float]] = defaultdict(lambda: [0, 0, 0.0])
        self.stages: defaultdict[tuple[str, ...], list[float]] = defaultdict(lambda: [0, 0.0, 0, 0])
        self.items: defaultdict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0])
        self.stores: set[str] = set()

    def add(self, store_id: str, checklist_id: str, day: str, tally: AuditTally) -> None:
        self.stores.add(store_id)
        per_stage: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
        for (stage, _), failed in tally.items.items():
            per_stage[stage][0] += 1
            per_stage[stage][1] += failed
        for grain, key in (("d", day), ("m", day[:8] + "01"), ("y", day[:5] + "01-01")):
            for store in (store_id, CHAIN):
                for checklist in (checklist_id, CHAIN):
                    row = self.audits[(grain, checklist, store, key)]
                    row[0] += 1
                    row[1] += tally.total is not None
                    row[2] += tally.total or 0.0
                for stage in {*tally.stages, *per_stage}:
                    score = tally.stages.get(stage)
                    stage_row = self.stages[(grain, store, key, checklist_id, stage)]
                    stage_row[0] += score is not None
                    stage_row[1] += score or 0.0
                    stage_row[2] += per_stage[stage][0]
                    stage_row[3] += per_stage[stage][1]
                for (stage, item), failed in tally.items.items():
                    item_row = self.items[(grain, store, key, checklist_id, stage, item)]
                    item_row[0] += 1
                    item_row[1] += failed

    def write(self, db: sqlite_utils.Database) -> None:
        for table, key, counts, rows in (
            ("audit_rollups", ("grain", "checklist_id", "store_id", "day"), ("approved", "scored", "total_sum"), self.audits),
            ("audit_stage_rollups", ("grain", "store_id", "day", "checklist_id", "stage_id"), ("scored", "score_sum", "answered", "failed"),
             self.stages),
            ("audit_item_rollups", ("grain", "store_id", "day", "checklist_id", "stage_id", "item_id"), ("answered", "failed"), self.items),
        ):
            columns = (*key, *counts)
            insert_rows(
                db.conn, f"INSERT INTO {table} ({', '.join(columns)})", [(*k, *v) for k, v in rows.items()],
                f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(f'{c} = {c} + excluded.{c}' for c in counts)}",
            )
        db.conn.executemany("INSERT OR IGNORE INTO rollup_stores (store_id) VALUES (?)", [(s,) for s in sorted(self.stores)])


def _approved(db: sqlite_utils.Database, visit_id: str | None) -> Iterator[dict[str, Any]]:
    """The latest revision of each approved visit's audit (of one visit, when given), with the visit's checklist version."""
    sql = (
        "SELECT v.checklist_id, v.checklist_version, a.store_id, a.local_day, a.body, a.result FROM visits v "
        "JOIN audits a ON a.visit_id = v.id AND a.revision = (SELECT MAX(b.revision) FROM audits b WHERE b.visit_id = v.id) "
        "WHERE v.state = 'approved'"
    )
    yield from db.query(sql + " AND v.id = ?", [visit_id]) if visit_id is not None else db.query(sql)


class _StageOf(msgspec.Struct):
    stages: list[_Stage]


class _Stage(msgspec.Struct):
    id: str
    items: list[_Item]


class _Item(msgspec.Struct):
    id: str


def _add(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]], sums: _AuditSums) -> None:
    checklists: dict[tuple[str, int], dict[str, str]] = {}
    for row in rows:
        version = (row["checklist_id"], row["checklist_version"])
        if version not in checklists:
            body = next(db.query("SELECT body FROM book_versions WHERE kind = 'checklist' AND doc_id = ? AND version = ?", list(version)))
            checklist = msgspec.json.decode(body["body"], type=_StageOf)
            checklists[version] = {item.id: stage.id for stage in checklist.stages for item in stage.items}
        audit = msgspec.json.decode(row["body"], type=AuditSubmission)
        result = msgspec.json.decode(row["result"], type=AuditResult)
        sums.add(row["store_id"], row["checklist_id"], row["local_day"], audit_tally(audit, result.score, checklists[version]))


def add_approved_audit(db: sqlite_utils.Database, visit_id: str) -> None:
    """Add the visit's approved audit (its latest revision) to the roll-ups; call it in the approval's transaction, once."""
    sums = _AuditSums()
    _add(db, _approved(db, visit_id), sums)
    sums.write(db)


_SURVEY_VALUES = (
    "suspect IS NULL", "suspect IS NOT NULL",
    *(f"suspect IS NULL AND {c} IS {v}" for c, (low, high) in SCORES.items() for v in range(low, high + 1)),
)


def rebuild_rollups(db: sqlite_utils.Database) -> None:
    """Make every roll-up again from the answers and the approved audits (in the caller's transaction).

    Set-based, a level at a time: each store's (touchpoint's, checklist's) days are summed from the rows in
    one pass over the index by store and day; the chain's days ('*') from those, the months from the days and
    the years from the months (`_spread`), so each level reads the one below it, some thirty times smaller,
    never the rows again. Summing every row into all its twelve copies at once took about as long as
    decoding each audit in Python (`bench/reports.py`: 50 s for a million answers and 50,000 approved audits)."""
    # A page cache big enough for the roll-ups being written and the sorts (SQLite's default is 2 MB; with it
    # the rebuild took a third longer), for this rebuild only.
    before = next(db.query("PRAGMA cache_size"))["cache_size"]
    db.execute("PRAGMA cache_size = -262144")
    try:
        _rebuild(db)
    finally:
        db.execute(f"PRAGMA cache_size = {int(before)}")


def _rebuild(db: sqlite_utils.Database) -> None:
    for table in ("survey_rollups", "survey_dimension_rollups", "audit_rollups", "audit_stage_rollups", "audit_item_rollups", "rollup_stores"):
        db.execute(f"DELETE FROM {table}")
    sums = ", ".join(f"SUM({value})" for value in _SURVEY_VALUES)
    db.execute(
        f"INSERT INTO survey_rollups (grain, store_id, touchpoint_id, day, {', '.join(SURVEY_COUNTS)}) "
        f"SELECT 'd', store_id, touchpoint_id, local_day, {sums} FROM survey_responses WHERE local_day IS NOT NULL "
        "GROUP BY store_id, touchpoint_id, local_day"
    )
    _spread(db, "survey_rollups", ("touchpoint_id",), (), SURVEY_COUNTS)
    db.execute(
        "INSERT INTO survey_dimension_rollups (grain, store_id, touchpoint_id, day, dimension, scale_min, scale_max, n, total) "
        "SELECT 'd', store_id, touchpoint_id, local_day, dimension, scale_min, scale_max, COUNT(*), SUM(value) "
        "FROM survey_dimension_answers WHERE counted = 1 GROUP BY store_id, touchpoint_id, local_day, dimension, scale_min, scale_max"
    )
    _spread(db, "survey_dimension_rollups", ("touchpoint_id",), ("dimension", "scale_min", "scale_max"), ("n", "total"))
    db.execute("INSERT OR IGNORE INTO rollup_stores (store_id) SELECT DISTINCT store_id FROM survey_rollups WHERE store_id <> '*'")
    _rebuild_audit_rollups(db)


def _spread(db: sqlite_utils.Database, table: str, starred: tuple[str, ...], kept: tuple[str, ...], counts: Sequence[str]) -> None:
    """`table` holds its stores' own day rows (grain 'd', no '*' in any key): add the chain's and every
    `starred` column's '*' copies of each day, then each month's rows summed from its days and each year's
    from its months."""
    sums = ", ".join(f"SUM({c})" for c in counts)
    columns = ("store_id", *starred)
    originals = " AND ".join(f"{c} <> '*'" for c in columns)
    target = f"INSERT INTO {table} (grain, {', '.join(columns)}, {', '.join(kept) + ', ' if kept else ''}day, {', '.join(counts)}) "
    for size in range(1, len(columns) + 1):
        for chosen in itertools.combinations(columns, size):
            group = [c for c in columns if c not in chosen] + [*kept, "day"]
            selected = ", ".join("'*'" if c in chosen else c for c in columns)
            db.execute(
                f"{target}SELECT 'd', {selected}, {''.join(k + ', ' for k in kept)}day, {sums} FROM {table} WHERE grain = 'd' AND {originals} "
                f"GROUP BY {', '.join(group)}"
            )
    for grain, below, first in (("m", "d", "substr(day, 1, 8) || '01'"), ("y", "m", "substr(day, 1, 5) || '01-01'")):
        db.execute(
            f"{target}SELECT '{grain}', {', '.join(columns)}, {''.join(k + ', ' for k in kept)}{first}, {sums} FROM {table} "
            f"WHERE grain = '{below}' GROUP BY {', '.join([*columns, *kept])}, {first}"
        )


def _rebuild_audit_rollups(db: sqlite_utils.Database) -> None:
    """The audit roll-ups from the approved audits (the latest revision of each approved visit), in SQL: the
    same sums as `add_approved_audit` makes one audit at a time (`domain.dashboard.audit_tally`), read from
    the stored result (total, stage scores, failed items) and body (items answered, not N/A) with SQLite's
    JSON functions, each store's days first, then `_spread`."""
    for table in ("rollup_approved", "rollup_item_stage"):
        db.execute(f"DROP TABLE IF EXISTS temp.{table}")
    db.execute(
        "CREATE TEMP TABLE rollup_approved AS SELECT v.checklist_id, v.checklist_version, a.store_id, a.local_day, a.body, "
        "a.result FROM visits v JOIN audits a ON a.visit_id = v.id AND a.revision = (SELECT MAX(b.revision) FROM audits b WHERE b.visit_id = v.id) "
        "WHERE v.state = 'approved'"
    )
    # Each item's stage in each checklist version the approved audits were scored against: an answer to an
    # item the version does not have counts nowhere, as in `audit_tally`.
    db.execute("CREATE TEMP TABLE rollup_item_stage (checklist_id TEXT, checklist_version INTEGER, item_id TEXT, stage_id TEXT, "
               "PRIMARY KEY (checklist_id, checklist_version, item_id)) WITHOUT ROWID")
    versions = [(r["checklist_id"], r["checklist_version"]) for r in db.query("SELECT DISTINCT checklist_id, checklist_version FROM rollup_approved")]
    for checklist_id, version in versions:
        body = next(db.query("SELECT body FROM book_versions WHERE kind = 'checklist' AND doc_id = ? AND version = ?", [checklist_id, version]))
        checklist = msgspec.json.decode(body["body"], type=_StageOf)
        db.conn.executemany("INSERT OR IGNORE INTO rollup_item_stage VALUES (?, ?, ?, ?)",
                            [(checklist_id, version, item.id, stage.id) for stage in checklist.stages for item in stage.items])
    # Items answered (not N/A), then the failed ones added to them: a look-up of each answer in the audit's
    # failures took as long again as the whole rebuild of the answers.
    db.execute(
        "INSERT INTO audit_item_rollups (grain, store_id, day, checklist_id, stage_id, item_id, answered, failed) "
        "SELECT 'd', a.store_id, a.local_day, a.checklist_id, m.stage_id, m.item_id, COUNT(*), 0 "
        "FROM rollup_approved a, json_each(a.body, '$.answers') x "
        "JOIN rollup_item_stage m ON m.checklist_id = a.checklist_id AND m.checklist_version = a.checklist_version AND m.item_id = x.value ->> 'item' "
        "WHERE NOT COALESCE(x.value ->> 'na', 0) GROUP BY a.store_id, a.local_day, a.checklist_id, m.stage_id, m.item_id"
    )
    db.execute(
        "INSERT INTO audit_item_rollups (grain, store_id, day, checklist_id, stage_id, item_id, answered, failed) "
        "SELECT 'd', a.store_id, a.local_day, a.checklist_id, f.value ->> 'stage', f.value ->> 'item', 0, COUNT(*) "
        "FROM rollup_approved a, json_each(a.result, '$.score.failed') f WHERE true GROUP BY 2, 3, 4, 5, 6 "
        "ON CONFLICT (grain, store_id, day, checklist_id, stage_id, item_id) DO UPDATE SET failed = failed + excluded.failed"
    )
    # Each stage's items answered and failed, from the item rows in their key's order (no sort); then each
    # stage's scores from the results added to them (a stage all N/A has a row with its score and no items).
    db.execute(
        "INSERT INTO audit_stage_rollups (grain, store_id, day, checklist_id, stage_id, scored, score_sum, answered, failed) "
        "SELECT 'd', store_id, day, checklist_id, stage_id, 0, 0, SUM(answered), SUM(failed) FROM audit_item_rollups WHERE grain = 'd' "
        "GROUP BY store_id, day, checklist_id, stage_id"
    )
    db.execute(
        "INSERT INTO audit_stage_rollups (grain, store_id, day, checklist_id, stage_id, scored, score_sum, answered, failed) "
        "SELECT 'd', a.store_id, a.local_day, a.checklist_id, x.value ->> 'stage', COUNT(x.value ->> 'score'), TOTAL(x.value ->> 'score'), 0, 0 "
        "FROM rollup_approved a, json_each(a.result, '$.score.stages') x WHERE true GROUP BY 2, 3, 4, 5 "
        "ON CONFLICT (grain, store_id, day, checklist_id, stage_id) DO UPDATE SET scored = scored + excluded.scored, "
        "score_sum = score_sum + excluded.score_sum"
    )
    db.execute(
        "INSERT INTO audit_rollups (grain, checklist_id, store_id, day, approved, scored, total_sum) "
        "SELECT 'd', checklist_id, store_id, local_day, COUNT(*), COUNT(result ->> '$.score.total'), TOTAL(result ->> '$.score.total') "
        "FROM rollup_approved GROUP BY checklist_id, store_id, local_day"
    )
    _spread(db, "audit_rollups", ("checklist_id",), (), ("approved", "scored", "total_sum"))
    _spread(db, "audit_stage_rollups", (), ("checklist_id", "stage_id"), ("scored", "score_sum", "answered", "failed"))
    _spread(db, "audit_item_rollups", (), ("checklist_id", "stage_id", "item_id"), ("answered", "failed"))
    db.execute("INSERT OR IGNORE INTO rollup_stores (store_id) SELECT DISTINCT store_id FROM rollup_approved")
    for table in ("rollup_approved", "rollup_item_stage"):
        db.execute(f"DROP TABLE temp.{table}")
