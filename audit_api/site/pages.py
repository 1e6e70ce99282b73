"""The site's pages as Markdown, one language at a time, from the published book.

Every fact comes through `domain/public.py`, the same views the public API answers with, so the site
and the API cannot disagree. Text from the book is HTML-escaped wherever it lands in raw HTML.
Not for: running MkDocs (`site/build.py` does that).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html import escape
from urllib.parse import quote_plus

from ..book.i18n import pick
from ..book.intervals import parse_interval
from ..book.models import WEEKDAYS, Book, Store
from ..domain.hours import intervals_on
from ..domain.public import PublicInterval, PublicStore, public_complaint_procedure, public_contacts, public_faq, public_store
from .labels import site_labels

Pages = dict[str, str]  # path inside docs/ -> Markdown


def pages_for(book: Book, lang: str, now: dt.datetime) -> Pages:
    t = site_labels(lang)
    stores = {store.id: public_store(book, store, lang, now) for store in book.stores}
    pages = {
        "index.md": _home(book, lang, t),
        "faq.md": _faq(book, lang, t),
        "complaints.md": _complaints(book, lang, t),
        "contacts.md": _contacts(book, lang, t),
        "stores/index.md": _finder(book, stores, t),
    }
    for store in book.stores:
        pages[f"stores/{store.id}.md"] = _store(store, stores[store.id], lang, t)
    return pages


def _home(book: Book, lang: str, t: dict[str, str]) -> str:
    tagline = pick(book.chain.tagline, lang, book.chain.default_language)
    cities = sorted({store.city for store in book.stores})
    return "\n".join([
        f"# {escape(book.chain.name)}",
        "",
        escape(tagline),
        "",
        f"- [{t['find_store']}](stores/index.md) ({len(book.stores)}: {escape(', '.join(cities))})",
        f"- [{t['faq']}](faq.md)",
        f"- [{t['complaints']}](complaints.md)",
        f"- [{t['contacts']}](contacts.md)",
        "",
    ])


def _faq(book: Book, lang: str, t: dict[str, str]) -> str:
    lines = [f"# {t['faq']}", ""]
    for topic in public_faq(book, lang):
        if not topic.entries:
            continue
        lines += [f"## {escape(topic.title)}", ""]
        for entry in topic.entries:
            lines += [f"### {escape(entry.question)} {{ #{entry.id} }}", "", escape(entry.answer), ""]
    return "\n".join(lines)


def _complaints(book: Book, lang: str, t: dict[str, str]) -> str:
    procedure = public_complaint_procedure(book, lang)
    steps = "\n".join(f"{n}. {escape(step)}" for n, step in enumerate(procedure.steps, 1))
    targets = t["targets"].format(ack=procedure.acknowledge_within_hours, respond=procedure.respond_within_hours)
    return "\n".join([
        f"# {t['complaints']}",
        "",
        t["procedure_intro"],
        "",
        '<div class="steps" markdown>',
        "",
        steps,
        "",
        "</div>",
        "",
        f'<p class="targets" data-acknowledge-hours="{procedure.acknowledge_within_hours}" '
        f'data-respond-hours="{procedure.respond_within_hours}"><strong>{escape(targets)}</strong></p>',
        "",
        f"- [{t['make_complaint']}](/complaint?lang={lang})",
        f"- [{t['track_complaint']}](/complaint/status?lang={lang})",
        "",
    ])


def _contacts(book: Book, lang: str, t: dict[str, str]) -> str:
    lines = [f"# {t['contacts']}", ""]
    for contact in public_contacts(book, lang):
        href = {"phone": f"tel:{contact.value.replace(' ', '')}", "email": f"mailto:{contact.value}"}.get(
            contact.kind, contact.value if contact.value.startswith("http") else None
        )
        value = f'<a href="{escape(href)}">{escape(contact.value)}</a>' if href else escape(contact.value)
        hours = f"<br>{escape(contact.hours)}" if contact.hours else ""
        lines += [f'<p class="contact" data-kind="{contact.kind}"><strong>{escape(contact.label)}</strong>: {value}{hours}</p>', ""]
    return "\n".join(lines)


def _finder(book: Book, stores: dict[str, PublicStore], t: dict[str, str]) -> str:
    lines = [
        f"# {t['stores']}",
        "",
        '<div class="store-finder" markdown>',
        f'<label for="store-search" hidden>{t["search_stores"]}</label>',
        f'<input id="store-search" type="search" data-store-search hidden placeholder="{escape(t["search_stores"])}">',
        "",
    ]
    by_city: dict[str, list[PublicStore]] = {}
    for store in stores.values():
        by_city.setdefault(store.city, []).append(store)
    anchors = {city: "city-" + "-".join(re.findall(r"\w+", city.lower())) for city in by_city}
    # Filtering by city needs no script: every city is a link to its own list.
    lines += [" · ".join(f"[{escape(city)}](#{anchors[city]})" for city in sorted(by_city)), ""]
    for city in sorted(by_city):
        lines += [f'<section data-city="{escape(city)}" markdown>', "", f"## {escape(city)} {{ #{anchors[city]} }}", ""]
        for store in sorted(by_city[city], key=lambda s: s.name):
            needle = escape(f"{store.name} {store.city} {store.address}".lower())
            lines.append(f'- <span data-store="{needle}" markdown>[{escape(store.name)}]({store.id}.md) · {escape(store.address)}</span>')
        lines += ["", "</section>", ""]
    lines += ["</div>", ""]
    return "\n".join(lines)


def _span(interval: PublicInterval) -> str:
    return f"{interval.opens}–{interval.closes}"


def _store(store: Store, view: PublicStore, lang: str, t: dict[str, str]) -> str:
    if view.coordinates:
        c = view.coordinates
        map_url = f"https://www.openstreetmap.org/?mlat={c.lat}&mlon={c.lon}#map=17/{c.lat}/{c.lon}"
    else:
        map_url = f"https://www.openstreetmap.org/search?query={quote_plus(f'{view.address}, {view.city}')}"
    week = {day: [list(parse_interval(text)) for text in getattr(store.hours, day)] for day in WEEKDAYS}
    exceptions = {str(e.date): [list(i) for i in intervals_on(store, e.date)] for e in view.exceptions}
    rows = "\n".join(
        f'<tr data-day="{day.day}"><th scope="row">{t[day.day]}</th>'
        f'<td>{", ".join(_span(i) for i in day.intervals) or t["closed"]}</td></tr>'
        for day in view.hours
    )
    lines = [
        f"# {escape(view.name)}",
        "",
        f'<p class="open-now" data-open-now data-tz="{escape(view.timezone)}" data-week="{escape(json.dumps(week))}" '
        f'data-exceptions="{escape(json.dumps(exceptions))}" data-open-label="{escape(t["open_now"])}" '
        f'data-closed-label="{escape(t["closed_now"])}" aria-live="polite"></p>',
        "",
        f'<dl class="store-contacts">'
        f'<dt>{t["address"]}</dt><dd data-field="address">{escape(view.address)}, {escape(view.city)} '
        f'(<a href="{escape(map_url)}">{t["map"]}</a>)</dd>'
        f'<dt>{t["phone"]}</dt><dd data-field="phone"><a href="tel:{escape(view.phone.replace(" ", ""))}">{escape(view.phone)}</a></dd>'
        f'<dt>{t["email"]}</dt><dd data-field="email"><a href="mailto:{escape(view.email)}">{escape(view.email)}</a></dd>'
        f"</dl>",
        "",
        f"## {t['hours']}",
        "",
        f'<table class="hours">\n{rows}\n</table>',
        "",
        f"<p><small>{escape(t['times_local'].format(tz=view.timezone))}</small></p>",
        "",
    ]
    if view.exceptions:
        lines += [f"## {t['exceptions']}", "", '<ul class="exceptions">']
        for e in view.exceptions:
            hours = t["closed"] if e.closed else ", ".join(_span(i) for i in e.intervals)
            note = f" ({escape(e.note)})" if e.note else ""
            lines.append(f'<li data-exception-date="{e.date}"><time datetime="{e.date}">{e.date}</time>: <span data-hours>{hours}</span>{note}</li>')
        lines += ["</ul>", ""]
    return "\n".join(lines)
