"""No English left behind: every page the product writes, read in Swahili, Spanish and Bulgarian, shows
none of the product's English words.

The test book here is the demo book made to speak en, es, sw and bg (chain and stores). Its own
texts are not the product's words: they are given in each language as the Russian text, so any Latin
word the product shows in English stands out. A word is "English" in a language when its catalog's
translation differs from the English id; placeholders (`%(num)s`) match anything.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import msgspec
import pytest
from babel.messages.pofile import read_po

from audit_api.book import Book, load_book
from audit_api.domain.links import link_token
from audit_api.posters import write_posters
from audit_api.site.build import build_site
from audit_api.store import Database, publish
from audit_api.store.secret import instance_secret
from audit_api.words import LOCALE

from .audit_helpers import assign, audit_body, perfect_answers
from .conftest import DEMO_BOOK, NOON_TUESDAY, ROOT, Actor, make_client, once_per_run
from .test_survey_pages import GOOD, answer

LANGUAGES = ["sw", "es", "bg"]
SPOKEN = ["en", *LANGUAGES]
STORE, TOUCHPOINT = "sarajevo-ferhadija", "fitting-room"
# What a reader sees or hears: text, and these attributes (screen readers, placeholders, labels scripts show).
SHOWN_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt", "data-open-label", "data-closed-label"}


def speaking(folder: Path) -> Book:
    """The demo book in `folder` (a copy), made to speak en, es, sw and bg, its texts in those as the Russian text."""
    for path in [folder / "chain.yaml", *(folder / "stores").glob("*.yaml")]:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^languages: \[.*\]$", f"languages: [{', '.join(SPOKEN)}]", text), encoding="utf-8")
    book = load_book(folder)
    return msgspec.convert(_texts_in_every_language(msgspec.to_builtins(book)), Book)


def _texts_in_every_language(value: Any) -> Any:
    if isinstance(value, dict):
        if value and "en" in value and set(value) <= {"en", "bs", "ru", *LANGUAGES}:  # a Text of the book
            return {**value, **{lang: value.get("ru") or value["en"] for lang in LANGUAGES}}
        return {key: _texts_in_every_language(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_texts_in_every_language(child) for child in value]
    return value


def english(lang: str) -> dict[str, re.Pattern[str]]:
    """The English ids whose translation into `lang` differs from them, each as a pattern over a page's text."""
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=lang)
    found = {}
    for message in catalog:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for msgid in ids:
            if msgid and msgid not in strings:
                pattern = r"\S+?".join(re.escape(part) for part in re.split(r"%\(\w+\)s", msgid))
                found[msgid] = re.compile(rf"(?<!\w){pattern}(?!\w)")
    return found


class Shown(HTMLParser):
    """The text of a page a reader is shown, with the attributes above; scripts and styles left out."""

    def __init__(self, page: str):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts += [value for name, value in attrs if name in SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def shown(page: str) -> str:
    text = "\n".join(Shown(page).parts)
    # Material's search shows the words its page configuration carries (`__config`), once a reader searches.
    config = re.search(r'<script id="__config" type="application/json">(.*?)</script>', page, re.S)
    if config:
        text += "\n" + "\n".join(json.loads(config[1])["translations"].values())
    return " ".join(text.split())


def leaks(pages: dict[str, str], lang: str) -> dict[str, list[str]]:
    """Per page, the English words on it."""
    patterns = english(lang)
    texts = {name: shown(page) for name, page in pages.items()}
    found = {name: sorted(msgid for msgid, pattern in patterns.items() if pattern.search(text)) for name, text in texts.items()}
    return {name: words for name, words in found.items() if words}


def test_the_check_finds_an_english_word() -> None:
    page = '<html lang="en"><body><h1>Thank you</h1><input placeholder="Search by name, city or street"><p>We answer every complaint within 10 hours.</p></body></html>'
    assert leaks({"page": page}, "sw") == {"page": ["Search", "Search by name, city or street", "Thank you", "We answer every complaint within %(num)s hours."]}


# --- customers' pages, the error page, the report ---------------------------------------------


@pytest.fixture
def served(book_dir: Path, loaded: Database, actors: dict[str, Actor]) -> Database:
    publish(loaded, speaking(book_dir))
    return loaded


def customers_pages(database: Database, lang: str) -> dict[str, str]:
    url = f"/s/{link_token(instance_secret(database.path), STORE, TOUCHPOINT)}"
    pages = {}
    with make_client(database) as client:
        pages["survey"] = client.get(f"{url}?lang={lang}").text
        errors = client.post(url, data={"lang": lang, "satisfied": "9", "contact-ok": "yes", "contact_email": "not an address"})
        assert errors.status_code == 422
        pages["survey with errors"] = errors.text
        thanks = answer(client, url, {**GOOD, "recommend": "3", "lang": lang})  # a detractor: offered the complaint form
        assert thanks.status_code == 200 and "/complaint?" in thanks.text
        pages["thank-you"] = thanks.text
        pages["complaint form"] = client.get(f"/complaint?store={STORE}&lang={lang}").text
        wrong = {"lang": lang, "store": "atlantis", "happened_on": "2030-01-01", "what": "", "consent": "yes", "contact_phone": "x"}
        refused = client.post("/complaint", data=wrong)
        assert refused.status_code == 422
        pages["complaint form with errors"] = refused.text
        filed = {"lang": lang, "store": STORE, "happened_on": "2026-11-23", "what": "Я ждал двадцать минут.", "desired": "apology"}
        ticket_page = client.post("/complaint", data=filed)
        ticket = re.search(r'id="ticket">([^<]+)<', ticket_page.text)
        assert ticket, ticket_page.text
        pages["ticket"] = ticket_page.text
        pages["status"] = client.get(f"/complaint/status/{ticket[1]}?lang={lang}").text
        pages["status lookup"] = client.get(f"/complaint/status?lang={lang}").text
        missing = client.get(f"/s/not-one-of-ours?lang={lang}", headers={"Accept": "text/html"})
        assert missing.status_code == 404
        pages["error 404"] = missing.text
        by_header = client.get("/complaint/status/C-AAAA-AAAA", headers={"Accept": "text/html", "Accept-Language": f"{lang},en;q=0.5"})
        assert by_header.status_code == 404 and f'<html lang="{lang}">' in by_header.text
        pages["error 404 by Accept-Language"] = by_header.text
    for name, page in pages.items():
        assert f'<html lang="{lang}">' in page, name
    return pages


def report_page(database: Database, actors: dict[str, Actor], lang: str) -> str:
    auditor, admin = actors["auditor_a"], actors["admin"]
    visit = assign(database, auditor.user, admin.user)
    # A failed critical item with a comment and no photo yet, far from the store: every part of the report shows.
    answers = [dict(x, value=False, comment="Чек не выдали") if x["item"] == "correct-receipt" else x for x in perfect_answers()]
    body = audit_body(visit.id, answers, gps={"lat": 0.0, "lon": 0.0, "accuracy_m": 5}, staff_observed="Лейла")
    with make_client(database) as client:
        client.put(f"/api/v1/audits/{uuid.uuid4()}", json=body, headers=auditor.headers).raise_for_status()
        page = client.get(f"/api/v1/visits/{visit.id}/report?lang={lang}", headers=admin.headers)
    assert page.status_code == 200 and f'<html lang="{lang}">' in page.text
    return page.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_english_on_the_customers_pages_the_error_page_and_the_report(served: Database, actors: dict[str, Actor], lang: str) -> None:
    pages = customers_pages(served, lang)
    pages["report"] = report_page(served, actors, lang)
    assert leaks(pages, lang) == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_english_on_a_poster(book_dir: Path, tmp_path: Path, lang: str) -> None:
    book = speaking(book_dir)
    store = msgspec.structs.replace(book.stores_by_id[STORE], languages=[lang])
    [(_, poster)] = [w for w in write_posters(msgspec.structs.replace(book, stores=[store]), b"k" * 32, "https://lipa.example", tmp_path) if TOUCHPOINT in str(w[1])]
    page = poster.read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in page
    assert leaks({"poster": page}, lang) == {}


# --- the public site ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    def build(out: Path) -> None:
        shutil.copytree(DEMO_BOOK, out.parent / "checklists")
        build_site(speaking(out.parent / "checklists"), ROOT, out, now=NOON_TUESDAY)

    return once_per_run(tmp_path_factory, "speaking-site", build)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_english_on_the_site(site: Path, lang: str) -> None:
    pages = {str(path.relative_to(site)): path.read_text(encoding="utf-8") for path in sorted((site / lang).rglob("*.html"))}
    assert len(pages) > 10 and all(f'<html lang="{lang}"' in page for page in pages.values())
    assert leaks(pages, lang) == {}
