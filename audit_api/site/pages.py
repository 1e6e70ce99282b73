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
from ..domain.public import PublicStore, public_complaint_procedure, public_contacts, public_faq, public_store
from ..render import when
from ..words import Words, words
from .labels import COMPLAINTS, CONTACTS, FAQ, STORES, weekday_names

Pages = dict[str, str]  # path inside docs/ -> Markdown


def pages_for(book: Book, lang: str, now: dt.datetime) -> Pages:
    t = words(lang, book.chain)
    stores = {store.id: public_store(book, store, lang, now) for store in book.stores}
    pages = {
        "index.md": _home(book, lang, t),
        "faq.md": _faq(book, lang, t),
        "complaints.md": _complaints(book, lang, t),
        "contacts.md": _contacts(book, lang, t),
        "stores/index.md": _finder(book, stores, t),
    }
    days = weekday_names(lang, book.chain.default_language)
    for store in book.stores:
        pages[f"stores/{store.id}.md"] = _store(store, stores[store.id], days, t, lang)
    return pages


def _home(book: Book, lang: str, t: Words) -> str:
    tagline = pick(book.chain.tagline, lang, book.chain.default_language)
    cities = sorted({pick(store.city, lang, book.chain.default_language) for store in book.stores})
    find, faq, complaints, contacts = (escape(word) for word in (t.gettext("Find a store"), t.gettext(FAQ), t.gettext(COMPLAINTS), t.gettext(CONTACTS)))
    return "\n".join([
        f"# {escape(book.chain.name)}",
        "",
        escape(tagline),
        "",
        f"- [{find}](stores/index.md) ({len(book.stores)}: {escape(', '.join(cities))})",
        f"- [{faq}](faq.md)",
        f"- [{complaints}](complaints.md)",
        f"- [{contacts}](contacts.md)",
        "",
    ])


def _faq(book: Book, lang: str, t: Words) -> str:
    lines = ["# " + escape(t.gettext(FAQ)), ""]
    for topic in public_faq(book, lang):
        if not topic.entries:
            continue
        lines += [f"## {escape(topic.title)}", ""]
        for entry in topic.entries:
            lines += [f"### {escape(entry.question)} {{ #{entry.id} }}", "", escape(entry.answer), ""]
    return "\n".join(lines)


def _complaints(book: Book, lang: str, t: Words) -> str:
    _, ngettext = t.gettext, t.ngettext
    procedure = public_complaint_procedure(book, lang)
    steps = "\n".join(f"{n}. {escape(step)}" for n, step in enumerate(procedure.steps, 1))
    targets = " ".join([
        ngettext("We confirm every complaint within %(num)s hour.", "We confirm every complaint within %(num)s hours.", procedure.acknowledge_within_hours),
        ngettext("We answer every complaint within %(num)s hour.", "We answer every complaint within %(num)s hours.", procedure.respond_within_hours),
    ])
    make, follow = escape(_("Make a complaint")), escape(_("Follow a complaint with its ticket number"))
    return "\n".join([
        "# " + escape(t.gettext(COMPLAINTS)),
        "",
        escape(_("If something went wrong, tell us. This is what happens next:")),
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
        f"- [{make}](/complaint?lang={lang})",
        f"- [{follow}](/complaint/status?lang={lang})",
        "",
    ])


def _contacts(book: Book, lang: str, t: Words) -> str:
    lines = ["# " + escape(t.gettext(CONTACTS)), ""]
    for contact in public_contacts(book, lang):
        href = {"phone": f"tel:{contact.value.replace(' ', '')}", "email": f"mailto:{contact.value}"}.get(
            contact.kind, contact.value if contact.value.startswith("http") else None
        )
        value = f'<a href="{escape(href)}">{escape(contact.value)}</a>' if href else escape(contact.value)
        hours = f"<br>{escape(contact.hours)}" if contact.hours else ""
        lines += [f'<p class="contact" data-kind="{contact.kind}"><strong>{escape(contact.label)}</strong>: {value}{hours}</p>', ""]
    return "\n".join(lines)


def _finder(book: Book, stores: dict[str, PublicStore], t: Words) -> str:
    search = escape(t.gettext("Search by name, city or street"))
    lines = [
        "# " + escape(t.gettext(STORES)),
        "",
        '<div class="store-finder" markdown>',
        f'<label for="store-search" hidden>{search}</label>',
        f'<input id="store-search" type="search" data-store-search hidden placeholder="{search}">',
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
            needle = escape(" ".join([*store.names, store.address]).lower())  # found by any of its names
            lines.append(f'- <span data-store="{needle}" markdown>[{escape(store.name)}]({store.id}.md) · {escape(store.address)}</span>')
        lines += ["", "</section>", ""]
    lines += ["</div>", ""]
    return "\n".join(lines)


def _store(store: Store, view: PublicStore, days: dict[str, str], t: Words, lang: str) -> str:
    _ = t.gettext
    # TRANSLATORS: "Closed" stands in a store's opening hours for a day it does not open.
    closed, address, phone, email, on_the_map = (escape(word) for word in (_("Closed"), _("Address"), _("Phone"), _("E-mail"), _("Show on the map")))
    # TRANSLATORS: %(time)s is the time the store closes today, e.g. 21:00.
    open_now, closed_now = escape(_("Open now, until %(time)s", time="{time}")), escape(_("Closed now"))  # open-now.js puts the time in
    hours_title, exceptions_title = escape(_("Opening hours")), escape(_("Changes to the opening hours"))
    local_times = escape(_("Times are local to the store (%(timezone)s).", timezone=view.timezone))
    if view.coordinates:
        c = view.coordinates
        map_url = f"https://www.openstreetmap.org/?mlat={c.lat}&mlon={c.lon}#map=17/{c.lat}/{c.lon}"
    else:
        map_url = f"https://www.openstreetmap.org/search?query={quote_plus(f'{view.address}, {view.city}')}"
    week = {day: [list(parse_interval(text)) for text in getattr(store.hours, day)] for day in WEEKDAYS}
    exceptions = {str(e.date): [list(i) for i in intervals_on(store, e.date)] for e in view.exceptions}
    def spans(pairs: list[list[int]]) -> str:  # as the reader writes times: "9:00 AM – 8:00 PM", "09:00–20:00"
        return escape(", ".join(when.span(opens, closes, lang) for opens, closes in pairs))

    rows = "\n".join(
        f'<tr data-day="{day}"><th scope="row">{escape(days[day])}</th><td>{spans(week[day]) or closed}</td></tr>' for day in WEEKDAYS
    )
    lines = [
        f"# {escape(view.name)}",
        "",
        f'<p class="open-now" data-open-now data-tz="{escape(view.timezone)}" data-week="{escape(json.dumps(week))}" '
        f'data-exceptions="{escape(json.dumps(exceptions))}" data-open-label="{open_now}" '
        f'data-closed-label="{closed_now}" aria-live="polite"></p>',
        "",
        f'<dl class="store-contacts">'
        f'<dt>{address}</dt><dd data-field="address">{escape(view.address)}, {escape(view.city)} '
        f'(<a href="{escape(map_url)}">{on_the_map}</a>)</dd>'
        f'<dt>{phone}</dt><dd data-field="phone"><a href="tel:{escape(view.phone.replace(" ", ""))}">{escape(view.phone)}</a></dd>'
        f'<dt>{email}</dt><dd data-field="email"><a href="mailto:{escape(view.email)}">{escape(view.email)}</a></dd>'
        f"</dl>",
        "",
        f"## {hours_title}",
        "",
        f'<table class="hours">\n{rows}\n</table>',
        "",
        f"<p><small>{local_times}</small></p>",
        "",
    ]
    if view.exceptions:
        lines += [f"## {exceptions_title}", "", '<ul class="exceptions">']
        for e in view.exceptions:
            hours = closed if e.closed else spans(exceptions[str(e.date)])
            note = f" ({escape(e.note)})" if e.note else ""
            day = escape(when.day(e.date, lang))  # the date as the reader writes it, e.g. "četvrtak, 24. decembar 2026."
            lines.append(f'<li data-exception-date="{e.date}"><time datetime="{e.date}">{day}</time>: <span data-hours>{hours}</span>{note}</li>')
        lines += ["</ul>", ""]
    return "\n".join(lines)
