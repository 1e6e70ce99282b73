"""Where a slow figure of `bench/reports.py` spends its time: one call, in-process, under cProfile.

`python -m bench.profile CASE [--db build/bench/reports.db] [--who admin|manager]` runs the service call
behind an endpoint (warmed up once) over the database `bench/reports.py` wrote, and prints the call's
median time over 10 runs and the 25 functions it spent most time in. Cases: `dashboard-year`,
`dashboard-30`, `dashboard-city`, `metrics-all`, `metrics-30`, `export-csv`, `export-jsonl` (the
latter two read the whole audits export and keep nothing), `rebuild` (the roll-ups made again in a
transaction rolled back: nothing changes).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from audit_api.book import load_book
from audit_api.services import accounts, exports, feedback, reports
from audit_api.store import Database
from audit_api.store.rollups import rebuild_rollups

from . import data

ROOT = Path(__file__).resolve().parent.parent


def _rebuild(database: Database) -> None:
    with database.writer() as db:
        db.execute("BEGIN")
        try:
            rebuild_rollups(db)
        finally:
            db.execute("ROLLBACK")


def cases(database: Database, who: str) -> dict[str, Callable[[], object]]:
    book = data.chain_of(load_book(ROOT / "checklists"), 100)
    user = accounts.find_user(database, "bench-admin" if who == "admin" else "bench-manager")
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    city = book.stores[0].city
    city_name = city if isinstance(city, str) else city["en"]

    def drain(fmt: Literal["csv", "jsonl"]) -> Callable[[], int]:
        return lambda: sum(map(len, exports.export(database, book, user, "audits", fmt).chunks))

    return {
        "dashboard-year": lambda: reports.dashboard(database, book, user, now, first=today - dt.timedelta(days=364), last=today),
        "dashboard-30": lambda: reports.dashboard(database, book, user, now),
        "dashboard-city": lambda: reports.dashboard(database, book, user, now, city=city_name),
        "metrics-all": lambda: feedback.metrics(database, user, by_touchpoint=True),
        "metrics-30": lambda: feedback.metrics(database, user, since=today - dt.timedelta(days=29), until=today),
        "export-csv": drain("csv"),
        "export-jsonl": drain("jsonl"),
        "rebuild": lambda: _rebuild(database),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("case")
    parser.add_argument("--db", type=Path, default=ROOT / "build" / "bench" / "reports.db")
    parser.add_argument("--who", choices=("admin", "manager"), default="admin")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    database = Database(args.db)
    try:
        call = cases(database, args.who)[args.case]
        call()
        took = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            call()
            took.append((time.perf_counter() - started) * 1000)
        print(f"{args.case} as {args.who}: median {statistics.median(took):.1f} ms, fastest {min(took):.1f} ms over {args.rounds}")
        profile = cProfile.Profile()
        profile.runcall(call)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    finally:
        database.close()


if __name__ == "__main__":
    main()
