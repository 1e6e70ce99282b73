"""Issue 13's benchmark at full size: every reporting and list endpoint over a mid-size chain after two years.

`python -m bench.reports [--db PATH] [--rounds N]` publishes the demo book grown to 100 stores
(`data.chain_of`), then writes with `bench/data.py` 1,000,000 survey responses, 100,000 audits with
their item answers (half approved, half submitted), the corrective actions the approvals opened, and
50,000 complaints, all over the two years up to today, and makes the roll-ups from the rows
(`rollups.rebuild_rollups`, timed). With `--db` an existing file of an earlier run is reused (migrated
first, timed: a new migration's work on a real database shows there), else the data go to
`build/bench/reports.db`, made again.

Then it serves the database (`bench.server`, its own process) and, from this process, over one
keep-alive connection, one request at a time, after a warm-up, measures each endpoint as an admin and
as a manager of 2 stores: p50 and p95 in ms, the answer's size in bytes, and the bare GET's p95 measured
in alternating rounds with it (so both see the same machine), with the ratio. Then the exports of all
100,000 audits as CSV and JSON lines (seconds, rows, the server's memory growth, sampled every 20 ms).
The purge is `bench/purge.py`'s (run by `make bench` beside this one): its figure stands.

The aims (issue 13): p95 under 50 ms for each, every page at most 1 MB, the CSV export under 10 s with
flat memory. Printed as a table; written to `build/bench/reports.json` (a list of objects: name, who,
p50_ms, p95_ms, bytes, bare_p95_ms, ratio, ok; exports add seconds, rows, rss growth).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from audit_api.book import load_book
from audit_api.services import accounts
from audit_api.store import Database, migrate, publish
from audit_api.store.rollups import rebuild_rollups

from . import data
from .export import download
from .serving import Peak, cpu_seconds, free_port, serve

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "bench"
STORES, DAYS = 100, 730
RESPONSES, AUDITS, COMPLAINTS = 1_000_000, 100_000, 50_000
P95_MS, PAGE_BYTES, CSV_SECONDS = 50.0, 1_000_000, 10.0


@dataclass
class Figure:
    name: str
    who: str
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    bytes: int = 0
    bare_p95_ms: float = 0.0
    ratio: float = 0.0
    ok: bool = True
    extra: dict[str, float | int] = field(default_factory=dict)


def _timed(step: str, call: Callable[[], object]) -> object:
    started = time.perf_counter()
    value = call()
    print(f"{step}: {time.perf_counter() - started:.1f} s", flush=True)
    return value


def generate(path: Path, today: dt.date, scale: float = 1.0) -> None:
    """A new database at `path` with the whole data set (times `scale`) and the users the measurements sign in as."""
    responses, audits, complaints = (int(n * scale) for n in (RESPONSES, AUDITS, COMPLAINTS))
    path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    book = data.chain_of(load_book(ROOT / "checklists"), STORES)
    database = Database(path)
    try:
        migrate(database)
        publish(database, book)
        admin = accounts.add_user(database, "bench-admin", "admin")
        accounts.add_user(database, "bench-manager", "manager", stores=[s.id for s in book.stores[:2]])
        auditors = [accounts.add_user(database, f"bench-auditor-{n}", "auditor").id for n in range(20)]
        first = today - dt.timedelta(days=DAYS - 1)
        started = time.perf_counter()
        _timed(f"{responses:,} survey responses", lambda: data.generate_responses(database, book, responses, book.stores, rollups=False,
                                                                                    first_day=first, days=DAYS))
        _timed(f"{audits:,} audits ({audits * 36:,} item answers)", lambda: data.generate_audits(
            database, book, audits, book.stores, auditor_ids=auditors, assigned_by=admin.id, rollups=False, first_day=first, days=DAYS))
        opened = _timed("corrective actions of the approved audits", lambda: data.generate_actions(
            database, book, now=dt.datetime.now(dt.UTC), closed_by=admin.id))
        print(f"  {opened:,} actions")
        _timed(f"{complaints:,} complaints", lambda: data.generate_complaints(database, book, complaints, book.stores, handled_by=admin.id,
                                                                               first_day=first, days=DAYS))

        def rebuild() -> None:
            with database.write() as db:
                rebuild_rollups(db)

        _timed("rebuild_rollups", rebuild)
        print(f"data written in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        database.close()


def _tokens(path: Path) -> dict[str, str]:
    """A fresh device token for the admin and the manager (tokens are stored hashed, so each run makes its own)."""
    database = Database(path)
    try:
        tokens = {}
        for who, name in (("admin", "bench-admin"), ("manager of 2 stores", "bench-manager")):
            user = accounts.find_user(database, name)
            tokens[who] = accounts.redeem_enrolment(database, accounts.start_enrolment(database, user).code, "bench").token
        return tokens
    finally:
        database.close()


def _percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def measure(client: httpx.Client, url: str, headers: dict[str, str], rounds: int) -> tuple[list[float], list[float], int]:
    """Times of `url` and of the bare GET, in alternating rounds of 10 after a warm-up, and the answer's size."""
    size = 0
    for _ in range(3):
        response = client.get(url, headers=headers)
        response.raise_for_status()
        size = len(response.content)
        client.get("/bench/bare")
    took: list[float] = []
    bare: list[float] = []
    for _ in range(rounds):
        for target, times, sent in ((url, took, headers), ("/bench/bare", bare, {})):
            for _ in range(10):
                started = time.perf_counter()
                response = client.get(target, headers=sent)
                response.read()
                times.append((time.perf_counter() - started) * 1000)
    return took, bare, size


def _later_page(client: httpx.Client, url: str, headers: dict[str, str], pages: int) -> str:
    """The URL of the page `pages` links after `url` (or the last one there is)."""
    for _ in range(pages):
        following = client.get(url, headers=headers).links.get("next")
        if following is None:
            break
        url = str(following["url"])
    return url


def endpoints(client: httpx.Client, headers: dict[str, str], today: dt.date, city: str) -> list[tuple[str, str]]:
    month, year = (today - dt.timedelta(days=29)).isoformat(), (today - dt.timedelta(days=364)).isoformat()
    return [
        ("visits", "/api/v1/visits"),
        ("visits, page 20 (by Link)", _later_page(client, "/api/v1/visits", headers, 19)),
        ("visits ?state=submitted", "/api/v1/visits?state=submitted"),
        ("complaints", "/api/v1/complaints"),
        ("complaints ?all=true", "/api/v1/complaints?all=true"),
        ("complaints ?all=true, page 20", _later_page(client, "/api/v1/complaints?all=true", headers, 19)),
        ("responses", "/api/v1/responses"),
        ("responses ?limit=500", "/api/v1/responses?limit=500"),
        ("metrics, last 30 days", f"/api/v1/metrics?from={month}&to={today}"),
        ("metrics, all time, by_touchpoint", "/api/v1/metrics?by_touchpoint=true"),
        ("dashboard (30 days)", "/api/v1/dashboard"),
        ("dashboard, a year", f"/api/v1/dashboard?from={year}&to={today}"),
        (f"dashboard, city {city}", f"/api/v1/dashboard?city={city}"),
        ("actions ?state=open", "/api/v1/actions?state=open"),
        ("actions ?overdue=true", "/api/v1/actions?overdue=true"),
    ]


def exports(port: int, pid: int, token: str) -> list[Figure]:
    figures = []
    for fmt in ("csv", "jsonl"):
        cpu = cpu_seconds(pid)
        with Peak(pid) as peak:
            rows, size, seconds = download(port, token, fmt)
        growth = peak.highest - peak.before
        figures.append(Figure(
            f"export of all audits, {fmt}", "admin", bytes=size, ok=fmt != "csv" or (seconds < CSV_SECONDS and growth < 100),
            extra={"seconds": round(seconds, 2), "rows": rows, "server_cpu_s": round(cpu_seconds(pid) - cpu, 1),
                   "rss_before_mb": round(peak.before), "rss_growth_mb": round(growth)},
        ))
    return figures


def run(path: Path, rounds: int, today: dt.date, endpoints_too: bool = True) -> list[Figure]:
    tokens = _tokens(path)
    city = data.chain_of(load_book(ROOT / "checklists"), STORES).stores[0].city
    city_name = city if isinstance(city, str) else city["en"]
    port = free_port()
    server = serve(path, port)
    figures: list[Figure] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for who, token in tokens.items() if endpoints_too else ():
                headers = {"Authorization": f"Bearer {token}"}
                for name, url in endpoints(client, headers, today, city_name):
                    took, bare, size = measure(client, url, headers, rounds)
                    p95, bare95 = _percentile(took, 95), _percentile(bare, 95)
                    figure = Figure(name, who, round(statistics.median(took), 2), round(p95, 2), size, round(bare95, 2), round(p95 / bare95, 1),
                                    p95 < P95_MS and size <= PAGE_BYTES)
                    print(_row(figure), flush=True)
                    figures.append(figure)
        for figure in exports(port, server.pid, tokens["admin"]):
            print(_row(figure), flush=True)
            figures.append(figure)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return figures


def _row(f: Figure) -> str:
    if f.extra:
        e = f.extra
        return (f"| {f.name} | {f.who} | {e['seconds']} s, {e['rows']:,} rows, {f.bytes / 1e6:.0f} MB, server CPU {e['server_cpu_s']} s, "
                f"RSS {e['rss_before_mb']} MB + {e['rss_growth_mb']} MB | | | | {'yes' if f.ok else '**no**'} |")
    return f"| {f.name} | {f.who} | {f.p50_ms:.1f} | {f.p95_ms:.1f} | {f.bytes:,} | {f.bare_p95_ms:.2f} | {f.ratio} | {'yes' if f.ok else '**no**'} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="reuse this database of an earlier run (migrated first) instead of generating one")
    parser.add_argument("--scale", type=float, default=1.0, help="generate this fraction of the data set (a quick try of the bench)")
    parser.add_argument("--exports-only", action="store_true", help="measure only the exports (with --db: again, on a quieter machine)")
    parser.add_argument("--rounds", type=int, default=6, help="rounds of 10 requests per endpoint (and as many bare GETs)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    today = dt.date.today()
    if args.db is None:
        path = OUT / "reports.db"
        generate(path, today, args.scale)
    else:
        path = args.db
        database = Database(path)
        try:
            applied = _timed("migrate", lambda: migrate(database))
            print(f"  applied: {applied or 'none'}")
        finally:
            database.close()
    print("| endpoint | who | p50 ms | p95 ms | bytes | bare GET p95 ms | ratio | aim met |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    figures = run(path, args.rounds, today, endpoints_too=not args.exports_only)
    print("purge: `bench/purge.py`'s figures stand (`make bench` runs it): batches of 200 rows, each hold well under 100 ms")
    (OUT / ("reports-exports.json" if args.exports_only else "reports.json")).write_text(json.dumps([{k: v for k, v in {**asdict(f), **f.extra}.items() if k != 'extra'} for f in figures], indent=1))
    missed = [f"{f.name} ({f.who})" for f in figures if not f.ok]
    print(f"aims missed: {', '.join(missed) if missed else 'none'}")


if __name__ == "__main__":
    main()
