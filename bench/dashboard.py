"""The dashboard and the metrics over two years of a mid-size chain, read from the roll-ups (m013).

`python -m bench.dashboard [responses]` fills a database with the given number of survey responses
(1,000,000 by default: 100 stores, 3 touchpoints, 730 days, one in twenty suspect, half with a dimension
answer) and 50,000 complaints, loaded in bulk the way a benchmark should: the roll-ups' insert triggers
dropped, the rows written, then `rollups.rebuild_rollups` once. Audits enter the roll-ups as 100,000
approved audits' sums (6 stages of 6 items) written straight into the audit roll-up tables, since only
their reads are measured here. Then it times `services.feedback.metrics` and `services.reports.dashboard`
in-process as an admin (the chain) and a manager of two stores: median and p95 over 40 calls each, in ms.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from audit_api.book import load_book
from audit_api.services import accounts, feedback, reports
from audit_api.store import Database, migrate, publish, rollups

ROOT = Path(__file__).resolve().parent.parent
STORES = [f"store-{n:03d}" for n in range(100)]
FIRST_DAY = dt.date(2024, 11, 25)
NOW = dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC)


def _day(rnd: random.Random) -> dt.date:
    return FIRST_DAY + dt.timedelta(days=rnd.randrange(730))


def fill(database: Database, responses: int) -> None:
    rnd = random.Random(13)
    with database.write() as db:
        db.execute("DROP TRIGGER survey_rollups_insert")
        db.execute("DROP TRIGGER survey_dimension_rollups_insert")
        rows = []
        for _ in range(responses):
            day = _day(rnd)
            rows.append((
                rnd.choice(STORES), rnd.choice(("checkout", "fitting-room", "phone-line")), rnd.randrange(11), rnd.randint(1, 5),
                rnd.randint(1, 7), f"{day}T12:00:00+00:00", day.isoformat(), "browser_limit" if rnd.random() < 0.05 else None,
            ))
        db.conn.executemany(
            "INSERT INTO survey_responses (store_id, touchpoint_id, language, survey_id, survey_version, answers, nps, csat, ces, "
            "created_at, local_day, suspect) VALUES (?, ?, 'en', 'store-feedback', 1, '{}', ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.execute(
            "INSERT INTO survey_dimension_answers (response_id, question_id, store_id, touchpoint_id, local_day, dimension, value, "
            "scale_min, scale_max, counted) SELECT id, 'staff-friendly', store_id, touchpoint_id, local_day, 'assurance', 1 + id % 5, 1, 5, "
            "suspect IS NULL FROM survey_responses WHERE id % 2 = 0"
        )
        complaints = []
        for n in range(50_000):
            received = dt.datetime.combine(_day(rnd), dt.time(10), dt.UTC)
            resolved = (received + dt.timedelta(hours=rnd.uniform(1, 20))).isoformat() if rnd.random() < 0.9 else None
            complaints.append((
                f"C-{n}", rnd.choice(STORES), "resolved" if resolved else "received", received.isoformat(),
                (received + dt.timedelta(hours=2)).isoformat(), (received + dt.timedelta(hours=10)).isoformat(), resolved,
                received.date().isoformat(),
            ))
        db.conn.executemany(
            "INSERT INTO complaints (ticket, store_id, language, happened_on, what, desired, state, received_at, acknowledge_by, "
            "respond_by, resolved_at, local_day) VALUES (?, ?, 'en', '2026-01-01', '', 'apology', ?, ?, ?, ?, ?, ?)",
            complaints,
        )
        started = time.perf_counter()
        rollups.rebuild_rollups(db)
        print(f"rebuild_rollups: {time.perf_counter() - started:.1f} s")
        _audit_sums(db, rnd)


def _audit_sums(db: sqlite_utils.Database, rnd: random.Random) -> None:
    audits: dict[tuple[str, ...], list[float]] = {}
    stages: dict[tuple[str, ...], list[float]] = {}
    items: dict[tuple[str, ...], list[int]] = {}
    for _ in range(100_000):
        store, day, total = rnd.choice(STORES), _day(rnd).isoformat(), rnd.uniform(50, 100)
        for grain, key in (("d", day), ("m", day[:8] + "01"), ("y", day[:5] + "01-01")):
            for s in (store, "*"):
                for checklist in ("in-store-visit", "*"):
                    row = audits.setdefault((grain, checklist, s, key), [0, 0, 0.0])
                    row[0], row[1], row[2] = row[0] + 1, row[1] + 1, row[2] + total
                for stage in range(6):
                    fails = [rnd.random() < 0.1 for _ in range(6)]
                    srow = stages.setdefault((grain, s, key, "in-store-visit", f"stage-{stage}"), [0, 0.0, 0, 0])
                    srow[0], srow[1], srow[2], srow[3] = srow[0] + 1, srow[1] + 80.0, srow[2] + 6, srow[3] + sum(fails)
                    for item, failed in enumerate(fails):
                        irow = items.setdefault((grain, s, key, "in-store-visit", f"stage-{stage}", f"item-{stage}-{item}"), [0, 0])
                        irow[0], irow[1] = irow[0] + 1, irow[1] + failed
    conn = db.conn
    conn.executemany("INSERT INTO audit_rollups VALUES (?, ?, ?, ?, ?, ?, ?)", [(*k, *v) for k, v in audits.items()])
    conn.executemany("INSERT INTO audit_stage_rollups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [(*k, *v) for k, v in stages.items()])
    conn.executemany("INSERT INTO audit_item_rollups VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(*k, *v) for k, v in items.items()])
    conn.executemany("INSERT OR IGNORE INTO rollup_stores VALUES (?)", [(s,) for s in STORES])


def timed(call: Callable[[], object], rounds: int = 40) -> str:
    took = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return f"median {statistics.median(took):6.1f} ms   p95 {took[int(rounds * 0.95) - 1]:6.1f} ms"


def main() -> None:
    responses = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    book = load_book(ROOT / "checklists")
    with tempfile.TemporaryDirectory() as folder:
        database = Database(Path(folder) / "audit.db")
        try:
            migrate(database)
            publish(database, book)
            fill(database, responses)
            admin = accounts.add_user(database, "bench-admin", "admin")
            manager = accounts.add_user(database, "bench-manager", "manager", stores=STORES[:2])
            year_ago = NOW.date() - dt.timedelta(days=364)
            for name, user in (("admin", admin), ("manager of 2 stores", manager)):
                print(f"-- {name}")
                print(f"metrics, all days              {timed(lambda: feedback.metrics(database, user))}")
                print(f"metrics, all days, touchpoints {timed(lambda: feedback.metrics(database, user, by_touchpoint=True))}")
                print(f"metrics, a year                {timed(lambda: feedback.metrics(database, user, since=year_ago))}")
                print(f"dashboard, 30 days             {timed(lambda: reports.dashboard(database, book, user, NOW))}")
                print(f"dashboard, a year (by week)    {timed(lambda: reports.dashboard(database, book, user, NOW, first=year_ago))}")
        finally:
            database.close()


if __name__ == "__main__":
    main()
