"""Complaints: a ticket at once, a public status without personal data, a queue on the response clock."""

from __future__ import annotations

import datetime as dt
import re

from audit_api.domain.forms import ComplaintForm, Contact
from audit_api.services import feedback
from audit_api.store import Database

from .audit_helpers import BOOK
from .conftest import NOON_TUESDAY, STORE_X, STORE_Y, Actor, make_client

FORM = {"store": STORE_X, "happened_on": "2026-11-23", "what": "Charged twice for one shirt.", "desired": "refund",
        "consent": "yes", "contact_name": "Amra", "contact_email": "amra@example.com", "lang": "bs"}


def file(database: Database, store: str, at: dt.datetime, contact: bool = False) -> str:
    form = ComplaintForm(store_id=store, happened_on=at.date(), what="x", desired="apology",
                         contact=Contact(name="N", email="n@example.com", phone="") if contact else None)
    return feedback.file_complaint(database, BOOK, form, "en", at)


def test_a_complaint_gets_a_ticket_and_a_status_page(loaded: Database) -> None:
    with make_client(loaded) as client:
        page = client.post("/complaint", data=FORM)
        assert page.status_code == 200
        ticket = re.search(r'<p class="ticket" id="ticket">(C-[0-9A-Z]{4}-[0-9A-Z]{4})</p>', page.text)[1]
        assert "Odgovor ćete dobiti najkasnije: utorak, 24. novembar 2026., 22:00." in page.text  # 11:00 UTC + 10 h, Sarajevo (UTC+1)
        status = client.get(f"/complaint/status/{ticket}?lang=en")
        lookup = client.get("/complaint/status", params={"ticket": ticket.lower().replace("0", "o")})
    assert status.status_code == 200 and "Received" in status.text and ticket in status.text
    assert "Charged twice" not in status.text and "amra" not in status.text.lower(), "no narrative, no personal data"
    assert lookup.status_code == 200 and ticket in lookup.text, "typed tickets are forgiven case and O/0"
    row = loaded.read().execute("SELECT store_id, respond_by, acknowledge_by FROM complaints WHERE ticket = ?", [ticket]).fetchone()
    assert row == (STORE_X, "2026-11-24T21:00:00+00:00", "2026-11-24T13:00:00+00:00")


def test_complaint_form_errors_are_shown_in_place(loaded: Database) -> None:
    with make_client(loaded) as client:
        page = client.post("/complaint", data={"store": "atlantis", "happened_on": "2030-01-01", "what": "", "lang": "en"})
    assert page.status_code == 422
    for message in ("Please choose the store.", "The date cannot be in the future.", "Please answer this question.", "Please choose one of the answers."):
        assert message in page.text
    assert loaded.read().execute("SELECT COUNT(*) FROM complaints").fetchone()[0] == 0


def test_unknown_ticket_is_404_without_a_trace(loaded: Database) -> None:
    with make_client(loaded) as client:
        page = client.get("/complaint/status/C-AAAA-AAAA", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Traceback" not in page.text


def test_queue_is_sorted_by_due_time_with_overdue_flags(loaded: Database, actors: dict[str, Actor]) -> None:
    early = file(loaded, STORE_X, NOON_TUESDAY - dt.timedelta(hours=12))  # due 2 h ago: overdue
    fresh = file(loaded, STORE_X, NOON_TUESDAY - dt.timedelta(hours=1))  # due in 9 h; ack due in 1 h
    middle = file(loaded, STORE_X, NOON_TUESDAY - dt.timedelta(hours=5))  # due in 5 h; ack 3 h late
    elsewhere = file(loaded, STORE_Y, NOON_TUESDAY - dt.timedelta(hours=3))
    with make_client(loaded) as client:
        mx = client.get("/api/v1/complaints", headers=actors["manager_x"].headers).json()
        admin = client.get("/api/v1/complaints", headers=actors["admin"].headers).json()
    assert [(c["ticket"], c["overdue"], c["acknowledgement_overdue"]) for c in mx] == [
        (early, True, True), (middle, False, True), (fresh, False, False)
    ]
    assert [c["ticket"] for c in admin] == [early, middle, elsewhere, fresh]
    assert all(c["contact"] is None for c in mx), "the queue carries no personal data"


def test_transitions_are_kept_with_who_and_when(loaded: Database, actors: dict[str, Actor]) -> None:
    ticket = file(loaded, STORE_X, NOON_TUESDAY - dt.timedelta(hours=1), contact=True)
    mx = actors["manager_x"].headers
    url = f"/api/v1/complaints/{ticket}/transitions"
    with make_client(loaded) as client:
        assert client.post(url, json={"to": "closed"}, headers=mx).status_code == 409
        assert client.post(url, json={"to": "acknowledged", "note": "Called the customer"}, headers=mx).status_code == 200
        assert client.post(url, json={"to": "in_progress"}, headers=mx).status_code == 200
        missing = client.post(url, json={"to": "resolved", "resolution": "Refunded"}, headers=mx)
        assert missing.status_code == 422
        assert [e["path"] for e in missing.json()["errors"]] == ["body.root_cause", "body.reply"]
        resolved = client.post(url, json={"to": "resolved", "resolution": "Refunded 29.90", "root_cause": "Till scanned twice",
                                          "reply": "We have refunded the second charge."}, headers=mx)
        detail = client.get(f"/api/v1/complaints/{ticket}", headers=mx).json()
        public = client.get(f"/complaint/status/{ticket}?lang=en")
    assert resolved.status_code == 200
    complaint = detail["complaint"]
    assert complaint["state"] == "resolved" and complaint["resolution"] == "Refunded 29.90" and complaint["root_cause"] == "Till scanned twice"
    assert complaint["reply"] == "We have refunded the second charge." and complaint["reply_at"] == NOON_TUESDAY.isoformat()
    assert complaint["acknowledged_at"] == complaint["resolved_at"] == NOON_TUESDAY.isoformat()
    assert complaint["contact"] == {"name": "N", "email": "n@example.com", "phone": ""}
    assert [(e["actor"], e["from_state"], e["to_state"], e["note"], e["kind"]) for e in detail["events"]] == [
        (None, None, "received", "", "transition"),
        ("manager-x", "received", "acknowledged", "Called the customer", "transition"),
        ("manager-x", "acknowledged", "in_progress", "", "transition"),
        ("manager-x", "in_progress", "resolved", "", "transition"),
    ]
    assert "Resolved" in public.text and "We have refunded the second charge." in public.text
    assert "Till scanned twice" not in public.text and "Refunded 29.90" not in public.text and "Called the customer" not in public.text


def test_contact_details_only_for_the_store_managers_and_admins(loaded: Database, actors: dict[str, Actor]) -> None:
    ticket = file(loaded, STORE_X, NOON_TUESDAY, contact=True)
    with make_client(loaded) as client:
        seen = {name: client.get(f"/api/v1/complaints/{ticket}", headers=actors[name].headers) for name in ("auditor_a", "manager_x", "manager_y", "admin")}
    assert seen["manager_x"].json()["complaint"]["contact"]["email"] == "n@example.com"
    assert seen["admin"].json()["complaint"]["contact"]["email"] == "n@example.com"
    assert seen["manager_y"].status_code == 404 and seen["auditor_a"].status_code == 403


def test_the_date_offered_is_the_chosen_stores_today(loaded: Database) -> None:
    """At 21:30 UTC Moscow's stores are past midnight (25 November) while Sarajevo's are not (24 November): the form
    for a Sarajevo store offers Sarajevo's date, and that date is taken. A CI run at 21:02 UTC found the form offering
    Moscow's date, and refusing it as a date in the future."""
    late = dt.datetime(2026, 11, 24, 21, 30, tzinfo=dt.UTC)

    def offered(page: str) -> tuple[str, str]:
        field = re.search(r'<input type="date" id="happened_on" name="happened_on" value="([^"]*)" max="([^"]*)"', page)
        assert field, page
        return field[1], field[2]

    with make_client(loaded, clock_at=late) as client:
        anywhere = offered(client.get("/complaint?lang=en").text)
        here = offered(client.get(f"/complaint?lang=en&store={STORE_X}").text)
        filed = client.post("/complaint", data={**FORM, "happened_on": here[0]})
        refused = client.post("/complaint", data={**FORM, "happened_on": anywhere[0], "lang": "en"})
    assert anywhere == ("2026-11-25", "2026-11-25"), "no store chosen yet: the chain's latest date"
    assert here == ("2026-11-24", "2026-11-24"), "the store's own date"
    assert filed.status_code == 200 and 'id="ticket"' in filed.text
    assert refused.status_code == 422 and "The date cannot be in the future." in refused.text
    assert offered(refused.text) == ("2026-11-25", "2026-11-24"), "the answer given kept; the store's date as the limit"
