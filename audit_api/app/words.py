"""Every word the auditors' app shows, as English ids for `make extract` (babel.cfg reads this file),
and the app's words in one language as the server hands them over (`/app/words/<lang>.json`).

The JavaScript writes `t("My visits")`; a word that reads differently by what it describes takes a
context, written `t("visit|Assigned")` in JS and `pgettext("visit", "Assigned")` here. A word with a
number in it is avoided (no plurals: the app never counts in words). `tests/test_auditor_app.py`
fails when the JS uses an id that is not listed here, or when one listed here is no longer used.
Not for: the words of the pages the server renders (`render/`, `site/`).
"""

from __future__ import annotations

from ..book.models import Chain
from ..words import N_, words


def pgettext(context: str, message: str) -> str:
    """Marks a word with its context for `make extract`; the app knows it as "context|message"."""
    return f"{context}|{message}"


WORDS: list[str] = [
    # The screens
    N_("My visits"),
    N_("Back to my visits"),
    # Enrolment and signing out
    N_("Sign in"),
    N_("To sign in, scan the enrolment QR code your manager gives you with this phone's camera, or open its link."),
    N_("Signing in…"),
    N_("This enrolment code has been used or has expired. Ask your manager for a new QR code."),
    N_("This phone is not connected to the internet. Connect it, then try again."),
    N_("Too many attempts. Wait a minute, then try again."),
    N_("The server could not answer. Try again in a few minutes."),
    N_("Try again"),
    N_("This phone is no longer signed in. Ask your manager for a new enrolment QR code."),
    N_("Signed in as %(name)s"),
    N_("Sign out"),
    N_("You have signed out. This phone no longer has access."),
    N_("Signing out needs the internet. Connect, then try again."),
    # Offline and freshness
    N_("You are offline. This is what the phone saved."),
    N_("Updated: %(when)s"),
    # My visits
    N_("No visits are assigned to you yet."),
    pgettext("visit", "Assigned"),
    pgettext("visit", "In progress"),
    pgettext("visit", "Returned for correction"),
    pgettext("visit", "Submitted"),
    pgettext("visit", "Approved"),
    pgettext("visit", "Rejected"),
    N_("Visit window"),
    N_("The visit window has ended."),
    N_("Dates are in the store's time zone (%(timezone)s)."),
    N_("Scenario"),
    N_("Checklist"),
    N_("version %(number)s"),
    # A visit's checklist, read-only
    N_("State"),
    N_("Address"),
    N_("Expected result"),
    N_("critical"),
    N_("Yes or no"),
    N_("A rating from %(min)s to %(max)s"),
    N_("A number: at most %(target)s"),
    N_("A number: at least %(target)s"),
    N_("One of: %(choices)s"),
    N_("A photo is needed if this is not met."),
    N_("A comment is needed if this is not met."),
    N_("May be answered N/A."),
    N_("The checklist is not on this phone yet. Open this visit once while online to save it."),
    N_("This visit is not on this phone. Go back to your visits while online."),
]


def split(key: str) -> tuple[str | None, str]:
    """A key of WORDS as (context, English id)."""
    context, bar, message = key.partition("|")
    return (context, message) if bar else (None, key)


def translated(lang: str, chain: Chain) -> dict[str, str]:
    """{key: the word in `lang`}: the chain's own word, else the catalog's, else the default language's."""
    found = words(lang, chain)
    answer = {}
    for key in WORDS:
        context, message = split(key)
        answer[key] = found.pgettext(context, message) if context else found.gettext(message)
    return answer
