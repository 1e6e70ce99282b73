"""Shared fixtures: a copy of the demo book, a real SQLite file in a temp folder, the real app in-process.

The costly states (migrated; migrated and loaded with the demo book; loaded with six signed-in
actors) are built once per session as closed SQLite files; each test opens its own copy of the one
it needs, in its own temp folder, so no test sees another's writes.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import fcntl
import os
import shutil
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from audit_api.book import load_book
from audit_api.config import Settings
from audit_api.http import create_app, rewire
from audit_api.http.wiring import shape
from audit_api.services import accounts
from audit_api.store import Database, migrate, publish
from audit_api.store.accounts import User

from .server_helpers import serving

ROOT = Path(__file__).resolve().parent.parent
DEMO_BOOK = ROOT / "checklists"
# A Tuesday, 12:00 in Sarajevo (UTC+1 in November): every demo store is open.
NOON_TUESDAY = dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC)
STORE_X, STORE_Y = "sarajevo-ferhadija", "moskva-arbat"
T = TypeVar("T")
# The browser of the browser tests: Debian's Chromium as its headless shell (package chromium-headless-shell: the same
# engine without the browser's windows, as Playwright itself runs Chromium headless; 40 % less CPU a page than the full
# browser, measured), else the full browser.
HEADLESS_SHELL = shutil.which("chromium-headless-shell")
CHROMIUM = HEADLESS_SHELL or shutil.which("chromium") or shutil.which("chromium-browser")
# The servers tests start (`audit serve` as a process) run one process each, as they did before workers: a second
# would cost a second start on every one. tests/test_serve_workers.py asks for two.
os.environ.setdefault("AUDIT_WORKERS", "1")


@pytest.fixture
def book_dir(tmp_path: Path) -> Path:
    """A private copy of the demo book, safe to edit."""
    target = tmp_path / "checklists"
    shutil.copytree(DEMO_BOOK, target)
    return target


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on a thread of its own: a test process that has used the browser (Playwright's sync API) keeps
    an event loop marked running on its main thread, where `asyncio.run` refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class _Client(TestClient):
    """A client whose app goes back to `_idle` when the `with` block ends, for the next test to rewire."""

    def __exit__(self, *exc: object) -> None:
        try:
            super().__exit__(*exc)
        finally:
            _idle.setdefault(self.app.state.shape, []).append(self.app)


_idle: dict[tuple[object, ...], list[Litestar]] = {}  # this test process's apps not in use, by the shape of their routes


def make_client(database: Database, clock_at: dt.datetime = NOON_TUESDAY, **settings: object) -> TestClient:
    """The real app over `database`, its clock stopped at `clock_at`. Building an app's routes is most of an API test's
    time, so an app a finished test left is rewired to this database (the routes the same, everything else new)."""
    config, clock = Settings(db_path=database.path, **settings), lambda: clock_at
    if idle := _idle.get(shape(config)):
        app = idle.pop()
        rewire(app, config, database=database, clock=clock)
    else:
        app = create_app(config, database=database, clock=clock)
    return _Client(app)


# --- signed-in actors -------------------------------------------------------------------------


@dataclass
class Actor:
    name: str
    user: User | None
    headers: dict[str, str]


def enrol(database: Database, user: User, device: str = "phone") -> str:
    """A real device token, through the real one-time code exchange."""
    code = accounts.start_enrolment(database, user).code
    return accounts.redeem_enrolment(database, code, device).token


def make_actor(database: Database, name: str, role: str, **options: object) -> Actor:
    user = accounts.add_user(database, name, role, **options)
    return Actor(name, user, {"Authorization": f"Bearer {enrol(database, user)}"})


def _six_actors(database: Database) -> dict[str, Actor]:
    return {
        "anonymous": Actor("anonymous", None, {}),
        "auditor_a": make_actor(database, "auditor-a", "auditor", language="bs"),
        "auditor_b": make_actor(database, "auditor-b", "auditor"),
        "manager_x": make_actor(database, "manager-x", "manager", stores=[STORE_X]),
        "manager_y": make_actor(database, "manager-y", "manager", stores=[STORE_Y]),
        "admin": make_actor(database, "admin", "admin"),
    }


# --- database files built once, copied per test -----------------------------------------------


def snapshot(source: Path | None, target: Path, build: Callable[[Database], T]) -> T:
    """Copy the database file `source` (if any) to `target`, run `build` on it, and close it.

    Closing the last connection checkpoints the WAL into the file, so `target` alone then holds
    every write and can be copied as it is.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        shutil.copyfile(source, target)
    database = Database(target)
    try:
        result = build(database)
    finally:
        database.close()
    wal = target.with_name(f"{target.name}-wal")
    assert not wal.exists(), f"{wal} outlived close(): a connection is still open, and a copy of {target.name} would miss writes"
    return result


@dataclass(frozen=True)
class Snapshots:
    """Closed database files, each a step further: migrated, then the demo book published, then the actors."""

    migrated: Path
    loaded: Path
    actors: Path
    people: dict[str, Actor]  # the users and tokens of `actors`: valid on every copy of that file


@pytest.fixture(scope="session")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> Snapshots:
    root = tmp_path_factory.mktemp("snapshots")
    migrated, loaded, with_actors = (root / step / "audit.db" for step in ("migrated", "loaded", "actors"))
    snapshot(None, migrated, migrate)
    snapshot(migrated, loaded, lambda db: publish(db, load_book(DEMO_BOOK)))
    people = snapshot(loaded, with_actors, _six_actors)
    return Snapshots(migrated, loaded, with_actors, people)


@pytest.fixture
def database(request: pytest.FixtureRequest, snapshots: Snapshots, tmp_path: Path) -> Iterator[Database]:
    """A migrated database in the test's own folder (`audit.db`).

    `loaded` and `actors` are this same database, a step further; so a test that uses them gets a
    copy of the snapshot already taken that far.
    """
    wanted = request.fixturenames
    source = snapshots.actors if "actors" in wanted else snapshots.loaded if "loaded" in wanted else snapshots.migrated
    target = tmp_path / "audit.db"
    shutil.copyfile(source, target)
    db = Database(target)
    yield db
    db.close()


@pytest.fixture(scope="session")
def shared_database(snapshots: Snapshots, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One copy of `actors` (the demo book and `snapshots.people`) behind `shared_server` and `site_server`.

    Every test of this process that uses them shares it: such a test reads, or writes only rows of its own (its
    survey answer, its complaint) and never counts rows it did not write.
    """
    target = tmp_path_factory.mktemp("shared-db") / "audit.db"
    shutil.copyfile(snapshots.actors, target)
    db = Database(target)
    yield db
    db.close()


# The shared servers take many tests' forms within a minute: their rate limits are out of the way, so that a 429 never
# stands in for the page a test looks at (test_survey_pages.py, test_rate_limit.py and test_client_address.py check them).
UNLIMITED = {"AUDIT_FORM_RATE_LIMIT": "1000000", "AUDIT_PUBLIC_RATE_LIMIT": "1000000"}


@pytest.fixture(scope="session")
def shared_server(shared_database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`audit serve` over `shared_database`, started once per test process (a test that counts rows wants `server`)."""
    with serving(shared_database.path, tmp_path_factory.mktemp("shared-server") / "server.log", **UNLIMITED) as base:
        yield base


@pytest.fixture(scope="session")
def site_server(shared_database: Database, tmp_path_factory: pytest.TempPathFactory, demo_site: Path) -> Iterator[str]:
    """`shared_server` with the demo book's public site, started once per test process."""
    log = tmp_path_factory.mktemp("site-server") / "server.log"
    with serving(shared_database.path, log, AUDIT_SITE_DIR=str(demo_site), **UNLIMITED) as base:
        yield base


@pytest.fixture
def loaded(database: Database) -> Database:
    """The `database`, with the demo book published."""
    return database


@pytest.fixture
def actors(loaded: Database, snapshots: Snapshots) -> dict[str, Actor]:
    """Anonymous, auditors A and B, managers of store X and of store Y, an admin: users of `loaded`."""
    return copy.deepcopy(snapshots.people)


@pytest.fixture
def client(loaded: Database) -> Iterator[TestClient]:
    with make_client(loaded) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo book's public site, built once per run (six languages take seconds): read it, do not change it."""
    from audit_api.site.build import build_site

    return once_per_run(tmp_path_factory, "demo-site", lambda out: build_site(load_book(DEMO_BOOK), ROOT, out, now=NOON_TUESDAY, book_dir=DEMO_BOOK))


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]) -> Path:
    """The folder `build(folder)` fills, made once for the whole run (a site build takes seconds): read it, do not
    change it. xdist's workers share it, in the run's temp folder: the first that needs it builds it, the others wait."""
    run = tmp_path_factory.getbasetemp()
    run = run.parent if os.environ.get("PYTEST_XDIST_WORKER") else run  # each worker's folder sits in the run's
    out, built = run / name / "out", run / name / "built"
    with (run / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released as the file closes
        if not built.exists():
            build(out)
            built.touch()
    return out


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """One browser per test process; each test opens its own context (its own cookies, storage, clock)."""
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    with sync_playwright() as playwright:
        if CHROMIUM == HEADLESS_SHELL:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        else:
            # The full browser: each new page is a window whose omnibox preloads its WebUI popups in a renderer of their
            # own (chrome://omnibox-popup.top-chrome/), a CPU-second each on a busy machine, for a menu nobody opens.
            # Chromium keeps only the last --disable-features, so Playwright's own list (read from a probe browser: it
            # changes between releases) goes in with them. Measured (bench/browser_flags.py, interleaved): a new page, two
            # loads, axe-core and screenshots take 20 % less time and 37 % less of the browser's CPU.
            probe = playwright.chromium.launch(executable_path=CHROMIUM, args=[*args, "--enable-automation"])
            line = probe.new_browser_cdp_session().send("Browser.getBrowserCommandLine")["arguments"]
            probe.close()
            own = [arg.removeprefix("--disable-features=") for arg in line if arg.startswith("--disable-features=")][-1:]
            disabled = ",".join([*own, "WebUIOmniboxPopup", "WebUIOmniboxAimPopup"])
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*args, f"--disable-features={disabled}"])
        yield browser
        browser.close()
