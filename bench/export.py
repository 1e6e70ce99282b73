"""The audits export over 100,000 audits through the real server: seconds, rows a second, memory.

`python -m bench.export [audits]` publishes the demo book spread over 100 stores (`data.chain_of`),
writes the given number of audits (100,000 by default, 36 item answers each: some 3.6 million rows)
with `bench.data`, starts the server in its own process (`bench.server`), and downloads
`GET /api/v1/exports/audits` as an admin from this process, reading the whole stream as a client would.
Printed for CSV (twice) and JSON lines: rows, megabytes, seconds to the last byte, rows a second, and
the server's resident memory before and at its highest while it answered (sampled every 20 ms from
/proc), so a growth that follows the size of the export shows. Figures depend on the machine.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import httpx

from audit_api.book import load_book
from audit_api.services import accounts
from audit_api.store import Database, migrate, publish

from . import data
from .figures import keep
from .serving import Peak, cpu_seconds, free_port, serve

ROOT = Path(__file__).resolve().parent.parent
FIRST_DAY = dt.date(2025, 1, 1)
DAYS = 730


def download(port: int, token: str, fmt: str) -> tuple[int, int, float]:
    """(rows, bytes, seconds to the last byte) of the whole audits export."""
    lines = size = 0
    started = time.perf_counter()
    with httpx.stream(
        "GET", f"http://127.0.0.1:{port}/api/v1/exports/audits", params={"format": fmt}, headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    ) as response:
        response.raise_for_status()
        for chunk in response.iter_raw(1 << 20):
            size += len(chunk)
            lines += chunk.count(b"\n")
    took = time.perf_counter() - started
    return lines - (1 if fmt == "csv" else 0), size, took


def main(count: int = 100_000) -> None:
    book = data.chain_of(load_book(ROOT / "checklists"), 100)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "audit.db"
        database = Database(path)
        migrate(database)
        publish(database, book)
        admin = accounts.add_user(database, "bench-admin", "admin")
        auditors = [accounts.add_user(database, f"bench-auditor-{n}", "auditor").id for n in range(20)]
        token = accounts.redeem_enrolment(database, accounts.start_enrolment(database, admin).code, "bench").token
        started = time.perf_counter()
        data.generate_audits(database, book, count, book.stores, auditor_ids=auditors, assigned_by=admin.id, first_day=FIRST_DAY, days=DAYS,
                            rollups=False)  # the export reads no roll-up
        took = time.perf_counter() - started
        print(f"{count:,} audits ({count * 36:,} item answers) written in {took:.1f} s: {count * 36 / took:,.0f} item answers/s")
        database.close()

        port = free_port()
        server = serve(path, port)
        try:
            print("| format | rows | MB | seconds | rows/s | server CPU s | server RSS before, MB | highest, MB | growth, MB |")
            print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            kept: list[dict[str, object]] = []
            for fmt in ("csv", "csv", "jsonl"):
                cpu = cpu_seconds(server.pid)
                with Peak(server.pid) as peak:
                    rows, size, seconds = download(port, token, fmt)
                cpu = cpu_seconds(server.pid) - cpu
                print(f"| {fmt} | {rows:,} | {size / 1e6:.0f} | {seconds:.1f} | {rows / seconds:,.0f} | {cpu:.1f} | {peak.before:.0f} | "
                      f"{peak.highest:.0f} | {peak.highest - peak.before:.0f} |")
                kept.append({
                    "name": f"export of {count:,} audits, {fmt}", "rows": rows, "mb": round(size / 1e6, 1), "seconds": round(seconds, 2),
                    "rows_s": round(rows / seconds), "server_cpu_s": round(cpu, 2), "server_rss_before_mb": round(peak.before, 1),
                    "server_rss_highest_mb": round(peak.highest, 1),
                })
            keep("export", kept)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
