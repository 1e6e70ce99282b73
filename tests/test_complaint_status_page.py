"""The status page a customer trusts: the store's reply to them once resolved (also for a customer who left
no contact), never a staff note; a timeline of the states reached, in the store's time zone and the
reader's language; the answer time and whether it is still ahead; a kind 404; who may write the reply;
and, in a real browser, a page that fits a 390 px phone."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient, transport

from audit_api.domain.forms import ComplaintForm
from audit_api.services import feedback
from audit_api.store import Database, migrate
from audit_api.store.migrations import migrations

from .audit_helpers import BOOK
from .conftest import NOON_TUESDAY, STORE_X, STORE_Y, Actor, Snapshots, make_client
from .test_browser import NEEDS_BROWSER, csp_violations, serious_violations, shot

MOSCOW_AFTER_MIDNIGHT = dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC)  # 02:30 on Wednesday 25 November in Moscow
REPLY = "We are sorry: the till charged you twice.\nWe have refunded 29.90 KM to your card; it shows within 3 days."
NOTES = {"resolution": "Refunded the second charge at the till", "root_cause": "Scanner double-read the barcode"}
HISTORY_NOTE = "Phoned the till supervisor Lejla"


def spaced(text: str) -> str:
    """CLDR puts no-break spaces where a line must not break; read them as spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def shown(page: str) -> str:
    """The page's text as a reader sees it: tags dropped, entities read, spaces as spaces."""
    return spaced(html.unescape(re.sub(r"<[^>]+>", " ", page)))


def complain(client: TestClient, store: str = STORE_X, lang: str = "bs", happened_on: str = "2026-11-23", **extra: str) -> tuple[str, str]:
    """A complaint filed on the form without any contact details: (ticket, the ticket page)."""
    form = {"store": store, "happened_on": happened_on, "what": "Naplatili su mi majicu dva puta.", "desired": "refund", "lang": lang, **extra}
    page = client.post("/complaint", data=form)
    assert page.status_code == 200, page.text
    ticket = re.search(r'id="ticket">(C-[0-9A-Z]{4}-[0-9A-Z]{4})<', page.text)
    assert ticket, page.text
    return ticket[1], page.text


def move(client: TestClient, ticket: str, headers: dict[str, str], to: str, **body: str) -> httpx.Response:
    return client.post(f"/api/v1/complaints/{ticket}/transitions", json={"to": to, **body}, headers=headers)


def resolve(client: TestClient, ticket: str, headers: dict[str, str], reply: str = REPLY) -> httpx.Response:
    assert move(client, ticket, headers, "acknowledged", note=HISTORY_NOTE).status_code == 200
    assert move(client, ticket, headers, "in_progress").status_code == 200
    return move(client, ticket, headers, "resolved", reply=reply, **NOTES)


def timeline(page: str) -> list[tuple[str, str]]:
    """(state, local time) of each step of the page's timeline, in order."""
    steps = re.findall(r'<li[^>]*><span class="st-step">([^<]+)</span> <time datetime="[^"]+">([^<]+)</time></li>', page)
    return [(state, spaced(at)) for state, at in steps]


# --- the reply: required, stored, shown once resolved ---------------------------------------------


def test_resolving_without_a_reply_is_a_422_naming_body_reply(loaded: Database, actors: dict[str, Actor]) -> None:
    mx = actors["manager_x"].headers
    with make_client(loaded) as client:
        ticket, _ = complain(client)
        assert move(client, ticket, mx, "in_progress").status_code == 200
        missing = move(client, ticket, mx, "resolved", **NOTES)
        blank = move(client, ticket, mx, "resolved", reply=" \n\t ", **NOTES)
        too_long = move(client, ticket, mx, "resolved", reply="x" * (feedback.REPLY_MAX_CHARS + 1), **NOTES)
        nothing = move(client, ticket, mx, "resolved")
        early = move(client, ticket, mx, "in_progress", reply="Not yet")  # a reply goes only with resolving: refused, not dropped
        detail = client.get(f"/api/v1/complaints/{ticket}", headers=mx).json()["complaint"]
    for refused, status in ((missing, 422), (blank, 422), (too_long, 400)):  # too long breaks the schema: 400, as every such body
        assert refused.status_code == status and refused.headers["content-type"] == "application/problem+json"
        body = refused.json()
        assert set(body) == {"type", "title", "status", "detail", "instance", "errors"} and body["status"] == status
        assert [e["path"] for e in body["errors"]] == ["body.reply"], body
    assert [e["path"] for e in nothing.json()["errors"]] == ["body.resolution", "body.root_cause", "body.reply"]
    assert early.status_code in (409, 422)  # in_progress -> in_progress is no move at all
    assert (detail["state"], detail["reply"], detail["resolution"]) == ("in_progress", "", ""), "nothing stored"


def test_a_reply_with_another_move_is_refused_not_dropped(loaded: Database, actors: dict[str, Actor]) -> None:
    mx = actors["manager_x"].headers
    with make_client(loaded) as client:
        ticket, _ = complain(client)
        refused = move(client, ticket, mx, "acknowledged", reply="We are on it")
    assert refused.status_code == 422 and [e["path"] for e in refused.json()["errors"]] == ["body.reply"]


def test_a_customer_without_contact_details_reads_the_reply_and_never_a_staff_note(loaded: Database, actors: dict[str, Actor]) -> None:
    mx = actors["manager_x"].headers
    with make_client(loaded) as client:
        ticket, ticket_page = complain(client, lang="en")
        before = client.get(f"/complaint/status/{ticket}?lang=en")
        resolved = resolve(client, ticket, mx, reply=REPLY + "\n<script>alert(1)</script>")
        after = client.get(f"/complaint/status/{ticket}?lang=en")
        staff = client.get(f"/api/v1/complaints/{ticket}", headers=mx).json()
        queue = client.get("/api/v1/complaints?all=true", headers=mx).json()
    assert "You left no contact details" in ticket_page and "status page of this complaint" in ticket_page
    assert before.status_code == 200 and "Our answer to your complaint" not in before.text
    assert "Our answer will appear here when your complaint is resolved." in before.text
    assert resolved.status_code == 200
    stored = loaded.read().execute("SELECT reply, resolution, root_cause FROM complaints WHERE ticket = ?", [ticket]).fetchone()
    assert stored == (REPLY + "\n<script>alert(1)</script>", NOTES["resolution"], NOTES["root_cause"])
    assert loaded.read().execute("SELECT COUNT(*) FROM complaint_contacts WHERE ticket = ?", [ticket]).fetchone() == (0,)
    text = shown(after.text)
    assert '<h2 id="reply-heading">Our answer to your complaint</h2>' in after.text
    assert "We have refunded 29.90 KM to your card" in text and "<script>alert(1)</script>" not in after.text, "plain text, escaped"
    assert "the till charged you twice.\nWe have refunded" in html.unescape(after.text), "its line breaks kept"
    for secret in (*NOTES.values(), HISTORY_NOTE, "manager-x", "Naplatili su mi"):
        assert secret not in after.text and secret not in before.text, secret
    assert staff["complaint"]["reply"].startswith(REPLY) and [c["reply"] for c in queue if c["ticket"] == ticket] == [staff["complaint"]["reply"]]


def test_the_ticket_page_of_a_customer_who_left_contact_details_says_the_answer_shows_there_too(loaded: Database) -> None:
    contact = {"consent": "yes", "contact_name": "Amra", "contact_email": "amra@example.com"}
    with make_client(loaded) as client:
        _, page = complain(client, lang="en", **contact)
    assert "Our answer will also appear on the status page of this complaint." in page and "You left no contact details" not in page


def test_a_reopened_complaint_hides_its_reply_until_resolved_again(loaded: Database, actors: dict[str, Actor]) -> None:
    mx = actors["manager_x"].headers
    with make_client(loaded) as client:
        ticket, _ = complain(client, lang="en")
        resolve(client, ticket, mx)
        assert move(client, ticket, mx, "in_progress", note="Customer says the refund did not arrive").status_code == 200
        reopened = client.get(f"/complaint/status/{ticket}?lang=en")
        again = move(client, ticket, mx, "resolved", reply="The refund is now on your card.", **NOTES)
        resolved = client.get(f"/complaint/status/{ticket}?lang=en")
        assert move(client, ticket, mx, "closed").status_code == 200
        closed = client.get(f"/complaint/status/{ticket}?lang=en")
    assert "We have refunded" not in reopened.text and "Our answer to your complaint" not in reopened.text
    assert again.status_code == 200 and "The refund is now on your card." in resolved.text and "We have refunded" not in resolved.text
    assert "The refund is now on your card." in closed.text, "a closed complaint keeps showing its answer"
    assert [state for state, _ in timeline(closed.text)] == ["Received", "Acknowledged", "Being handled", "Resolved", "Being handled", "Resolved", "Closed"]


# --- correcting the reply ---------------------------------------------------------------------------


def test_a_corrected_reply_is_kept_with_who_and_when(loaded: Database, actors: dict[str, Actor]) -> None:
    mx, admin = actors["manager_x"].headers, actors["admin"].headers
    later = NOON_TUESDAY + dt.timedelta(hours=3)  # 15:00 in Sarajevo
    with make_client(loaded) as client:
        ticket, _ = complain(client, lang="bs")
        resolve(client, ticket, mx)
    with make_client(loaded, clock_at=later) as client:
        url = f"/api/v1/complaints/{ticket}/reply"
        corrected = client.put(url, json={"reply": "Vratili smo 29,90 KM na vašu karticu.", "note": "the amount was wrong"}, headers=admin)
        same = client.put(url, json={"reply": "Vratili smo 29,90 KM na vašu karticu."}, headers=mx)
        empty = client.put(url, json={"reply": "   "}, headers=mx)
        unknown = client.put(url, json={"reply": "x", "resolution": "y"}, headers=mx)
        page = client.get(f"/complaint/status/{ticket}?lang=bs")
        assert move(client, ticket, mx, "closed").status_code == 200
        after_close = client.put(url, json={"reply": "Too late"}, headers=mx)
    assert corrected.status_code == 200 and corrected.json()["complaint"]["reply"] == "Vratili smo 29,90 KM na vašu karticu."
    assert corrected.json()["complaint"]["reply_at"] == later.isoformat()
    events = same.json()["events"]
    assert [(e["kind"], e["actor"], e["at"], e["note"]) for e in events if e["kind"] == "reply"] == [
        ("reply", "admin", later.isoformat(), "the amount was wrong")
    ], "one event: the same text again records nothing"
    assert empty.status_code == 422 and [e["path"] for e in empty.json()["errors"]] == ["body.reply"]
    assert unknown.status_code == 400 and [e["path"] for e in unknown.json()["errors"]] == ["body.resolution"]
    assert "Vratili smo 29,90 KM na vašu karticu." in page.text and "We have refunded" not in page.text
    assert "Ažurirano: utorak, 24. novembar 2026., 15:00" in spaced(page.text)
    assert "the amount was wrong" not in page.text and "admin" not in page.text
    assert [s for s, _ in timeline(page.text)] == ["Primljena", "Potvrđena", "U obradi", "Riješena"], "a correction is no step"
    assert after_close.status_code == 409 and after_close.headers["content-type"] == "application/problem+json"


def test_only_a_resolved_complaints_reply_can_be_corrected(loaded: Database, actors: dict[str, Actor]) -> None:
    mx = actors["manager_x"].headers
    with make_client(loaded) as client:
        ticket, _ = complain(client)
        answer = client.put(f"/api/v1/complaints/{ticket}/reply", json={"reply": "Early"}, headers=mx)
    assert answer.status_code == 409


CALLERS = [("anonymous", 401), ("auditor_a", 403), ("manager_y", 404), ("manager_x", 200), ("admin", 200)]


@pytest.mark.parametrize(("caller", "expected"), CALLERS, ids=[c for c, _ in CALLERS])
def test_who_may_write_the_reply(loaded: Database, actors: dict[str, Actor], caller: str, expected: int) -> None:
    """As for the transitions: the managers of the complaint's store and admins; another store's manager
    is told nothing exists (404), an auditor has the wrong role (403), no token is 401."""
    mx, headers = actors["manager_x"].headers, actors[caller].headers
    with make_client(loaded) as client:
        ticket, _ = complain(client)
        assert move(client, ticket, mx, "in_progress").status_code == 200
        resolving = move(client, ticket, headers, "resolved", reply="Written by " + caller, **NOTES)
        if resolving.status_code != 200:
            assert resolve_by_manager(client, ticket, mx).status_code == 200
        correcting = client.put(f"/api/v1/complaints/{ticket}/reply", json={"reply": "Corrected by " + caller}, headers=headers)
        stored = client.get(f"/api/v1/complaints/{ticket}", headers=mx).json()["complaint"]["reply"]
    assert (resolving.status_code, correcting.status_code) == (expected, expected)
    assert stored == ("Corrected by " + caller if expected == 200 else "Written by manager_x")
    if expected >= 400:
        assert correcting.headers["content-type"] == "application/problem+json"


def resolve_by_manager(client: TestClient, ticket: str, mx: dict[str, str]) -> httpx.Response:
    return move(client, ticket, mx, "resolved", reply="Written by manager_x", **NOTES)


# --- the timeline, the store, the answer time ----------------------------------------------------


def test_the_timeline_reads_the_tickets_times_in_the_stores_zone_in_two_languages(loaded: Database, actors: dict[str, Actor]) -> None:
    my = actors["manager_y"].headers  # Moscow's manager
    moments = [MOSCOW_AFTER_MIDNIGHT + dt.timedelta(hours=h) for h in (0, 6, 7.25, 10)]  # 02:30, 08:30, 09:45, 12:30 in Moscow
    with make_client(loaded, clock_at=moments[0]) as client:
        ticket, ticket_page = complain(client, store=STORE_Y, lang="ru", happened_on="2026-11-25")
    for at, (to, body) in zip(moments[1:], [("acknowledged", {}), ("in_progress", {}), ("resolved", {"reply": "Приносим извинения.", **NOTES})]):
        with make_client(loaded, clock_at=at) as client:
            assert move(client, ticket, my, to, **body).status_code == 200
    with make_client(loaded, clock_at=moments[-1]) as client:
        russian = client.get(f"/complaint/status/{ticket}?lang=ru")
        english = client.get(f"/complaint/status/{ticket}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    due = "среда, 25 ноября 2026 г., 12:30"  # ten hours after 02:30
    assert f"Срок ответа: {due}." in spaced(ticket_page) and due in spaced(russian.text), "the ticket and the status page agree"
    assert timeline(russian.text) == [
        ("Получена", "среда, 25 ноября 2026 г., 02:30"),
        ("Подтверждена", "среда, 25 ноября 2026 г., 08:30"),
        ("В работе", "среда, 25 ноября 2026 г., 09:45"),
        ("Решена", "среда, 25 ноября 2026 г., 12:30"),
    ]
    assert timeline(english.text) == [
        ("Received", "Wednesday, November 25, 2026, 2:30 AM"),
        ("Acknowledged", "Wednesday, November 25, 2026, 8:30 AM"),
        ("Being handled", "Wednesday, November 25, 2026, 9:45 AM"),
        ("Resolved", "Wednesday, November 25, 2026, 12:30 PM"),
    ]
    assert '<time datetime="2026-11-25T02:30+03:00">' in russian.text, "machine-readable, in the store's zone too"
    assert "Ответ дан в срок." in russian.text and "Answered in time." in english.text  # resolved at 12:30, due at 12:30
    assert "Липа Арбат, Москва" in russian.text and "Lipa Arbat, Moscow" in english.text
    assert "Возврат денег" in russian.text and "A refund" in english.text
    assert "Приносим извинения." in russian.text and "Приносим извинения." in english.text, "the reply as the manager wrote it"


@pytest.mark.parametrize(
    ("hours", "expected"),
    [(1, "That time is still ahead."), (11, "That time has passed: we are sorry for the wait.")],
    ids=["ahead", "passed"],
)
def test_the_answer_time_says_whether_it_is_still_ahead(loaded: Database, hours: int, expected: str) -> None:
    with make_client(loaded) as client:
        ticket, _ = complain(client, lang="en")
    with make_client(loaded, clock_at=NOON_TUESDAY + dt.timedelta(hours=hours)) as client:
        page = client.get(f"/complaint/status/{ticket}?lang=en")
    assert expected in page.text
    assert "Tuesday, November 24, 2026, 10:00 PM" in spaced(page.text)  # 11:00 UTC + 10 h, in Sarajevo


def test_a_late_answer_says_so(loaded: Database, actors: dict[str, Actor]) -> None:
    mx = actors["manager_x"].headers
    with make_client(loaded) as client:
        ticket, _ = complain(client, lang="en")
    with make_client(loaded, clock_at=NOON_TUESDAY + dt.timedelta(hours=12)) as client:
        resolve(client, ticket, mx)
        page = client.get(f"/complaint/status/{ticket}?lang=en")
    assert "Answered after that time: we are sorry for the wait." in page.text


# --- not found --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ru", "sw"])
def test_an_unknown_ticket_is_a_kind_404_in_the_pages_language(loaded: Database, lang: str) -> None:
    expected = {"ru": "Мы не нашли это обращение", "sw": "Hatukupata namba hii ya kumbukumbu"}[lang]
    with make_client(loaded) as client:
        ticket, _ = complain(client)
        pages = {
            typed: client.get(f"/complaint/status/{typed}?lang={lang}")
            for typed in ("C-AAAA-AAAA", "nonsense", "C-" + "9" * 200, ticket.replace("C-", "C-Z")[:11])
        }
    for typed, page in pages.items():
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html"), typed
        assert f'<html lang="{lang}">' in page.text and expected in page.text and "Traceback" not in page.text
        assert '<form method="get" action="/complaint/status"' in page.text, "the lookup form stays"
    bodies = {re.sub(r'value="[^"]*"', "", page.text) for page in pages.values()}
    assert len(bodies) == 1, "whatever was typed, the same answer: nothing tells whether tickets exist"


@pytest.mark.parametrize("lang", ["sw", "es", "bg"])
def test_every_state_of_the_status_page_speaks_the_readers_language(book_dir: Any, loaded: Database, actors: dict[str, Actor], lang: str) -> None:
    """tests/test_no_english.py reads a just-filed ticket; here every other part: the reply, a late answer, a correction."""
    from audit_api.store import publish

    from .test_no_english import leaks, speaking

    publish(loaded, speaking(book_dir))
    mx = actors["manager_x"].headers
    pages = {}
    with make_client(loaded) as client:
        ticket, pages["ticket without contact"] = complain(client, lang=lang)
        _, pages["ticket with contact"] = complain(client, lang=lang, consent="yes", contact_email="amra@example.com")
    with make_client(loaded, clock_at=NOON_TUESDAY + dt.timedelta(hours=11)) as client:
        pages["open, late"] = client.get(f"/complaint/status/{ticket}?lang={lang}").text
        resolve(client, ticket, mx, reply="Извините.")
        pages["answered late"] = client.get(f"/complaint/status/{ticket}?lang={lang}").text
    with make_client(loaded, clock_at=NOON_TUESDAY + dt.timedelta(hours=12)) as client:
        assert client.put(f"/api/v1/complaints/{ticket}/reply", json={"reply": "Простите."}, headers=mx).status_code == 200
        pages["corrected"] = client.get(f"/complaint/status/{ticket}?lang={lang}").text
        pages["not found"] = client.get(f"/complaint/status/C-0000-0000?lang={lang}").text
    assert "Простите." in pages["corrected"]
    assert leaks(pages, lang) == {}


# --- the purge and the migration ------------------------------------------------------------------


def test_the_purge_removes_the_reply_with_the_complaints_text(loaded: Database, actors: dict[str, Actor]) -> None:
    admin = actors["admin"].user
    assert admin is not None
    now = dt.datetime.now(dt.UTC)
    old = now - dt.timedelta(days=BOOK.chain.retention_days + 1)
    form = ComplaintForm(store_id=STORE_X, happened_on=old.date(), what="My name is Amra and...", desired="refund", contact=None)
    ticket = feedback.file_complaint(loaded, BOOK, form, "en", old)
    feedback.move_complaint(loaded, admin, ticket, "in_progress", "", old)
    feedback.move_complaint(loaded, admin, ticket, "resolved", "", old, NOTES["resolution"], NOTES["root_cause"], "Dear Amra, we refunded you.")
    report = feedback.purge(loaded, BOOK, now)
    with make_client(loaded, clock_at=now) as client:
        page = client.get(f"/complaint/status/{ticket}?lang=en")
    assert report.complaint_texts == 1
    row = loaded.read().execute("SELECT what, reply, state, resolution FROM complaints WHERE ticket = ?", [ticket]).fetchone()
    assert row == ("", "", "resolved", NOTES["resolution"]), "texts go, the state and staff notes stay"
    assert "Amra" not in page.text and "Our answer is no longer shown" in page.text


def test_the_migration_keeps_every_complaint_and_its_history(tmp_path: Any) -> None:
    from audit_api.store import publish

    database = Database(tmp_path / "audit.db")
    try:
        with database.writer() as db:
            migrations.apply(db, stop_before="m007_complaint_replies")
        publish(database, BOOK)
        with database.write() as db:
            db.execute(
                "INSERT INTO complaints (ticket, store_id, language, happened_on, what, desired, state, received_at, acknowledge_by, "
                "respond_by, acknowledged_at, resolved_at, resolution, root_cause) VALUES ('C-0000-0001', ?, 'en', '2026-11-23', "
                "'Rude', 'apology', 'resolved', ?, ?, ?, ?, ?, 'Talked to staff', 'Training')",
                [STORE_X, *(NOON_TUESDAY.isoformat(),) * 5],
            )
            db.execute(
                "INSERT INTO complaint_events (ticket, at, to_state, note) VALUES ('C-0000-0001', ?, 'received', ''), "
                "('C-0000-0001', ?, 'resolved', 'done')",
                [NOON_TUESDAY.isoformat(), NOON_TUESDAY.isoformat()],
            )
        assert migrate(database)[0] == "m007_complaint_replies"  # and any step added since
        row = next(database.read().query("SELECT what, resolution, root_cause, reply, reply_at FROM complaints"))
        kinds = [r["kind"] for r in database.read().query("SELECT kind FROM complaint_events ORDER BY id")]
        with make_client(database) as client:
            page = client.get("/complaint/status/C-0000-0001?lang=en")
    finally:
        database.close()
    assert row == {"what": "Rude", "resolution": "Talked to staff", "root_cause": "Training", "reply": "", "reply_at": None}
    assert kinds == ["transition", "transition"]
    assert page.status_code == 200 and "Talked to staff" not in page.text and "Our answer to your complaint" not in page.text


# --- the API's document ---------------------------------------------------------------------------


def test_the_document_describes_the_reply_and_the_answers_keep_to_it(loaded: Database, actors: dict[str, Actor]) -> None:
    from .test_api_contract import Conformance

    with make_client(loaded) as test_client:
        spec = test_client.get("/schema/openapi.json").json()
        schemas = spec["components"]["schemas"]
        check = Conformance(spec)
        http = httpx.Client(base_url="http://testserver.local", transport=transport.TestClientTransport(test_client),
                            headers=actors["manager_x"].headers, event_hooks={"response": [check]})
        ticket, _ = complain(test_client)
        base = f"/api/v1/complaints/{ticket}"
        http.post(f"{base}/transitions", json={"to": "in_progress"})
        http.post(f"{base}/transitions", json={"to": "resolved", **NOTES})  # 422
        http.post(f"{base}/transitions", json={"to": "resolved", "reply": REPLY, **NOTES})
        http.put(f"{base}/reply", json={"reply": "Corrected", "note": "typo"})
        http.put(f"{base}/reply", json={"reply": " "})  # 422
        http.get(base)
        http.post(f"{base}/transitions", json={"to": "closed"})
        http.put(f"{base}/reply", json={"reply": "Too late"})  # 409 (the client is over the test client's transport: nothing to close)
    assert [status for _, _, status in check.answered] == [200, 422, 200, 200, 422, 200, 200, 409]
    assert schemas["Transition"]["properties"]["reply"]["maxLength"] == feedback.REPLY_MAX_CHARS
    assert schemas["ReplyCorrection"]["required"] == ["reply"] and schemas["ReplyCorrection"]["additionalProperties"] is False
    assert {"reply", "reply_at"} <= set(schemas["ComplaintView"]["required"])
    assert "kind" in schemas["ComplaintEvent"]["required"]
    assert {"409", "404", "403", "401", "422"} <= set(spec["paths"]["/api/v1/complaints/{ticket}/reply"]["put"]["responses"])


# --- in a real browser: a 390 px phone and a 1280 px desktop ---------------------------------------

LONG_REPLY = (
    "Здравствуйте! Приносим извинения: касса списала оплату дважды.\n\n"
    "Мы вернули 2 990 ₽ на вашу карту; деньги поступят в течение трёх рабочих дней. "
    "Подробности о возврате: https://lipa.example/pomoshch/vozvrat-deneg-na-kartu-posle-dvoynogo-spisaniya-na-kasse"
)


def fits(page: Any) -> bool:
    """Nothing scrolls sideways: the document is no wider than the window."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def _browser_checks(page: Any, name: str) -> None:
    assert fits(page), f"{name} scrolls sideways"
    assert serious_violations(page) == [], name
    shot(page, name)


@NEEDS_BROWSER
def test_the_status_page_on_a_phone_and_a_desktop(shared_server: str, snapshots: Snapshots, chromium: Any) -> None:
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
    my = snapshots.people["manager_y"].headers
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU", is_mobile=True, has_touch=True)
    page = phone.new_page()
    blocked = csp_violations(page)
    page.goto(f"{shared_server}/complaint?store={STORE_Y}&lang=ru")
    page.fill("#happened_on", yesterday)
    page.locator("#what").fill("На кассе с меня дважды списали деньги за рубашку.")
    page.locator("input[name=desired][value=refund]").check()
    page.locator("button[type=submit]").click()  # no contact details given
    ticket = page.locator("#ticket").inner_text()
    assert page.get_by_text("Вы не оставили контактных данных").is_visible()
    _browser_checks(page, "ticket-nocontact-ru-phone")

    page.get_by_role("link", name="Отследить жалобу").click()
    assert page.get_by_text("Липа Арбат, Москва").is_visible()
    assert page.locator(".st-timeline li").count() == 1
    _browser_checks(page, "status-received-ru-phone")

    for to, body in (("acknowledged", {}), ("in_progress", {}), ("resolved", {"reply": LONG_REPLY, **NOTES})):
        httpx.post(f"{shared_server}/api/v1/complaints/{ticket}/transitions", json={"to": to, **body}, headers=my).raise_for_status()
    page.reload()
    assert page.get_by_role("heading", name="Наш ответ на вашу жалобу").is_visible()
    assert page.locator(".st-timeline li").count() == 4 and NOTES["root_cause"] not in page.content()
    _browser_checks(page, "status-resolved-ru-phone")

    page.goto(f"{shared_server}/complaint/status/C-NOPE-0000?lang=bs")
    assert page.get_by_role("heading", name="Nismo pronašli ovu prijavu").is_visible()
    _browser_checks(page, "status-notfound-bs-phone")
    phone.close()

    desktop = chromium.new_context(viewport={"width": 1280, "height": 900})
    wide = desktop.new_page()
    blocked += csp_violations(wide)
    for lang in ("ru", "en"):
        wide.goto(f"{shared_server}/complaint/status/{ticket}?lang={lang}")
        _browser_checks(wide, f"status-resolved-{lang}-desktop")
    desktop.close()
    assert blocked == []
