"""`audit serve` as a newcomer runs it: a real process on a real port answers /healthz and /schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from .conftest import DEMO_BOOK
from .server_helpers import serving


def run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "audit_api.cli", *args, "--db", str(db), "--book", str(DEMO_BOOK)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)


def test_migrate_load_serve(tmp_path: Path) -> None:
    db = tmp_path / "var" / "audit.db"
    assert "applied m001_book_versions" in run("db", "migrate", db=db).stdout
    assert "up to date" in run("db", "migrate", db=db).stdout
    assert "13 new" in run("load", db=db).stdout
    with serving(db, tmp_path / "serve.log") as base:
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok", "book_generation": 1}
        assert httpx.get(f"{base}/schema").status_code == 200
        assert httpx.get(f"{base}/api/v1/stores/moskva-arbat?lang=ru").json()["store"]["city"] == "Москва"


def test_serve_without_a_loaded_book_says_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    run("db", "migrate", db=db)
    done = subprocess.run(
        [sys.executable, "-m", "audit_api.cli", "serve", "--db", str(db)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "no standards book is loaded" in done.stderr and "audit load" in done.stderr
