"""The dashboard and the export of the managers' workspace, for real: Debian's Chromium through Playwright
against the real server, at 1280x800 (in English) and at 390x844 (in Bosnian, where no English word of the
app may be left on a screen).

A manager of two stores opens the dashboard, chooses a period of their own, and reads figures equal to the
API's (the NPS, the mean audit score, the item that fails most); the audit score's trend is drawn by uPlot
(its canvas not blank) and its table holds the API's figures. Then the export: audits as CSV, downloaded
(fetched with the token, saved through an a[download] link with the server's file name) and read back with
Python's csv module: one row per item answer. axe-core on each screen, no CSP violation; screenshots
build/screenshots/manager-dashboard-*.png and manager-export-*.png.
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from audit_api.book import pick
from audit_api.domain.audits import AuditSubmission
from audit_api.domain.scoring import Answer
from audit_api.services import accounts, reports, visits
from audit_api.store import Database
from audit_api.store.accounts import User

from .audit_helpers import BOOK, VISIT_START, assign, perfect_answers
from .conftest import STORE_X, STORE_Y, make_actor
from .test_auditor_app_browser import enrolment_link, t
from .test_browser import NEEDS_BROWSER, csp_violations, server  # noqa: F401 (fixtures)
from .test_dashboard import answer, complain
from .test_manager_app_browser import SCREENS, check, heading

pytestmark = NEEDS_BROWSER

FIRST, LAST = dt.date(2026, 11, 1), dt.date(2026, 11, 30)  # a period of the reader's choosing, whatever today is
CHECKLIST = BOOK.checklists_by_id["in-store-visit"]
ITEMS = sum(len(stage.items) for stage in CHECKLIST.stages)
NOT_SHOWN, CRITICAL = "hours-displayed", "open-as-published"  # yes/no items that ask for no photo when not met


def approved(database: Database, auditor: User, admin: User, store_id: str, *failing: str) -> None:
    """An approved in-store audit of `store_id`, with `failing` items answered "no"."""
    visit = assign(database, auditor, admin, store_id)
    answers = [Answer(item=a["item"], value=False if a["item"] in failing else a["value"]) for a in perfect_answers()]
    body = AuditSubmission(visit_id=visit.id, answers=answers, started_at=VISIT_START, finished_at=VISIT_START + dt.timedelta(minutes=25), gps=None)
    visits.submit_audit(database, BOOK, auditor, str(uuid.uuid4()), body, now=VISIT_START + dt.timedelta(hours=1)).result()
    visits.review(database, BOOK, admin, visit.id, "approve", "", now=VISIT_START + dt.timedelta(hours=2))


def seeded(database: Database, lang: str) -> User:
    """Two approved audits that fail items, survey answers and complaints in both stores of a manager."""
    admin = make_actor(database, "admin", "admin").user
    auditor = accounts.add_user(database, "amra", "auditor")
    manager = accounts.add_user(database, "lejla", "manager", stores=[STORE_X, STORE_Y], language=lang)
    assert admin is not None and manager is not None
    approved(database, auditor, admin, STORE_X, NOT_SHOWN)
    approved(database, auditor, admin, STORE_Y, NOT_SHOWN, CRITICAL)
    at = lambda day, hour: dt.datetime(2026, 11, day, hour, 0, tzinfo=dt.UTC)  # noqa: E731
    answer(database, STORE_X, at(20, 10), recommend=10, satisfied=5, easy=2, staff_friendly=5, tidy=4)
    answer(database, STORE_X, at(22, 10), recommend=6, satisfied=3, easy=5, staff_friendly=2)
    answer(database, STORE_Y, at(23, 10), recommend=9, satisfied=4, easy=1, staff_friendly=4, tidy=5)
    complain(database, admin, STORE_X, at(23, 8), ("in_progress", at(23, 9)), ("resolved", at(23, 12)))
    complain(database, admin, STORE_Y, at(24, 2))
    return manager


def choose_period(page, first: dt.date, last: dt.date) -> None:
    page.locator("#period").select_option("custom")
    page.locator("#from").fill(first.isoformat())
    page.locator("#to").fill(last.isoformat())


def figures_drawn(page) -> None:
    """Wait for the figures drawn after the last choice (the old ones were marked)."""
    # a locator, not wait_for_function: that one evaluates its text with eval(), which the page's CSP forbids
    expect(page.locator("html[data-state='ready'] .board:not([data-old])").first).to_be_attached()


def plain(text: str) -> str:
    """A number as a language writes it, written as Python does ("+33,3" -> "33.3")."""
    return text.replace("\u2212", "-").replace("+", "").replace("\u00a0", "").replace("%", "").replace(",", ".").strip()


@pytest.mark.parametrize(("viewport", "lang"), SCREENS)
def test_a_manager_reads_the_dashboard_and_downloads_an_export(
    server: str, loaded: Database, chromium, tmp_path: Path, viewport: dict, lang: str  # noqa: F811
) -> None:
    manager = seeded(loaded, lang)
    board = reports.dashboard(loaded, BOOK, manager, dt.datetime.now(dt.UTC), first=FIRST, last=LAST)  # what the API answers
    assert board.survey.nps.score is not None and board.audits.mean_score is not None and board.audits.items[0].item_id == NOT_SHOWN
    context = chromium.new_context(viewport=viewport, locale="en-US", is_mobile=viewport["width"] < 600, has_touch=viewport["width"] < 600,
                                   accept_downloads=True)
    page = context.new_page()
    blocked = csp_violations(page)
    page.goto(enrolment_link(loaded, server, "lejla"))
    heading(page, t(lang, "Review"))

    # The dashboard, then a period of the reader's choosing.
    page.get_by_role("navigation", name=t(lang, "Workspace")).get_by_role("link", name=t(lang, "Dashboard")).click()
    heading(page, t(lang, "Dashboard"))
    page.evaluate("document.querySelector('.board').dataset.old = '1'")
    choose_period(page, FIRST, LAST)
    page.get_by_role("button", name=t(lang, "Show the figures")).click()
    figures_drawn(page)
    assert "period=custom" in page.url and "from=2026-11-01" in page.url

    tiles = page.locator("dl.tiles")
    nps = tiles.locator(".tile", has=page.get_by_text(t(lang, "NPS"), exact=True)).locator(".figure").inner_text()
    score = tiles.locator(".tile", has=page.get_by_text(t(lang, "Mean audit score"), exact=True)).locator(".figure").inner_text()
    assert float(plain(nps)) == board.survey.nps.score
    assert float(plain(score)) == board.audits.mean_score
    top = page.locator("table.bars.failures").last.locator("tbody tr").first
    item_text = next(pick(i.text, lang, "en") for s in CHECKLIST.stages for i in s.items if i.id == NOT_SHOWN)
    assert item_text in top.inner_text(), "the item that fails most, named in the reader's language"
    assert float(plain(top.locator(".value").inner_text().split("(")[0])) == board.audits.items[0].failure_rate

    # The score's trend: drawn on a canvas (not blank), its figures in the table below it.
    chart = page.locator("figure.chart").first
    assert chart.locator("[role=img]").get_attribute("aria-label").startswith(t(lang, "Mean audit score"))
    painted = chart.locator("canvas").first.evaluate(
        "(canvas) => canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data.some((v, i) => i % 4 === 3 && v > 0)")
    assert painted, "the chart is drawn"
    chart.locator("summary").click()
    rows = chart.locator("table tbody tr")
    assert rows.count() == len(board.audits.trend)
    assert float(plain(rows.first.locator("td").first.inner_text())) == board.audits.trend[0].mean_score
    check(page, lang, "dashboard")

    # The export: audits as CSV over the same period, downloaded and read back.
    page.get_by_role("navigation", name=t(lang, "Workspace")).get_by_role("link", name=t(lang, "Export")).click()
    heading(page, t(lang, "Export"))
    choose_period(page, FIRST, LAST)
    page.get_by_role("button", name=t(lang, "Export"), exact=True).click()
    link = page.locator(".download a[download]")
    link.wait_for()
    name = "audits-2026-11-01-to-2026-11-30.csv"
    assert link.get_attribute("download") == name and link.get_attribute("href").startswith("blob:")
    said = page.locator(".download .notice").inner_text()
    assert t(lang, "Ready. Rows: %(rows)s; size: %(size)s.", rows=2 * ITEMS, size="").split(";")[0] in said
    check(page, lang, "export")
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == name
    saved = tmp_path / name
    download.save_as(saved)
    with saved.open(encoding="utf-8-sig", newline="") as file:  # Excel's byte order mark, skipped
        rows_read = list(csv.DictReader(file))
    assert len(rows_read) == 2 * ITEMS, "one row per item answer of each audit"
    assert {"visit_id", "store_id", "stage_id", "item_id", "failed"} <= set(rows_read[0])
    failed = sorted((row["store_id"], row["item_id"]) for row in rows_read if row["failed"] == "true")
    assert failed == sorted([(STORE_X, NOT_SHOWN), (STORE_Y, NOT_SHOWN), (STORE_Y, CRITICAL)])
    assert blocked == []
    context.close()
