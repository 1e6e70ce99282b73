"""`audit serve --workers 2`: two processes on the one database, one rate limit across them, one book, and no
worker outliving the server.

The connections are spread by the kernel between the two processes' accept loops; the test first makes sure both
processes hold some (counted in /proc), so the limit is shown holding across them, not within one."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from audit_api.book import load_book
from audit_api.store import Database, publish

from .conftest import DEMO_BOOK, make_actor
from .server_helpers import free_port, serving

LIMIT = 10  # public requests a minute per client address: one every 6 s after the burst


def _workers(log: Path) -> list[int]:
    """The server's worker processes: the children of the `audit serve` that wrote `log`."""
    server = next(
        int(pid) for pid in os.listdir("/proc") if pid.isdigit() and _open_file(int(pid), log)
    )
    children = Path(f"/proc/{server}/task/{server}/children").read_text().split()
    return [int(pid) for pid in children if b"spawn" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _open_file(pid: int, path: Path) -> bool:
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(path) for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


def _sockets(pid: int) -> int:
    return sum(os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:") for fd in os.listdir(f"/proc/{pid}/fd"))


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the processes from Linux's /proc")
def test_two_workers_share_the_rate_limit_notice_a_new_book_and_end_with_the_server(loaded: Database, tmp_path: Path) -> None:
    admin = make_actor(loaded, "ops", "admin")
    log = tmp_path / "serve.log"
    with serving(loaded.path, log, AUDIT_WORKERS="2", AUDIT_PUBLIC_RATE_LIMIT=str(LIMIT)) as base:
        workers = _workers(log)
        assert len(workers) == 2, log.read_text()
        idle = {pid: _sockets(pid) for pid in workers}
        clients = [httpx.Client(base_url=base, timeout=10) for _ in range(16)]  # one connection each, kept open
        try:
            for client in clients:
                assert client.get("/healthz").status_code == 200  # not limited: opens the connection
            held = {pid: _sockets(pid) - idle[pid] for pid in workers}
            assert all(n >= 1 for n in held.values()), f"the kernel gave every connection to one process: {held}"

            started = time.monotonic()
            statuses = [client.get("/api/v1/faq").status_code for _ in range(2) for client in clients]
            refills = int((time.monotonic() - started) // (60 / LIMIT))  # the allowance comes back one request per 6 s
            assert statuses.count(200) == LIMIT + refills and statuses.count(429) == len(statuses) - LIMIT - refills, statuses

            # A book published while they run (as `audit load` does) reaches both within a couple of seconds.
            book = load_book(DEMO_BOOK)
            checklist = book.checklists[0]
            renamed = msgspec.structs.replace(checklist, title={**checklist.title, "en": "Renamed while serving"})
            publish(loaded, msgspec.structs.replace(book, checklists=[renamed, *book.checklists[1:]]))
            deadline = time.monotonic() + 10
            while True:
                titles = {
                    c["title"] for client in clients
                    for c in client.get("/api/v1/checklists?lang=en", headers=admin.headers).json() if c["id"] == checklist.id
                }
                if titles == {"Renamed while serving"} or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert titles == {"Renamed while serving"}
        finally:
            for client in clients:
                client.close()

        # Stopped by force (kill -9), the server takes its workers with it: none lives on holding the port.
        server = next(int(pid) for pid in os.listdir("/proc") if pid.isdigit() and int(pid) not in workers and _open_file(int(pid), log))
        os.kill(server, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers), "a worker lives on"
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{base}/healthz", timeout=2)


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() and _state(pid) != b"Z"


def _state(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().split(b") ")[1][:1]
    except (OSError, IndexError):
        return b"Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the processes from Linux's /proc")
def test_a_worker_that_dies_is_replaced_and_a_stop_ends_them_all(loaded: Database, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    port = free_port()
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "audit_api.cli", "serve", "--db", str(loaded.path), "--port", str(port)],
                                  stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "AUDIT_WORKERS": "2"})
    try:
        first = _until(lambda: len(workers := _children(server.pid)) == 2 and workers)
        _until(lambda: log.read_text().count("Application startup complete") == 2)
        os.kill(first[0], signal.SIGKILL)
        replaced = _until(lambda: len(workers := _children(server.pid)) == 2 and first[0] not in workers and workers)
        assert first[1] in replaced, "the other worker went on"
        # Every connection is answered: each worker's socket outlives a worker, and its queue waits for the next one.
        assert all(httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200 for _ in range(20))
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0, log.read_text()
    assert not any(_alive(pid) for pid in replaced), "no worker outlives a stopped server"
    assert "starting another" in log.read_text()


def test_a_port_already_taken_is_said_once_and_at_once(loaded: Database) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "audit_api.cli", "serve", "--db", str(loaded.path), "--port", str(port)],
                              capture_output=True, text=True, env={**os.environ, "AUDIT_WORKERS": "2"}, timeout=60)
    assert done.returncode == 1
    assert "Address already in use" in done.stderr and "Traceback" not in done.stderr, done.stderr


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes() and _alive(int(child))]


def _until(found: Callable[[], Any], seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while not (result := found()):
        assert time.monotonic() < deadline, "not within 30 s"
        time.sleep(0.1)
    return result
