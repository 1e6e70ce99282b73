"""Which survey answers count: one fresh form token per answer, one browser once a day per store, one
network address at most ten answers an hour per store. Answers beyond are kept, marked suspect, left
out of the figures and the prize draw, and counted apart for the managers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from audit_api.book import load_book
from audit_api.store import Database, publish

from .conftest import NOON_TUESDAY, Actor, make_client
from .test_survey_pages import GOOD, STORE, answer, form_token, link


def suspect_reasons(database: Database) -> list[str | None]:
    return [row["suspect"] for row in database.read().query("SELECT suspect FROM survey_responses ORDER BY id")]


def test_thirty_scripted_posts_from_one_address_count_ten(loaded: Database, actors: dict[str, Actor]) -> None:
    pages = []
    with make_client(loaded) as client:  # one address; each post after a fresh page load, without the cookie
        for _ in range(30):
            pages.append(answer(client, link(loaded), GOOD))
        metrics = client.get("/api/v1/metrics", params={"store": STORE}, headers=actors["manager_x"].headers).json()
        listed = client.get("/api/v1/responses", params={"store": STORE}, headers=actors["manager_x"].headers).json()
    assert [page.status_code for page in pages] == [200] * 30
    assert suspect_reasons(loaded) == [None] * 10 + ["address_limit"] * 20
    assert metrics["stores"] == [{**metrics["stores"][0], "store_id": STORE, "responses": 10, "suspect": 20}]
    assert metrics["overall"]["nps"]["count"] == 10 and metrics["overall"]["suspect"] == 20
    assert sum(1 for r in listed if r["suspect"] == "address_limit") == 20
    assert sum("DRAW-" in page.text for page in pages) == 10, "suspect answers enter no prize draw"


def test_ten_customers_with_ten_browsers_on_one_address_all_count(loaded: Database) -> None:
    with make_client(loaded) as client:
        for _ in range(10):
            client.cookies.clear()  # the next customer's own browser, which keeps its cookie
            assert answer(client, link(loaded), GOOD, keep_cookie=True).status_code == 200
    assert suspect_reasons(loaded) == [None] * 10


def test_the_address_allowance_comes_back_after_an_hour(loaded: Database) -> None:
    with make_client(loaded) as client:
        for _ in range(11):
            answer(client, link(loaded), GOOD)
    with make_client(loaded, clock_at=NOON_TUESDAY + dt.timedelta(minutes=61)) as client:
        answer(client, link(loaded), GOOD)
    assert suspect_reasons(loaded) == [None] * 10 + ["address_limit", None]


def test_an_answer_counts_only_with_a_fresh_token_of_its_own_place(loaded: Database) -> None:
    elsewhere = link(loaded, "moskva-arbat", "checkout")
    with make_client(loaded) as client:
        client.post(link(loaded), data=GOOD)  # no token: a script that never loaded the page
        token = form_token(client.get(link(loaded)).text)
        client.cookies.clear()
        client.post(link(loaded), data={**GOOD, "form_token": token})
        client.cookies.clear()
        client.post(link(loaded), data={**GOOD, "form_token": token})  # the same token again
        client.cookies.clear()
        client.post(elsewhere, data={**GOOD, "form_token": form_token(client.get(link(loaded)).text)})
        client.cookies.clear()
        client.post(link(loaded), data={**GOOD, "form_token": token[:-2] + "xx"})
        stale = form_token(client.get(link(loaded)).text)
    with make_client(loaded, clock_at=NOON_TUESDAY + dt.timedelta(hours=5)) as client:
        client.post(link(loaded), data={**GOOD, "form_token": stale})
    assert suspect_reasons(loaded) == [
        "no_form_token", None, "reused_form_token", "forged_form_token", "forged_form_token", "expired_form_token",
    ]


def test_the_limits_are_the_books(loaded: Database, book_dir: Path) -> None:
    chain = book_dir / "chain.yaml"
    chain.write_text(chain.read_text(encoding="utf-8") + "survey_limits:\n  per_address_per_hour: 3\n", encoding="utf-8")
    publish(loaded, load_book(book_dir))
    with make_client(loaded) as client:
        for _ in range(5):
            answer(client, link(loaded), GOOD)
    assert suspect_reasons(loaded) == [None] * 3 + ["address_limit"] * 2
