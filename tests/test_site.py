"""The public site, built for real with MkDocs Material, against the API it must never contradict."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from audit_api.book import load_book
from audit_api.book.i18n import pick
from audit_api.book.intervals import parse_interval
from audit_api.render import when
from audit_api.site.build import build_site
from audit_api.store import Database, migrate, publish
from audit_api.words import words

from .conftest import DEMO_BOOK, NOON_TUESDAY, ROOT, make_client

BOOK = load_book(DEMO_BOOK)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Database]:
    folder = tmp_path_factory.mktemp("site")
    database = Database(folder / "audit.db")
    migrate(database)
    publish(database, BOOK)
    out = folder / "site"
    build_site(BOOK, ROOT, out, now=NOON_TUESDAY)
    yield out, database
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
    cities = sorted({pick(store.city, "en", "en") for store in BOOK.stores})  # the English page names cities in English
    for city in cities:
        anchor = "city-" + "-".join(city.lower().split())
        assert f'href="#{anchor}"' in text and f'id="{anchor}"' in text
    section = text[text.index('id="city-sarajevo"'):].split("</section>")[0]
    assert section.count("data-store=") == 2  # Ferhadija and Alta
    moscow = text[text.index('id="city-moscow"'):].split("</section>")[0]
    assert all(name in moscow for name in ("moscow", "москва", "moskva", "липа арбат")), "found by any of its names"
