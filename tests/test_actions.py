"""Corrective actions: a failed item of an approved audit opens one for the store's managers, due at the end
of the store-local day the checklist's `action_days` after the approval; the store closes it with a note and
a photo; the next audit of the store failing the same item shows "failed again"; overdue is worked out from
now; managers of other stores never see it (404), auditors are refused at the guard (403); a page at a time.
"""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import uuid
from collections.abc import Sequence

from PIL import Image

from audit_api.domain.actions import due_at
from audit_api.domain.audits import AuditSubmission
from audit_api.domain.scoring import Answer
from audit_api.services import actions, visits
from audit_api.store import Database
from audit_api.store.accounts import User
from audit_api.store.blobs import BlobStore

from .audit_helpers import BOOK, VISIT_START, assign, perfect_answers
from .conftest import NOON_TUESDAY, STORE_X, STORE_Y, Actor, make_client

CRITICAL = "scenario-answered"  # a critical yes/no item of the in-store visit that wants no photo or comment
# Yes/no items of the in-store visit whose failure wants no photo or comment: an audit failing them may be approved as it is.
PLAIN = [i.id for s in BOOK.checklists_by_id["in-store-visit"].stages for i in s.items if i.kind == "yes_no" and i.evidence == "none"]


def approved(
    database: Database, auditor: User, reviewer: User, *, store_id: str = STORE_X, failing: Sequence[str] = (CRITICAL,),
    visited_at: dt.datetime = VISIT_START, approved_at: dt.datetime | None = NOON_TUESDAY,
) -> str:
    """A visit whose audit fails `failing` (yes/no items answered "no"), submitted an hour after the visit and
    approved by `reviewer` at `approved_at` (None: left submitted). Its id."""
    visit = assign(database, auditor, reviewer, store_id)
    answers = [Answer(**{**a, "value": False} if a["item"] in failing else a) for a in perfect_answers()]
    body = AuditSubmission(visit_id=visit.id, started_at=visited_at, finished_at=visited_at + dt.timedelta(minutes=25), answers=answers)
    visits.submit_audit(database, BOOK, auditor, str(uuid.uuid4()), body, now=visited_at + dt.timedelta(hours=1)).result()
    if approved_at is not None:
        visits.review(database, BOOK, reviewer, visit.id, "approve", "", now=approved_at)
    return visit.id


def image(colour: tuple[int, int, int] = (20, 120, 60), kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format=kind)
    return out.getvalue()


def test_a_failed_critical_item_opens_an_action_due_at_the_end_of_the_stores_day(loaded: Database, actors: dict[str, Actor]) -> None:
    a, admin = actors["auditor_a"].user, actors["admin"].user
    # 23:30 UTC on 24 November is already 00:30 on the 25th in Sarajevo (UTC+1) and 02:30 in Moscow (UTC+3).
    late = dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC)
    sarajevo = approved(loaded, a, admin, approved_at=late)
    moscow = approved(loaded, a, admin, store_id=STORE_Y, approved_at=late)
    approved(loaded, a, admin, failing=())  # a perfect audit opens nothing
    approved(loaded, a, admin, approved_at=None)  # nor does one not yet approved
    with make_client(loaded, clock_at=late) as client:
        mine = client.get("/api/v1/actions", headers=actors["manager_x"].headers)
        theirs = client.get("/api/v1/actions", headers=actors["manager_y"].headers).json()
        everyone = client.get("/api/v1/actions", headers=actors["admin"].headers).json()
    assert mine.status_code == 200
    [action] = mine.json()
    # The in-store visit gives 14 days: Sarajevo's 25 November + 14 = 9 December, which ends at its midnight,
    # 00:00 on 10 December at UTC+1, that is 23:00 UTC on the 9th (in UTC's own days it would be 24 + 14 = 8 December).
    assert action["due_at"] == "2026-12-09T23:00:00+00:00"
    assert {k: action[k] for k in ("visit_id", "revision", "store_id", "checklist_id", "stage_id", "item_id", "critical", "state")} == {
        "visit_id": sarajevo, "revision": 1, "store_id": STORE_X, "checklist_id": "in-store-visit", "stage_id": "needs-discovery",
        "item_id": CRITICAL, "critical": True, "state": "open",
    }
    assert action["overdue"] is False and action["failed_again"] is False and action["repeat_of"] is None
    assert action["opened_at"] == late.isoformat() and action["closed_at"] is None and action["photo"] is None
    # Moscow's 25 November + 14 ends at 00:00 on 10 December at UTC+3: 21:00 UTC on the 9th.
    assert [(x["visit_id"], x["due_at"]) for x in theirs] == [(moscow, "2026-12-09T21:00:00+00:00")]
    assert [x["visit_id"] for x in everyone] == [moscow, sarajevo]  # soonest due first


def test_the_due_rule_counts_the_checklists_days_in_the_stores_own_calendar() -> None:
    approval = dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC)
    assert due_at("Europe/Sarajevo", approval, 14) == dt.datetime(2026, 12, 8, 23, 0, tzinfo=dt.UTC)
    assert due_at("Europe/Sarajevo", approval, 7) == dt.datetime(2026, 12, 1, 23, 0, tzinfo=dt.UTC)
    # Across the clocks' change (Sarajevo moves to UTC+2 on 29 March 2026): still the local midnight.
    assert due_at("Europe/Sarajevo", dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC), 14) == dt.datetime(2026, 4, 3, 22, 0, tzinfo=dt.UTC)
    assert BOOK.checklists_by_id["in-store-visit"].action_days == 14 and BOOK.checklists_by_id["phone-call"].action_days == 7


def test_an_action_is_closed_with_a_note_and_a_photo(loaded: Database, actors: dict[str, Actor]) -> None:
    admin, mx = actors["admin"], actors["manager_x"]
    approved(loaded, actors["auditor_a"].user, admin.user)
    photo = image()
    with make_client(loaded) as client:
        [action] = client.get("/api/v1/actions", headers=mx.headers).json()
        path = f"/api/v1/actions/{action['id']}"
        uploaded = client.post(f"{path}/photo", files={"file": ("fixed.png", photo, "image/png")}, headers=mx.headers)
        again = client.post(f"{path}/photo", files={"file": ("fixed.png", photo, "image/png")}, headers=mx.headers)
        pdf = client.post(f"{path}/photo", files={"file": ("fixed.png", b"%PDF-1.4 not a photo", "image/png")}, headers=mx.headers)
        sha = uploaded.json()["sha256"]
        blank = client.post(f"{path}/close", json={"note": "   ", "photo": "0" * 64}, headers=mx.headers)
        missing = client.post(f"{path}/close", json={"photo": sha}, headers=mx.headers)
        closed = client.post(f"{path}/close", json={"note": "Retrained the team on the wholesale terms.", "photo": sha}, headers=mx.headers)
        twice = client.post(f"{path}/close", json={"note": "Again."}, headers=mx.headers)
        late_photo = client.post(f"{path}/photo", files={"file": ("later.png", image((1, 2, 3)), "image/png")}, headers=mx.headers)
        shown = client.get(f"{path}/photo/{sha}", headers=admin.headers)
        detail = client.get(path, headers=admin.headers).json()
        open_now = client.get("/api/v1/actions", params={"state": "open"}, headers=mx.headers).json()
        closed_now = client.get("/api/v1/actions", params={"state": "closed"}, headers=mx.headers).json()
    assert (uploaded.status_code, again.status_code, again.json()) == (201, 200, uploaded.json())
    assert uploaded.json()["media_type"] == "image/png" and uploaded.json()["size"] == len(photo)
    assert pdf.status_code == 422 and [e["path"] for e in pdf.json()["errors"]] == ["body.file"]
    assert blank.status_code == 422 and sorted(e["path"] for e in blank.json()["errors"]) == ["body.note", "body.photo"]
    assert missing.status_code == 400  # the note is required
    assert closed.status_code == 200, closed.text
    done = closed.json()["action"]
    assert (done["state"], done["note"], done["photo"], done["closed_by"], done["closed_at"]) == (
        "closed", "Retrained the team on the wholesale terms.", sha, "manager-x", NOON_TUESDAY.isoformat()
    )
    assert twice.status_code == 409 and late_photo.status_code == 409
    # The photo is stored once in the evidence store, and served as it was uploaded, inline.
    assert BlobStore(loaded.path.parent / "evidence").read(sha) == photo
    assert shown.status_code == 200 and shown.content == photo and shown.headers["content-type"] == "image/png"
    assert shown.headers["content-disposition"].startswith("inline")
    assert detail["action"] == done and [p["sha256"] for p in detail["photos"]] == [sha]
    assert open_now == [] and [x["id"] for x in closed_now] == [action["id"]]


def test_the_next_audit_failing_the_same_item_shows_failed_again(loaded: Database, actors: dict[str, Actor]) -> None:
    a, admin, mx = actors["auditor_a"].user, actors["admin"].user, actors["manager_x"]
    first = approved(loaded, a, admin)
    elsewhere = approved(loaded, a, admin, store_id=STORE_Y, visited_at=VISIT_START + dt.timedelta(days=2), approved_at=None)
    later = VISIT_START + dt.timedelta(days=2)
    second = approved(loaded, a, admin, failing=(CRITICAL, "hours-displayed"), visited_at=later, approved_at=None)
    with make_client(loaded, clock_at=later) as client:
        before_approval = client.get(f"/api/v1/visits/{second}", headers=mx.headers).json()
        other_store = client.get(f"/api/v1/visits/{elsewhere}", headers=actors["admin"].headers).json()
    # Submitted, not yet approved: the visit's detail already says which failures repeat one the store was told of.
    assert before_approval["visit"]["state"] == "submitted" and before_approval["failed_again"] == [CRITICAL]
    assert other_store["failed_again"] == []  # another store's action is not this store's
    visits.review(loaded, BOOK, admin, second, "approve", "", now=later + dt.timedelta(hours=3))
    with make_client(loaded, clock_at=later + dt.timedelta(hours=3)) as client:
        listed = client.get("/api/v1/actions", headers=mx.headers).json()
        first_detail = client.get(f"/api/v1/visits/{first}", headers=mx.headers).json()
        second_detail = client.get(f"/api/v1/visits/{second}", headers=mx.headers).json()
    by_visit = {(x["visit_id"], x["item_id"]): x for x in listed}
    original, repeat = by_visit[(first, CRITICAL)], by_visit[(second, CRITICAL)]
    assert (repeat["failed_again"], repeat["repeat_of"]) == (True, original["id"])
    assert by_visit[(second, "hours-displayed")]["failed_again"] is False and original["failed_again"] is False
    assert second_detail["failed_again"] == [CRITICAL]
    assert first_detail["failed_again"] == []  # a later visit's action does not reach back


def test_an_open_action_is_overdue_once_its_due_time_has_passed(loaded: Database, actors: dict[str, Actor]) -> None:
    a, admin, mx = actors["auditor_a"].user, actors["admin"].user, actors["manager_x"]
    approved(loaded, a, admin)  # at noon on 24 November in Sarajevo: due at the end of 8 December there, 23:00 UTC
    due = dt.datetime(2026, 12, 8, 23, 0, tzinfo=dt.UTC)
    seen = {}
    for label, at in (("before", due - dt.timedelta(seconds=1)), ("at", due), ("after", due + dt.timedelta(seconds=1))):
        with make_client(loaded, clock_at=at) as client:
            [action] = client.get("/api/v1/actions", headers=mx.headers).json()
            overdue = client.get("/api/v1/actions", params={"overdue": "true"}, headers=mx.headers).json()
            one = client.get(f"/api/v1/actions/{action['id']}", headers=mx.headers).json()["action"]
        assert action["due_at"] == due.isoformat()
        seen[label] = (action["overdue"], len(overdue), one["overdue"])
    assert seen == {"before": (False, 0, False), "at": (False, 0, False), "after": (True, 1, True)}
    # A closed action is never overdue.
    action_id = actions.list_actions(loaded, BOOK, admin)[0].id
    actions.close(loaded, admin, action_id, "Fixed.", now=due + dt.timedelta(days=1))
    with make_client(loaded, clock_at=due + dt.timedelta(days=2)) as client:
        [closed] = client.get("/api/v1/actions", headers=mx.headers).json()
        overdue = client.get("/api/v1/actions", params={"overdue": "true"}, headers=mx.headers).json()
    assert closed["overdue"] is False and overdue == []


def test_only_the_stores_managers_and_admins_see_an_action(loaded: Database, actors: dict[str, Actor]) -> None:
    approved(loaded, actors["auditor_a"].user, actors["admin"].user)
    action_id = actions.list_actions(loaded, BOOK, actors["admin"].user)[0].id
    path = f"/api/v1/actions/{action_id}"
    sha = actions.upload_photo(loaded, BlobStore(loaded.path.parent / "evidence"), actors["admin"].user, action_id, image(), "a.png", 1 << 20)[0].sha256
    answers: dict[str, list[int]] = {}
    listed: dict[str, list[str]] = {}
    with make_client(loaded) as client:
        for name in ("auditor_a", "auditor_b", "manager_y", "manager_x", "admin"):
            headers = actors[name].headers
            calls = [
                client.get("/api/v1/actions", headers=headers),
                client.get(path, headers=headers),
                client.get(f"{path}/photo/{sha}", headers=headers),
                client.post(f"{path}/photo", files={"file": ("b.png", image((9, 9, 9)), "image/png")}, headers=headers),
            ]
            answers[name] = [r.status_code for r in calls]
            if calls[0].status_code == 200:
                listed[name] = [x["id"] for x in calls[0].json()]
        refused = client.post(f"{path}/close", json={"note": "Not mine."}, headers=actors["manager_y"].headers)
        narrowed = {
            (name, store): [x["id"] for x in client.get("/api/v1/actions", params={"store": store}, headers=actors[name].headers).json()]
            for name in ("manager_x", "admin") for store in (STORE_X, STORE_Y)
        }
    assert answers == {
        "auditor_a": [403, 403, 403, 403], "auditor_b": [403, 403, 403, 403],
        "manager_y": [200, 404, 404, 404], "manager_x": [200, 200, 200, 201], "admin": [200, 200, 200, 200],
    }
    assert listed == {"manager_y": [], "manager_x": [action_id], "admin": [action_id]}
    assert refused.status_code == 404 and refused.headers["content-type"] == "application/problem+json"
    assert narrowed == {("manager_x", STORE_X): [action_id], ("manager_x", STORE_Y): [], ("admin", STORE_X): [action_id], ("admin", STORE_Y): []}


def test_the_queue_comes_a_page_at_a_time_through_an_index(loaded: Database, actors: dict[str, Actor]) -> None:
    a, admin, mx = actors["auditor_a"].user, actors["admin"].user, actors["manager_x"]
    for day in range(3):  # three approvals on three days: 3 due times, each shared by several actions (ties broken by id)
        approved(loaded, a, admin, failing=PLAIN[:4], visited_at=VISIT_START + dt.timedelta(days=day),
                 approved_at=NOON_TUESDAY + dt.timedelta(days=day))
    approved(loaded, a, admin, store_id=STORE_Y, failing=PLAIN[:2])
    with make_client(loaded) as client:
        whole = client.get("/api/v1/actions", params={"limit": "500"}, headers=mx.headers).json()
        walked, pages, url = [], 0, "/api/v1/actions?state=open&limit=5"
        while url:
            page = client.get(url, headers=mx.headers)
            assert page.status_code == 200
            walked += page.json()
            pages += 1
            link = page.headers.get("link")
            url = link[1:link.index(">")] if link else ""
        bad = client.get("/api/v1/actions", params={"cursor": "bm90LW9uZS1vZi1vdXJz"}, headers=mx.headers)
        big = client.get("/api/v1/actions", params={"limit": "501"}, headers=mx.headers)
    assert len(whole) == 12 and pages == 3 and [x["id"] for x in walked] == [x["id"] for x in whole]
    assert [(x["due_at"], x["id"]) for x in whole] == sorted((x["due_at"], x["id"]) for x in whole)
    assert {x["store_id"] for x in whole} == {STORE_X}
    assert bad.status_code == 400 and big.status_code == 400

    # Each reader's page is read through an index in the queue's order: no full scan, no sort.
    conn: sqlite3.Connection = loaded.read().conn
    for reader, options in ((mx.user, {"state": "open"}), (mx.user, {"overdue": True}), (mx.user, {}), (admin, {}), (admin, {"state": "closed"})):
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        try:
            actions.list_actions(loaded, BOOK, reader, NOON_TUESDAY, after=["2026-12-01T00:00:00+00:00", "x"], limit=6, **options)
        finally:
            conn.set_trace_callback(None)
        [sql] = [s for s in statements if "ORDER BY" in s]
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
        assert not [line for line in plan if "TEMP B-TREE" in line or line == "SCAN corrective_actions"], (options, plan)
