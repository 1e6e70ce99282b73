"""The public site, built for real with MkDocs Material, against the API it must never contradict."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote_plus, urljoin, urlparse

import pytest

from audit_api.book import load_book
from audit_api.book.i18n import pick
from audit_api.book.intervals import parse_interval
from audit_api.render import when
from audit_api.store import Database, migrate, publish
from audit_api.words import words

from .conftest import DEMO_BOOK, make_client

BOOK = load_book(DEMO_BOOK)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, demo_site: Path) -> tuple[Path, Database]:
    folder = tmp_path_factory.mktemp("site")
    database = Database(folder / "audit.db")
    migrate(database)
    publish(database, BOOK)
    yield demo_site, database
    database.close()


class Page(HTMLParser):
    """The few things the tests read from a built page."""

    def __init__(self, text: str):
        super().__init__()
        self.lang = None
        self.links: list[str] = []
        self.rows: dict[str, str] = {}
        self.fields: dict[str, str] = {}
        self.exceptions: dict[str, str] = {}
        self._capture: tuple[str, str] | None = None
        self._buffer: list[str] = []
        self._depth = 0
        self._day: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        for name in ("href", "src"):
            if a.get(name):
                self.links.append(a[name])
        if self._capture:
            self._depth += 1
        elif tag == "tr" and "data-day" in a:
            self._day = a["data-day"]
        elif tag == "td" and self._day:
            self._start(("row", self._day))
            self._day = None
        elif tag == "dd" and "data-field" in a:
            self._start(("field", a["data-field"]))
        elif tag == "li" and "data-exception-date" in a:
            self._start(("exception", a["data-exception-date"]))

    def _start(self, key: tuple[str, str]) -> None:
        self._capture, self._buffer, self._depth = key, [], 0

    def handle_endtag(self, tag: str) -> None:
        if not self._capture:
            return
        if self._depth:
            self._depth -= 1
            return
        kind, key = self._capture
        text = " ".join("".join(self._buffer).split())
        {"row": self.rows, "field": self.fields, "exception": self.exceptions}[kind][key] = text
        self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._buffer.append(data)


def read(out: Path, path: str) -> Page:
    return Page((out / path).read_text(encoding="utf-8"))


def spans(intervals: list[dict], lang: str) -> str:
    """The API's 24-hour spans as the page writes them for a reader of `lang` (CLDR): "10:00 AM – 10:00 PM" in en."""
    return " ".join(", ".join(when.span(*parse_interval(f"{i['opens']}-{i['closes']}"), lang) for i in intervals).split())


def test_every_store_page_matches_the_api(built: tuple[Path, Database]) -> None:
    out, database = built
    compared = 0
    with make_client(database) as client:
        for lang in BOOK.chain.languages:
            closed = words(lang, BOOK.chain).gettext("Closed")
            for store in BOOK.stores:
                api = client.get(f"/api/v1/stores/{store.id}?lang={lang}").json()["store"]
                page = read(out, f"{lang}/stores/{store.id}/index.html")
                assert page.rows == {d["day"]: spans(d["intervals"], lang) or closed for d in api["hours"]}
                assert page.fields["phone"] == api["phone"] and page.fields["email"] == api["email"]
                assert page.fields["address"].startswith(f"{api['address']}, {api['city']}")
                expected = {e["date"]: (closed if e["closed"] else spans(e["intervals"], lang)) + (f" ({e['note']})" if e["note"] else "") for e in api["exceptions"]}
                assert {d: text.split(": ", 1)[1] for d, text in page.exceptions.items()} == expected
                compared += 1
    assert compared == len(BOOK.stores) * len(BOOK.chain.languages)


def test_opening_hours_are_written_as_each_reader_writes_times(built: tuple[Path, Database]) -> None:
    out, _ = built

    def monday(lang: str) -> str:
        return " ".join(read(out, f"{lang}/stores/sarajevo-alta/index.html").rows["mon"].split())

    assert monday("en") == "10:00 AM – 10:00 PM"  # the book says 10:00-22:00; English readers use a 12-hour clock
    assert monday("bs") == "10:00 – 22:00"
    assert monday("ru") == "10:00 – 22:00"


def test_rows_are_keyed_by_weekday(built: tuple[Path, Database]) -> None:
    out, _ = built
    page = read(out, "bs/stores/sarajevo-alta/index.html")
    assert " ".join(page.rows["fri"].split()) == "10:00 – 01:00" and " ".join(page.rows["sun"].split()) == "10:00 – 20:00"
    assert read(out, "bs/stores/sarajevo-ferhadija/index.html").rows["sun"] == "Zatvoreno"


def test_every_page_has_the_right_lang(built: tuple[Path, Database]) -> None:
    out, _ = built
    for lang in BOOK.chain.languages:
        pages = list((out / lang).rglob("*.html"))
        assert len(pages) > len(BOOK.stores)
        for page in pages:
            assert read(out, str(page.relative_to(out))).lang == lang, page


def test_no_broken_internal_link(built: tuple[Path, Database]) -> None:
    out, database = built
    server_pages = set()
    checked = 0
    for file in out.rglob("*.html"):
        url = "/" + str(file.relative_to(out)).removesuffix("index.html")
        for link in read(out, str(file.relative_to(out))).links:
            target = urlparse(urljoin(url, link))
            if target.scheme in ("http", "https", "mailto", "tel", "data") or target.netloc:
                continue
            path = target.path
            if path.startswith(("/complaint", "/api/", "/s/")):
                server_pages.add(path)
                continue
            local = out / path.lstrip("/")
            assert local.is_file() or (local / "index.html").is_file(), f"{url}: broken link {link}"
            checked += 1
    assert checked > 500
    with make_client(database) as client:
        for path in server_pages:
            assert client.get(path, follow_redirects=True).status_code == 200, path


def test_the_language_switcher_stays_on_the_same_page(built: tuple[Path, Database]) -> None:
    out, _ = built
    page = read(out, "ru/stores/kazan-baumana/index.html")
    alternates = [link for link in page.links if re.fullmatch(r"/(en|bs|ru)/stores/kazan-baumana/", link)]
    assert sorted(alternates) == ["/bs/stores/kazan-baumana/", "/en/stores/kazan-baumana/", "/ru/stores/kazan-baumana/"]


def test_complaint_procedure_uses_the_clock_settings(built: tuple[Path, Database]) -> None:
    out, _ = built
    text = (out / "bs/complaints/index.html").read_text(encoding="utf-8")
    procedure = BOOK.chain.complaints
    assert f'data-acknowledge-hours="{procedure.acknowledge_within_hours}"' in text
    assert f'data-respond-hours="{procedure.respond_within_hours}"' in text
    assert "odgovaramo u roku od 10 sati" in text
    assert 'href="/complaint?lang=bs"' in text and 'href="/complaint/status?lang=bs"' in text


def test_search_language_and_material_fallback(built: tuple[Path, Database]) -> None:
    out, _ = built
    assert '"lang":["ru"]' in (out / "ru/search/search_index.json").read_text(encoding="utf-8").replace(" ", "")
    bosnian = (out / "bs/index.html").read_text(encoding="utf-8")
    assert '<html lang="bs"' in bosnian  # Material has no Bosnian: our language file keeps the code right


def test_faq_is_grouped_by_topic(built: tuple[Path, Database]) -> None:
    out, _ = built
    text = (out / "ru/faq/index.html").read_text(encoding="utf-8")
    positions = [text.index(title) for title in ("Покупки", "Возврат и жалобы", "Карта лояльности и скидки")]
    assert positions == sorted(positions)
    assert text.count('<h3 id="') == len(BOOK.faq.entries)


def test_the_server_serves_the_site_at_the_root(built: tuple[Path, Database]) -> None:
    out, database = built
    with make_client(database, site_dir=out) as client:
        root = client.get("/", headers={"Accept-Language": "ru"}, follow_redirects=False)
        assert (root.status_code, root.headers["location"]) == (302, "/ru/"), "the server sends readers to their language"
        assert 'url=/en/' in (out / "index.html").read_text(encoding="utf-8"), "a static host still reaches the default"
        assert client.get("/ru/stores/moskva-arbat/").status_code == 200
        assert client.get("/api/v1/faq").headers["content-type"] == "application/json"


def test_store_finder_filters_by_city_without_javascript(built: tuple[Path, Database]) -> None:
    out, _ = built
    text = (out / "en/stores/index.html").read_text(encoding="utf-8")
    places = {(store.country, pick(store.city, "en", "en")) for store in BOOK.stores}  # the English page names cities in English
    for country, city in places:
        anchor = f"city-{country.lower()}-" + "-".join(city.lower().split())
        assert f'href="#{anchor}"' in text and f'id="{anchor}"' in text
        assert f'href="#country-{country.lower()}"' in text and f'id="country-{country.lower()}"' in text
    section = text[text.index('id="city-ba-sarajevo"'):].split("</section>")[0]
    assert section.count("data-store=") == 2  # Ferhadija and Alta
    moscow = text[text.index('id="city-ru-moscow"'):].split("</section>")[0]
    assert all(name in moscow for name in ("moscow", "москва", "moskva", "липа арбат", "арбат, 24")), "found by any of its names and its address"


@pytest.mark.parametrize(("lang", "bosnia", "russia"), [("en", "Bosnia &amp; Herzegovina", "Russia"), ("bs", "Bosna i Hercegovina", "Rusija"), ("ru", "Босния и Герцеговина", "Россия")])
def test_store_finder_groups_by_country_named_in_the_readers_language(built: tuple[Path, Database], lang: str, bosnia: str, russia: str) -> None:
    out, _ = built
    text = (out / f"{lang}/stores/index.html").read_text(encoding="utf-8")
    assert f'<h2 id="country-ba">{bosnia}</h2>' in text and f'<h2 id="country-ru">{russia}</h2>' in text  # CLDR's names
    countries = re.findall(r'<section data-country="(\w+)">', text)
    assert len(countries) == len({store.country for store in BOOK.stores}) and set(countries) >= {"BA", "RU"}
    bosnian = text[text.index('data-country="BA"'):text.index('data-country="RU"')]
    cities = [pick(BOOK.stores_by_id[s].city, lang, "en") for s in ("banja-luka-delta", "mostar-centar", "sarajevo-alta")]
    assert re.findall(r"<h3 [^>]*>([^<]+)</h3>", bosnian) == sorted(cities), "cities in order under their country"


def _attributes(text: str, element: str) -> dict[str, str]:
    """The attributes of the first element that has `element` among them (unescaped)."""
    tag = re.search(rf"<[a-z]+ [^>]*\b{element}\b[^>]*>", text)
    assert tag, element
    return {name: html.unescape(value) for name, value in re.findall(r'([\w-]+)="([^"]*)"', tag[0])}


def test_the_hours_script_reads_the_books_hours_and_the_apis_changes(built: tuple[Path, Database]) -> None:
    out, database = built
    with make_client(database) as client:
        for store in BOOK.stores:
            api = client.get(f"/api/v1/stores/{store.id}?lang=en").json()["store"]
            for page in (f"en/stores/{store.id}/index.html", "en/stores/index.html"):
                text = (out / page).read_text(encoding="utf-8")
                data = _store_data(text, store.id)
                assert data["data-tz"] == store.timezone
                week = json.loads(data["data-week"])
                assert week == {d["day"]: [list(parse_interval(f"{i['opens']}-{i['closes']}")) for i in d["intervals"]] for d in api["hours"]}
                changes = json.loads(data["data-exceptions"])
                assert {day: (c["hours"] == [], c["note"]) for day, c in changes.items()} == {e["date"]: (e["closed"], e["note"]) for e in api["exceptions"]}


def _store_data(text: str, store_id: str) -> dict[str, str]:
    """The hours data of `store_id` on a store page (its state line) or in the finder (its entry)."""
    if 'data-open-now' in text:
        return _attributes(text, "data-open-now")
    entry = re.search(rf'<li [^>]*data-store-hours[^>]*>(?:(?!</li>).)*href="{store_id}/"', text, re.S)
    assert entry, store_id
    return _attributes(entry[0], "data-store-hours")


@pytest.mark.parametrize("lang", ["bs", "ru"])
def test_the_words_the_hours_script_fills_are_the_readers(built: tuple[Path, Database], lang: str) -> None:
    out, _ = built
    english = _attributes((out / "en/stores/sarajevo-alta/index.html").read_text(encoding="utf-8"), "data-hours-words")
    for page in ("stores/sarajevo-alta/index.html", "stores/index.html"):
        found = _attributes((out / f"{lang}/{page}").read_text(encoding="utf-8"), "data-hours-words")
        labels = {name: text for name, text in found.items() if name.endswith("-label")}
        assert len(labels) >= 16 and all(text != english[name] for name, text in labels.items()), labels
        assert all(text.count("{time}") == english[name].count("{time}") for name, text in labels.items()), "every placeholder kept"
    bosnian = _attributes((out / "bs/stores/index.html").read_text(encoding="utf-8"), "data-hours-words")
    assert (bosnian["data-day-pattern"], bosnian["data-date-pattern"]) == ("{weekday}, {day}. {month}", "{day}. {month}")  # CLDR's
    assert json.loads(bosnian["data-weekdays"])[3] == "srijeda" and json.loads(bosnian["data-months"])[10] == "novembar"
    assert json.loads(_attributes((out / "ru/stores/index.html").read_text(encoding="utf-8"), "data-hours-words")["data-months"])[0] == "января"


def test_the_directions_link_goes_to_the_coordinates_or_the_address(built: tuple[Path, Database]) -> None:
    out, _ = built
    alta = (out / "en/stores/sarajevo-alta/index.html").read_text(encoding="utf-8")
    assert 'href="https://www.openstreetmap.org/directions?to=43.8569%2C18.4127"' in alta
    kazan = (out / "en/stores/kazan-baumana/index.html").read_text(encoding="utf-8")  # no coordinates in the book
    assert f'href="https://www.openstreetmap.org/directions?to={quote_plus("ул. Баумана, 51, Kazan")}"' in kazan
