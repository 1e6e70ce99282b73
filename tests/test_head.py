"""HEAD is answered wherever GET is (RFC 9110: every general-purpose server supports both): the GET's status and
headers, no body. Uptime monitors and link checkers ask `/healthz`, the site and the app this way; before, all but
the site's files answered 405."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_api.domain.links import link_token
from audit_api.store import Database
from audit_api.store.secret import instance_secret

from .conftest import make_client

VOLATILE = {"date", "set-cookie"}  # a new cookie each time: the survey page gives every browser its own key


def _head_and_get(client, path: str, headers: dict[str, str]) -> tuple[object, object]:
    return client.head(path, headers=headers), client.get(path, headers=headers)


def _headers(response) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in response.headers.multi_items() if k not in VOLATILE)


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/healthz", {}, 200),
        ("/", {}, 200),  # the site's front page
        ("/en/stores/sarajevo-alta/", {}, 200),
        ("/app/", {}, 200),
        ("/app/main.js", {}, 200),
        ("/api/v1/stores", {"Accept-Language": "ru"}, 200),  # answered ahead of the router (front.py)
        ("/api/v1/stores/sarajevo-alta?lang=bs", {}, 200),
        ("/api/v1/faq", {}, 200),
        ("/complaint?lang=es", {"Accept": "text/html"}, 200),
        ("/api/v1/stores/atlantis", {}, 404),  # the error in its one shape, without the body
        ("/api/v1/me", {}, 401),  # signed in or not, as the GET
        ("/en/no-such-page/", {"Accept": "text/html"}, 404),
    ],
)
def test_head_answers_as_get_without_the_body(loaded: Database, demo_site: Path, path: str, headers: dict[str, str], status: int) -> None:
    with make_client(loaded, site_dir=demo_site) as client:
        head, get = _head_and_get(client, path, headers)
    assert head.status_code == get.status_code == status, path
    assert head.content == b"" and get.content != b""
    assert _headers(head) == _headers(get), "the GET's headers, its Content-Length and security headers included"


def test_the_survey_page_by_head_and_a_post_only_path(loaded: Database) -> None:
    link = link_token(instance_secret(loaded.path), "sarajevo-ferhadija", "checkout")
    with make_client(loaded) as client:
        page = client.head(f"/s/{link}", headers={"Accept-Language": "bs"})
        post_only = client.head("/api/v1/devices"), client.get("/api/v1/devices")
    assert page.status_code == 200 and page.content == b"" and page.headers["content-type"].startswith("text/html")
    assert post_only[0].status_code == post_only[1].status_code == 405, "a path that has no GET has no HEAD either"
    assert post_only[0].headers["allow"] == post_only[1].headers["allow"]


def test_head_counts_against_the_public_limit_as_get_does(loaded: Database) -> None:
    with make_client(loaded, public_rate_limit=2) as client:
        answers = [client.head("/api/v1/stores").status_code, client.get("/api/v1/faq").status_code, client.head("/api/v1/faq").status_code]
    assert answers == [200, 200, 429]
