"""The survey and its thank-you page as customers see them on a phone (390x844) and a computer (1280x900), in
Debian's Chromium: after a low score the apology and a full-width complaint button come first; a scale's end
words sit under its first and last buttons and are heard once; the contact fields show only while "contact me"
is ticked, without JavaScript; required questions are marked; a refused answer puts the focus on the error
summary, with and without JavaScript, and each of its entries leads to its field. axe-core finds nothing
serious on any of these states, no page breaks the Content-Security-Policy, and the survey stays one request.
Screenshots land in build/screenshots/ (survey-errors-*, thanks-low-*, thanks-good-*, complaint-errors-*)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import expect

from audit_api.domain.links import link_token
from audit_api.store import Database
from audit_api.store.secret import instance_secret

from .test_browser import NEEDS_BROWSER, csp_violations, serious_violations, shot

pytestmark = NEEDS_BROWSER

DEVICES = {"phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
           "desktop": {"viewport": {"width": 1280, "height": 900}}}
# Each language at a store that speaks it, at a touchpoint serving the chain's default survey (store-feedback).
STORES = {"ru": ("moskva-arbat", "checkout"), "bs": ("sarajevo-ferhadija", "fitting-room")}
# store-feedback's follow-up rule: a recommendation of 6 or less is a low score.
LOW, GOOD = "3", "9"
# Each language on one of the two screens (the other pairs add minutes, not knowledge; tests/test_pages_people_trust.py
# shows every page on both screens in sw and ru).
PAIRS = [("ru", "phone"), ("bs", "desktop")]

Browser = Callable[..., object]


@pytest.fixture
def browser_page(chromium) -> Iterator[Browser]:
    """`browser_page(device, javascript=True)`: a fresh page in its own context (closed after the test)."""
    contexts = []

    def open_page(device: str, javascript: bool = True):
        context = chromium.new_context(**DEVICES[device], java_script_enabled=javascript)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def survey_url(server: str, database: Database, lang: str) -> str:
    store, touchpoint = STORES[lang]
    return f"{server}/s/{link_token(instance_secret(database.path), store, touchpoint)}?lang={lang}"


def pick(page, question: str, value: str) -> None:
    """Choose a number on a scale as a customer does: by tapping its button."""
    page.locator(f"fieldset#{question} .scale label", has_text=re.compile(rf"^{value}$")).click()


def box(page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not drawn"
    return found


def focused(page) -> str:
    """What has the focus: its tag, then its id or classes."""
    return page.evaluate("() => { const e = document.activeElement; return `${e.tagName.toLowerCase()}#${e.id}.${e.className}`; }")


# --- the thank-you page ------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "device"), PAIRS)
def test_after_a_low_score_the_apology_and_the_complaint_button_come_first(
    shared_server: str, shared_database: Database, browser_page: Browser, lang: str, device: str
) -> None:
    page = browser_page(device)
    blocked = csp_violations(page)
    page.goto(survey_url(shared_server, shared_database, lang))
    pick(page, "recommend", LOW)
    pick(page, "satisfied", "2")
    page.locator("button[type=submit]").click()

    button = page.locator(".sorry a.button")
    expect(button).to_be_visible()
    code, heading, apology = box(page, ".ticket"), box(page, "h1"), box(page, ".sorry p")
    assert apology["y"] < box(page, ".sorry a.button")["y"] < heading["y"] < code["y"], "apology, button, then thanks and code"
    assert box(page, "main > *")["y"] == apology["y"], "nothing above the apology"
    sorry, main_width = box(page, ".sorry"), page.evaluate("() => { const m = getComputedStyle(document.querySelector('main')); "
                                                          "return document.querySelector('main').clientWidth - parseFloat(m.paddingLeft) - parseFloat(m.paddingRight); }")
    assert box(page, ".sorry a.button")["width"] == sorry["width"] == main_width, "the button fills the page's width"
    assert serious_violations(page) == []
    shot(page, f"thanks-low-{lang}-{device}")

    button.click()  # the complaint form, for this store and this answer
    store, _ = STORES[lang]
    assert page.locator("select#store").input_value() == store
    assert re.fullmatch(r"[0-9]+\.[A-Za-z0-9_-]{16}", page.locator("input[name=from]").input_value())
    assert blocked == []


@pytest.mark.parametrize("device", DEVICES)
def test_after_a_good_score_the_thanks_come_first(
    shared_server: str, shared_database: Database, browser_page: Browser, device: str
) -> None:
    page = browser_page(device)
    page.goto(survey_url(shared_server, shared_database, "bs"))
    pick(page, "recommend", GOOD)
    pick(page, "satisfied", "5")
    page.locator("button[type=submit]").click()

    expect(page.locator("h1")).to_have_text("Hvala vam")
    assert page.locator(".sorry, a.button").count() == 0, "no complaint offer after a good score"
    assert box(page, "main > *")["y"] == box(page, "h1")["y"] < box(page, ".ticket")["y"]
    assert serious_violations(page) == []
    shot(page, f"thanks-good-bs-{device}")


# --- the survey ----------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "device"), PAIRS)
def test_a_scales_end_words_sit_under_its_first_and_last_buttons(
    shared_server: str, shared_database: Database, browser_page: Browser, lang: str, device: str
) -> None:
    page = browser_page(device)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(survey_url(shared_server, shared_database, lang))
    assert len(requests) == 1, f"the survey is one request: {requests}"

    scales = page.locator("fieldset:has(.ends)")
    assert scales.count() == 5  # recommend, satisfied, easy, staff-friendly, tidy
    for n in range(scales.count()):
        scale = scales.nth(n)
        buttons = scale.locator(".scale label")
        first, last = buttons.first.bounding_box(), buttons.last.bounding_box()
        low, high = scale.locator(".ends span").first.bounding_box(), scale.locator(".ends span").last.bounding_box()
        assert first and last and low and high
        assert first["y"] == last["y"], "one row of buttons"
        assert low["y"] >= first["y"] + first["height"] and high["y"] >= last["y"] + last["height"], "the words are under the buttons"
        assert abs(low["x"] - first["x"]) < 1, "the low word starts under the first button"
        assert abs((high["x"] + high["width"]) - (last["x"] + last["width"])) < 1, "the high word ends under the last button"
        assert low["x"] + low["width"] < high["x"], "the two words do not run into each other"
        # Heard once: as the end button's description, and not again as text of the page.
        words = scale.locator(".ends span").all_inner_texts()
        expect(scale.locator("input").first).to_have_accessible_description(words[0])
        expect(scale.locator("input").last).to_have_accessible_description(words[1])
        expect(scale.locator(".ends")).to_have_attribute("aria-hidden", "true")
        heard = scale.aria_snapshot()
        assert f"text: {words[0]}" not in heard and f"text: {words[1]}" not in heard
    assert serious_violations(page) == []
    shot(page, f"survey-{lang}-{device}")


def test_required_questions_are_marked_for_the_eye_and_the_ear(
    shared_server: str, shared_database: Database, browser_page: Browser
) -> None:
    page = browser_page("phone")
    page.goto(survey_url(shared_server, shared_database, "bs"))
    expect(page.get_by_text("Pitanja označena sa * su obavezna.")).to_have_count(1)
    for question in ("recommend", "satisfied"):  # the two the book requires
        expect(page.locator(f"fieldset#{question} legend .req")).to_have_text("*")
        expect(page.locator(f"fieldset#{question}")).to_have_accessible_name(re.compile(r"\(obavezno\)$"))
    expect(page.locator("fieldset#easy")).not_to_have_accessible_name(re.compile("obavezno"))
    assert page.locator(".req").count() == 2


def test_the_contact_fields_show_only_while_contact_me_is_ticked_without_javascript(
    shared_server: str, shared_database: Database, browser_page: Browser
) -> None:
    contacts = "SELECT count(*) FROM survey_contacts"
    kept = shared_database.read().execute(contacts).fetchone()
    page = browser_page("phone", javascript=False)
    blocked = csp_violations(page)
    page.goto(survey_url(shared_server, shared_database, "bs"))
    consent, fields = page.locator("#contact-ok"), page.locator("#contact_name, #contact_email, #contact_phone")
    expect(fields).to_have_count(3)
    for n in range(3):
        expect(fields.nth(n)).to_be_hidden()
    consent.focus()
    page.keyboard.press("Tab")
    assert focused(page).startswith("button#"), "hidden, they take no focus: the next stop is the send button"

    page.get_by_label("Možete me kontaktirati u vezi s mojim odgovorima.").check()
    for n in range(3):
        expect(fields.nth(n)).to_be_visible()
    email = page.get_by_label("E-pošta")  # named and described as a customer hears it
    expect(email).to_have_accessible_description(re.compile(r"^Unesite adresu e-pošte ili broj telefona\."))
    consent.focus()
    page.keyboard.press("Tab")
    assert focused(page) == "input#contact_name.", "shown, they come right after the box"
    shot(page, "survey-contact-bs-phone")

    email.fill("amra@example.com")
    consent.uncheck()  # changed their mind: the fields go, and what was typed is not kept
    expect(email).to_be_hidden()
    pick(page, "recommend", GOOD)
    pick(page, "satisfied", "5")
    page.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Hvala vam")
    assert shared_database.read().execute(contacts).fetchone() == kept, "no contact details kept"
    assert blocked == []

    # axe-core needs JavaScript (and its timers), so it reads both states where they are the same without it.
    page = browser_page("phone")
    page.goto(survey_url(shared_server, shared_database, "bs"))
    assert serious_violations(page) == [], "fields hidden"
    page.locator("#contact-ok").check()
    assert serious_violations(page) == [], "fields shown"


@pytest.mark.parametrize(("lang", "device"), PAIRS)
def test_a_refused_answer_puts_the_focus_on_the_error_summary(
    shared_server: str, shared_database: Database, browser_page: Browser, lang: str, device: str
) -> None:
    for javascript in (False, True):
        page = browser_page(device, javascript=javascript)
        blocked = csp_violations(page)
        page.goto(survey_url(shared_server, shared_database, lang))
        page.get_by_label(re.compile(r"^(Со мной можно|Možete me)")).check()
        page.locator("#contact_email").fill("not an address")
        page.locator("button[type=submit]").click()

        summary = page.locator(".summary")
        expect(summary).to_be_focused()
        assert focused(page) == "div#.summary", "with and without JavaScript"
        links = summary.locator("a")
        assert [link.get_attribute("href") for link in links.all()] == ["#recommend_0", "#satisfied_1", "#contact_email"]
        if javascript:  # axe-core needs JavaScript; the page is the same without it
            assert serious_violations(page) == []
            shot(page, f"survey-errors-{lang}-{device}")
        for n, target in enumerate(("recommend_0", "satisfied_1", "contact_email")):
            links.nth(n).click()
            assert focused(page).startswith(f"input#{target}."), "each entry leads to its field"
        assert blocked == []


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_the_complaint_form_marks_what_it_needs_and_focuses_its_summary(shared_server: str, browser_page: Browser, javascript: bool) -> None:
    page = browser_page("phone", javascript=javascript)
    blocked = csp_violations(page)
    page.goto(f"{shared_server}/complaint?lang=bs")
    expect(page.get_by_text("Polja označena sa * su obavezna.")).to_have_count(1)
    assert page.locator(".req").count() == 4  # store, date, what happened, what would put it right
    expect(page.get_by_label(re.compile(r"^Šta se dogodilo\?"))).to_have_accessible_name(re.compile(r"\(obavezno\)$"))
    expect(page.locator("#contact_email")).to_be_hidden()
    page.get_by_label("Možete me kontaktirati u vezi s ovom pritužbom.").check()
    expect(page.locator("#contact_email")).to_be_visible()
    page.locator("button[type=submit]").click()

    summary = page.locator(".summary")
    expect(summary).to_be_focused()
    links = summary.locator("a")
    assert [link.get_attribute("href") for link in links.all()] == ["#store", "#what", "#desired_exchange", "#contact_email"]
    links.nth(2).click()
    assert focused(page).startswith("input#desired_exchange.")
    if javascript:  # axe-core needs JavaScript; the page is the same without it
        assert serious_violations(page) == []
        shot(page, "complaint-errors-bs-phone")
    assert blocked == []
