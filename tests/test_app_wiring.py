"""`rewire`: an app's routes serve another database, book, clock and limits, exactly as a new `create_app` would.

The test processes rely on it (tests/conftest.py `make_client` rewires the app a finished test left), so these
tests use `create_app` and `rewire` directly and check each part of the wiring changes with it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from litestar.testing import TestClient

from audit_api.config import Settings
from audit_api.errors import SchemaNotCurrent
from audit_api.http import create_app, rewire
from audit_api.store import Database

from .conftest import NOON_TUESDAY, STORE_X, Snapshots, make_actor

STORE = f"/api/v1/stores/{STORE_X}"


def _copy(snapshots: Snapshots, folder: Path) -> Database:
    folder.mkdir()
    shutil.copyfile(snapshots.actors, folder / "audit.db")
    return Database(folder / "audit.db")


def test_a_rewired_app_serves_the_new_database_with_fresh_limits_and_its_clock(snapshots: Snapshots, tmp_path: Path) -> None:
    first, second = _copy(snapshots, tmp_path / "first"), _copy(snapshots, tmp_path / "second")
    only_first = make_actor(first, "only-first", "admin").headers
    only_second = make_actor(second, "only-second", "admin").headers
    sunday_night = dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)  # every demo store is closed
    app = create_app(Settings(db_path=first.path, public_rate_limit=2), database=first, clock=lambda: NOON_TUESDAY)
    try:
        with TestClient(app) as client:
            assert client.get("/api/v1/me", headers=only_first).status_code == 200
            assert client.get("/api/v1/me", headers=only_second).status_code == 401
            assert [client.get(STORE).status_code for _ in range(3)] == [200, 200, 429], "the first app's public allowance, 2"

        rewire(app, Settings(db_path=second.path, public_rate_limit=3), database=second, clock=lambda: sunday_night)
        with TestClient(app) as client:
            assert client.get("/api/v1/me", headers=only_second).status_code == 200, "the second database's tokens"
            assert client.get("/api/v1/me", headers=only_first).status_code == 401, "and not the first's"
            store = client.get(STORE)
            assert store.status_code == 200, "a fresh allowance: the first app's requests do not count"
            assert store.json()["store"]["open_now"] is False, "the second clock: Sunday night"
            assert [client.get(STORE).status_code for _ in range(3)] == [200, 200, 429], "the second settings' limit, 3"
    finally:
        first.close()
        second.close()


def test_rewiring_closes_a_database_the_app_opened_and_keeps_one_it_was_given(snapshots: Snapshots, tmp_path: Path) -> None:
    given = _copy(snapshots, tmp_path / "given")
    (tmp_path / "opened").mkdir()
    shutil.copyfile(snapshots.actors, tmp_path / "opened" / "audit.db")
    app = create_app(Settings(db_path=tmp_path / "opened" / "audit.db"))
    wal = tmp_path / "opened" / "audit.db-wal"
    assert wal.exists(), "the app has the database open"
    rewire(app, Settings(db_path=given.path), database=given)
    assert not wal.exists(), "closed: the last connection's close folds the log back into the file"
    rewire(app, Settings(db_path=tmp_path / "opened" / "audit.db"))
    assert given.read().execute("select count(*) from users").fetchone()[0] > 0, "the database the app was given stays open"
    app.state.plug.wiring.close()
    given.close()


def test_settings_that_need_other_routes_are_refused(loaded: Database, tmp_path: Path) -> None:
    app = create_app(Settings(db_path=loaded.path), database=loaded)
    site = tmp_path / "site"
    site.mkdir()
    for other in (Settings(db_path=loaded.path, site_dir=site), Settings(db_path=loaded.path, max_body_bytes=1000),
                  Settings(db_path=loaded.path, evidence_max_bytes=4000)):
        with pytest.raises(ValueError, match="other routes"):
            rewire(app, other, database=loaded)


def test_a_database_that_needs_migrating_is_refused_and_the_app_keeps_its_own(snapshots: Snapshots, tmp_path: Path) -> None:
    (tmp_path / "own").mkdir()
    shutil.copyfile(snapshots.actors, tmp_path / "own" / "audit.db")
    app = create_app(Settings(db_path=tmp_path / "own" / "audit.db"), clock=lambda: NOON_TUESDAY)  # opened, so owned, by the app
    empty = Database(tmp_path / "empty.db")
    try:
        with pytest.raises(SchemaNotCurrent, match="audit db migrate"):
            rewire(app, Settings(db_path=empty.path), database=empty)
        assert (tmp_path / "own" / "audit.db-wal").exists(), "its own database is still open"
        with TestClient(app) as client:
            assert client.get(STORE).status_code == 200
    finally:
        empty.close()
    assert not (tmp_path / "own" / "audit.db-wal").exists(), "and closed when the app shuts down"
