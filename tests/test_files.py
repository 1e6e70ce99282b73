"""The files beside the database: owner-only modes, made so and put back so on open; the QR-link key
written whole, once, and refused when empty or short."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit_api.config import Settings
from audit_api.http import create_app
from audit_api.store import Database, migrate
from audit_api.store.blobs import BlobStore
from audit_api.store.secret import MIN_SECRET_CHARS, WeakSecret, instance_secret


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The usual 022, under which files would come out world-readable unless made otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_database_and_its_wal_and_shm_are_owner_only(tmp_path: Path) -> None:
    database = Database(tmp_path / "var" / "audit.db")
    try:
        migrate(database)
        database.read().execute("SELECT 1")
        files = {p.name: mode(p) for p in (tmp_path / "var").iterdir()}
    finally:
        database.close()
    assert files == {"audit.db": 0o600, "audit.db-wal": 0o600, "audit.db-shm": 0o600, "audit.db.lock": 0o600}


def test_an_existing_database_is_put_back_to_owner_only(tmp_path: Path) -> None:
    Database(tmp_path / "audit.db").close()
    names = ("audit.db", "audit.db-wal", "audit.db-shm")
    for name in names:
        (tmp_path / name).touch()
        (tmp_path / name).chmod(0o644)
    database = Database(tmp_path / "audit.db")
    try:
        modes = {name: mode(tmp_path / name) for name in names}
    finally:
        database.close()
    assert modes == dict.fromkeys(names, 0o600)


def test_evidence_folders_are_owner_only(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    digest = BlobStore(root).put(b"%PDF-1.7\n")
    stored = root / digest[:2] / digest
    assert (mode(root), mode(stored.parent), mode(stored)) == (0o700, 0o700, 0o600)
    assert [p.name for p in stored.parent.iterdir()] == [digest], "no temporary file is left behind"


def test_existing_evidence_folders_are_put_back_to_owner_only(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    (root / "ab").mkdir(parents=True)
    for folder in (root, root / "ab"):
        folder.chmod(0o755)
    BlobStore(root)
    assert (mode(root), mode(root / "ab")) == (0o700, 0o700)


def test_the_key_file_is_made_once_whole_and_owner_only(tmp_path: Path) -> None:
    db_path = tmp_path / "var" / "audit.db"
    keys: list[bytes] = []
    start = threading.Barrier(8)

    def first_start() -> None:
        start.wait()
        keys.append(instance_secret(db_path, environ={}))

    threads = [threading.Thread(target=first_start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    key_file = tmp_path / "var" / "secret.key"
    assert len(set(keys)) == 1 and keys[0] == key_file.read_bytes(), "processes starting together agree on one key"
    assert len(keys[0]) == 64 and mode(key_file) == 0o600
    assert [p.name for p in key_file.parent.iterdir()] == ["secret.key"], "no temporary file is left behind"


def test_a_readable_key_file_is_put_back_to_owner_only(tmp_path: Path) -> None:
    key_file = tmp_path / "secret.key"
    key_file.write_text("k" * 64)
    key_file.chmod(0o644)
    assert instance_secret(tmp_path / "audit.db", environ={}) == b"k" * 64
    assert mode(key_file) == 0o600


@pytest.mark.parametrize("value", ["", "   ", "short", "x" * (MIN_SECRET_CHARS - 1)], ids=["empty", "blank", "short", "one-short"])
def test_a_short_audit_secret_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(WeakSecret, match=f"AUDIT_SECRET .*at least {MIN_SECRET_CHARS}"):
        instance_secret(tmp_path / "audit.db", environ={"AUDIT_SECRET": value})
    assert not (tmp_path / "secret.key").exists(), "a bad AUDIT_SECRET is not quietly replaced by a key file"
    assert instance_secret(tmp_path / "audit.db", environ={"AUDIT_SECRET": "x" * MIN_SECRET_CHARS}) == b"x" * MIN_SECRET_CHARS


@pytest.mark.parametrize("content", ["", "\n", "abc123\n"], ids=["empty", "newline", "short"])
def test_a_short_key_file_is_refused(tmp_path: Path, content: str) -> None:
    (tmp_path / "secret.key").write_text(content)
    with pytest.raises(WeakSecret, match="secret.key"):
        instance_secret(tmp_path / "audit.db", environ={})
    assert (tmp_path / "secret.key").read_text() == content, "the file is left for its owner to restore"


def test_the_server_does_not_start_with_a_short_key(loaded: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_SECRET", "too-short")
    with pytest.raises(WeakSecret):
        create_app(Settings(db_path=loaded.path), database=loaded)
    result = subprocess.run(
        [sys.executable, "-m", "audit_api.cli", "serve", "--db", str(loaded.path), "--port", "9"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "AUDIT_SECRET": "too-short"},
    )
    assert result.returncode == 1
    assert "the QR-link signing key in AUDIT_SECRET has 9 characters; at least 32 are needed" in result.stderr
    assert "Traceback" not in result.stderr
