"""A customer's phone, for real: Debian's Chromium, driven by Playwright at 390x844, through the QR survey
and a complaint; axe-core checks the pages, and no page reports a Content-Security-Policy violation.
Screenshots land in build/screenshots/."""

from __future__ import annotations

import functools
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from audit_api.domain.links import link_token
from audit_api.store import Database
from audit_api.store.secret import instance_secret

from .conftest import CHROMIUM, ROOT, Snapshots

SCREENSHOTS = ROOT / "build" / "screenshots"
AXE = Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js"

if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must install Debian's chromium-headless-shell (see .ci/run)")
NEEDS_BROWSER = pytest.mark.skipif(CHROMIUM is None, reason="Debian's Chromium is not installed (apt-get install chromium-headless-shell)")
pytestmark = NEEDS_BROWSER


@pytest.fixture
def server(loaded: Database, tmp_path: Path) -> Iterator[str]:
    yield from _serve(loaded, tmp_path, {})


# `site_server` (the public site and the app, one per test process) is in conftest.py.


def _serve(loaded: Database, tmp_path: Path, extra_env: dict[str, str]) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "AUDIT_PUBLIC_URL": base, **extra_env}
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "audit_api.cli", "serve", "--db", str(loaded.path), "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        for _ in range(600):  # 30 s at most; a short pause, as the server is usually up within a second
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def phone(chromium) -> Iterator:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="bs-BA", is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def csp_violations(page) -> list[str]:
    """Every Content-Security-Policy violation the page reports in its console from now on (filled as it goes)."""
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text) if "Content Security Policy" in message.text else None)
    return found


def serious_violations(page) -> list[str]:
    # Injected once a document: the single-page apps (/app/) are checked many times over without loading again.
    if page.evaluate("typeof axe === 'undefined'"):
        page.evaluate(_axe_source())  # not a <script> tag: the page's CSP rightly blocks inline scripts
    # Only the violations cross back to Python: the passes and the rules that did not apply are most of the result.
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def outside_requests(context) -> list[str]:
    """Every request to another origin, refused and recorded (filled as the pages load)."""
    outside: list[str] = []

    def this_machine_only(route) -> None:
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", this_machine_only)
    return outside


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_survey_then_complaint_on_a_phone(shared_server: str, shared_database: Database, phone) -> None:
    server, loaded = shared_server, shared_database  # the shared server: this test reads back only its own rows
    token = link_token(instance_secret(loaded.path), "sarajevo-ferhadija", "fitting-room")
    page = phone
    blocked = csp_violations(page)
    page.goto(f"{server}/s/{token}")
    assert page.locator("html").get_attribute("lang") == "bs", "the phone's language"
    assert serious_violations(page) == []
    shot(page, "1-survey-bs")

    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("button[type=submit]").click()  # nothing answered: errors in place
    assert page.locator("#recommend-error").inner_text() == "Please answer this question."
    assert serious_violations(page) == [], "the page with errors is accessible too"
    shot(page, "2-survey-errors")

    page.locator("fieldset#recommend label", has_text=re.compile(r"^3$")).click()  # NPS: a detractor
    page.locator("fieldset#satisfied label", has_text=re.compile(r"^2$")).click()  # CSAT
    page.locator("fieldset#easy label", has_text=re.compile(r"^5$")).click()  # CES
    page.locator("fieldset#staff-friendly label", has_text=re.compile(r"^4$")).click()  # rating
    page.get_by_label("To return or exchange").check()  # single choice
    page.get_by_label("The greeting").check()  # multiple choice
    page.get_by_label("Cleanliness").check()
    page.get_by_label("What one thing should we improve?").fill("Fitting rooms were full for ages.")  # free text
    page.get_by_label("You may contact me about my answers.").check()  # consent
    page.get_by_label("E-mail").fill("amra@example.com")
    shot(page, "3-survey-answered")
    page.locator("button[type=submit]").click()

    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert "DRAW-" in page.content()
    shot(page, "4-thanks-with-complaint-offer")
    page.get_by_role("link", name="Tell us what went wrong").click()

    assert page.locator("select#store").input_value() == "sarajevo-ferhadija"
    assert serious_violations(page) == []
    page.get_by_label("What happened?").fill("I waited twenty minutes for a fitting room and nobody helped.")
    page.get_by_label("An apology").check()
    shot(page, "5-complaint-form")
    page.locator("button[type=submit]").click()

    ticket = page.locator("#ticket").inner_text()
    assert re.fullmatch(r"C-[0-9A-Z]{4}-[0-9A-Z]{4}", ticket)
    shot(page, "6-ticket")
    page.get_by_role("link", name="Follow your complaint").click()
    page.wait_for_url(f"**/complaint/status/{ticket}*")  # content() while the page is still changing is empty
    page.wait_for_load_state()
    assert ticket in page.content() and "Received" in page.content()
    assert serious_violations(page) == []
    shot(page, "7-status")

    stored = loaded.read().execute(
        "SELECT r.nps, r.csat, r.ces FROM complaints c JOIN survey_responses r ON r.id = c.source_response WHERE c.ticket = ?", [ticket]
    ).fetchall()
    assert stored == [(3, 2, 5)], "the answers stored, and the complaint linked to them"
    assert blocked == []


def test_the_survey_works_by_keyboard(shared_server: str, shared_database: Database, phone) -> None:
    page = phone
    page.goto(f"{shared_server}/s/{link_token(instance_secret(shared_database.path), 'moskva-arbat', 'checkout')}?lang=en")
    page.keyboard.press("Tab")  # the language link
    page.keyboard.press("Tab")  # into the NPS radio group
    page.keyboard.press("ArrowRight")
    assert page.locator("input[name=recommend]:checked").get_attribute("value") == "1"


@pytest.mark.parametrize(("width", "height", "mobile"), [(390, 844, True), (1280, 900, False)], ids=["phone", "desktop"])
def test_public_site_pages(site_server: str, chromium, width: int, height: int, mobile: bool) -> None:
    context = chromium.new_context(viewport={"width": width, "height": height}, is_mobile=mobile, has_touch=mobile)
    page = context.new_page()
    blocked = csp_violations(page)
    for name, path in [("home", "/en/"), ("faq", "/ru/faq/"), ("store", "/bs/stores/sarajevo-alta/"), ("complaints", "/en/complaints/")]:
        page.goto(site_server + path)
        assert page.locator("html").get_attribute("lang") == path.split("/")[1]
        assert serious_violations(page) == [], f"{path} at {width}px"
        shot(page, f"site-{name}-{'phone' if mobile else 'desktop'}")
        if name == "store":  # read on the page as loaded, not on a second load of it
            assert re.match(r"Sada (otvoreno, do \d\d:\d\d|zatvoreno · otvara se .*u \d\d:\d\d)$", page.locator("[data-open-now]").inner_text())
    page.goto(site_server + "/en/stores/")
    page.locator("[data-store-search]").fill("mostar")
    assert page.locator("[data-store]:visible").count() == 1
    page.goto(site_server + "/")
    page.wait_for_url("**/en/")  # the root sends readers to the default language
    if not mobile:  # Material's search: its worker and index load from this origin under the site's CSP
        page.locator("input.md-search__input").click()
        page.locator("input.md-search__input").press_sequentially("return", delay=20)
        page.locator(".md-search-result__item").first.wait_for()
    assert blocked == []
    context.close()


def test_report_poster_and_error_page_break_no_policy(
    shared_server: str, shared_database: Database, snapshots: Snapshots, chromium, tmp_path: Path
) -> None:
    from audit_api.book import load_book
    from audit_api.posters import write_posters

    from .audit_helpers import assign, audit_body, perfect_answers

    server, loaded, actors = shared_server, shared_database, snapshots.people  # a visit of its own on the shared server
    auditor = actors["auditor_a"]
    visit = assign(loaded, auditor.user, actors["admin"].user)
    answers = [dict(x, value=False, comment="No receipt") if x["item"] == "correct-receipt" else x for x in perfect_answers()]
    httpx.put(f"{server}/api/v1/audits/{uuid.uuid4()}", json=audit_body(visit.id, answers), headers=auditor.headers).raise_for_status()
    httpx.post(f"{server}/api/v1/visits/{visit.id}/evidence", files={"file": ("r.jpg", _tiny_jpeg()), "item": (None, "correct-receipt")},
               headers=auditor.headers).raise_for_status()
    poster = write_posters(load_book(ROOT / "checklists"), instance_secret(loaded.path), server, tmp_path / "qr")[0][1]
    context = chromium.new_context(extra_http_headers=auditor.headers)  # the report is a signed-in page
    page = context.new_page()
    blocked = csp_violations(page)
    page.goto(f"{server}/api/v1/visits/{visit.id}/report?lang=en")
    assert page.evaluate("Array.from(document.images).map(i => i.naturalWidth)") == [4], "the photo shows, as a data: URI"
    page.goto(poster.as_uri())
    assert page.locator(".qr svg").is_visible()
    page.goto(f"{server}/s/not-one-of-ours")
    assert page.locator("h1").is_visible()
    assert blocked == []
    context.close()


def _tiny_jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def test_the_api_reference_works_offline(shared_server: str, chromium) -> None:
    context = chromium.new_context()
    outside = outside_requests(context)
    page = context.new_page()
    blocked = csp_violations(page)
    page.goto(f"{shared_server}/schema")
    page.locator(".opblock-summary-path[data-path='/api/v1/visits']").first.wait_for()
    assert page.get_by_text("/api/v1/visits", exact=True).count() >= 1
    page.locator(".opblock-summary-path[data-path='/api/v1/faq']").click()  # and it calls the API from this origin
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    assert page.locator(".live-responses-table .response-col_status").last.inner_text().strip() == "200"
    # The operation tried, with its answer: the whole reference is some 11,000 px tall, a second to capture for no more.
    page.locator(".opblock.is-open").screenshot(path=str(SCREENSHOTS / "schema.png"))
    assert outside == [] and blocked == []
    context.close()
