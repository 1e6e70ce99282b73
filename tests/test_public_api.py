"""Public read endpoints: the book's public data, in the requested language with fallback."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from litestar.testing import TestClient

from audit_api.book import load_book
from audit_api.config import Settings
from audit_api.http import create_app
from audit_api.store import Database, publish

from .conftest import DEMO_BOOK, make_client

BOOK = load_book(DEMO_BOOK)


def test_stores_list_every_store_with_hours_and_open_now(client: TestClient) -> None:
    response = client.get("/api/v1/stores")
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "en"
    assert [s["id"] for s in body["stores"]] == sorted(store.id for store in BOOK.stores)
    alta = next(s for s in body["stores"] if s["id"] == "sarajevo-alta")
    assert alta["hours"][4] == {"day": "fri", "intervals": [{"opens": "10:00", "closes": "01:00"}]}
    assert alta["timezone"] == "Europe/Sarajevo"
    # Tuesday 12:00 in Sarajevo, 14:00 in Moscow: all open.
    assert all(s["open_now"] for s in body["stores"])


def test_open_now_follows_the_clock_and_the_store_time_zone(loaded: Database) -> None:
    # Tuesday 2026-11-24 18:30 UTC: 19:30 in Sarajevo, 21:30 in Moscow.
    with make_client(loaded, clock_at=dt.datetime(2026, 11, 24, 18, 30, tzinfo=dt.UTC)) as client:
        stores = {s["id"]: s for s in client.get("/api/v1/stores").json()["stores"]}
    assert stores["sarajevo-ferhadija"]["open_now"] is True
    assert stores["sarajevo-ferhadija"]["next_change"] == "2026-11-24T20:00:00+01:00"
    assert stores["moskva-arbat"]["open_now"] is True
    assert stores["kazan-baumana"]["open_now"] is False
    assert stores["kazan-baumana"]["next_change"] == "2026-11-25T09:00:00+03:00"


def test_language_by_query_then_header_then_default(client: TestClient) -> None:
    assert client.get("/api/v1/faq?lang=ru").json()["topics"][0]["title"] == "Покупки"
    by_header = client.get("/api/v1/faq", headers={"Accept-Language": "de-DE, bs;q=0.8, ru;q=0.5"})
    assert by_header.json()["language"] == "bs"
    assert by_header.headers["content-language"] == "bs"
    assert "Accept-Language" in by_header.headers["vary"]
    assert client.get("/api/v1/faq", headers={"Accept-Language": "ru-RU"}).json()["language"] == "ru"
    unknown = client.get("/api/v1/faq?lang=de", headers={"Accept-Language": "fr"}).json()
    assert unknown["language"] == "en" and unknown["topics"][0]["title"] == "Shopping"


def test_store_page_in_a_language_with_its_exceptions(client: TestClient) -> None:
    body = client.get("/api/v1/stores/sarajevo-ferhadija?lang=bs").json()
    store = body["store"]
    assert body["language"] == "bs"
    assert [t["name"] for t in store["touchpoints"]] == ["Kasa", "Kabina za probu", "Ulaz"]
    # Exceptions from today (2026-11-24) for 60 days: 25 Nov, 31 Dec, 1 and 2 Jan.
    assert [(e["date"], e["closed"], e["intervals"], e["note"]) for e in store["exceptions"]] == [
        ("2026-11-25", True, [], "Dan državnosti"),
        ("2026-12-31", False, [{"opens": "08:00", "closes": "15:00"}], "Doček Nove godine"),
        ("2027-01-01", True, [], "Nova godina"),
        ("2027-01-02", True, [], "Novogodišnji praznik"),
    ]
    assert store["hours"][6] == {"day": "sun", "intervals": []}


def test_city_filter(client: TestClient) -> None:
    ids = [s["id"] for s in client.get("/api/v1/stores?city=sarajevo").json()["stores"]]
    assert ids == ["sarajevo-alta", "sarajevo-ferhadija"]


def test_complaint_procedure_carries_the_book_targets(client: TestClient) -> None:
    body = client.get("/api/v1/complaint-procedure?lang=ru").json()
    procedure = body["procedure"]
    assert procedure["respond_within_hours"] == BOOK.chain.complaints.respond_within_hours == 10
    assert procedure["acknowledge_within_hours"] == BOOK.chain.complaints.acknowledge_within_hours
    assert len(procedure["steps"]) == len(BOOK.chain.complaints.steps)
    assert procedure["steps"][0].startswith("Расскажите")


def test_contacts_list_every_channel(client: TestClient) -> None:
    body = client.get("/api/v1/contacts?lang=bs").json()
    assert body["chain"] == "Lipa"
    assert {c["kind"] for c in body["contacts"]} == {"phone", "email", "chat", "social", "post"}
    social = next(c for c in body["contacts"] if c["kind"] == "social")
    assert social["label"] == "Lipa na društvenim mrežama" and social["hours"] is None


def test_health_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "book_generation": 1}
    assert client.get("/schema").status_code == 200
    spec = client.get("/schema/openapi.json").json()
    assert {"/api/v1/stores", "/api/v1/stores/{store_id}", "/api/v1/faq", "/healthz"} <= set(spec["paths"])


def test_a_new_load_reaches_a_running_app(loaded: Database, book_dir: Path) -> None:
    with make_client(loaded) as client:
        assert "kazan-baumana" in {s["id"] for s in client.get("/api/v1/stores").json()["stores"]}
        (book_dir / "stores" / "kazan-baumana.yaml").unlink()
        publish(loaded, load_book(book_dir))
        # The app checks the book's generation at most once a second, and reloads it on a worker thread.
        deadline = time.monotonic() + 5
        while "kazan-baumana" in {s["id"] for s in client.get("/api/v1/stores").json()["stores"]}:
            assert time.monotonic() < deadline, "the new book did not reach the running app within 5 s"
            time.sleep(0.1)


def test_a_kept_answer_changes_when_the_store_opens_closes_or_the_day_turns(loaded: Database) -> None:
    """The stores' answers are kept encoded until their next change (http/public.py): each change shows at once."""
    now = [dt.datetime(2026, 11, 24, 18, 59, tzinfo=dt.UTC)]  # 19:59 in Sarajevo: Ferhadija closes at 20:00
    app = create_app(Settings(db_path=loaded.path), database=loaded, clock=lambda: now[0])

    def ferhadija(client: TestClient) -> tuple[bool, str, list[str]]:
        one = client.get("/api/v1/stores/sarajevo-ferhadija").json()["store"]
        listed = next(s for s in client.get("/api/v1/stores").json()["stores"] if s["id"] == "sarajevo-ferhadija")
        assert listed == one
        return one["open_now"], one["next_change"], [e["date"] for e in one["exceptions"]]

    with TestClient(app) as client:
        assert ferhadija(client) == (True, "2026-11-24T20:00:00+01:00", ["2026-11-25", "2026-12-31", "2027-01-01", "2027-01-02"])
        assert ferhadija(client)[0] is True  # the kept answer
        now[0] = dt.datetime(2026, 11, 24, 19, 0, tzinfo=dt.UTC)  # 20:00: closed
        assert ferhadija(client)[:2] == (False, "2026-11-26T08:00:00+01:00")  # the 25th is a holiday
        now[0] = dt.datetime(2026, 11, 25, 0, 5, tzinfo=dt.UTC)  # 01:05 on the 25th: today moved, its exception is still shown
        assert ferhadija(client)[2][0] == "2026-11-25"
        now[0] = dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 26th: the 25th's exception is gone
        assert ferhadija(client)[2][0] == "2026-12-31"
        now[0] = dt.datetime(2026, 11, 24, 18, 59, tzinfo=dt.UTC)  # a clock set back gets the answer of its own instant
        assert ferhadija(client)[:2] == (True, "2026-11-24T20:00:00+01:00")
