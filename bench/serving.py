"""The benchmarks' server in its own process (`bench.server`), and what they read of a process: CPU time, memory.

Not for: load generation (`load.py`) or the data (`data.py`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(db: Path, port: int, workers: int | None = None, tree: Path = ROOT) -> subprocess.Popen[bytes]:
    """The bench server (`bench.server`: the app and its baselines, one process) on `db`; with `workers`, the
    product's own `audit serve --workers N` instead, its limits lifted (the load comes from one address). The code
    is `tree`'s (`bench.ab` starts an earlier commit's)."""
    if workers is None:
        command = [sys.executable, "-m", "bench.server", str(db), str(port)]
    else:
        command = [sys.executable, "-m", "audit_api.cli", "serve", "--db", str(db), "--port", str(port), "--workers", str(workers)]
    env = {**os.environ, "AUDIT_PUBLIC_RATE_LIMIT": str(10**9), "AUDIT_FORM_RATE_LIMIT": str(10**9), "AUDIT_SITE_DIR": str(db.parent / "no-site")}
    quiet = subprocess.DEVNULL if workers is not None else None  # `audit serve` logs every request
    server = subprocess.Popen(command, cwd=tree, env=env, stdout=quiet, stderr=quiet)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within a minute")


def children(pid: int) -> list[int]:
    """The processes `pid` started (an `audit serve`'s workers)."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


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
