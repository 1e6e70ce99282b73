"""Every page a customer or the public meets, in Swahili and Russian, on a 390 px phone and a 1280 px desktop:
the site's home, the store finder, a store page on a public holiday, the survey with its errors, the thank-you
page after a low score and the status page of a resolved complaint. Each is checked by axe-core (no serious or
critical violation), breaks no content-security rule, does not scroll sideways, and is saved to
build/screenshots/trust-<page>-<lang>-<phone|desktop>.png for a person to look at.

The Swahili pages are those of the demo book's Kariakoo store (Dar es Salaam, languages sw and en), the Russian
ones those of the Arbat store in Moscow; the viewer's browser is in New York, so every time shown is the store's.
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from audit_api.domain.links import link_token
from audit_api.store import Database
from audit_api.store.secret import instance_secret

from .conftest import Snapshots
from .test_browser import NEEDS_BROWSER, csp_violations, serious_violations, shot

pytestmark = NEEDS_BROWSER

PAGES = {  # lang -> (store, a holiday of that store in the book, a moment on that day in UTC)
    "sw": ("dar-es-salaam-kariakoo", "2026-12-09", "2026-12-09T08:00:00Z"),  # Uhuru Day: 11:00 in Dar es Salaam
    "ru": ("moskva-arbat", "2027-01-01", "2027-01-01T09:00:00Z"),  # New Year's Day: 12:00 in Moscow
}
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
REPLY = {"sw": "Samahani kwa usumbufu. Tumekurudishia pesa uliyotozwa mara mbili.", "ru": "Приносим извинения: двойное списание возвращено на вашу карту."}


def _resolved_ticket(base: str, store: str, lang: str, manager: dict[str, str]) -> str:
    """A complaint filed on the form without contact details, then answered by the store's manager."""
    with httpx.Client(base_url=base) as client:
        form = client.get(f"/complaint?store={store}&lang={lang}").text
        token = re.search(r'name="form_token" value="([^"]+)"', form)
        data = {"store": store, "happened_on": "2026-11-23", "what": "Charged twice at the till.", "desired": "refund", "lang": lang}
        page = client.post("/complaint", data={**data, **({"form_token": token[1]} if token else {})})
        ticket = re.search(r'id="ticket">(C-[0-9A-Z]{4}-[0-9A-Z]{4})<', page.text)
        assert ticket, page.text
        for to, extra in [("acknowledged", {}), ("in_progress", {}),
                          ("resolved", {"reply": REPLY[lang], "resolution": "Refunded", "root_cause": "Double scan"})]:
            moved = client.post(f"/api/v1/complaints/{ticket[1]}/transitions", json={"to": to, **extra}, headers=manager)
            assert moved.status_code == 200, moved.text
    return ticket[1]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("lang", ["sw", "ru"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_page_people_meet_reads_well_in_swahili_and_russian(
    site_server: str, chromium, shared_database: Database, snapshots: Snapshots, lang: str, size: str
) -> None:
    store, holiday, moment = PAGES[lang]
    admin = snapshots.people["admin"].headers
    context = chromium.new_context(viewport=SIZES[size], is_mobile=size == "phone", has_touch=size == "phone",
                                   timezone_id="America/New_York", locale=lang)
    page = context.new_page()
    page.clock.set_fixed_time(moment)
    blocked = csp_violations(page)
    problems: dict[str, list[str]] = {}

    def look(name: str) -> None:
        assert page.locator("html").get_attribute("lang") == lang, name
        problems[name] = serious_violations(page) + ([] if _fits(page) else ["scrolls sideways"])
        shot(page, f"trust-{name}-{lang}-{size}")

    page.goto(f"{site_server}/{lang}/")
    look("home")
    page.goto(f"{site_server}/{lang}/stores/")
    assert page.locator(f"[data-store-id='{store}'], a[href*='{store}']").first.is_visible()
    look("finder")
    page.goto(f"{site_server}/{lang}/stores/{store}/")
    today = page.locator("[aria-current='date']")
    assert today.count() == 1 and holiday in (today.get_attribute("data-date") or today.inner_html()), "the holiday is today's row"
    look("store-holiday")

    survey = f"{site_server}/s/{link_token(instance_secret(shared_database.path), store, 'checkout')}?lang={lang}"
    page.goto(survey)
    page.locator("button[type=submit]").click()  # nothing answered
    # autofocus; a locator, since wait_for_function evaluates its text with eval(), which the page's CSP forbids
    expect(page.locator(".summary:focus-within")).to_have_count(1)
    look("survey-errors")
    page.locator("fieldset#recommend label", has_text=re.compile(r"^2$")).click()  # a detractor
    page.locator("fieldset#satisfied label", has_text=re.compile(r"^1$")).click()
    page.locator("button[type=submit]").click()
    look("thanks-low")

    ticket = _resolved_ticket(site_server, store, lang, admin)
    page.goto(f"{site_server}/complaint/status/{ticket}?lang={lang}")
    assert REPLY[lang] in page.content(), "the customer reads the store's reply"
    look("status-resolved")

    assert problems == dict.fromkeys(problems, []), problems
    assert blocked == []
    context.close()
