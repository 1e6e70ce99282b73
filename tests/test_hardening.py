"""Requests that once answered 500 now answer a 4xx in the one error shape (or, on the customers' pages,
the form again with the error next to its field). Each case is one of the 5xx found by hand or by
`test_fuzz.py`; the fuzzing itself lives there.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from audit_api.domain.forms import complaint_reference
from audit_api.domain.hours import day_start, status_at
from audit_api.store import Database
from audit_api.store.secret import instance_secret

from .audit_helpers import BOOK, assign, audit_body
from .conftest import NOON_TUESDAY, STORE_X, Actor, make_client
from .test_error_shape import assert_problem
from .test_survey_pages import GOOD, link, responses

COMPLAINT = {"store": STORE_X, "happened_on": "2026-11-23", "what": "Nobody at the till.", "desired": "apology", "lang": "en"}


# --- 1. the survey's numeric answers -----------------------------------------------------------


@pytest.mark.parametrize("value", ["--5", "\u00b2", "\u0663", "\uff15", "+5", "5.0", "1" * 5000], ids=["double-minus", "superscript-2", "arabic-3", "fullwidth-5", "plus", "decimal", "5000-digits"])
def test_a_rating_that_is_no_plain_number_is_an_error_next_to_the_question(loaded: Database, value: str) -> None:
    with make_client(loaded) as client:
        page = client.post(link(loaded), data={**GOOD, "recommend": value, "lang": "en"})
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert '<p class="error" id="recommend-error">Please choose one of the answers.</p>' in page.text
    assert responses(loaded) == []


def test_a_form_token_with_any_characters_is_read_as_forged_not_a_crash(loaded: Database) -> None:
    """Found by test_fuzz.py: hmac.compare_digest raised TypeError on a non-ASCII str."""
    with make_client(loaded) as client:
        page = client.post(link(loaded), data={**GOOD, "form_token": "a.b.\u00e9"})
    assert page.status_code == 200
    assert len(responses(loaded)) == 1


# --- 2. the complaint's link to a survey response ----------------------------------------------


def source_of(database: Database, ticket: str) -> int | None:
    row = database.read().execute("SELECT source_response FROM complaints WHERE ticket = ?", [ticket]).fetchone()
    return row[0]


def ticket_in(page_text: str) -> str:
    found = re.search(r'<p class="ticket" id="ticket">(C-[0-9A-Z]{4}-[0-9A-Z]{4})</p>', page_text)
    assert found, page_text
    return found[1]


@pytest.mark.parametrize(
    "source",
    ["999999", "99999999999999999999", "\u00b2", "1", "1.AAAAAAAAAAAAAAAA", "-1", "", "1." + "A" * 5000],
    ids=["unknown-id", "too-big-for-sqlite", "superscript-2", "a-real-id-unsigned", "forged-signature", "negative", "empty", "long"],
)
def test_a_complaint_with_a_reference_the_server_did_not_make_is_filed_unlinked(loaded: Database, source: str) -> None:
    with make_client(loaded) as client:
        client.post(link(loaded), data={**GOOD, "recommend": "2"})  # response 1 exists: its bare id links nothing either
        page = client.post("/complaint", data={**COMPLAINT, "from": source})
    assert page.status_code == 200, page.text
    assert source_of(loaded, ticket_in(page.text)) is None


def test_a_signed_reference_to_a_response_no_longer_stored_is_filed_unlinked(loaded: Database) -> None:
    with make_client(loaded) as client:
        page = client.post("/complaint", data={**COMPLAINT, "from": complaint_reference(instance_secret(loaded.path), 999999)})
    assert page.status_code == 200
    assert source_of(loaded, ticket_in(page.text)) is None


def test_only_the_thank_you_pages_own_reference_links_the_complaint(loaded: Database) -> None:
    with make_client(loaded) as client:
        other = client.post(link(loaded, touchpoint="checkout"), data={**GOOD, "recommend": "1"})
        assert other.status_code == 200
        client.cookies.clear()  # a second browser
        thanks = client.post(link(loaded), data={**GOOD, "recommend": "3", "lang": "en"})
        [someone_else, mine] = [row["id"] for row in responses(loaded)]
        href = html.unescape(re.search(r'href="(/complaint\?[^"]+)"', thanks.text)[1])
        form = client.get(href)
        reference = re.search(r'<input type="hidden" name="from" value="([^"]*)">', form.text)[1]
        assert reference == complaint_reference(instance_secret(loaded.path), mine) and reference.startswith(f"{mine}.")
        assert f'href="?lang=bs&amp;store={STORE_X}&amp;from={reference}"' in form.text, "switching language keeps the link"
        linked = client.post("/complaint", data={**COMPLAINT, "from": reference})
        swapped = client.post("/complaint", data={**COMPLAINT, "from": reference.replace(f"{mine}.", f"{someone_else}.", 1)})
    assert source_of(loaded, ticket_in(linked.text)) == mine
    assert source_of(loaded, ticket_in(swapped.text)) is None, "another response's id under my signature links nothing"


# --- 3. every method of every signed-in path needs a token, OPTIONS too --------------------------


def signed_in_routes(app: Litestar) -> list[tuple[str, str]]:
    """(method, a concrete path) for every method of every route behind the token middleware."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        middleware = {getattr(m, "middleware", m) for h in route.route_handlers for m in h.resolve_middleware()}
        if not any(getattr(m, "__name__", "") == "TokenAuthMiddleware" for m in middleware):
            continue
        path = route.path
        for name, parameter in route.path_parameters.items():
            value = str(uuid.UUID(int=1)) if parameter.type is uuid.UUID else "1"
            path = path.replace("{" + parameter.full + "}", value)
        found += [(method, path) for method in sorted(route.methods)]
    return found


def test_every_signed_in_path_answers_401_without_a_token_for_every_method(loaded: Database) -> None:
    with make_client(loaded) as client:
        routes = signed_in_routes(client.app)
        assert ("OPTIONS", "/api/v1/metrics") in routes and ("PUT", f"/api/v1/audits/{uuid.UUID(int=1)}") in routes
        for method, path in routes:
            for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}):
                body = assert_problem(client.request(method, path, headers=headers), 401)
                assert body["instance"] == path


def test_options_with_a_valid_token_answers_by_role(loaded: Database, actors: dict[str, Actor]) -> None:
    with make_client(loaded) as client:
        for method, path in signed_in_routes(client.app):
            if method != "OPTIONS":
                continue
            for name in ("auditor_a", "manager_x", "admin"):
                response = client.options(path, headers=actors[name].headers)
                assert response.status_code in (204, 403), (path, name, response.text)
        assert client.options("/api/v1/metrics", headers=actors["admin"].headers).status_code == 204
        assert "GET" in client.options("/api/v1/metrics", headers=actors["admin"].headers).headers["allow"]
        assert_problem(client.options("/api/v1/metrics", headers=actors["auditor_a"].headers), 403)


# --- 4. the dates of a period -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "wrong"),
    [
        ("/api/v1/metrics", {"to": "9999-12-31"}, ["query.to"]),
        ("/api/v1/metrics", {"from": "0001-01-01"}, ["query.from"]),
        ("/api/v1/metrics", {"from": "0001-01-01", "to": "9999-12-31"}, ["query.from", "query.to"]),
        ("/api/v1/responses", {"from": "0001-01-01"}, ["query.from"]),
        ("/api/v1/responses", {"from": "9999-12-31"}, ["query.from"]),
    ],
)
def test_a_period_beyond_the_dates_the_api_answers_for_is_refused(loaded: Database, actors: dict[str, Actor], path: str, params: dict, wrong: list[str]) -> None:
    with make_client(loaded) as client:
        body = assert_problem(client.get(path, params=params, headers=actors["admin"].headers), 422)
    assert [e["path"] for e in body["errors"]] == wrong


def test_a_period_at_the_ends_of_the_range_is_answered(loaded: Database, actors: dict[str, Actor]) -> None:
    with make_client(loaded) as client:
        metrics = client.get("/api/v1/metrics", params={"from": "1970-01-01", "to": "2999-12-31"}, headers=actors["admin"].headers)
        listed = client.get("/api/v1/responses", params={"from": "1970-01-01"}, headers=actors["admin"].headers)
    assert metrics.status_code == 200 and listed.status_code == 200


# --- 5. the times of an audit -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started_at", "finished_at", "wrong"),
    [
        ("9999-12-31T23:00:00-14:00", "9999-12-31T23:30:00-14:00", ["body.started_at", "body.finished_at"]),
        ("0001-01-01T00:00:00+14:00", "0001-01-01T00:30:00+14:00", ["body.started_at", "body.finished_at"]),
        ("0001-01-01T00:00:00+14:00", "2026-11-24T10:30:00+01:00", ["body.started_at"]),
        ("2025-11-20T10:00:00+01:00", "2025-11-20T10:30:00+01:00", ["body.started_at", "body.finished_at"]),  # over a year ago
        ("2026-11-24T10:00:00+01:00", "2026-11-26T10:30:00+01:00", ["body.finished_at"]),  # two days ahead
    ],
)
def test_an_audit_at_an_implausible_time_is_refused(loaded: Database, actors: dict[str, Actor], started_at: str, finished_at: str, wrong: list[str]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    with make_client(loaded) as client:
        response = client.put(f"/api/v1/audits/{uuid.uuid4()}", json=audit_body(visit.id, started_at=started_at, finished_at=finished_at), headers=a.headers)
    body = assert_problem(response, 422)
    assert [e["path"] for e in body["errors"]] == wrong


def test_an_audit_within_the_plausible_window_is_accepted(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    started = NOON_TUESDAY - dt.timedelta(days=365)
    body = audit_body(visit.id, started_at=started.isoformat(), finished_at=(NOON_TUESDAY + dt.timedelta(hours=23)).isoformat())
    with make_client(loaded) as client:
        response = client.put(f"/api/v1/audits/{uuid.uuid4()}", json=body, headers=a.headers)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "instant",
    [
        dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-14))),
        dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14))),
        dt.datetime.max.replace(tzinfo=dt.UTC),
        dt.datetime.min.replace(tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 12, tzinfo=dt.UTC),  # open past midnight into a day the calendar lacks
        dt.datetime(1, 1, 1, 12, tzinfo=dt.UTC),  # yesterday's hours spill from a day the calendar lacks
    ],
)
def test_opening_hours_answer_at_the_ends_of_the_calendar(instant: dt.datetime) -> None:
    for store in BOOK.stores:
        status = status_at(store, instant)
        assert status.local_time.tzinfo is not None
        assert day_start(store, instant).tzinfo is not None


def test_a_401_names_its_scheme_and_a_typed_ticket_stays_on_its_page(client: TestClient) -> None:
    refused = client.get("/api/v1/me")
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == 'Bearer realm="audit"'
    lookup = client.get("/complaint/status", params={"ticket": "é?#x", "lang": "bs"}, follow_redirects=False)
    assert lookup.status_code in (301, 302, 303, 307) and lookup.headers["location"].endswith("?lang=bs")
    assert "?" not in lookup.headers["location"].split("?lang=")[0] and "#" not in lookup.headers["location"]
