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
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from audit_api.book import load_book
from audit_api.services import accounts
from audit_api.store import Database, migrate, publish

from . import data

ROOT = Path(__file__).resolve().parent.parent
FIRST_DAY = dt.date(2025, 1, 1)
DAYS = 730


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(db: Path, port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([sys.executable, "-m", "bench.server", str(db), str(port)], cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within a minute")


def cpu_seconds(pid: int) -> float:
    """User and system time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Peak:
    """The highest resident memory of a process while a block runs, sampled every 20 ms."""

    def __init__(self, pid: int):
        self.pid, self.before, self.highest = pid, rss_mb(pid), 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.highest = max(self.highest, rss_mb(self.pid))
            time.sleep(0.02)

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.highest = max(self.highest, rss_mb(self.pid))


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
            for fmt in ("csv", "csv", "jsonl"):
                cpu = cpu_seconds(server.pid)
                with Peak(server.pid) as peak:
                    rows, size, seconds = download(port, token, fmt)
                cpu = cpu_seconds(server.pid) - cpu
                print(f"| {fmt} | {rows:,} | {size / 1e6:.0f} | {seconds:.1f} | {rows / seconds:,.0f} | {cpu:.1f} | {peak.before:.0f} | "
                      f"{peak.highest:.0f} | {peak.highest - peak.before:.0f} |")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
