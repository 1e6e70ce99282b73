"""The auditors' app on a phone, for real: Debian's Chromium through Playwright at 390x844 against the
real server. Scan to work (the enrolment link -> My visits), failed enrolments in plain words, the device
token kept out of URLs, localStorage and the server's log, offline after one load, the checklist
revalidated (304), signing out revokes the token; axe-core on every screen, no CSP violation, the first
load's weight. Screenshots land in build/screenshots/ (app-*)."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from audit_api.book import pick
from audit_api.domain.links import enrolment_url
from audit_api.services import accounts, visits
from audit_api.store import Database
from audit_api.store.accounts import User
from audit_api.words import words

from .audit_helpers import BOOK, assign, submitted
from .conftest import STORE_X, STORE_Y, make_actor
from .test_browser import NEEDS_BROWSER, csp_violations, serious_violations, server, shot  # noqa: F401 (fixtures)

pytestmark = NEEDS_BROWSER

# Chromium checks the service worker for an update after a navigation, from the browser itself, and Playwright's
# offline emulation does not cover service workers (https://github.com/microsoft/playwright/issues/2311): that one
# request may reach the server "offline". Only it is left out: the app's own register() of a script already
# registered fetches nothing, and sw.js is not among the files the app keeps.
SW_UPDATE_CHECK = re.compile(r'"GET /app/sw\.js HTTP/1\.1" (200|304) ')
FIRST_LOAD_BUDGET = 150_000  # bytes transferred until the app is idle, API answers included
READ_SESSION = """() => new Promise((resolve, reject) => {
  const opened = indexedDB.open("audit-app");
  opened.onerror = () => reject(opened.error);
  opened.onsuccess = () => {
    const read = opened.result.transaction("kv").objectStore("kv").get("session");
    read.onsuccess = () => { resolve(read.result ?? null); opened.result.close(); };
  };
})"""


def t(lang: str, message: str, context: str | None = None, **values: object) -> str:
    found = words(lang, BOOK.chain)
    return found.pgettext(context, message, **values) if context else found.gettext(message, **values)


def auditor_with_visits(database: Database, name: str, language: str | None) -> tuple[User, list[str]]:
    """An auditor with visits to do (two stores), one submitted and one returned for correction."""
    admin = make_actor(database, f"admin-{name}", "admin").user
    auditor = accounts.add_user(database, name, "auditor", display_name="Amra Hodžić", language=language)
    assert admin is not None
    todo = [assign(database, auditor, admin).id, assign(database, auditor, admin, store_id=STORE_Y).id]
    submitted(database, auditor, admin)
    returned = submitted(database, auditor, admin, store_id=STORE_Y)
    visits.review(database, BOOK, admin, returned.id, "return", "Add the photo of the entrance.")
    return auditor, todo


def enrolment_link(database: Database, base: str, name: str) -> str:
    """The link the QR code of `audit users enrol NAME` carries, from that very command."""
    printed = subprocess.run(
        [sys.executable, "-m", "audit_api.cli", "users", "enrol", name, "--db", str(database.path)],
        env={**os.environ, "AUDIT_PUBLIC_URL": base}, capture_output=True, text=True, check=True,
    ).stdout
    return next(line for line in printed.splitlines() if line.startswith(f"{base}/enrol?code="))


def phone(chromium, locale: str):  # noqa: F811
    return chromium.new_context(viewport={"width": 390, "height": 844}, locale=locale, is_mobile=True, has_touch=True)


def ready(page) -> None:
    page.locator("html[data-state=ready]").wait_for()


def open_visit(page, store_name: str) -> None:
    page.get_by_role("link", name=store_name).first.click()
    # The app draws on `hashchange`, a task after the click: until then the list still reads "ready". So first the visit's
    # own screen (its stages), then ready.
    page.locator("ol.stages").wait_for()
    ready(page)


@pytest.mark.parametrize(("lang", "profile", "locale"), [("bs", "bs", "en-US"), ("ru", None, "ru-RU")], ids=["bs-profile", "ru-browser"])
def test_scan_to_work_in_the_auditors_language(
    server: str, loaded: Database, chromium, tmp_path: Path, lang: str, profile: str | None, locale: str  # noqa: F811
) -> None:
    """The user's language if the API names one (bs), else the browser's (ru)."""
    auditor, todo = auditor_with_visits(loaded, "amra", profile)
    link = enrolment_link(loaded, server, "amra")
    context = phone(chromium, locale)
    transferred: list[int] = []
    context.on("requestfinished", lambda request: transferred.append(sum(request.sizes()[k] for k in ("responseBodySize", "responseHeadersSize"))))
    page = context.new_page()
    blocked = csp_violations(page)

    page.goto(link)
    ready(page)
    page.wait_for_load_state("networkidle")
    weight = sum(transferred)
    print(f"\nfirst load of the app ({lang}): {weight / 1000:.1f} KB transferred in {len(transferred)} requests")
    assert weight <= FIRST_LOAD_BUDGET

    assert page.url == f"{server}/app/#/", "the one-time code is gone from the URL"
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == t(lang, "My visits") != "My visits"
    headings = page.locator("h2").all_inner_texts()
    assert headings == [t(lang, m, "visit") for m in ("Assigned", "Returned for correction", "Submitted")]
    store_y = pick(BOOK.stores_by_id[STORE_Y].name, lang, "en")
    assigned = page.locator("section", has=page.get_by_role("heading", name=t(lang, "Assigned", "visit")))
    assert sorted(assigned.get_by_role("link").all_inner_texts()) == sorted([pick(BOOK.stores_by_id[STORE_X].name, lang, "en"), store_y])
    assert "Ask about wholesale discounts." in assigned.inner_text()
    assert pick(BOOK.checklists_by_id["in-store-visit"].title, lang, "en") in assigned.inner_text(), "the checklist came down"
    assert serious_violations(page) == []
    shot(page, f"app-visits-{lang}")

    open_visit(page, store_y)
    assert page.locator("h1").inner_text() == store_y
    stages = [pick(stage.title, lang, "en") for stage in BOOK.checklists_by_id["in-store-visit"].stages]
    assert page.locator("h3").all_inner_texts() == stages
    assert page.get_by_text(t(lang, "Expected result")).count() == len(stages)
    assert serious_violations(page) == []
    shot(page, f"app-visit-{lang}")

    session = page.evaluate(READ_SESSION)
    token = session["token"]
    assert httpx.get(f"{server}/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["name"] == "amra"
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert token not in page.url and page.evaluate("document.cookie") == ""
    log = (tmp_path / "server.log").read_text(encoding="utf-8")
    code = link.split("code=")[1]
    assert token not in log and token.split(".")[1] not in log, "the token is in no log"
    assert log.count(code) == 1, "the code reaches the log once, in the request for /enrol"
    assert blocked == []
    context.close()


@pytest.mark.parametrize(("lang", "locale"), [("bs", "bs-BA"), ("ru", "ru-RU")])
def test_it_opens_offline_after_one_load(server: str, loaded: Database, chromium, tmp_path: Path, lang: str, locale: str) -> None:  # noqa: F811
    auditor_with_visits(loaded, "amra", None)
    code = accounts.start_enrolment(loaded, accounts.find_user(loaded, "amra")).code
    context = phone(chromium, locale)
    page = context.new_page()
    blocked = csp_violations(page)
    page.goto(enrolment_url(server, code))
    ready(page)

    revalidated = []
    page.on("response", lambda response: revalidated.append((response.status, response.request.headers.get("if-none-match")))
            if "/checklist" in response.url else None)
    page.reload()
    ready(page)
    assert revalidated and all(status == 304 and etag for status, etag in revalidated), "the kept checklist is revalidated"

    log = tmp_path / "server.log"
    served = _settled(log)  # what the reload asked for, the service worker's own update check of sw.js too, has arrived
    context.set_offline(True)
    page.reload()
    ready(page)
    assert page.locator("#status").inner_text().startswith(t(lang, "You are offline. This is what the phone saved."))
    assert t(lang, "Updated: %(when)s", when="") in page.locator("#status").inner_text()
    store_x = pick(BOOK.stores_by_id[STORE_X].name, lang, "en")
    assert page.get_by_role("link", name=store_x).count() == 2  # to do, and submitted
    assert serious_violations(page) == []
    shot(page, f"app-offline-visits-{lang}")
    open_visit(page, store_x)
    assert page.locator("h3").first.inner_text() == pick(BOOK.checklists_by_id["in-store-visit"].stages[0].title, lang, "en")
    assert serious_violations(page) == []
    shot(page, f"app-offline-visit-{lang}")
    offline = [line for line in log.read_text(encoding="utf-8")[served:].splitlines() if line.strip() and not SW_UPDATE_CHECK.search(line)]
    assert offline == [], "nothing reached the server while offline"
    assert blocked == []
    context.close()


def _settled(log: Path) -> int:
    """The server log's size once it has stopped growing for a third of a second (at most 5 s)."""
    size, since, deadline = log.stat().st_size, time.monotonic(), time.monotonic() + 5
    while time.monotonic() - since < 0.33 and time.monotonic() < deadline:
        time.sleep(0.05)
        if (now := log.stat().st_size) != size:
            size, since = now, time.monotonic()
    return size


def test_signing_out_revokes_the_token(server: str, loaded: Database, chromium) -> None:  # noqa: F811
    auditor_with_visits(loaded, "amra", "bs")
    code = accounts.start_enrolment(loaded, accounts.find_user(loaded, "amra")).code
    context = phone(chromium, "bs-BA")
    page = context.new_page()
    page.goto(enrolment_url(server, code))
    ready(page)
    token = page.evaluate(READ_SESSION)["token"]
    me = f"{server}/api/v1/me"

    context.set_offline(True)
    page.get_by_role("button", name=t("bs", "Sign out")).click()
    assert page.get_by_role("alert").inner_text() == t("bs", "Signing out needs the internet. Connect, then try again.")
    assert httpx.get(me, headers={"Authorization": f"Bearer {token}"}).status_code == 200, "offline, nothing was revoked"

    context.set_offline(False)
    page.get_by_role("button", name=t("bs", "Sign out")).click()
    page.get_by_text(t("bs", "You have signed out. This phone no longer has access.")).wait_for()
    ready(page)
    assert page.locator("h1").inner_text() == t("bs", "Sign in")
    assert httpx.get(me, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert page.evaluate(READ_SESSION) is None
    context.close()


@pytest.mark.parametrize(("lang", "locale"), [("bs", "bs-BA"), ("ru", "ru-RU")])
def test_a_used_or_expired_code_or_no_network_says_so(server: str, loaded: Database, chromium, lang: str, locale: str) -> None:  # noqa: F811
    auditor = accounts.add_user(loaded, "amra", "auditor")
    used = accounts.start_enrolment(loaded, auditor).code
    accounts.redeem_enrolment(loaded, used, "another phone")
    expired = accounts.start_enrolment(loaded, auditor, hours=1, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).code
    context = phone(chromium, locale)
    page = context.new_page()
    blocked = csp_violations(page)

    page.goto(f"{server}/app/")
    ready(page)
    assert page.locator("h1").inner_text() == t(lang, "Sign in")
    assert page.get_by_text(t(lang, "To sign in, scan the enrolment QR code your manager gives you with this phone's camera, or open its link.")).is_visible()
    assert serious_violations(page) == []
    shot(page, f"app-enrol-{lang}")

    gone = t(lang, "This enrolment code has been used or has expired. Ask your manager for a new QR code.")
    for case, code in [("used", used), ("expired", expired)]:
        page.goto(enrolment_url(server, code))
        ready(page)
        assert page.get_by_role("alert").inner_text() == gone
        assert page.get_by_role("button").count() == 0, "trying again cannot help"
        assert serious_violations(page) == []
        shot(page, f"app-enrol-{case}-{lang}")

    fresh = accounts.start_enrolment(loaded, auditor).code
    page.route("**/api/v1/devices", lambda route: route.abort("internetdisconnected"))
    page.goto(enrolment_url(server, fresh))
    ready(page)
    assert page.get_by_role("alert").inner_text() == t(lang, "This phone is not connected to the internet. Connect it, then try again.")
    assert serious_violations(page) == []
    shot(page, f"app-enrol-offline-{lang}")
    page.unroute("**/api/v1/devices")
    page.get_by_role("button", name=t(lang, "Try again")).click()
    page.get_by_role("heading", name=t(lang, "My visits")).wait_for()
    assert page.get_by_text(t(lang, "No visits are assigned to you yet.")).is_visible()
    assert blocked == []
    context.close()
