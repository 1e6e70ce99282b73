"""The managers' workspace in the app, for real: Debian's Chromium through Playwright against the real server,
at 1280x800 (in English) and at 390x844 (in Bosnian, where no English word of the app may be left on a screen).

A store's manager signs in with the link of `audit users enrol`, reviews a submitted audit (its photo shown,
fetched with the token), opens the printable report (a blob: the token stays out of URLs), approves the audit
(the API then says approved), returns another with a comment, moves a complaint to acknowledged and resolves it
with a reply, which the customer's status page then shows, and corrects that reply. axe-core on every screen, no CSP violation;
screenshots build/screenshots/manager-*.png.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

import httpx
import pytest
from PIL import Image

from audit_api.app.words import WORDS, split
from audit_api.book import pick
from audit_api.domain.audits import AuditSubmission
from audit_api.domain.forms import ComplaintForm
from audit_api.domain.scoring import Answer
from audit_api.services import accounts, feedback, visits
from audit_api.store import Database
from audit_api.store.accounts import User
from audit_api.store.blobs import BlobStore

from .audit_helpers import BOOK, VISIT_START, assign, audit_body, perfect_answers
from .conftest import STORE_X, make_actor, make_client
from .test_auditor_app_browser import enrolment_link, ready, t
from .test_auditor_app_fill_browser import until
from .test_browser import NEEDS_BROWSER, csp_violations, serious_violations, server, shot  # noqa: F401 (fixtures)

pytestmark = NEEDS_BROWSER

PHOTO_ITEM = "entrance-clean"  # a yes/no item that wants a photo when it is not met
REPLY = "We are sorry. We refunded the second charge to your card."
CORRECTED = "We are sorry. We refunded the second charge, 29.90 KM, to your card."
SCREENS = [  # (viewport, the manager's language)
    pytest.param({"width": 1280, "height": 800}, "en", id="wide-en"),
    pytest.param({"width": 390, "height": 844}, "bs", id="phone-bs"),
]


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 40, 40)).save(out, format="JPEG")
    return out.getvalue()


def submit(database: Database, auditor: User, by: User, fail_photo_item: bool) -> str:
    """A visit of store X with its audit submitted (one item not met, with its photo, if `fail_photo_item`)."""
    visit = assign(database, auditor, by)
    answers = [Answer(**a) for a in perfect_answers()]
    if fail_photo_item:
        answers = [Answer(item=a.item, value=False, comment="Litter by the door.") if a.item == PHOTO_ITEM else a for a in answers]
    body = AuditSubmission(**{**audit_body(visit.id), "answers": answers, "started_at": VISIT_START,
                              "finished_at": VISIT_START + dt.timedelta(minutes=25), "gps": None})
    visits.submit_audit(database, BOOK, auditor, str(uuid.uuid4()), body, now=VISIT_START + dt.timedelta(hours=1)).result()
    if fail_photo_item:
        blobs = BlobStore(database.path.parent / "evidence")
        visits.upload_evidence(database, blobs, auditor, visit.id, PHOTO_ITEM, jpeg(), "door.jpg", limit=1 << 20)
    return visit.id


def english_left(page, lang: str) -> list[str]:
    """The app's English words (those `lang` writes otherwise) still on the screen."""
    if lang == "en":
        return []
    text = page.locator("body").inner_text()
    english = [split(key)[1].split("%(")[0].strip() for key in WORDS if t(lang, split(key)[1], split(key)[0]) != split(key)[1]]
    return [word for word in english if len(word) > 8 and word in text]


def check(page, lang: str, name: str) -> None:
    assert serious_violations(page) == [], name
    assert english_left(page, lang) == [], name
    shot(page, f"manager-{name}-{'wide' if lang == 'en' else 'phone'}")


def heading(page, text: str) -> None:
    page.get_by_role("heading", level=1, name=text, exact=True).wait_for()
    ready(page)


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_enrol_with_the_link_auditors_use(loaded: Database, role: str) -> None:
    accounts.add_user(loaded, "boss", role, stores=[STORE_X] if role == "manager" else [])
    link = enrolment_link(loaded, "http://testserver.local", "boss")
    with make_client(loaded) as client:
        landing = client.get(link.removeprefix("http://testserver.local"), follow_redirects=False)
        code = landing.headers["location"].removeprefix("/app/#enrol=")
        issued = client.post("/api/v1/devices", json={"code": code, "device": "laptop"})
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued.json()['token']}"})
    assert landing.status_code == 303 and issued.status_code == 201
    assert issued.json()["role"] == me.json()["role"] == role, "the app opens the managers' workspace by this role"


@pytest.mark.parametrize(("viewport", "lang"), SCREENS)
def test_a_manager_reviews_audits_and_answers_a_complaint(server: str, loaded: Database, chromium, viewport: dict, lang: str) -> None:  # noqa: F811
    admin = make_actor(loaded, "admin", "admin").user
    auditor = accounts.add_user(loaded, "amra", "auditor")
    manager = accounts.add_user(loaded, "lejla", "manager", stores=[STORE_X], language=lang)
    assert admin is not None and manager is not None
    with_photo = submit(loaded, auditor, admin, fail_photo_item=True)
    to_return = submit(loaded, auditor, admin, fail_photo_item=False)
    form = ComplaintForm(store_id=STORE_X, happened_on=dt.date.today(), what="Charged twice at the till.", desired="refund", contact=None)
    ticket = feedback.file_complaint(loaded, BOOK, form, "bs", dt.datetime.now(dt.UTC))
    store_name = pick(BOOK.stores_by_id[STORE_X].name, lang, "en")
    context = chromium.new_context(viewport=viewport, locale="en-US", is_mobile=viewport["width"] < 600, has_touch=viewport["width"] < 600)
    page = context.new_page()
    blocked = csp_violations(page)

    page.goto(enrolment_link(loaded, server, "lejla"))  # the very link `audit users enrol` prints, for a manager
    heading(page, t(lang, "Review"))
    assert page.url == f"{server}/app/#/review"
    nav = page.get_by_role("navigation", name=t(lang, "Workspace"))
    assert nav.get_by_role("link").all_inner_texts() == [t(lang, name) for name in ("Review", "Actions", "Complaints", "Dashboard", "Export")]
    assert nav.get_by_role("link", name=t(lang, "Review")).get_attribute("aria-current") == "page"
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 2
    checklist = pick(BOOK.checklists_by_id["in-store-visit"].title, lang, "en")
    pseudonym = visits.visible_visit(loaded, manager, with_photo).auditor_pseudonym
    code = pseudonym.removeprefix("Auditor ")  # a store's own manager reads the auditor's pseudonym, in their words
    assert checklist in rows.first.inner_text() and f"{t(lang, 'Auditor')} {code}" in rows.first.inner_text()
    check(page, lang, "review-queue")

    # The audit with its photo: approve it.
    page.locator(f"a[href='#/review/{with_photo}']").click()
    heading(page, store_name)
    photo = page.locator("img.evidence-photo")
    assert photo.count() == 1 and photo.get_attribute("src").startswith("blob:")
    until(page, "() => document.querySelector('img.evidence-photo').naturalWidth === 320")
    item_text = next(pick(i.text, lang, "en") for s in BOOK.checklists_by_id["in-store-visit"].stages for i in s.items if i.id == PHOTO_ITEM)
    failed = page.locator("li.answer.failed")
    assert failed.count() == 1 and item_text in failed.inner_text() and t(lang, "No", "answer") in failed.inner_text()
    assert "Litter by the door." in failed.inner_text()
    check(page, lang, "review-audit")

    with context.expect_page() as opened:
        page.get_by_role("button", name=t(lang, "Printable report")).click()
    report = opened.value
    report.wait_for_load_state()
    assert report.url.startswith("blob:"), "the report opens as a blob: no token in a URL"
    assert store_name in report.locator("body").inner_text()
    assert report.evaluate("getComputedStyle(document.body).maxWidth") != "none", "its own style applies"
    report.close()

    page.get_by_role("button", name=t(lang, "Approve")).click()
    heading(page, t(lang, "Review"))
    assert page.locator("table.queue tbody tr").count() == 1
    assert visits.visible_visit(loaded, manager, with_photo).state == "approved"

    # Return the other: a comment is needed.
    page.locator(f"a[href='#/review/{to_return}']").click()
    heading(page, store_name)
    page.get_by_role("button", name=t(lang, "Return for correction")).click()
    assert page.locator("#review-problem").inner_text() == t(lang, "Write a comment to return or reject the audit: the auditor reads it.")
    page.get_by_label(t(lang, "Comment for the auditor")).fill("Add the photo of the entrance, please.")
    page.get_by_role("button", name=t(lang, "Return for correction")).click()
    heading(page, t(lang, "Review"))
    assert page.get_by_text(t(lang, "No audits are waiting for review.")).is_visible()
    assert visits.visible_visit(loaded, manager, to_return).state == "returned"
    check(page, lang, "review-empty")

    # The complaint: acknowledged, then resolved with a reply the customer reads.
    nav.get_by_role("link", name=t(lang, "Complaints")).click()
    heading(page, t(lang, "Complaints"))
    assert ticket in page.locator("table.queue").inner_text()
    check(page, lang, "complaints")
    page.get_by_role("link", name=ticket).click()
    heading(page, t(lang, "Complaint %(ticket)s", ticket=ticket))
    check(page, lang, "complaint-received")
    page.get_by_role("button", name=t(lang, "Acknowledge")).click()
    page.get_by_text(t(lang, "Now: %(state)s.", state=t(lang, "Acknowledged", "complaint"))).wait_for()
    ready(page)
    page.get_by_role("button", name=t(lang, "Start handling")).click()
    page.get_by_role("heading", name=t(lang, "Resolve the complaint")).wait_for()
    ready(page)
    page.get_by_label(t(lang, "Reply to the customer")).fill(REPLY)
    page.get_by_role("button", name=t(lang, "Resolve")).click()
    assert page.locator("#resolution-problem").inner_text() == t(lang, "Write this: it is needed.")
    check(page, lang, "complaint-resolving")
    page.get_by_label(t(lang, "What was done")).fill("Refunded the second charge at the till.")
    page.get_by_label(t(lang, "Why it happened (the root cause)")).fill("The scanner read the barcode twice.")
    page.get_by_role("button", name=t(lang, "Resolve")).click()
    page.get_by_text(t(lang, "Resolved. The customer can read the reply on the status page.")).wait_for()
    ready(page)
    assert page.get_by_role("heading", name=t(lang, "Correct the reply")).is_visible()
    check(page, lang, "complaint-resolved")
    status_page = httpx.get(f"{server}/complaint/status/{ticket}").text
    assert REPLY in status_page
    assert "scanner" not in status_page.lower(), "staff notes stay with the staff"

    page.get_by_label(t(lang, "Reply to the customer")).fill(CORRECTED)
    page.get_by_role("button", name=t(lang, "Save the corrected reply")).click()
    page.get_by_text(t(lang, "The corrected reply is saved.")).wait_for()
    ready(page)
    assert page.locator("ol.history").inner_text().count(t(lang, "The reply to the customer was corrected.")) == 1
    assert CORRECTED in httpx.get(f"{server}/complaint/status/{ticket}").text
    assert blocked == []
    context.close()
