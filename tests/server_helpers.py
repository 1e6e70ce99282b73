"""`audit serve` as a real process on a free port, for the tests that need the real server (uvicorn)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(db: Path, log: Path, **env: str) -> Iterator[str]:
    """Run `audit serve` on `db` with extra AUDIT_* settings; yields its base URL once it answers."""
    port = free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "audit_api.cli", "serve", "--db", str(db), "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the server did not answer within a minute"
                time.sleep(0.05)  # it is usually up within a second
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
