"""Every 4xx and 5xx of the API has one JSON body (RFC 9457 problem details), so a phone app needs one parser."""

from __future__ import annotations

from litestar import get
from litestar.params import FromQuery
from litestar.testing import TestClient

from audit_api.store import Database

from .conftest import make_client

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
    with make_client(loaded, max_body_bytes=1000) as small:
        response = small.post("/api/v1/faq", content=b"x" * 5000, headers={"content-type": "application/json"})
    assert response.status_code in (405, 413)  # routing may answer before the body is read
    assert_problem(response, response.status_code)


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
