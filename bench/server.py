"""The server under test: the product's app plus one bare endpoint, the baseline, on the same process.

Run as `python -m bench.server DB PORT`; `bench/__main__.py` starts it.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from uuid import UUID

import uvicorn
from litestar import Request, Response, get, post, put
from litestar.params import FromPath, JSONBody

from audit_api.config import Settings
from audit_api.domain.audits import AuditSubmission
from audit_api.http import create_app
from audit_api.http.threads import to_thread


@get("/bench/bare", sync_to_thread=False, include_in_schema=False)
def bare() -> dict[str, bool]:
    """The baseline: Litestar routing, a handler and JSON encoding, nothing of ours."""
    return {"ok": True}


@put("/bench/decode/{audit_id:uuid}", sync_to_thread=False, include_in_schema=False)
def bare_decode(audit_id: FromPath[UUID], data: JSONBody[AuditSubmission]) -> dict[str, bool]:
    """The baseline for submissions: Litestar decodes and validates the same payload, and stores nothing."""
    return {"ok": True}


@post("/bench/form", include_in_schema=False, status_code=200)
async def bare_form(request: Request[Any, Any, Any]) -> Response[str]:
    """The baseline for survey posts: Litestar reads and parses the same form, and stores nothing."""
    parse_qs((await request.body()).decode())
    return Response("<!doctype html><p>ok</p>", media_type="text/html")


class _Durable:
    """The durable baseline's store: one table in its own SQLite file, WAL and `synchronous=FULL` as ours, every
    insert its own transaction, committed to disk before the answer (no group commit, nothing else)."""

    def __init__(self, path: Path):
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.execute("CREATE TABLE IF NOT EXISTS received (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")

    def insert(self, body: bytes) -> None:
        with self._lock:
            self._conn.execute("INSERT INTO received (body) VALUES (?)", [body])


_durable: _Durable | None = None


@post("/bench/durable", include_in_schema=False, status_code=200)
async def bare_durable(request: Request[Any, Any, Any]) -> dict[str, bool]:
    """The durable baseline for submissions: the body read, then one insert and one durable commit on a worker
    thread, the least a submission that must survive a power cut can do."""
    body = await request.body()
    assert _durable is not None
    await to_thread(_durable.insert, body)
    return {"ok": True}


def main(db: str, port: int) -> None:
    global _durable
    _durable = _Durable(Path(f"{db}.durable"))
    app = create_app(Settings(db_path=Path(db), public_rate_limit=10**9, form_rate_limit=10**9))
    app.register(bare)
    app.register(bare_decode)
    app.register(bare_form)
    app.register(bare_durable)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
