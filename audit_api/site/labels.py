"""The site's page titles (headings and navigation alike) and its weekday names.

The titles are English ids of the product's catalogs (`audit_api/words.py`), marked with `N_` for
`make extract` and looked up in the page's language (`t.gettext(FAQ)`); the other words of a page are written where the
page is (`pages.py`). Weekday names come from CLDR (Babel), which knows far more languages than any catalog.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from babel.dates import get_day_names

from ..book.models import WEEKDAYS
from ..words import N_

HOME = N_("Home")
STORES = N_("Stores")
FAQ = N_("Questions and answers")
COMPLAINTS = N_("Complaints")
CONTACTS = N_("Contact us")
# Only the top pages are in the navigation (`build.py` says why), in this order.
NAVIGATION = [(HOME, "index.md"), (STORES, "stores/index.md"), (FAQ, "faq.md"), (COMPLAINTS, "complaints.md"), (CONTACTS, "contacts.md")]


def weekday_names(lang: str, default: str) -> dict[str, str]:
    """`mon` -> "Monday" in `lang` (as CLDR writes it, starting with a capital), else in `default`, else English."""
    for code in (lang, default, "en"):
        try:
            names = get_day_names("wide", locale=Locale.parse(code.replace("-", "_")))
        except (UnknownLocaleError, ValueError):
            continue
        return {day: names[index][:1].upper() + names[index][1:] for index, day in enumerate(WEEKDAYS)}
    raise LookupError("CLDR has no English")  # unreachable: Babel ships English
