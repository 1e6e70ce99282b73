"""The site's pages as Markdown, one language at a time, from the published book.

Every fact comes through `domain/public.py`, the same views the public API answers with, so the site
and the API cannot disagree. Text from the book is HTML-escaped wherever it lands in raw HTML.
Not for: running MkDocs (`site/build.py` does that).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from html import escape
from pathlib import Path
from urllib.parse import quote_plus

import material
from babel.dates import format_date, get_day_names, get_month_names

from ..book.i18n import pick
from ..book.intervals import parse_interval
from ..book.models import WEEKDAYS, Book, Store
from ..domain.hours import intervals_on
from ..domain.public import PublicStore, public_complaint_procedure, public_contacts, public_faq, public_store
from ..render import when
from ..words import N_, NP_, Words, words
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
    """The way in: the chain's name and tagline, a store search that leads to the store finder, and a tile for
    each thing customers come for (a store, a complaint made or followed, the FAQ, contacts), each big enough
    to tap, saying what is behind it from the book. No navigation sidebar: the tiles are the navigation."""
    _, ngettext, default = t.gettext, t.ngettext, book.chain.default_language
    cities = sorted({pick(store.city, lang, default) for store in book.stores})
    procedure = public_complaint_procedure(book, lang)
    topics = [topic.title for topic in public_faq(book, lang) if topic.entries]
    contacts = public_contacts(book, lang)
    reach = [  # the phone line and the e-mail, the number kept on one line
        f'{escape(c.label)}: <span class="nowrap">{escape(c.value)}</span>'
        for c in [c for c in contacts if c.kind == "phone"][:1] + [c for c in contacts if c.kind == "email"][:1]
    ]
    find, search, placeholder, ask = (escape(w) for w in (_("Find a store"), _("Search"), _("Search by name, city or street"), _("How can we help?")))

    def listed(names: list[str], most: int = 5) -> str:
        return escape(" · ".join(names[:most]) + (" · …" if len(names) > most else ""))

    def tile(href: str, icon: str, title: str, *lines: str) -> str:
        said = "".join(f"<span>{line}</span>" for line in lines if line)
        return f'<a class="home-tile" href="{escape(href)}">{_icon(icon)}<span class="home-tile__text"><strong>{escape(title)}</strong>{said}</span></a>'

    city_links = " ".join(f'<a href="stores/?find={quote_plus(city)}">{escape(city)}</a>' for city in cities[:8])
    return "\n".join([
        "---",
        "hide: [navigation, toc]",
        "search: {exclude: true}",  # it only repeats what the pages it leads to say
        "---",
        "",
        '<div class="home-hero" markdown>',
        "",
        f"# {escape(book.chain.name)}",
        "",
        f'<p class="home-tagline">{escape(pick(book.chain.tagline, lang, default))}</p>',
        "",
        '<form class="home-find" action="stores/" method="get" role="search">',
        f'<label for="home-find">{find}</label>',
        f'<span class="home-find__row"><input id="home-find" name="find" type="search" placeholder="{placeholder}" autocomplete="off">'
        f'<button type="submit">{search}</button></span>',
        "</form>",
        "",
        f'<p class="home-cities">{city_links}</p>' if len(cities) > 1 else "",
        "",
        "</div>",
        "",
        f"## {ask} {{ .home-ask }}",
        "",
        '<div class="home-tiles">',
        tile("stores/", "store-marker-outline", _("Find a store"),
             escape(ngettext("%(num)s store", "%(num)s stores", len(book.stores))), listed(cities)),
        tile(f"/complaint?lang={lang}", "message-alert-outline", _("Make a complaint"),
             escape(ngettext("We answer every complaint within %(num)s hour.", "We answer every complaint within %(num)s hours.",
                             procedure.respond_within_hours))),
        tile(f"/complaint/status?lang={lang}", "ticket-confirmation-outline", _("Follow your complaint"),
             escape(_("Enter the ticket number you got when you complained."))),
        tile("faq/", "help-circle-outline", _(FAQ), listed(topics, 4)),
        tile("contacts/", "phone-outline", _(CONTACTS), *reach),
        "</div>",
        "",
    ])


@functools.cache
def _icon(name: str) -> str:
    """One of Material's icons as inline SVG, hidden from screen readers (the words beside it say it all)."""
    svg = (Path(material.__file__).parent / "templates" / ".icons" / "material" / f"{name}.svg").read_text(encoding="utf-8")
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


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


# The sentences store-hours.js fills in, whole, by the name it knows each by: word order, and the form a weekday
# takes after "opens" ("в среду", "u srijedu"), are each language's own, so each weekday has its sentence.
_TIMED = {
    # TRANSLATORS: %(time)s is the time the store closes today, e.g. 21:00.
    "open": N_("Open now, until %(time)s"),
    # TRANSLATORS: a store's state line when it is closed and opens again later today; %(time)s is e.g. 08:00.
    "opens-today": N_("Closed now · opens at %(time)s"),
    # TRANSLATORS: a store's state line when it is closed and opens again tomorrow; %(time)s is e.g. 08:00.
    "opens-tomorrow": N_("Closed now · opens tomorrow at %(time)s"),
    # TRANSLATORS: a store's state line, when it is closed and opens again on that weekday of the coming week (likewise the six after it); %(time)s is e.g. 08:00.
    "opens-mon": N_("Closed now · opens Monday at %(time)s"),
    "opens-tue": N_("Closed now · opens Tuesday at %(time)s"),
    "opens-wed": N_("Closed now · opens Wednesday at %(time)s"),
    "opens-thu": N_("Closed now · opens Thursday at %(time)s"),
    "opens-fri": N_("Closed now · opens Friday at %(time)s"),
    "opens-sat": N_("Closed now · opens Saturday at %(time)s"),
    "opens-sun": N_("Closed now · opens Sunday at %(time)s"),
    # TRANSLATORS: a store's state line when it is closed for a week or more; %(date)s is a day and month, e.g. 4 January.
    "opens-date": N_("Closed now · opens %(date)s at %(time)s"),
}
# The same sentences for a time in the one o'clock hour (1:00-1:59 as the reader's clock writes it), where a
# language's words before a time change with it: Spanish closes "hasta la 1:00", not "hasta las 1:00".
_AT_ONE = "the hour is one"
_TIMED_AT_ONE = {
    # TRANSLATORS: the sentence above, for a time from 1:00 to 1:59, in languages whose words before a time change with the hour (Spanish: "hasta la 1:30", not "hasta las 1:30"). Elsewhere write it as above. Likewise the sentences after this one.
    "open": NP_("the hour is one", "Open now, until %(time)s"),
    "opens-today": NP_("the hour is one", "Closed now · opens at %(time)s"),
    "opens-tomorrow": NP_("the hour is one", "Closed now · opens tomorrow at %(time)s"),
    "opens-mon": NP_("the hour is one", "Closed now · opens Monday at %(time)s"),
    "opens-tue": NP_("the hour is one", "Closed now · opens Tuesday at %(time)s"),
    "opens-wed": NP_("the hour is one", "Closed now · opens Wednesday at %(time)s"),
    "opens-thu": NP_("the hour is one", "Closed now · opens Thursday at %(time)s"),
    "opens-fri": NP_("the hour is one", "Closed now · opens Friday at %(time)s"),
    "opens-sat": NP_("the hour is one", "Closed now · opens Saturday at %(time)s"),
    "opens-sun": NP_("the hour is one", "Closed now · opens Sunday at %(time)s"),
    "opens-date": NP_("the hour is one", "Closed now · opens %(date)s at %(time)s"),
}


def _hours_words(t: Words, lang: str) -> str:
    """The words store-hours.js writes, as data-*-label attributes with {placeholders} it fills in; each sentence
    with a time also as data-*-one-label, its form for the one o'clock hour."""
    _ = t.gettext
    slots = {"time": "{time}", "date": "{date}"}
    labels = {
        **{name: _(sentence, **slots) for name, sentence in _TIMED.items()},
        **{f"{name}-one": t.pgettext(_AT_ONE, sentence, **slots) for name, sentence in _TIMED_AT_ONE.items()},
        # TRANSLATORS: a store's state line when it stays open longer than the coming week (open day and night).
        "open-plain": _("Open now"),
        "closed": _("Closed now"),
        "closed-day": _("Closed"),
        # TRANSLATORS: marks today's row in a store's hours for the coming week.
        "today": _("Today"),
        # TRANSLATORS: a store's hours today in the store finder; %(hours)s is e.g. 08:00 – 20:00.
        "today-hours": _("Today: %(hours)s", hours="{hours}"),
        # TRANSLATORS: in the store finder, for a store that does not open today.
        "closed-today": _("Closed today"),
    }
    attributes = " ".join(f'data-{name}-label="{escape(text)}"' for name, text in labels.items())
    return f'data-hours-words {attributes} data-span="{escape(_span_pattern(lang))}" {_date_words(lang)}'


def _span_pattern(lang: str) -> str:
    """`when.span`'s pattern ("{0} – {1}"), so the script writes an interval exactly as the weekly table does."""
    opens, closes = 540, 1020  # 09:00 and 17:00: neither written time holds the other
    return when.span(opens, closes, lang).replace(when.clock(opens, lang), "{0}", 1).replace(when.clock(closes, lang), "{1}", 1)


_SAMPLE_DAY = dt.date(2026, 11, 25)  # a Wednesday in November, two digits long: each part of a written date stands out


def _date_words(lang: str) -> str:
    """How store-hours.js writes a day ("Srijeda, 25. novembar") and a date ("25. novembar"): CLDR's names
    and patterns with {weekday}, {day}, {month}, as `when` writes dates. Not the browser's Intl: browsers
    ship no date names for some languages (Chromium writes a Bosnian date as "M11 25, Wed")."""
    where = when.locale(lang)
    weekdays, months = get_day_names("wide", locale=where), get_month_names("wide", locale=where)

    def pattern(skeletons: tuple[str, ...], fallback: str) -> str:
        found = next((str(where.datetime_skeletons[s]) for s in skeletons if s in where.datetime_skeletons), fallback)
        written = format_date(_SAMPLE_DAY, re.sub(r"E+|c+", "EEEE", re.sub(r"M+|L+", "MMMM", found)), locale=where)  # names written out
        named = written.replace(weekdays[_SAMPLE_DAY.weekday()], "{weekday}").replace(months[_SAMPLE_DAY.month], "{month}")
        return named.replace(str(_SAMPLE_DAY.day), "{day}")

    sunday_first = [weekdays[(day + 6) % 7] for day in range(7)]  # as Date#getUTCDay counts
    return (
        f'data-weekdays="{escape(json.dumps(sunday_first, ensure_ascii=False))}" '
        f'data-months="{escape(json.dumps([months[m] for m in range(1, 13)], ensure_ascii=False))}" '
        f'data-day-pattern="{escape(pattern(("MMMMEd", "MMMEd"), "EEEE, d MMMM"))}" data-date-pattern="{escape(pattern(("MMMMd", "MMMd"), "d MMMM"))}"'
    )


def _week(store: Store) -> dict[str, list[tuple[int, int]]]:
    """The weekly hours, minutes after each day's midnight (past 1440: into the next day)."""
    return {day: sorted(parse_interval(text) for text in getattr(store.hours, day)) for day in WEEKDAYS}


def _hours_data(store: Store, view: PublicStore) -> str:
    """A store's hours as store-hours.js reads them: its zone, its week, and the dated changes the view lists."""
    changes = {str(e.date): {"hours": intervals_on(store, e.date), "note": e.note} for e in view.exceptions}
    week, changes_json = json.dumps(_week(store), separators=(",", ":")), json.dumps(changes, separators=(",", ":"), ensure_ascii=False)
    return f'data-store-hours data-tz="{escape(view.timezone)}" data-week="{escape(week)}" data-exceptions="{escape(changes_json)}"'


def _country(code: str, lang: str) -> str:
    """A country's name in the reader's language (CLDR), e.g. "Bosna i Hercegovina" for BA in bs."""
    return str(when.locale(lang).territories.get(code, code))


def _slug(text: str) -> str:
    return "-".join(re.findall(r"\w+", text.lower()))


def _finder(book: Book, stores: dict[str, PublicStore], t: Words) -> str:
    """Stores by country, then city; each with its state and today's hours (store-hours.js), found by any of its names."""
    lang = t.lang
    search, no_match = escape(t.gettext("Search by name, city or street")), escape(t.gettext("No store matches your search."))
    places: dict[tuple[str, str], dict[str, list[PublicStore]]] = {}
    for view in stores.values():
        places.setdefault((_country(view.country, lang), view.country), {}).setdefault(view.city, []).append(view)
    anchors = {(code, city): f"city-{code.lower()}-{_slug(city)}" for (_, code), cities in places.items() for city in cities}
    lines = [
        "# " + escape(t.gettext(STORES)),
        "",
        f'<div class="store-finder" {_hours_words(t, lang)} markdown>',
        f'<label for="store-search" hidden>{search}</label>',
        f'<input id="store-search" type="search" data-store-search hidden placeholder="{search}">',
        f"<p data-no-match hidden>{no_match}</p>",
        "",
    ]
    # Filtering by city needs no script: every city is a link to its own list.
    for (country, code), cities in sorted(places.items()):
        links = " · ".join(f"[{escape(city)}](#{anchors[code, city]})" for city in sorted(cities))
        lines.append(f"- [{escape(country)}](#country-{code.lower()}): {links}")
    lines.append("")
    for (country, code), cities in sorted(places.items()):
        lines += [f'<section data-country="{code}" markdown>', "", f"## {escape(country)} {{ #country-{code.lower()} }}", ""]
        for city in sorted(cities):
            lines += [f'<section data-city="{escape(city)}" markdown>', "", f"### {escape(city)} {{ #{anchors[code, city]} }}", ""]
            lines.append('<ul class="store-list" markdown>')
            for view in sorted(cities[city], key=lambda s: s.name):
                needle = escape(" ".join([*view.names, view.address, country]).lower())  # found by any of its names
                lines.append(
                    f'<li data-store="{needle}" {_hours_data(book.stores_by_id[view.id], view)} markdown="span">'
                    f"**[{escape(view.name)}]({view.id}.md)**<br>{escape(view.address)}"
                    f'<span class="store-now" hidden><br><span data-state></span><br><span data-today></span></span></li>'
                )
            lines += ["</ul>", "", "</section>", ""]
        lines += ["</section>", ""]
    lines += ["</div>", ""]
    return "\n".join(lines)


def _store(store: Store, view: PublicStore, days: dict[str, str], t: Words, lang: str) -> str:
    _ = t.gettext
    closed, address, phone, email = (escape(word) for word in (_("Closed"), _("Address"), _("Phone"), _("E-mail")))
    # TRANSLATORS: links in parentheses after a store's address: a map, and the way there (OpenStreetMap).
    on_the_map, directions = escape(_("Show on the map")), escape(_("Directions"))
    hours_title, exceptions_title, this_week = escape(_("Opening hours")), escape(_("Changes to the opening hours")), escape(_("This week"))
    local_times = escape(_("Times are local to the store (%(timezone)s).", timezone=view.timezone))
    if view.coordinates:
        c = view.coordinates
        map_url = f"https://www.openstreetmap.org/?mlat={c.lat}&mlon={c.lon}#map=17/{c.lat}/{c.lon}"
        way_url = f"https://www.openstreetmap.org/directions?to={c.lat}%2C{c.lon}"
    else:
        where = quote_plus(f"{view.address}, {view.city}")
        map_url = f"https://www.openstreetmap.org/search?query={where}"
        way_url = f"https://www.openstreetmap.org/directions?to={where}"  # OpenStreetMap looks the address up
    week = _week(store)

    def spans(pairs: list[tuple[int, int]]) -> str:  # as the reader writes times: "9:00 AM – 8:00 PM", "09:00–20:00"
        return escape(", ".join(when.span(opens, closes, lang) for opens, closes in pairs))

    rows = "\n".join(
        f'<tr data-day="{day}"><th scope="row">{escape(days[day])}</th><td>{spans(week[day]) or closed}</td></tr>' for day in WEEKDAYS
    )
    lines = [
        f"# {escape(view.name)}",
        "",
        # Filled in the browser, in the store's zone: the page is read days after it was built.
        f'<p class="open-now" data-open-now {_hours_data(store, view)} {_hours_words(t, lang)} aria-live="polite"></p>',
        "",
        f'<dl class="store-contacts">'
        f'<dt>{address}</dt><dd data-field="address">{escape(view.address)}, {escape(view.city)} '
        f'(<a href="{escape(map_url)}">{on_the_map}</a> · <a href="{escape(way_url)}" data-directions>{directions}</a>)</dd>'
        f'<dt>{phone}</dt><dd data-field="phone"><a href="tel:{escape(view.phone.replace(" ", ""))}">{escape(view.phone)}</a></dd>'
        f'<dt>{email}</dt><dd data-field="email"><a href="mailto:{escape(view.email)}">{escape(view.email)}</a></dd>'
        f"</dl>",
        "",
        f"## {hours_title}",
        "",
        # The next seven days with their dates, changes folded in: written by the script, which then hides the
        # regular week below; without it, the regular week and the dated changes read correctly on their own.
        f'<table class="hours this-week" data-this-week hidden><caption>{this_week}</caption><tbody></tbody></table>',
        "",
        f'<table class="hours" data-regular-week>\n{rows}\n</table>',
        "",
        f"<p><small>{local_times}</small></p>",
        "",
    ]
    if view.exceptions:
        lines += [f"## {exceptions_title} {{ #changes }}", "", '<ul class="exceptions">']
        for e in view.exceptions:
            hours = closed if e.closed else spans(intervals_on(store, e.date))
            note = f" ({escape(e.note)})" if e.note else ""
            day = escape(when.day(e.date, lang))  # the date as the reader writes it, e.g. "četvrtak, 24. decembar 2026."
            lines.append(f'<li data-exception-date="{e.date}"><time datetime="{e.date}">{day}</time>: <span data-hours>{hours}</span>{note}</li>')
        lines += ["</ul>", ""]
    return "\n".join(lines)
