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
    N_("Something went wrong on this phone. Nothing you saved is lost."),
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
    # A visit
    N_("State"),
    N_("Address"),
    N_("Expected result"),
    N_("critical"),
    N_("The checklist is not on this phone yet. Open this visit once while online to save it."),
    N_("This visit is not on this phone. Go back to your visits while online."),
    N_("Start the visit"),
    N_("Correct the audit"),
    N_("Continue"),
    N_("Check and send"),
    N_("Saved on this phone as you go."),
    N_("Draft saved on this phone"),
    # Filling in a stage
    N_("Stages"),
    N_("Stage %(number)s of %(count)s"),
    N_("Answered: %(done)s of %(total)s"),
    N_("Previous stage"),
    N_("Next stage"),
    N_("Guidance"),
    pgettext("answer", "Yes"),
    pgettext("answer", "No"),
    N_("N/A"),
    N_("Not applicable (N/A)"),
    N_("%(min)s is the worst, %(max)s the best."),
    N_("Measured"),
    N_("Measured, in %(unit)s"),
    N_("Target: at most %(target)s"),
    N_("Target: at least %(target)s"),
    N_("Not answered yet."),
    N_("A comment is needed: the item is not met."),
    N_("A photo is needed: the item is not met."),
    N_("Comment (needed): what was not met?"),
    N_("Comment (optional)"),
    N_("Take a photo"),
    N_("Retake the photo"),
    N_("Preparing the photo…"),
    N_("Photo saved on the phone."),
    N_("Photo for: %(item)s"),
    N_("This file is not a photo the phone can read. Take the photo again."),
    N_("The photo sent earlier is on the server."),
    # Checking and sending
    N_("Still to do"),
    N_("The visit"),
    N_("Times on the store's clock (%(timezone)s)."),
    pgettext("time", "Arrived"),
    pgettext("time", "Left"),
    N_("Record my position"),
    N_("Finding your position…"),
    N_("Position recorded (within %(metres)s m)."),
    N_("No position recorded."),
    N_("The position was not recorded (no permission or no signal)."),
    N_("This phone cannot give its position."),
    N_("Staff you dealt with (name or badge, optional)"),
    N_("Anything else the reviewer should know (optional)"),
    N_("Send the audit"),
    N_("Some items are not finished yet: see “Still to do”."),
    N_("The visit cannot end before it started: check the times."),
    N_("The audit is kept on this phone and sent as soon as there is a network."),
    # The outbox
    N_("Outbox"),
    N_("Waiting to be sent"),
    N_("Waiting to be sent: %(count)s"),
    N_("Refused, needing you: %(count)s"),
    N_("Refused: open the visit to see why"),
    N_("Send now"),
    N_("Not sent yet: the phone will try again by itself."),
    pgettext("audit", "Refused"),
    N_("The server refused the audit."),
    N_("The server refused the audit:"),
    N_("%(item)s: a comment is needed."),
    N_("%(item)s: check this answer."),
    N_("Check the visit's times."),
    N_("The audit is not complete."),
    N_("This visit no longer takes this audit: it already has one, or it was closed."),
    N_("This visit is no longer yours: your manager may have given it to someone else."),
    N_("Remove it from the phone"),
    N_("Audits on this phone are not sent yet. Send or remove them first, then sign out."),
    # After sending
    N_("Result"),
    N_("Total: %(score)s"),
    N_("A critical item was not met, which limits the total."),
    N_("Score per stage"),
    N_("Stage"),
    N_("Score"),
    N_("Not met"),
    N_("Proof of visit"),
    N_("Nothing to check: time, place and sending were as expected."),
    N_("The store was closed at %(time)s."),
    N_("The position was %(metres)s m from the store."),
    N_("Sent %(hours)s h after the visit."),
    N_("Revision %(number)s, sent %(when)s."),
    N_("Waiting for review."),
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
