"""Who may do what: every endpoint against every kind of caller, in one world (a database with a visit, evidence,
a complaint...). A case the app may carry out gets its own copy of that world; reads and refusals, which change
nothing another case sees, share one.

Callers: anonymous, auditor A (the visit's auditor), auditor B, the manager of store X (the visit's
store), the manager of store Y, and an admin. 401: no or bad token; 403: the wrong role (a store's own
manager does not plan mystery visits: see tests/test_mystery_shopper.py for area managers); 404: a
resource the caller may not know exists (another auditor's visit, an upcoming visit to one's store,
another user's device token).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest
from litestar.testing import TestClient
from PIL import Image

from audit_api.domain.forms import ComplaintForm
from audit_api.domain.links import link_token
from audit_api.services import accounts, actions, feedback, visits
from audit_api.store import Database
from audit_api.store.blobs import BlobStore
from audit_api.store.secret import instance_secret

from .audit_helpers import BOOK, assign, audit_body, submitted
from .conftest import NOON_TUESDAY, STORE_X, Actor, Snapshots, make_client, snapshot
from .test_actions import approved, image

# The world of the matrix is built once for the run, in one test process.
pytestmark = pytest.mark.xdist_group("authorization")
ACTORS = ["anonymous", "auditor_a", "auditor_b", "manager_x", "manager_y", "admin"]


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def world(database: Database, actors: dict[str, Actor]) -> dict[str, str]:
    a, admin = actors["auditor_a"].user, actors["admin"].user
    upcoming = assign(database, a, admin)
    done = submitted(database, a, admin)
    blobs = BlobStore(database.path.parent / "evidence")
    digest = visits.upload_evidence(database, blobs, a, done.id, "", png(), "shelf.png", limit=1 << 20)[0].sha256
    token_b = accounts.list_tokens(database, actors["auditor_b"].user)[0].id
    acted = approved(database, a, admin)  # an approved visit with a failed item: one corrective action for store X's managers
    action = actions.list_actions(database, BOOK, admin)[0].id
    action_sha = actions.upload_photo(database, blobs, admin, action, image(), "fixed.png", limit=1 << 20)[0].sha256
    complaint = ComplaintForm(store_id=STORE_X, happened_on=dt.date(2026, 11, 20), what="Rude at the till.", desired="apology", contact=None)
    ticket = feedback.file_complaint(database, BOOK, complaint, "en", NOON_TUESDAY)
    link = link_token(instance_secret(database.path), STORE_X, "checkout")
    return {
        "upcoming": upcoming.id, "submitted": done.id, "sha": digest, "token_b": token_b, "store": STORE_X,
        "name": "auditor-b", "ticket": ticket, "link": link, "approved": acted, "action": action, "action_sha": action_sha,
        "checklist": "in-store-visit",
    }


def _new_user() -> dict:
    return {"json": {"name": "new-auditor", "role": "auditor"}}


def _visit() -> dict:
    return {"json": {"store_id": STORE_X, "checklist_id": "phone-call", "auditor": "auditor-b",
                     "window_start": "2026-12-01", "window_end": "2026-12-05", "scenario": "Ask for a call-back."}}


def _wave() -> dict:
    return {"json": {"store_ids": [STORE_X], "checklist_id": "phone-call", "auditors": ["auditor-b"],
                     "window_start": "2026-12-01", "window_end": "2026-12-05", "scenario": "Ask for a call-back."}}


def _visit_csv() -> dict:
    csv = f"store_id,checklist_id,auditor,window_start,window_end,scenario\n{STORE_X},phone-call,auditor-b,2026-12-01,2026-12-05,Ask.\n"
    return {"content": csv.encode()}


def _device(database: Database) -> dict:
    code = accounts.start_enrolment(database, accounts.find_user(database, "auditor-b"), now=NOON_TUESDAY).code
    return {"json": {"code": code, "device": "spare phone"}}


Body = Callable[[Database, dict[str, str]], dict]
#        method, path, request body, expected: anonymous, A, B, manager X, manager Y, admin
MATRIX: list[tuple[str, str, Body | None, tuple[int, ...]]] = [
    ("GET", "/healthz", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/stores", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/stores/{store}", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/faq", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/complaint-procedure", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/contacts", None, (200, 200, 200, 200, 200, 200)),
    ("POST", "/api/v1/devices", lambda db, w: _device(db), (201, 201, 201, 201, 201, 201)),
    ("POST", "/api/v1/users", lambda db, w: _new_user(), (401, 403, 403, 403, 403, 201)),
    ("GET", "/api/v1/users", None, (401, 403, 403, 403, 403, 200)),
    ("POST", "/api/v1/users/{name}/enrolments", None, (401, 403, 403, 403, 403, 201)),
    ("GET", "/api/v1/users/{name}/tokens", None, (401, 403, 403, 403, 403, 200)),
    ("GET", "/api/v1/me", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/me/tokens", None, (401, 200, 200, 200, 200, 200)),
    ("DELETE", "/api/v1/tokens/{token_b}", None, (401, 404, 204, 404, 404, 204)),
    ("POST", "/api/v1/visits", lambda db, w: _visit(), (401, 403, 403, 403, 403, 201)),
    # Planning (tests/test_planning.py): admins and area managers; the upcoming visit is hidden from the store's managers (404).
    ("POST", "/api/v1/visit-waves", lambda db, w: _wave(), (401, 403, 403, 403, 403, 201)),
    ("POST", "/api/v1/visit-imports", lambda db, w: _visit_csv(), (401, 403, 403, 403, 403, 201)),
    ("POST", "/api/v1/visits/{upcoming}/cancel", lambda db, w: {"json": {"reason": "The store closes for works."}}, (401, 403, 403, 404, 404, 200)),
    ("POST", "/api/v1/visits/{upcoming}/reassign", lambda db, w: {"json": {"auditor": "auditor-b"}}, (401, 403, 403, 404, 404, 200)),
    ("GET", "/api/v1/auditors", None, (401, 403, 403, 403, 403, 200)),
    ("GET", "/api/v1/checklists", None, (401, 403, 403, 403, 403, 200)),
    ("GET", "/api/v1/checklists/{checklist}", None, (401, 403, 403, 200, 200, 200)),  # the standards: any manager
    ("GET", "/api/v1/users/{name}/exclusions", None, (401, 403, 403, 403, 403, 200)),
    ("PUT", "/api/v1/users/{name}/exclusions", lambda db, w: {"json": {"stores": [STORE_X]}}, (401, 403, 403, 403, 403, 200)),
    ("GET", "/api/v1/visits", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/visits/{upcoming}", None, (401, 200, 404, 404, 404, 200)),
    ("GET", "/api/v1/visits/{submitted}", None, (401, 200, 404, 200, 404, 200)),
    ("POST", "/api/v1/visits/{upcoming}/start", None, (401, 200, 404, 403, 403, 403)),
    ("GET", "/api/v1/visits/{upcoming}/checklist", None, (401, 200, 404, 404, 404, 200)),
    ("POST", "/api/v1/visits/{submitted}/review", lambda db, w: {"json": {"decision": "approve"}}, (401, 403, 403, 200, 404, 200)),
    ("GET", "/api/v1/visits/{submitted}/history", None, (401, 200, 404, 200, 404, 200)),
    ("GET", "/api/v1/visits/{submitted}/audit", None, (401, 200, 404, 200, 404, 200)),
    ("GET", "/api/v1/visits/{submitted}/report", None, (401, 200, 404, 200, 404, 200)),
    ("POST", "/api/v1/visits/{upcoming}/evidence", lambda db, w: {"files": {"file": ("shelf.png", png(), "image/png")}}, (401, 201, 404, 403, 403, 403)),
    ("GET", "/api/v1/visits/{submitted}/evidence", None, (401, 200, 404, 200, 404, 200)),
    ("GET", "/api/v1/visits/{submitted}/evidence/{sha}", None, (401, 200, 404, 200, 404, 200)),
    ("PUT", "/api/v1/audits/{uuid}", lambda db, w: {"json": audit_body(w["upcoming"])}, (401, 201, 404, 403, 403, 403)),
    ("GET", "/s/{link}", None, (200, 200, 200, 200, 200, 200)),
    ("POST", "/s/{link}", lambda db, w: {"data": {"recommend": "9", "satisfied": "5"}}, (200, 200, 200, 200, 200, 200)),
    ("GET", "/complaint", None, (200, 200, 200, 200, 200, 200)),
    ("POST", "/complaint", lambda db, w: {"data": _complaint_form()}, (200, 200, 200, 200, 200, 200)),
    ("GET", "/complaint/status/{ticket}", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/complaint/status", lambda db, w: {"params": {"ticket": w["ticket"]}}, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/complaints", None, (401, 403, 403, 200, 200, 200)),
    ("GET", "/api/v1/complaints/{ticket}", None, (401, 403, 403, 200, 404, 200)),
    ("POST", "/api/v1/complaints/{ticket}/transitions", lambda db, w: {"json": {"to": "acknowledged"}}, (401, 403, 403, 200, 404, 200)),
    # The world's complaint is not resolved: those who may correct its reply are told so (409); see test_complaint_status_page.py.
    ("PUT", "/api/v1/complaints/{ticket}/reply", lambda db, w: {"json": {"reply": "Sorry."}}, (401, 403, 403, 409, 404, 409)),
    ("GET", "/api/v1/metrics", None, (401, 403, 403, 200, 200, 200)),
    ("GET", "/api/v1/responses", None, (401, 403, 403, 200, 200, 200)),
    ("GET", "/api/v1/dashboard", None, (401, 403, 403, 200, 200, 200)),
    # Corrective actions (tests/test_actions.py): the store's managers and admins; another store's manager 404.
    ("GET", "/api/v1/actions", None, (401, 403, 403, 200, 200, 200)),
    ("GET", "/api/v1/actions/{action}", None, (401, 403, 403, 200, 404, 200)),
    ("POST", "/api/v1/actions/{action}/photo", lambda db, w: {"files": {"file": ("after.png", png(), "image/png")}}, (401, 403, 403, 201, 404, 201)),
    ("GET", "/api/v1/actions/{action}/photo/{action_sha}", None, (401, 403, 403, 200, 404, 200)),
    ("POST", "/api/v1/actions/{action}/close", lambda db, w: {"json": {"note": "Retrained the team."}}, (401, 403, 403, 200, 404, 200)),
    # Exports: managers get their stores' rows (manager Y: the header only), admins all; see test_export.py.
    ("GET", "/api/v1/exports/audits", None, (401, 403, 403, 200, 200, 200)),
    ("GET", "/api/v1/exports/responses", lambda db, w: {"params": {"format": "jsonl"}}, (401, 403, 403, 200, 200, 200)),
    ("GET", "/api/v1/exports/complaints", None, (401, 403, 403, 200, 200, 200)),
    # The auditors' app: static and public (its data needs the token); the QR code's /enrol hands the code to it.
    ("GET", "/enrol", lambda db, w: {"params": {"code": "a-one-time-code"}, "follow_redirects": False}, (303, 303, 303, 303, 303, 303)),
    ("GET", "/app", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/app/{name}", None, (404, 404, 404, 404, 404, 404)),
    ("GET", "/app/languages.json", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/app/words/{name}", None, (404, 404, 404, 404, 404, 404)),
]


def _complaint_form() -> dict:
    return {"store": STORE_X, "happened_on": "2026-11-20", "what": "The fitting room was dirty.", "desired": "apology"}


CASES = [(m, p, b, actor, expected[i]) for m, p, b, expected in MATRIX for i, actor in enumerate(ACTORS)]


@dataclass(frozen=True)
class World:
    folder: Path  # a closed audit.db with the world in it, its secret.key (which signs `link`) and its evidence/
    ids: dict[str, str]
    actors: dict[str, Actor]


@pytest.fixture(scope="module")
def built_world(tmp_path_factory: pytest.TempPathFactory, snapshots: Snapshots) -> World:
    """The world, built once on a copy of the session's database with the actors."""
    folder = tmp_path_factory.mktemp("world")
    ids = snapshot(snapshots.actors, folder / "audit.db", lambda database: world(database, snapshots.people))
    return World(folder, ids, snapshots.people)


@contextmanager
def copy_of_world(built_world: World, folder: Path, **settings: object) -> Iterator[tuple[Database, TestClient]]:
    """A copy of the world in `folder`, and the app over it."""
    shutil.copytree(built_world.folder, folder, dirs_exist_ok=True)
    database = Database(folder / "audit.db")
    try:
        with make_client(database, **settings) as client:
            yield database, client
    finally:
        database.close()


@pytest.fixture(scope="module")
def shared_world(built_world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, TestClient]]:
    """One copy of the world for the cases that change nothing; its rate limits out of the way (a 429 would hide the answer)."""
    with copy_of_world(built_world, tmp_path_factory.mktemp("shared-world"), public_rate_limit=10**9, form_rate_limit=10**9) as shared:
        yield shared


def may_write(method: str, expected: int) -> bool:
    """A case the app carries out, not a read: it may change what another case sees."""
    return method != "GET" and expected < 400


@pytest.mark.parametrize(("method", "path", "body", "actor", "expected"), CASES, ids=[f"{c[0]} {c[1]} as {c[3]}" for c in CASES])
def test_access(
    built_world: World, request: pytest.FixtureRequest, tmp_path: Path, method: str, path: str, body: Body | None, actor: str, expected: int
) -> None:
    ids = built_world.ids | {"uuid": str(uuid.uuid4())}
    world = copy_of_world(built_world, tmp_path) if may_write(method, expected) else nullcontext(request.getfixturevalue("shared_world"))
    with world as (database, client):
        response = client.request(method, path.format(**ids), headers=built_world.actors[actor].headers, **(body(database, ids) if body else {}))
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"


def test_every_route_is_in_the_matrix(loaded: Database, tmp_path: Path) -> None:
    def shape(path: str) -> str:
        return re.sub(r"\{[^}]*\}", "{}", path)

    # Without the public site's files (public to all, tests/test_site.py): a build/site left by `make run` must not
    # add routes here.
    with make_client(loaded, site_dir=tmp_path / "no-site") as client:
        routes = {
            (method, shape(route.path))
            for route in client.app.routes
            for method in getattr(route, "methods", ())
            if method not in ("HEAD", "OPTIONS") and not route.path.startswith("/schema")
        }
    covered = {(method, shape(path)) for method, path, _, _ in MATRIX}
    assert routes - covered == set(), "routes without an authorization case"


def test_a_revoked_token_stops_at_once(loaded: Database, actors: dict[str, Actor]) -> None:
    with make_client(loaded) as client:
        b = actors["auditor_b"].headers
        assert client.get("/api/v1/me", headers=b).status_code == 200
        token_id = client.get("/api/v1/me/tokens", headers=b).json()[0]["id"]
        assert client.delete(f"/api/v1/tokens/{token_id}", headers=b).status_code == 204
        refused = client.get("/api/v1/me", headers=b)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "this token is unknown, expired or revoked: enrol the device again"


def test_lists_show_only_what_each_caller_may_see(loaded: Database, actors: dict[str, Actor]) -> None:
    ids = world(loaded, actors)
    seen = {}
    with make_client(loaded) as client:
        for name in ACTORS[1:]:
            seen[name] = {v["id"] for v in client.get("/api/v1/visits", headers=actors[name].headers).json()}
    both = {ids["upcoming"], ids["submitted"], ids["approved"]}
    store_x = {ids["submitted"], ids["approved"]}
    assert seen == {"auditor_a": both, "auditor_b": set(), "manager_x": store_x, "manager_y": set(), "admin": both}
