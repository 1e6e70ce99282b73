"""Plan and Actions in the managers' workspace, for real: Debian's Chromium through Playwright against the real
server, at 1280x800 (in English) and at 390x844 (in Russian, where no English word of the app may be left).

An admin plans a wave (every store of a city and two more, three auditors, one excluded from a store): an
ended window is refused by the window's field, then the wave is made and spread evenly (the API says so);
cancels one visit with a reason, gives another to an auditor the store allows (the excluded one is not
offered); imports visits from a CSV file, whose errors are named by line and column; then reads the
corrective actions (one "failed again") and closes one with a note and a photo (the API then says closed,
with the photo stored). A store's own manager sees Actions but not Plan. axe-core on every screen, no CSP
violation; screenshots build/screenshots/manager-plan-*.png and manager-actions-*.png.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from audit_api.book import pick
from audit_api.services import accounts, actions, planning, visits
from audit_api.store import Database

from .audit_helpers import BOOK, VISIT_START
from .conftest import NOON_TUESDAY, STORE_X, make_actor
from .test_actions import CRITICAL, approved
from .test_auditor_app_browser import enrolment_link, ready, t
from .test_auditor_app_fill_browser import until
from .test_browser import NEEDS_BROWSER, csp_violations, server  # noqa: F401 (fixtures)
from .test_manager_app_browser import check, heading, jpeg

pytestmark = NEEDS_BROWSER

SCREENS = [  # (viewport, the admin's language)
    pytest.param({"width": 1280, "height": 800}, "en", id="wide-en"),
    pytest.param({"width": 390, "height": 844}, "ru", id="phone-ru"),
]
WAVE = ["banja-luka-delta", "mostar-centar", "sarajevo-alta", "sarajevo-ferhadija"]  # Sarajevo's two by "all stores in Sarajevo"
EXCLUDED = ("cvijeta", STORE_X)


def store_name(store_id: str, lang: str) -> str:
    return pick(BOOK.stores_by_id[store_id].name, lang, "en")


def upcoming(database: Database, admin) -> list:
    return [v for state in ("assigned", "in_progress") for v in visits.list_visits(database, BOOK, admin, state)]


@pytest.mark.parametrize(("viewport", "lang"), SCREENS)
def test_an_admin_plans_a_wave_and_closes_an_action(server: str, loaded: Database, chromium, viewport: dict, lang: str) -> None:  # noqa: F811
    admin = accounts.add_user(loaded, "vesna", "admin", display_name="Vesna", language=lang)
    reviewer = make_actor(loaded, "reviewer", "admin").user
    amra = accounts.add_user(loaded, "amra", "auditor", display_name="Amra Hodžić")
    accounts.add_user(loaded, "bojan", "auditor", display_name="Bojan Marić")
    accounts.add_user(loaded, "cvijeta", "auditor", display_name="Cvijeta Kovač")
    planning.set_exclusions(loaded, BOOK, EXCLUDED[0], [EXCLUDED[1]])
    manager = accounts.add_user(loaded, "lejla", "manager", stores=[STORE_X])
    assert reviewer is not None and manager is not None
    # Two audits of store X failing the same critical item: the second one's action is "failed again".
    first = approved(loaded, amra, reviewer)
    again = approved(loaded, amra, reviewer, visited_at=NOON_TUESDAY + dt.timedelta(hours=1), approved_at=NOON_TUESDAY + dt.timedelta(hours=3))
    assert VISIT_START < NOON_TUESDAY
    context = chromium.new_context(viewport=viewport, locale="en-US", is_mobile=viewport["width"] < 600, has_touch=viewport["width"] < 600)
    page = context.new_page()
    blocked = csp_violations(page)

    page.goto(enrolment_link(loaded, server, "vesna"))
    heading(page, t(lang, "Review"))
    nav = page.get_by_role("navigation", name=t(lang, "Workspace"))
    names = nav.get_by_role("link").all_inner_texts()
    assert names[:3] == [t(lang, "Review"), t(lang, "Plan"), t(lang, "Actions")]

    # The plan: nothing upcoming yet. A wave whose window has ended is refused by the window's field.
    nav.get_by_role("link", name=t(lang, "Plan")).click()
    heading(page, t(lang, "Plan"))
    assert page.get_by_text(t(lang, "No visits are planned.")).is_visible()
    page.get_by_role("link", name=t(lang, "Plan a wave")).click()
    heading(page, t(lang, "Plan a wave"))
    page.get_by_label(t(lang, "All stores in %(city)s", city="Sarajevo")).check()
    for store_id in WAVE[:2]:
        page.get_by_label(store_name(store_id, lang), exact=True).check()
    for login in ("amra", "bojan", "cvijeta"):
        page.locator(f"input[name=auditor][value={login}]").check()
    page.get_by_label(t(lang, "Scenario")).fill("Ask for a gift wrap and a receipt by e-mail.")
    today = dt.date.today()
    page.get_by_label(t(lang, "First day")).fill((today - dt.timedelta(days=5)).isoformat())
    page.get_by_label(t(lang, "Last day")).fill((today - dt.timedelta(days=2)).isoformat())
    page.get_by_role("button", name=t(lang, "Plan the wave")).click()
    window_problem = page.locator("#wave-window-problem")
    window_problem.wait_for()
    ended = "This window has ended: today is already past its last day in %(store)s. Choose a later last day."
    assert window_problem.inner_text() == t(lang, ended, store=store_name(WAVE[0], lang))
    assert upcoming(loaded, admin) == []
    check(page, lang, "plan-wave-refused")

    page.get_by_label(t(lang, "First day")).fill(today.isoformat())
    page.get_by_label(t(lang, "Last day")).fill((today + dt.timedelta(days=7)).isoformat())
    page.get_by_role("button", name=t(lang, "Plan the wave")).click()
    page.get_by_text(t(lang, "The wave is planned.")).wait_for()
    made = upcoming(loaded, admin)
    assert sorted(v.store_id for v in made) == WAVE
    spread = Counter(v.auditor for v in made)
    assert sorted(spread.values()) == [1, 1, 2] and set(spread) == {"amra", "bojan", "cvijeta"}, "spread evenly"
    assert (next(v.auditor for v in made if v.store_id == STORE_X), STORE_X) != EXCLUDED, "never to an excluded auditor"
    assert page.locator("section.made table.queue tbody tr").count() == 4
    assert page.get_by_role("heading", name=t(lang, "Visits made: %(count)s", count=4)).is_visible()
    check(page, lang, "plan-wave-made")

    # Reassign the visit of store X: the auditor excluded from it is not offered.
    page.get_by_role("link", name=t(lang, "Back to the plan")).last.click()
    heading(page, t(lang, "Plan"))
    assert page.locator("table.queue tbody tr").count() == 4
    check(page, lang, "plan-upcoming")
    of_x = next(v for v in made if v.store_id == STORE_X)
    page.locator(f"a[href='#/plan/visit/{of_x.id}']").click()
    heading(page, store_name(STORE_X, lang))
    offered = page.locator("#reassign-to option").evaluate_all("options => options.map((o) => o.value)")
    assert "cvijeta" not in offered and of_x.auditor not in offered and offered
    check(page, lang, "plan-visit")
    page.locator("#reassign-to").select_option(offered[0])
    page.get_by_role("button", name=t(lang, "Give it to this auditor")).click()
    heading(page, t(lang, "Plan"))
    assert visits.visible_visit(loaded, admin, of_x.id).auditor_id == accounts.find_user(loaded, offered[0]).id

    # Cancel another, with a reason.
    other = next(v for v in made if v.store_id == "mostar-centar")
    page.locator(f"a[href='#/plan/visit/{other.id}']").click()
    heading(page, store_name("mostar-centar", lang))
    page.get_by_role("button", name=t(lang, "Cancel the visit")).click()
    assert page.get_by_text(t(lang, "Say why the visit is cancelled.")).is_visible()
    page.get_by_label(t(lang, "Why it is cancelled")).fill("The store closes for works that week.")
    page.get_by_role("button", name=t(lang, "Cancel the visit")).click()
    heading(page, t(lang, "Plan"))
    assert visits.visible_visit(loaded, admin, other.id).state == "cancelled"
    assert page.locator("table.queue tbody tr").count() == 3

    # An import: each problem by its line and column, in words; then a good file.
    page.get_by_role("link", name=t(lang, "Import from CSV")).click()
    heading(page, t(lang, "Import from CSV"))
    header = "store_id,checklist_id,auditor,window_start,window_end,scenario\n"
    line = f"kazan-baumana,in-store-visit,%s,{today.isoformat()},{(today + dt.timedelta(days=5)).isoformat()},Ask about the loyalty card.\n"
    page.locator("#import-file").set_input_files(files=[{"name": "wave.csv", "mimeType": "text/csv", "buffer": (header + line % "nobody").encode()}])
    page.get_by_role("button", name=t(lang, "Import the visits")).click()
    problems = page.locator("ul.import-problems li")
    problems.first.wait_for()
    assert problems.all_inner_texts() == [
        f"{t(lang, 'Line %(line)s, column %(column)s', line=2, column='auditor')}: {t(lang, 'There is no auditor with the login %(value)s.', value='“nobody”')}"
    ]
    check(page, lang, "plan-import-refused")
    page.locator("#import-file").set_input_files(files=[{"name": "wave.csv", "mimeType": "text/csv", "buffer": (header + line % "bojan").encode()}])
    page.get_by_role("button", name=t(lang, "Import the visits")).click()
    page.get_by_text(t(lang, "The visits are imported.")).wait_for()
    assert [v.store_id for v in upcoming(loaded, admin)].count("kazan-baumana") == 1

    # The corrective actions: the soonest due first, the second "failed again"; close the first with a note and a photo.
    nav.get_by_role("link", name=t(lang, "Actions")).click()
    heading(page, t(lang, "Corrective actions"))
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 2
    item = next(pick(i.text, lang, "en") for s in BOOK.checklists_by_id["in-store-visit"].stages for i in s.items if i.id == CRITICAL)
    [opened] = [a for a in actions.list_actions(loaded, BOOK, admin) if a.visit_id == first]
    [repeated] = [a for a in actions.list_actions(loaded, BOOK, admin) if a.visit_id == again]
    assert repeated.failed_again and not opened.failed_again
    row = {action.id: rows.filter(has=page.locator(f"a[href='#/actions/{action.id}']")).inner_text().upper() for action in (opened, repeated)}
    assert item.upper() in row[opened.id] and item.upper() in row[repeated.id]
    assert t(lang, "Failed again").upper() in row[repeated.id] and t(lang, "Failed again").upper() not in row[opened.id]  # badges are in capitals
    check(page, lang, "actions-queue")
    page.locator(f"a[href='#/actions/{repeated.id}']").click()
    heading(page, item)
    assert page.get_by_text(t(lang, "The store had already been asked to put this item right after an earlier audit, and it failed again.")).is_visible()
    page.get_by_role("link", name=t(lang, "The earlier action")).click()
    page.locator("p.notice.warn").wait_for(state="detached")  # the earlier action was not a repeat
    heading(page, item)
    page.get_by_role("button", name=t(lang, "Close the action")).click()
    assert page.locator("#close-note-problem").inner_text() == t(lang, "Say what was done.")
    page.get_by_label(t(lang, "What was done"), exact=True).fill("Retrained the sales team on finding out what the customer needs.")
    page.locator("#close-photo").set_input_files(files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    page.locator("section.plan-box .photos img").wait_for()  # the preview, downscaled on the device
    check(page, lang, "actions-closing")
    page.get_by_role("button", name=t(lang, "Close the action")).click()
    page.get_by_text(t(lang, "The action is closed.")).wait_for()
    ready(page)
    closed = actions.action_detail(loaded, admin, opened.id)
    assert closed.action.state == "closed" and closed.action.photo is not None and [p.sha256 for p in closed.photos] == [closed.action.photo]
    assert closed.action.note.startswith("Retrained")
    page.locator("section.closed img.evidence-photo").wait_for()
    assert page.locator("section.closed img.evidence-photo").evaluate("img => img.complete && img.naturalWidth") == 320
    assert "vesna" in page.locator("section.closed").inner_text()
    check(page, lang, "actions-closed")

    page.get_by_role("link", name=t(lang, "Back to the corrective actions")).click()
    heading(page, t(lang, "Corrective actions"))
    page.get_by_label(t(lang, "Show"), exact=True).select_option("closed")
    until(page, "() => document.querySelectorAll('table.queue tbody tr').length === 1")
    ready(page)
    assert t(lang, "Closed", "action") in page.locator("table.queue tbody tr").inner_text()
    # The audit that failed the item again says so beside the item when it is read in Review.
    page.goto(f"{server}/app/#/review/{again}")
    repeat = page.locator("li.answer.failed", has_text=item)
    repeat.wait_for()
    assert t(lang, "Failed again").upper() in repeat.inner_text().upper()
    assert page.locator("li.answer", has_text=t(lang, "Failed again")).count() == 1
    assert blocked == []
    context.close()

    if lang == "en":  # a store's own manager does not plan: no Plan in the nav, the store's actions all the same
        context = chromium.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(enrolment_link(loaded, server, "lejla"))
        heading(page, t(lang, "Review"))
        links = page.get_by_role("navigation", name=t(lang, "Workspace")).get_by_role("link").all_inner_texts()
        assert t(lang, "Plan") not in links and t(lang, "Actions") in links
        context.close()
