"""The server under test: the product's app plus one bare endpoint, the baseline, on the same process.

Run as `python -m bench.server DB PORT`; `bench/__main__.py` starts it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from litestar import get

from audit_api.config import Settings
from audit_api.http import create_app


@get("/bench/bare", sync_to_thread=False, include_in_schema=False)
def bare() -> dict[str, bool]:
    """The baseline: Litestar routing, a handler and JSON encoding, nothing of ours."""
    return {"ok": True}


def main(db: str, port: int) -> None:
    app = create_app(Settings(db_path=Path(db), public_rate_limit=10**9))
    app.register(bare)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
