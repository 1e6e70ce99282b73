"""`Front` (http/front.py) answers the store endpoints ahead of Litestar's router exactly as the router's handlers do:
the same status, body and headers for every language, city, Accept-Language and unknown store; what it does not fully
recognise goes on to the router; the public rate limit still holds. (The survey's side: tests/test_survey_route.py.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar._asgi.utils import wrap_in_exception_handler
from litestar.testing import TestClient
from litestar.types import Receive, Scope, Send

from audit_api.http.front import Front, _recognised
from audit_api.store import Database

from .conftest import make_client

ASKED: list[tuple[str, dict[str, str]]] = [
    ("/api/v1/stores", {}),
    ("/api/v1/stores?lang=ru", {}),
    ("/api/v1/stores?lang=xx", {"Accept-Language": "bs"}),
    ("/api/v1/stores?lang=", {}),
    ("/api/v1/stores?city=Sarajevo", {}),
    ("/api/v1/stores?city=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0&lang=en", {}),  # Москва
    ("/api/v1/stores?city=nowhere", {"Accept-Language": "sw, en;q=0.5"}),
    ("/api/v1/stores?city=", {}),
    ("/api/v1/stores?city&lang=%FF", {}),
    ("/api/v1/stores?lang=ru&", {}),
    ("/api/v1/stores", {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"}),
    ("/api/v1/stores", {"Accept-Language": ";;q=x, *"}),
    ("/api/v1/stores/sarajevo-alta", {}),
    ("/api/v1/stores/sarajevo-alta?lang=bg", {"Accept-Language": "ru"}),
    ("/api/v1/stores/moskva-arbat", {"Accept-Language": "es"}),
    ("/api/v1/stores/atlantis", {}),  # 404, in the problem shape
    ("/api/v1/stores/%20x?lang=ru", {}),
]
PASSED_ON: list[tuple[str, str]] = [  # (method, path) the front leaves to the router
    ("GET", "/api/v1/stores?lang=ru&lang=en"),
    ("GET", "/api/v1/stores?page=2"),
    ("GET", "/api/v1/stores/sarajevo-alta?city=x"),
    ("GET", "/api/v1/stores/sarajevo-alta/more"),
    ("GET", "/api/v1/stores/"),
    ("POST", "/api/v1/stores"),
]


def _front(app: Litestar) -> Front:
    front = app.asgi_handler.app.app  # type: ignore[attr-defined]  # HEAD's layer, then the exception middleware's app
    assert isinstance(front, Front)
    return front


@pytest.fixture
def clients(loaded: Database) -> Iterator[tuple[TestClient, TestClient, list[str]]]:
    """The app as it is, with the paths its front passed on to the router; and the app with the router alone."""
    with make_client(loaded) as fronted, make_client(loaded) as routed:
        front, reached = _front(fronted.app), []
        router = front.router

        async def recording(scope: Scope, receive: Receive, send: Send) -> None:
            reached.append(f"{scope['method']} {scope['path']}?{scope['query_string'].decode()}".rstrip("?"))  # type: ignore[typeddict-item]
            await router(scope, receive, send)

        front.router = recording
        handler, routed.app.asgi_handler = routed.app.asgi_handler, wrap_in_exception_handler(routed.app.asgi_router)
        try:
            yield fronted, routed, reached
        finally:  # the apps go back to the pool for later tests (conftest): as they were
            front.router, routed.app.asgi_handler = router, handler


def _seen(response: object) -> tuple[int, bytes, list[tuple[str, str]]]:
    """Status, body and headers; the Date aside, and the methods a 405 allows in any order (Litestar keeps a set)."""
    headers = sorted(
        (k, ", ".join(sorted(v.split(", "))) if k == "allow" else v)
        for k, v in response.headers.multi_items()  # type: ignore[attr-defined]
        if k != "date"
    )
    return response.status_code, response.content, headers  # type: ignore[attr-defined]


def test_the_front_answers_the_stores_as_the_router_does(clients: tuple[TestClient, TestClient, list[str]]) -> None:
    fronted, routed, reached = clients
    for path, headers in ASKED:
        front, router = fronted.get(path, headers=headers), routed.get(path, headers=headers)
        assert _seen(front) == _seen(router), path
    assert reached == [], "the front answered every one of them"
    assert fronted.get("/api/v1/stores/atlantis").json()["status"] == 404


def test_what_the_front_does_not_recognise_goes_to_the_router(clients: tuple[TestClient, TestClient, list[str]]) -> None:
    fronted, routed, reached = clients
    for method, path in PASSED_ON:
        assert _seen(fronted.request(method, path)) == _seen(routed.request(method, path)), path
    assert len(reached) == len(PASSED_ON), reached


def test_two_accept_language_headers_are_the_routers_to_read() -> None:
    """(The test client joins repeated headers into one; a server passes them on as they came.)"""
    scope = {"type": "http", "method": "GET", "path": "/api/v1/stores", "query_string": b"", "root_path": ""}
    one = [(b"host", b"x"), (b"accept-language", b"ru")]
    assert _recognised({**scope, "headers": one}) is not None  # type: ignore[arg-type,typeddict-item]
    assert _recognised({**scope, "headers": [*one, (b"accept-language", b"en")]}) is None  # type: ignore[arg-type,typeddict-item]


def test_the_store_answers_keep_the_public_limit(loaded: Database) -> None:
    with make_client(loaded, public_rate_limit=2) as client:
        assert client.get("/api/v1/stores").status_code == 200
        assert client.get("/api/v1/faq").status_code == 200, "one allowance with the other public endpoints"
        refused = client.get("/api/v1/stores/sarajevo-alta")
    assert refused.status_code == 429 and refused.headers["retry-after"]
    assert refused.json()["status"] == 429 and refused.headers["x-content-type-options"] == "nosniff", "the app's error shape and headers"
