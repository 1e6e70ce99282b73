"""A store's hours as a customer reads them days after the site was built: Chromium with its clock set, in
New York, reading stores in Sarajevo and Moscow. Open or closed is the STORE's now (holidays, past midnight,
the closing minute), the week shows real dates with the holidays folded in, the finder groups stores by
country and city and finds them by any name; without JavaScript the regular week and the dated changes still
read right. Screenshots land in build/screenshots/ (store-*, finder-*)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from audit_api.book import load_book
from audit_api.book.models import WEEKDAYS, HoursException, WeekHours
from audit_api.site.build import build_site
from audit_api.store import Database

from .conftest import DEMO_BOOK, ROOT, Snapshots, once_per_run
from .test_browser import NEEDS_BROWSER, _serve, csp_violations, serious_violations, shot

pytestmark = NEEDS_BROWSER

# Built on Friday 20 November 2026: the readers below come days and weeks later, as a static site's do.
BUILT = dt.datetime(2026, 11, 20, 11, 0, tzinfo=dt.UTC)
VIEWER_ZONE = "America/New_York"  # the viewer's own zone must not count: the store's does


@pytest.fixture
def site(site_server: str) -> str:
    """The demo site, built and served once for the whole run (conftest)."""
    return site_server


@pytest.fixture(scope="module")
def viewer(chromium) -> Iterator:
    """A browser in New York, for the whole module: the site sets no cookie and keeps nothing, and its cache spares
    each test a fresh download of the same scripts. Its clock is the context's: each test that reads one sets it."""
    context = chromium.new_context(timezone_id=VIEWER_ZONE, viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def reader(viewer) -> Iterator:
    """A new page in the New York browser; `open_store(page, site, path, instant)` sets its clock."""
    page = viewer.new_page()
    yield page
    page.close()


def words(text: str) -> str:
    """Text with any run of spaces (CLDR's thin and no-break spaces too) read as one space."""
    return " ".join(text.split())


# Each row's header and data cells' text, read in one call (a call per cell made a week cost some 30 round trips).
CELLS = "rows => rows.map(row => [[...row.querySelectorAll('th')].map(c => c.innerText), [...row.querySelectorAll('td')].map(c => c.innerText)])"


def table(rows) -> list[tuple[str, str]]:
    """(day, hours) of each row: the text of its one header cell and of its one data cell."""
    read = rows.evaluate_all(CELLS)
    assert all(len(th) == 1 and len(td) == 1 for th, td in read), f"a row is one header and one cell: {read}"
    return [(words(th[0]), words(td[0])) for th, td in read]


def open_store(page, site: str, path: str, instant: str) -> dict:
    """The store page at `instant` (UTC): its state line and its week as rows of (day, hours), today's marked."""
    page.clock.set_fixed_time(instant)
    page.goto(f"{site}{path}")
    state = page.locator("[data-open-now]").inner_text()
    return {
        "state": state,
        "week": table(page.locator("[data-this-week] tr")),
        "today": [day for day, _ in table(page.locator('[data-this-week] tr[aria-current="date"]'))],
    }


# --- the store page ----------------------------------------------------------------------------------


def test_a_holiday_reads_closed_with_its_name_and_when_the_store_opens_again(site: str, reader) -> None:
    blocked = csp_violations(reader)
    # Wednesday 25 November, 12:00 in Sarajevo (07:00 in New York): Statehood Day, Ferhadija is closed.
    store = open_store(reader, site, "/en/stores/sarajevo-ferhadija/", "2026-11-25T11:00:00Z")
    assert store["state"] == "Closed now · opens tomorrow at 8:00 AM"
    assert store["week"][0] == ("Wednesday, November 25 Today", "Closed (Statehood Day)"), "no 'Wednesday 8:00 AM – 8:00 PM' on a holiday"
    assert store["today"] == ["Wednesday, November 25 Today"], "today is marked for screen readers too"
    assert [day for day, _ in store["week"]] == [
        "Wednesday, November 25 Today", "Thursday, November 26", "Friday, November 27", "Saturday, November 28",
        "Sunday, November 29", "Monday, November 30", "Tuesday, December 1",
    ], "the next seven days from the store's today, with their dates"
    assert [hours for _, hours in store["week"]][1:] == [
        "8:00 AM – 8:00 PM", "8:00 AM – 8:00 PM", "9:00 AM – 6:00 PM", "Closed", "8:00 AM – 8:00 PM", "8:00 AM – 8:00 PM"
    ]
    assert reader.locator("[data-regular-week]").is_hidden(), "the dated week stands in for the regular one"
    assert reader.locator('[data-exception-date="2026-11-25"]').is_visible(), "today's change is still listed"
    assert serious_violations(reader) == []
    assert blocked == []


def test_the_week_and_the_state_in_bosnian_on_a_24_hour_clock(site: str, reader) -> None:
    store = open_store(reader, site, "/bs/stores/sarajevo-ferhadija/", "2026-11-25T11:00:00Z")
    assert store["state"] == "Sada zatvoreno · otvara se sutra u 08:00"
    assert store["week"][0] == ("Srijeda, 25. novembar Danas", "Zatvoreno (Dan državnosti)")
    assert store["week"][1] == ("Četvrtak, 26. novembar", "08:00 – 20:00")


def test_russian_on_new_years_day_opens_at_the_next_days_changed_hours(site: str, reader) -> None:
    # Friday 1 January 2027, 12:00 in Moscow: closed; on the 2nd the store opens at 12:00, not at 10:00.
    store = open_store(reader, site, "/ru/stores/moskva-arbat/", "2027-01-01T09:00:00Z")
    assert store["state"] == "Сейчас закрыто · откроется завтра в 12:00"
    assert store["week"][:3] == [
        ("Пятница, 1 января Сегодня", "выходной (Новый год)"),
        ("Суббота, 2 января", "12:00 – 20:00 (Новогодние каникулы)"),
        ("Воскресенье, 3 января", "11:00 – 21:00"),
    ]
    assert reader.locator('[data-exception-date="2026-12-31"]').is_hidden(), "a change already past is not listed"


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-11-27T22:59:00Z", "Open now, until 1:00 AM"),  # Friday 23:59: Friday's 10:00-01:00
        ("2026-11-27T23:30:00Z", "Open now, until 1:00 AM"),  # Saturday 00:30 still belongs to Friday's hours
        ("2026-11-27T23:59:00Z", "Open now, until 1:00 AM"),  # 00:59, the last open minute
        ("2026-11-28T00:00:00Z", "Closed now · opens at 10:00 AM"),  # 01:00: the closing minute is closed
        ("2026-11-23T20:59:00Z", "Open now, until 10:00 PM"),  # Monday 21:59
        ("2026-11-23T21:00:00Z", "Closed now · opens tomorrow at 10:00 AM"),  # Monday 22:00, closing time
        ("2026-11-24T08:59:00Z", "Closed now · opens at 10:00 AM"),  # Tuesday 09:59, before opening
        ("2026-11-24T09:00:00Z", "Open now, until 10:00 PM"),  # Tuesday 10:00, opening time
    ],
    ids=["fri-23:59", "sat-00:30", "sat-00:59", "sat-01:00", "mon-21:59", "mon-22:00", "tue-09:59", "tue-10:00"],
)
def test_open_across_midnight_and_closed_at_the_closing_minute(site: str, reader, instant: str, expected: str) -> None:
    assert open_store(reader, site, "/en/stores/sarajevo-alta/", instant)["state"] == expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-11-27T22:59:00Z", "Abierto ahora, hasta la 1:00"),  # Friday 23:59: one o'clock takes "la", not "las"
        ("2026-11-23T20:59:00Z", "Abierto ahora, hasta las 22:00"),  # Monday 21:59: every other hour takes "las"
        ("2026-11-28T00:00:00Z", "Cerrado ahora · abre a las 10:00"),
    ],
    ids=["fri-23:59", "mon-21:59", "sat-01:00"],
)
def test_spanish_writes_la_before_one_oclock_and_las_before_the_other_hours(site: str, reader, instant: str, expected: str) -> None:
    assert open_store(reader, site, "/es/stores/sarajevo-alta/", instant)["state"] == expected


def test_past_midnight_today_is_the_new_calendar_day(site: str, reader) -> None:
    store = open_store(reader, site, "/bs/stores/sarajevo-alta/", "2026-11-27T23:30:00Z")  # Saturday 00:30 in Sarajevo
    assert store["state"] == "Sada otvoreno, do 01:00"
    assert store["today"] == ["Subota, 28. novembar Danas"]
    assert store["week"][0][1] == "10:00 – 01:00"


def test_before_opening_it_says_at_what_time(site: str, reader) -> None:
    # Thursday 26 November, 07:00 in Sarajevo.
    assert open_store(reader, site, "/en/stores/sarajevo-ferhadija/", "2026-11-26T06:00:00Z")["state"] == "Closed now · opens at 8:00 AM"
    assert open_store(reader, site, "/bs/stores/mostar-centar/", "2026-11-26T06:00:00Z")["state"] == "Sada zatvoreno · otvara se u 08:00"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/en/stores/sarajevo-ferhadija/", "Closed now · opens Monday at 8:00 AM"),
        ("/bs/stores/sarajevo-ferhadija/", "Sada zatvoreno · otvara se u ponedjeljak u 08:00"),
        ("/ru/stores/sarajevo-ferhadija/", "Сейчас закрыто · откроется в понедельник в 08:00"),
        ("/bs/stores/mostar-centar/", "Sada zatvoreno · otvara se u ponedjeljak u 08:00"),
    ],
)
def test_on_saturday_night_a_store_closed_on_sunday_opens_on_monday(site: str, reader, path: str, expected: str) -> None:
    # Saturday 28 November, 20:00 in Sarajevo; Ferhadija and Mostar are closed on Sundays.
    assert open_store(reader, site, path, "2026-11-28T19:00:00Z")["state"] == expected


def test_a_closed_weekday_further_on_is_named(site: str, reader) -> None:
    # Friday 1 January 2027, 12:00 in Sarajevo: Ferhadija is closed on the 1st, the 2nd and Sunday the 3rd.
    store = open_store(reader, site, "/en/stores/sarajevo-ferhadija/", "2027-01-01T11:00:00Z")
    assert store["state"] == "Closed now · opens Monday at 8:00 AM"
    assert [hours for _, hours in store["week"][:3]] == ["Closed (New Year's Day)", "Closed (New Year holiday)", "Closed"]


@pytest.fixture(scope="module")
def rare_site(snapshots: Snapshots, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo site with two rare books' stores: Ferhadija shut for a week's works, Alta open day and night; in the
    two languages read here (a third of the build)."""
    site = once_per_run(tmp_path_factory, "rare-hours-site", _build_rare_site)
    folder = tmp_path_factory.mktemp("rare-hours")
    shutil.copyfile(snapshots.loaded, folder / "audit.db")
    database = Database(folder / "audit.db")
    try:
        yield from _serve(database, folder, {"AUDIT_SITE_DIR": str(site)})
    finally:
        database.close()


def _build_rare_site(out: Path) -> None:
    book = load_book(DEMO_BOOK)
    chain = msgspec.structs.replace(book.chain, languages=["en", "bs"])
    works = [HoursException(date=dt.date(2026, 11, 23) + dt.timedelta(days=n), closed=True, note={"en": "Works", "bs": "Radovi"}) for n in range(6)]
    always = WeekHours(**{day: ["00:00-24:00"] for day in WEEKDAYS})
    stores = [
        msgspec.structs.replace(s, exceptions=works) if s.id == "sarajevo-ferhadija"
        else msgspec.structs.replace(s, hours=always, exceptions=[]) if s.id == "sarajevo-alta" else s
        for s in book.stores
    ]
    build_site(msgspec.structs.replace(book, chain=chain, stores=stores), ROOT, out, now=BUILT)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/en/stores/sarajevo-ferhadija/", "Closed now · opens November 30 at 8:00 AM"),  # a week ahead: "Monday" would read as today
        ("/bs/stores/sarajevo-ferhadija/", "Sada zatvoreno · otvaranje: 30. novembar u 08:00"),
        ("/en/stores/sarajevo-alta/", "Open now"),  # no closing time within the week to name
    ],
)
def test_a_week_closed_names_the_date_and_a_store_never_closing_is_just_open(rare_site: str, reader, path: str, expected: str) -> None:
    store = open_store(reader, rare_site, path, "2026-11-23T11:00:00Z")  # Monday 23 November, 12:00 in Sarajevo
    assert store["state"] == expected


def test_the_directions_link_leads_to_the_store(site: str, reader) -> None:
    reader.goto(f"{site}/en/stores/sarajevo-alta/")
    directions = reader.get_by_role("link", name="Directions")
    assert directions.get_attribute("href") == "https://www.openstreetmap.org/directions?to=43.8569%2C18.4127"
    assert reader.get_by_role("link", name="Show on the map").is_visible()


def test_without_javascript_the_regular_week_and_the_changes_read_correctly(site: str, chromium) -> None:
    context = chromium.new_context(java_script_enabled=False, timezone_id=VIEWER_ZONE)
    page = context.new_page()
    page.goto(f"{site}/bs/stores/sarajevo-ferhadija/")
    rows = page.locator("[data-regular-week] tr")
    assert table(rows) == [
        ("Ponedjeljak", "08:00 – 20:00"), ("Utorak", "08:00 – 20:00"), ("Srijeda", "08:00 – 20:00"), ("Četvrtak", "08:00 – 20:00"),
        ("Petak", "08:00 – 20:00"), ("Subota", "09:00 – 18:00"), ("Nedjelja", "Zatvoreno"),
    ]
    assert page.locator("[data-this-week]").is_hidden(), "no week with dates that a build days ago would get wrong"
    assert page.locator('.hours tr.today, [aria-current="date"]').count() == 0, "nothing claims to be today"
    assert page.locator("[data-open-now]").inner_text() == "", "no open or closed as of the build"
    changes = [words(item.inner_text()) for item in page.locator("[data-exception-date]").all()]
    assert changes[:2] == ["srijeda, 25. novembar 2026.: Zatvoreno (Dan državnosti)", "četvrtak, 31. decembar 2026.: 08:00 – 15:00 (Doček Nove godine)"]
    page.goto(f"{site}/en/stores/")
    assert page.locator("[data-store]").count() >= 6 and page.locator("[data-store]:visible").count() == page.locator("[data-store]").count()
    assert page.locator("[data-store-search]").is_hidden() and page.locator(".store-now").first.is_hidden()
    context.close()


# --- the store finder --------------------------------------------------------------------------------


def finder_entry(page, store_id: str) -> tuple[str, str]:
    """A store's state and hours today, as the finder shows them."""
    entry = page.locator(f'[data-store]:has(a[href="{store_id}/"])')
    return words(entry.locator("[data-state]").inner_text()), words(entry.locator("[data-today]").inner_text())


def test_the_finder_groups_by_country_then_city_and_shows_each_state(site: str, reader) -> None:
    blocked = csp_violations(reader)
    reader.clock.set_fixed_time("2026-11-25T11:00:00Z")  # Wednesday: 12:00 in Sarajevo, 14:00 in Moscow
    reader.goto(f"{site}/en/stores/")

    def cities(code: str) -> list[str]:
        return reader.locator(f'[data-country="{code}"] h3').all_inner_texts()

    assert reader.locator('[data-country="BA"] h2').inner_text() == "Bosnia & Herzegovina"  # CLDR's name, in the reader's language
    assert cities("BA") == ["Banja Luka", "Mostar", "Sarajevo"] and cities("RU") == ["Kazan", "Moscow"]
    assert finder_entry(reader, "sarajevo-ferhadija") == ("Closed now · opens tomorrow at 8:00 AM", "Closed today (Statehood Day)")
    assert finder_entry(reader, "sarajevo-alta") == ("Open now, until 10:00 PM", "Today: 10:00 AM – 10:00 PM")
    assert finder_entry(reader, "moskva-arbat") == ("Open now, until 10:00 PM", "Today: 10:00 AM – 10:00 PM")  # 14:00 in Moscow
    assert "is-closed" in (reader.locator('[data-store]:has(a[href="mostar-centar/"]) [data-state]').get_attribute("class") or "")
    assert serious_violations(reader) == []
    reader.goto(f"{site}/ru/stores/")
    assert reader.locator('[data-country="RU"] h2').inner_text() == "Россия"
    assert reader.locator('[data-country="RU"] h3').all_inner_texts() == ["Kazan", "Москва"]  # the book names Kazan in one language only
    assert finder_entry(reader, "moskva-arbat") == ("Сейчас открыто до 22:00", "Сегодня: 10:00 – 22:00")
    assert blocked == []


@pytest.mark.parametrize(
    ("lang", "queries"),
    [("en", ["moscow", "MOSCOW", "москва", "липа арбат"]), ("ru", ["москва", "МОСКВА"]), ("bs", ["moskva", "Арбат, 24"])],
)
def test_the_finder_finds_a_store_by_any_of_its_names(site: str, reader, lang: str, queries: list[str]) -> None:
    reader.goto(f"{site}/{lang}/stores/")
    search = reader.locator("[data-store-search]")
    for query in queries:  # each typed afresh into the finder's box: it filters as the reader types
        search.fill(query)
        assert [a.get_attribute("href") for a in reader.locator("[data-store]:visible a").all()] == ["moskva-arbat/"], query
        assert reader.locator("[data-country]:visible").count() == 1 and reader.locator("[data-city]:visible").count() == 1, query


def test_the_finder_ignores_accents_and_says_when_nothing_matches(site: str, reader) -> None:
    reader.goto(f"{site}/bs/stores/")
    search = reader.locator("[data-store-search]")
    search.fill("cara dusana")  # "Bulevar Cara Dušana 12" typed without the accent
    assert [a.get_attribute("href") for a in reader.locator("[data-store]:visible a").all()] == ["banja-luka-delta/"]
    assert reader.locator("[data-no-match]").is_hidden()
    search.fill("atlantis")
    assert reader.locator("[data-store]:visible").count() == 0
    assert reader.locator("[data-no-match]").inner_text() == "Nijedna prodavnica ne odgovara vašoj pretrazi."
    search.fill("")
    assert reader.locator("[data-store]:visible").count() == reader.locator("[data-store]").count()


# --- screenshots: what a customer sees -----------------------------------------------------------------


@pytest.mark.parametrize(("width", "height", "mobile"), [(390, 844, True), (1280, 900, False)], ids=["phone", "desktop"])
def test_screenshots_of_a_holiday_and_the_finder(site: str, chromium, width: int, height: int, mobile: bool) -> None:
    context = chromium.new_context(viewport={"width": width, "height": height}, is_mobile=mobile, has_touch=mobile, timezone_id=VIEWER_ZONE)
    page = context.new_page()
    size = "phone" if mobile else "desktop"
    page.clock.set_fixed_time("2026-11-25T11:00:00Z")  # Statehood Day in Bosnia and Herzegovina
    for lang in ("bs", "ru"):
        page.goto(f"{site}/{lang}/stores/sarajevo-ferhadija/")
        assert page.locator('[data-this-week] tr[aria-current="date"]').is_visible()
        shot(page, f"store-holiday-{lang}-{size}")
        page.goto(f"{site}/{lang}/stores/")
        assert page.locator(".store-now").first.is_visible()
        shot(page, f"finder-{lang}-{size}")
    page.clock.set_fixed_time("2027-01-01T09:00:00Z")  # New Year's Day in Moscow
    page.goto(f"{site}/ru/stores/moskva-arbat/")
    shot(page, f"store-holiday-ru-moscow-{size}")
    context.close()
