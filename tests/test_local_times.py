"""Every date and time a customer reads is in the store's time zone and the reader's language, and
"today" is the store's today."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from audit_api.store import Database

from .audit_helpers import submitted
from .conftest import Actor, make_client

MOSCOW_STORE = "moskva-arbat"
# 23:30 UTC on Tuesday 24 November is 02:30 on Wednesday 25 November in Moscow (UTC+3).
MOSCOW_AFTER_MIDNIGHT = dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC)


def spaced(text: str) -> str:
    """CLDR puts no-break spaces where a line must not break (before "г.", before "PM"); read them as spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def complaint(happened_on: str, store: str = MOSCOW_STORE, lang: str = "ru") -> dict[str, str]:
    return {"store": store, "happened_on": happened_on, "what": "Долго ждали на кассе.", "desired": "apology", "lang": lang}


def test_a_complaint_dated_today_after_local_midnight_in_moscow_is_accepted(loaded: Database) -> None:
    with make_client(loaded, clock_at=MOSCOW_AFTER_MIDNIGHT) as client:
        today = client.post("/complaint", data=complaint("2026-11-25"))
        tomorrow = client.post("/complaint", data=complaint("2026-11-26"))
    assert today.status_code == 200 and "C-" in today.text
    assert tomorrow.status_code == 422 and 'id="happened_on-error"' in tomorrow.text


def test_the_ticket_and_the_status_page_show_the_same_local_time(loaded: Database) -> None:
    with make_client(loaded, clock_at=MOSCOW_AFTER_MIDNIGHT) as client:
        ticket_page = client.post("/complaint", data=complaint("2026-11-25"))
        ticket = re.search(r"C-[0-9A-Z]{4}-[0-9A-Z]{4}", ticket_page.text)
        assert ticket
        status_page = client.get(f"/complaint/status/{ticket[0]}?lang=ru")
    # Received 02:30 Moscow time on 25 November; the answer is due ten hours later, at 12:30.
    due = "среда, 25 ноября 2026 г., 12:30"
    assert due in spaced(ticket_page.text) and due in spaced(status_page.text)
    assert "среда, 25 ноября 2026 г., 02:30" in spaced(status_page.text)
    assert "T23:30" not in status_page.text and "+00:00" not in status_page.text


def test_the_status_page_reads_the_time_in_the_readers_language(loaded: Database) -> None:
    with make_client(loaded, clock_at=MOSCOW_AFTER_MIDNIGHT) as client:
        ticket = re.search(r"C-[0-9A-Z]{4}-[0-9A-Z]{4}", client.post("/complaint", data=complaint("2026-11-25")).text)
        assert ticket
        english = client.get(f"/complaint/status/{ticket[0]}?lang=en")
    assert "Wednesday, November 25, 2026, 12:30 PM" in spaced(english.text)


def test_a_store_answers_in_its_first_language_when_nothing_matches(loaded: Database) -> None:
    from audit_api.domain.links import link_token
    from audit_api.store.secret import instance_secret

    link = f"/s/{link_token(instance_secret(loaded.path), MOSCOW_STORE, 'checkout')}"
    with make_client(loaded) as client:
        page = client.get(link, headers={"Accept-Language": "de-DE"})
    assert '<html lang="ru">' in page.text, "Moscow's first language, not the chain's default"


def test_the_site_root_sends_a_reader_to_their_language(loaded: Database, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "ru").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>Lipa</title>", encoding="utf-8")
    (site / "ru" / "index.html").write_text("<!doctype html><title>Липа</title>", encoding="utf-8")
    with make_client(loaded, site_dir=site) as client:
        russian = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}, follow_redirects=False)
        german = client.get("/", headers={"Accept-Language": "de"}, follow_redirects=False)
        page = client.get("/ru/")
    assert (russian.status_code, russian.headers["location"]) == (302, "/ru/")
    assert german.headers["location"] == "/en/", "no match: the chain's default language"
    assert page.status_code == 200 and "Липа" in page.text


def test_the_report_reads_the_visit_in_the_stores_time(loaded: Database, actors: dict[str, Actor]) -> None:
    a, admin = actors["auditor_a"], actors["admin"]
    visit = submitted(loaded, a.user, admin.user)  # started 09:00 UTC: 10:00 in Sarajevo; submitted an hour later
    with make_client(loaded) as client:
        report = client.get(f"/api/v1/visits/{visit.id}/report?lang=bs", headers=admin.headers)
    text = spaced(report.text)
    assert "utorak, 24. novembar 2026., 10:00 – utorak, 24. novembar 2026., 10:25" in text
    assert "utorak, 24. novembar 2026., 11:00" in text and "T09:00:00" not in text


def test_a_store_is_found_by_any_of_its_names(loaded: Database) -> None:
    with make_client(loaded) as client:
        found = {
            city: [s["id"] for s in client.get("/api/v1/stores", params={"city": city, "lang": "en"}).json()["stores"]]
            for city in ("Moscow", "Москва", "moskva")
        }
        russian = client.get("/api/v1/stores/moskva-arbat", params={"lang": "ru"}).json()["store"]
    assert found == {"Moscow": [MOSCOW_STORE], "Москва": [MOSCOW_STORE], "moskva": [MOSCOW_STORE]}
    assert (russian["name"], russian["city"]) == ("Липа Арбат", "Москва")
    assert {"Moscow", "Москва", "Moskva", "Lipa Arbat", "Липа Арбат"} <= set(russian["names"])


def test_the_sites_store_page_writes_its_exception_dates_for_the_reader() -> None:
    from audit_api.book import load_book
    from audit_api.site.pages import pages_for

    from .conftest import DEMO_BOOK, NOON_TUESDAY

    book = load_book(DEMO_BOOK)
    bosnian = pages_for(book, "bs", NOON_TUESDAY)["stores/sarajevo-ferhadija.md"]
    russian = spaced(pages_for(book, "ru", NOON_TUESDAY)["stores/moskva-arbat.md"])
    assert '<time datetime="2026-12-31">četvrtak, 31. decembar 2026.</time>' in bosnian
    assert '<time datetime="2027-01-01">пятница, 1 января 2027 г.</time>' in russian


def test_the_prize_carries_its_currency_written_for_the_reader(loaded: Database) -> None:
    from .test_survey_pages import GOOD, answer, link

    with make_client(loaded) as client:
        bosnian = answer(client, link(loaded), {**GOOD, "lang": "bs"})
        english = answer(client, link(loaded), {**GOOD, "lang": "en"})
    assert "DRAW-" in bosnian.text and "(100,00 KM)" in spaced(bosnian.text)
    assert "(BAM 100.00)" in spaced(english.text) or "(BAM100.00)" in spaced(english.text)


def test_the_report_writes_flags_and_the_pseudonym_in_the_readers_language(loaded: Database, actors: dict[str, Actor]) -> None:
    import uuid

    from .audit_helpers import assign, audit_body

    a, admin, mx = actors["auditor_a"], actors["admin"], actors["manager_x"]
    visit = assign(loaded, a.user, admin.user)
    night = dt.datetime(2026, 11, 21, 21, 30, tzinfo=dt.UTC)  # 22:30 on a Saturday in Sarajevo: closed
    body = audit_body(visit.id, started_at=night.isoformat(), finished_at=(night + dt.timedelta(minutes=20)).isoformat(),
                      gps={"lat": 43.8700, "lon": 18.4265})
    with make_client(loaded) as client:
        assert client.put(f"/api/v1/audits/{uuid.uuid4()}", json=body, headers=a.headers).status_code == 201
        text = spaced(client.get(f"/api/v1/visits/{visit.id}/report?lang=bs", headers=mx.headers).text)
    assert "prodavnica je bila zatvorena: subota, 21. novembar 2026., 22:30, po lokalnom vremenu" in text
    assert "GPS položaj je bio 1.223 m od prodavnice, a dozvoljeno je najviše 300 m" in text  # 1.223: as Bosnian writes numbers
    assert "predano 61 sat nakon posjete" in text  # Bosnian: 61 takes the "one" form
    code = a.user.pseudonym.removeprefix("Auditor ")  # the label says "Kontrolor"; the code is language-neutral
    assert f"<dt>Kontrolor</dt><dd>{code}</dd>" in text and "Auditor " not in text
