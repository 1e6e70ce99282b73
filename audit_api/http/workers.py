"""`audit serve --workers N`: N server processes, each with a listening socket of its own on the one port.

Why not uvicorn's own supervisor: it listens on one socket that every worker shares, and whichever worker wakes
first accepts every connection waiting (its event loop drains the queue). Measured (`python -m bench`, 16
connections opened together): one of two workers held them all for the whole run, 3.95 CPU-s in 4 s against 0.00 s.
With `SO_REUSEPORT` each worker has its own socket and the kernel spreads new connections among them.

The supervisor starts the workers, starts again one that ends by itself, and on SIGINT or SIGTERM stops them all
(each finishes the requests it has: uvicorn's graceful shutdown). Each worker ends with it, even on a `kill -9`
(`app.worker_app`). A worker that exits with an error within seconds of its start (its settings, its database)
stops the server rather than being started again and again; one killed (a signal) is started again.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

log = logging.getLogger("audit_api")
STARTING = 5.0  # seconds: a worker that exits with an error sooner than this after its start failed to start


class WorkerFailed(Exception):
    pass


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket on `host:port` that other sockets of this user may share (`SO_REUSEPORT`), listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except BaseException:
        sock.close()
        raise
    return sock


def _worker(options: dict[str, Any], sock: socket.socket) -> None:
    import uvicorn

    config = uvicorn.Config("audit_api.http.app:worker_app", factory=True, **options)
    uvicorn.Server(config).run(sockets=[sock])


def serve_processes(count: int, options: dict[str, Any]) -> None:
    """Serve from `count` worker processes (uvicorn `options`: host, port, logging...) until SIGINT or SIGTERM.

    The sockets are made here, before any worker, and kept: connections that come while a worker starts (or starts
    again) wait in its socket's queue, and a port already taken is said once, at once."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sockets.append(listening_socket(options["host"], options["port"]))
        _supervise(sockets, options)
    finally:
        for sock in sockets:
            sock.close()


def _supervise(sockets: list[socket.socket], options: dict[str, Any]) -> None:
    spawn = multiprocessing.get_context("spawn")
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}

    def start(sock: socket.socket) -> tuple[BaseProcess, float]:
        process = spawn.Process(target=_worker, args=(options, sock), name="audit-worker", daemon=False)
        process.start()
        return process, time.monotonic()

    workers = [start(sock) for sock in sockets]
    try:
        while not stopping:
            wait([process.sentinel for process, _ in workers], timeout=0.5)
            for i, (process, started) in enumerate(workers):
                if process.is_alive() or stopping:
                    continue
                if process.exitcode and process.exitcode > 0 and time.monotonic() - started < STARTING:  # not a signal's
                    raise WorkerFailed(f"a worker ended {time.monotonic() - started:.1f} s after its start (exit code "
                                       f"{process.exitcode}): see the lines above")
                log.warning("worker %s ended (exit code %s): starting another", process.pid, process.exitcode)
                workers[i] = start(sockets[i])
    finally:
        for process, _ in workers:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests under way
        for process, _ in workers:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
