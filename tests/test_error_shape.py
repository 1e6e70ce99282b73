"""Every 4xx and 5xx of the API has one JSON body (RFC 9457 problem details), so a phone app needs one parser."""

from __future__ import annotations

import re
import uuid

from litestar import get
from litestar.params import FromQuery
from litestar.testing import TestClient

from audit_api.store import Database

from .audit_helpers import assign, audit_body, perfect_answers
from .conftest import Actor, make_client

SHAPE = {"type", "title", "status", "detail", "instance", "errors"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == SHAPE
    assert body["status"] == status
    assert body["type"].startswith("urn:audit:problem:")
    assert isinstance(body["errors"], list)
    assert "Traceback" not in response.text
    return body


def test_unknown_route(client: TestClient) -> None:
    body = assert_problem(client.get("/no/such/page"), 404)
    assert body["instance"] == "/no/such/page"


def test_unknown_store(client: TestClient) -> None:
    body = assert_problem(client.get("/api/v1/stores/atlantis"), 404)
    assert body == {
        "type": "urn:audit:problem:not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "no store 'atlantis'",
        "instance": "/api/v1/stores/atlantis",
        "errors": [],
    }


def test_wrong_method(client: TestClient) -> None:
    response = client.delete("/api/v1/faq")
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


def test_oversized_body(loaded: Database) -> None:
    """The API's body limit, on a route that reads a body (1 MB by default; 1000 bytes here)."""
    body = {"code": "x" * 40, "device": "phone " + "x" * 2000}
    with make_client(loaded, max_body_bytes=1000) as small:
        response = small.post("/api/v1/devices", json=body)
    assert_problem(response, 413)
    with make_client(loaded) as default:
        at_default = default.post("/api/v1/devices", content=b'{"code": "' + b"x" * 1_000_001 + b'"}', headers={"content-type": "application/json"})
    assert_problem(at_default, 413)


def test_rate_limited(loaded: Database) -> None:
    with make_client(loaded, public_rate_limit=3) as limited:
        for _ in range(3):
            assert limited.get("/api/v1/contacts").status_code == 200
        body = assert_problem(limited.get("/api/v1/contacts"), 429)
    assert body["title"] == "Too Many Requests"


def test_unexpected_failure_hides_its_insides(loaded: Database) -> None:
    @get("/boom", sync_to_thread=False)
    def boom() -> None:
        raise RuntimeError("secret connection string: sqlite:///var/secret.db")

    with make_client(loaded) as client:
        client.app.register(boom)
        response = client.get("/boom")
    body = assert_problem(response, 500)
    assert "secret" not in response.text
    assert body["detail"] == "Something went wrong on our side; it has been logged."


def test_validation_errors_list_the_fields(loaded: Database) -> None:
    @get("/typed", sync_to_thread=False)
    def typed(count: FromQuery[int]) -> int:
        return count

    with make_client(loaded) as client:
        client.app.register(typed)
        response = client.get("/typed", params={"count": "many"})
    body = assert_problem(response, 400)
    assert body["errors"] and body["errors"][0]["path"] == "query.count"


# Every errors[].path: the part of the request, then `.name` for a field and `[n]` for a list element.
FIELD_PATH = re.compile(r"^(body|query|path|header|cookie)(\.[A-Za-z_][A-Za-z0-9_-]*|\[[0-9]+\])*$")


def test_every_field_path_has_one_syntax(loaded: Database, actors: dict[str, Actor]) -> None:
    auditor, admin = actors["auditor_a"], actors["admin"]
    visit = assign(loaded, auditor.user, admin.user)
    answers = perfect_answers()
    answers[3] = {"item": answers[3]["item"], "value": 9}
    with make_client(loaded) as client:
        paths = {
            # the request's schema, checked by the framework
            "schema": client.post("/api/v1/visits", json={**_visit_body(), "window_start": "soon"}, headers=admin.headers),
            "nested": client.put(f"/api/v1/audits/{uuid.uuid4()}", json=audit_body(visit.id, gps={"lat": 91, "lon": 0}), headers=auditor.headers),
            "query": client.get("/api/v1/metrics", params={"from": "yesterday"}, headers=admin.headers),
            # the domain's rules
            "rules": client.put(f"/api/v1/audits/{uuid.uuid4()}", json=audit_body(visit.id, answers), headers=auditor.headers),
            # uploads
            "upload": client.post(f"/api/v1/visits/{visit.id}/evidence", files={"file": ("a.jpg", b"text", "image/jpeg")}, headers=auditor.headers),
        }
    found = {name: [e["path"] for e in assert_problem(r, r.status_code)["errors"]] for name, r in paths.items()}
    assert found == {
        "schema": ["body.window_start"],
        "nested": ["body.gps.lat"],
        "query": ["query.from"],  # as the client sends it, not the handler's parameter name
        "rules": ["body.answers[3].value"],
        "upload": ["body.file"],
    }
    assert all(FIELD_PATH.match(path) for paths_ in found.values() for path in paths_)


def _visit_body() -> dict:
    return {"store_id": "sarajevo-ferhadija", "checklist_id": "phone-call", "auditor": "auditor-a",
            "window_start": "2026-12-01", "window_end": "2026-12-05", "scenario": "Ask for a call-back."}


def test_an_unknown_field_is_named_by_its_own_path(loaded: Database, actors: dict[str, Actor]) -> None:
    auditor, admin = actors["auditor_a"], actors["admin"]
    visit = assign(loaded, auditor.user, admin.user)
    with make_client(loaded) as client:
        top = client.post("/api/v1/visits", json={**_visit_body(), "colour": "red"}, headers=admin.headers)
        nested = client.put(f"/api/v1/audits/{uuid.uuid4()}", json=audit_body(visit.id, gps={"lat": 1, "lon": 2, "alt": 3}), headers=auditor.headers)
    assert [e["path"] for e in assert_problem(top, 400)["errors"]] == ["body.colour"]
    assert [e["path"] for e in assert_problem(nested, 400)["errors"]] == ["body.gps.alt"]
