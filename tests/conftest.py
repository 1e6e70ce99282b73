"""Shared fixtures: a copy of the demo book, a real SQLite file in a temp folder, the real app in-process."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from audit_api.book import load_book
from audit_api.config import Settings
from audit_api.http import create_app
from audit_api.store import Database, migrate, publish

ROOT = Path(__file__).resolve().parent.parent
DEMO_BOOK = ROOT / "checklists"
# A Tuesday, 12:00 in Sarajevo (UTC+1 in November): every demo store is open.
NOON_TUESDAY = dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC)


@pytest.fixture
def book_dir(tmp_path: Path) -> Path:
    """A private copy of the demo book, safe to edit."""
    target = tmp_path / "checklists"
    shutil.copytree(DEMO_BOOK, target)
    return target


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(tmp_path / "audit.db")
    migrate(db)
    yield db
    db.close()


@pytest.fixture
def loaded(database: Database) -> Database:
    publish(database, load_book(DEMO_BOOK))
    return database


def make_client(database: Database, clock_at: dt.datetime = NOON_TUESDAY, **settings: object) -> TestClient:
    app = create_app(Settings(db_path=database.path, **settings), database=database, clock=lambda: clock_at)
    return TestClient(app)


@pytest.fixture
def client(loaded: Database) -> Iterator[TestClient]:
    with make_client(loaded) as test_client:
        yield test_client


# --- signed-in actors -------------------------------------------------------------------------

from dataclasses import dataclass  # noqa: E402

from audit_api.store import accounts  # noqa: E402

STORE_X, STORE_Y = "sarajevo-ferhadija", "moskva-arbat"


@dataclass
class Actor:
    name: str
    user: accounts.User | None
    headers: dict[str, str]


def enrol(database: Database, user: accounts.User, device: str = "phone") -> str:
    """A real device token, through the real one-time code exchange."""
    code = accounts.start_enrolment(database, user).code
    return accounts.redeem_enrolment(database, code, device).token


def make_actor(database: Database, name: str, role: str, **options: object) -> Actor:
    user = accounts.add_user(database, name, role, **options)
    return Actor(name, user, {"Authorization": f"Bearer {enrol(database, user)}"})


@pytest.fixture
def actors(loaded: Database) -> dict[str, Actor]:
    """Anonymous, auditors A and B, managers of store X and of store Y, an admin."""
    return {
        "anonymous": Actor("anonymous", None, {}),
        "auditor_a": make_actor(loaded, "auditor-a", "auditor", language="bs"),
        "auditor_b": make_actor(loaded, "auditor-b", "auditor"),
        "manager_x": make_actor(loaded, "manager-x", "manager", stores=[STORE_X]),
        "manager_y": make_actor(loaded, "manager-y", "manager", stores=[STORE_Y]),
        "admin": make_actor(loaded, "admin", "admin"),
    }
