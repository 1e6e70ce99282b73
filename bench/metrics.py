"""The metrics over a million survey responses: counted in SQLite by value, against reading every row.

`python -m bench.metrics [responses]` fills a database with the given number of responses (1,000,000 by
default: 1000 stores, 3 touchpoints each, 30 days, one answer in ten suspect), each with two dimension
answers, then times `services.feedback.metrics` for an admin (chain-wide, all days and one week) and a
manager of two stores (one week), beside the way the metrics worked before: every row of the period
read into Python, one by one. Figures depend on the machine; compare the ratio.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from audit_api.book import load_book
from audit_api.services import accounts, feedback
from audit_api.services.access import stores as store_scope
from audit_api.store import Database, migrate, publish
from audit_api.store.accounts import User
from audit_api.store.rollups import rebuild_rollups

from .figures import keep

ROOT = Path(__file__).resolve().parent.parent
STORES = [f"store-{n:04d}" for n in range(1000)]
TOUCHPOINTS = ("checkout", "fitting-room", "phone-line")
FIRST_DAY = dt.date(2026, 11, 1)


class _Row(msgspec.Struct, frozen=True, kw_only=True):
    store_id: str
    touchpoint_id: str
    nps: int | None
    csat: int | None
    ces: int | None
    suspect: bool


def fill(database: Database, responses: int) -> None:
    publish(database, load_book(ROOT / "checklists"))
    pick = random.Random(7)
    with database.write() as db:
        for start in range(0, responses, 50_000):
            rows, dimensions = [], []
            for n in range(start, min(start + 50_000, responses)):
                day = FIRST_DAY + dt.timedelta(days=n % 30)
                store, touchpoint = STORES[n % len(STORES)], TOUCHPOINTS[n // len(STORES) % 3]
                counted = pick.random() > 0.1
                rows.append((n + 1, store, touchpoint, pick.randint(0, 10), pick.randint(1, 5), pick.randint(1, 7),
                             f"{day}T12:00:00+00:00", day.isoformat(), None if counted else "address_limit"))
                for question, dimension in (("staff-friendly", "assurance"), ("tidy", "tangibles")):
                    dimensions.append((n + 1, question, store, touchpoint, day.isoformat(), dimension, pick.randint(1, 5), int(counted)))
            db.conn.executemany(
                "INSERT INTO survey_responses (id, store_id, touchpoint_id, language, survey_id, survey_version, answers, nps, csat, "
                "ces, created_at, local_day, suspect) VALUES (?, ?, ?, 'en', 'store-feedback', 1, '{}', ?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.conn.executemany(
                "INSERT INTO survey_dimension_answers (response_id, question_id, store_id, touchpoint_id, local_day, dimension, value, "
                "scale_min, scale_max, counted) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 5, ?)",
                dimensions,
            )
        rebuild_rollups(db)  # rows written straight into the tables: the roll-ups the metrics read, made from them


def row_by_row(database: Database, user: User, since: dt.date | None, until: dt.date | None) -> int:
    """The metrics as they were read before: every response of the period converted in Python."""
    sql, args = store_scope(user).where(
        "SELECT store_id, touchpoint_id, nps, csat, ces, suspect IS NOT NULL AS suspect FROM survey_responses WHERE 1 = 1"
    )
    for op, day in ((">=", since), ("<=", until)):
        if day is not None:
            sql, args = f"{sql} AND local_day {op} ?", [*args, day.isoformat()]
    count = 0
    for row in database.read().query(sql, args):
        msgspec.convert({**row, "suspect": bool(row["suspect"])}, _Row)
        count += 1
    return count


def timed(call: Callable[[], object], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def main(responses: int = 1_000_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(Path(folder) / "audit.db")
        try:
            migrate(database)
            started = time.perf_counter()
            fill(database, responses)
            print(f"{responses:,} responses written in {time.perf_counter() - started:.1f} s")
            admin = accounts.add_user(database, "admin", "admin")
            manager = accounts.add_user(database, "two-stores", "manager", stores=STORES[7:9])
            week = (FIRST_DAY + dt.timedelta(days=7), FIRST_DAY + dt.timedelta(days=13))
            print("| who, period | counted by value, s | row by row, s | ratio |")
            print("| --- | ---: | ---: | ---: |")
            kept: list[dict[str, object]] = []
            for label, user, (since, until) in (
                ("admin, every day", admin, (None, None)),
                ("admin, one week", admin, week),
                ("manager of 2 stores, one week", manager, week),
            ):
                new = timed(lambda: feedback.metrics(database, user, since=since, until=until, by_touchpoint=True))
                old = timed(lambda: row_by_row(database, user, since, until))
                print(f"| {label} | {new:.3f} | {old:.3f} | {old / new:.1f} |")
                kept.append({"name": label, "counted_by_value_s": round(new, 4), "row_by_row_s": round(old, 4), "ratio": round(old / new, 2)})
            keep("metrics", kept)
        finally:
            database.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
