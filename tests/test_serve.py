"""`audit serve` as a newcomer runs it: a real process on a real port answers /healthz and /schema."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .conftest import DEMO_BOOK


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "audit_api.cli", *args, "--db", str(db), "--book", str(DEMO_BOOK)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)


def test_migrate_load_serve(tmp_path: Path) -> None:
    db = tmp_path / "var" / "audit.db"
    assert "applied m001_book_versions" in run("db", "migrate", db=db).stdout
    assert "up to date" in run("db", "migrate", db=db).stdout
    assert "11 new" in run("load", db=db).stdout
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "audit_api.cli", "serve", "--db", str(db), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the server did not answer within a minute"
                time.sleep(0.2)
        assert health.json() == {"status": "ok", "book_generation": 1}
        assert httpx.get(f"{base}/schema").status_code == 200
        assert httpx.get(f"{base}/api/v1/stores/moskva-arbat?lang=ru").json()["store"]["city"] == "Moskva"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_without_a_loaded_book_says_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    run("db", "migrate", db=db)
    done = subprocess.run(
        [sys.executable, "-m", "audit_api.cli", "serve", "--db", str(db)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "no standards book is loaded" in done.stderr and "audit load" in done.stderr
