"""The QR survey as a customer's phone sees it: language, weight, errors in place, storage, abuse guards."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from httpx import Response
from litestar.testing import TestClient

from audit_api.domain.forms import complaint_reference
from audit_api.domain.links import link_token
from audit_api.store import Database
from audit_api.store.secret import instance_secret

from .conftest import NOON_TUESDAY, make_client

STORE, TOUCHPOINT = "sarajevo-ferhadija", "fitting-room"
GOOD = {"recommend": "9", "satisfied": "5", "easy": "6", "staff-friendly": "4", "visit-reason": "buy",
        "went-well": ["greeting", "advice"], "competitors": "better", "improve": "More sizes, please."}


def link(database: Database, store: str = STORE, touchpoint: str = TOUCHPOINT) -> str:
    return f"/s/{link_token(instance_secret(database.path), store, touchpoint)}"


def answer(client: TestClient, url: str, data: dict, *, keep_cookie: bool = False) -> Response:
    """As a customer does it: load the survey page (which hands out a fresh form token), then send it.
    Without `keep_cookie` the browser forgets the page's cookie, like a fresh private tab each time."""
    token = form_token(client.get(url).text)
    if not keep_cookie:
        client.cookies.clear()
    return client.post(url, data={**data, "form_token": token})


def form_token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, "the survey page carries a form token"
    return found[1]


def responses(database: Database) -> list[dict]:
    cursor = database.read().execute("SELECT * FROM survey_responses ORDER BY id")
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


@pytest.mark.parametrize(
    ("query", "accept", "expected_lang", "title"),
    [
        ("", "bs-BA,bs;q=0.9", "bs", "Kako smo bili?"),
        ("?lang=en", "bs", "en", "How did we do?"),
        ("?lang=ru", "", "bs", "Kako smo bili?"),  # Russian is not one of this store's languages: its first
        ("", "de-DE", "bs", "Kako smo bili?"),  # nothing matches: the store's first language
    ],
)
def test_language(loaded: Database, query: str, accept: str, expected_lang: str, title: str) -> None:
    with make_client(loaded) as client:
        page = client.get(link(loaded) + query, headers={"Accept-Language": accept} if accept else {})
    assert page.status_code == 200
    assert f'<html lang="{expected_lang}">' in page.text and title in page.text


def test_the_page_is_light_and_needs_no_javascript(loaded: Database) -> None:
    with make_client(loaded) as client:
        page = client.get(link(loaded, "moskva-arbat", "checkout"), headers={"Accept-Language": "ru"})
    assert len(page.content) <= 30 * 1024, f"{len(page.content)} bytes"
    assert "<script" not in page.text and "http://" not in page.text.split("<body>")[1]
    assert '<meta name="viewport"' in page.text
    assert page.headers["set-cookie"].startswith("fb=")


def test_errors_are_shown_next_to_the_questions_and_values_kept(loaded: Database) -> None:
    with make_client(loaded) as client:
        page = client.post(link(loaded), data={"lang": "en", "satisfied": "9", "improve": "Kept text", "contact-ok": "yes"})
    assert page.status_code == 422
    html = page.text
    assert '<p class="error" id="recommend-error">Please answer this question.</p>' in html
    assert '<p class="error" id="satisfied-error">Please choose one of the answers.</p>' in html
    assert "Give an e-mail address or a phone number, or untick the box." in html
    assert ">Kept text</textarea>" in html and 'name="contact-ok" value="yes" checked' in html
    assert 'aria-describedby="recommend-error"' in html
    assert responses(loaded) == []


def test_a_response_is_stored_with_its_context_and_thanked(loaded: Database) -> None:
    with make_client(loaded) as client:
        page = answer(client, link(loaded), {**GOOD, "lang": "bs"})
    assert page.status_code == 200
    assert "Hvala vam!" in page.text and "DRAW-" in page.text
    assert "Recite nam šta nije bilo u redu" not in page.text, "a promoter is not offered the complaint form"
    [row] = responses(loaded)
    assert (row["store_id"], row["touchpoint_id"], row["language"], row["survey_id"], row["survey_version"]) == (STORE, TOUCHPOINT, "bs", "store-feedback", 1)
    assert (row["nps"], row["csat"], row["ces"]) == (9, 5, 6)
    assert row["created_at"] == NOON_TUESDAY.isoformat()
    assert json.loads(row["answers"])["went-well"] == ["greeting", "advice"]
    assert row["reward"].startswith("DRAW-") and row["reward"] in page.text


def test_a_detractor_is_offered_the_complaint_form(loaded: Database) -> None:
    with make_client(loaded) as client:
        page = answer(client, link(loaded), {**GOOD, "recommend": "4", "lang": "en"})
        [row] = responses(loaded)
        assert "We are sorry we let you down." in page.text
        reference = complaint_reference(instance_secret(loaded.path), row["id"])  # the id, signed: see test_hardening.py
        assert f'href="/complaint?store={STORE}&amp;lang=en&amp;from={reference}"' in page.text
        form = client.get(f"/complaint?store={STORE}&lang=en&from={reference}")
    assert f'<option value="{STORE}" selected>' in form.text


def test_contact_details_are_kept_only_with_consent_and_shown_only_to_the_store(loaded: Database, actors: dict) -> None:
    with make_client(loaded) as client:
        answer(client, link(loaded), {**GOOD, "contact_email": "nope@example.com"})
        answer(client, link(loaded, touchpoint="checkout"), {**GOOD, "contact-ok": "yes", "contact_email": "amra@example.com"})
        seen = {name: client.get("/api/v1/responses", headers=actors[name].headers).json() for name in ("manager_x", "manager_y", "admin")}
    contacts = loaded.read().execute("SELECT email FROM survey_contacts").fetchall()
    assert contacts == [("amra@example.com",)]
    assert [r["contact"] for r in seen["manager_x"]] == [{"name": "", "email": "amra@example.com", "phone": ""}, None]
    assert seen["admin"] == seen["manager_x"] and seen["manager_y"] == []
    assert seen["manager_x"][0]["answers"]["improve"] == "More sizes, please."


def test_a_coupon_incentive_gives_each_response_its_own_code(loaded: Database) -> None:
    import msgspec

    from audit_api.book import load_book
    from audit_api.domain.forms import SurveyAnswers
    from audit_api.services import feedback

    from .conftest import DEMO_BOOK

    book = load_book(DEMO_BOOK)
    survey = book.surveys[0]
    coupon = msgspec.structs.replace(survey, incentive=msgspec.structs.replace(survey.incentive, kind="coupon", code_prefix="LIPA"))
    answers = SurveyAnswers(answers={"recommend": 9, "satisfied": 5}, contact=None)
    codes = [
        loaded.submit(feedback.response_job(coupon, 1, at=book.stores_by_id[STORE], touchpoint_id=TOUCHPOINT, language="en", answers=answers, browser=None, now=NOON_TUESDAY)).result().reward
        for _ in range(50)
    ]
    assert len(set(codes)) == 50 and all(code.startswith("LIPA-") and len(code) == 13 for code in codes)


def test_a_second_submission_from_the_same_browser_is_absorbed(loaded: Database) -> None:
    with make_client(loaded) as client:
        first = answer(client, link(loaded), GOOD, keep_cookie=True)  # the page set the browser cookie
        second = answer(client, link(loaded), {**GOOD, "recommend": "2"}, keep_cookie=True)
    assert len(responses(loaded)) == 1
    reward = responses(loaded)[0]["reward"]
    assert reward in first.text and reward in second.text, "the second sees the first receipt again"


def test_after_ten_minutes_the_same_browser_is_kept_but_counts_once_a_day(loaded: Database) -> None:
    with make_client(loaded) as client:
        answer(client, link(loaded), GOOD, keep_cookie=True)
        cookie = client.cookies.get("fb")
    later = NOON_TUESDAY + dt.timedelta(minutes=11)
    with make_client(loaded, clock_at=later) as client:
        client.cookies.set("fb", cookie, path="/s/")
        second = answer(client, link(loaded), GOOD, keep_cookie=True)
    tomorrow = NOON_TUESDAY + dt.timedelta(days=1)
    with make_client(loaded, clock_at=tomorrow) as client:
        client.cookies.set("fb", cookie, path="/s/")
        answer(client, link(loaded), GOOD, keep_cookie=True)
    assert [row["suspect"] for row in responses(loaded)] == [None, "browser_limit", None]
    assert "DRAW-" not in second.text, "an answer that does not count enters no draw"


def test_the_honeypot_catches_simple_bots(loaded: Database) -> None:
    with make_client(loaded) as client:
        page = client.post(link(loaded), data={**GOOD, "website": "http://spam.example"})
    assert page.status_code == 200 and "Hvala vam" in page.text
    assert responses(loaded) == []


def test_rate_limit_per_address_and_store(loaded: Database) -> None:
    with make_client(loaded, form_rate_limit=3) as client:
        statuses = [client.post(link(loaded), data=GOOD).status_code for _ in range(3)]
        refused = client.post(link(loaded), data=GOOD, headers={"Accept": "text/html"})
        other_store = client.post(link(loaded, "moskva-arbat", "checkout"), data=GOOD)
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert "Traceback" not in refused.text and "Please wait a minute and try again." in refused.text  # in the reader's language
    assert other_store.status_code == 200


def test_an_oversized_body_is_413(loaded: Database) -> None:
    with make_client(loaded) as client:
        page = client.post(link(loaded), data={**GOOD, "improve": "x" * 40_000}, headers={"Accept": "text/html"})
    assert page.status_code == 413 and "Traceback" not in page.text
    assert responses(loaded) == []
