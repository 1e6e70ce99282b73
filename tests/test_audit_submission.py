"""An auditor's phone: download the checklist, submit the whole audit (retried on bad networks), get reviewed."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path

from litestar.testing import AsyncTestClient

from audit_api.book import load_book
from audit_api.config import Settings
from audit_api.http import create_app
from audit_api.store import Database, publish

from .audit_helpers import assign, audit_body, perfect_answers
from .conftest import NOON_TUESDAY, Actor, make_client, run_async


def count(database: Database, table: str) -> int:
    return database.read().execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_checklist_download_in_the_auditor_language_with_etag(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    with make_client(loaded) as client:
        first = client.get(f"/api/v1/visits/{visit.id}/checklist", headers=a.headers)
        assert first.status_code == 200
        body = first.json()
        assert body["language"] == "bs", "auditor A prefers Bosnian"
        assert body["stages"][0]["title"] == "Prvi utisak" and body["version"] == 1
        assert first.headers["cache-control"] == "private, max-age=604800"
        etag = first.headers["etag"]
        again = client.get(f"/api/v1/visits/{visit.id}/checklist", headers={**a.headers, "If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        english = client.get(f"/api/v1/visits/{visit.id}/checklist?lang=en", headers={**a.headers, "If-None-Match": etag})
        assert english.status_code == 200 and english.json()["stages"][0]["title"] == "First impression"
        assert english.headers["etag"] != etag


def test_submit_replay_and_conflict(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    audit_id = str(uuid.uuid4())
    body = audit_body(visit.id)
    with make_client(loaded) as client:
        created = client.put(f"/api/v1/audits/{audit_id}", json=body, headers=a.headers)
        assert created.status_code == 201, created.text
        result = created.json()
        assert result["score"]["total"] == 100.0 and result["revision"] == 1 and result["flags"] == []
        assert result["checklist_version"] == 1
        replay = client.put(f"/api/v1/audits/{audit_id}", json=body, headers=a.headers)
        assert replay.status_code == 200 and replay.json() == result
        changed = client.put(f"/api/v1/audits/{audit_id}", json={**body, "staff_observed": "someone else"}, headers=a.headers)
        assert changed.status_code == 409
        assert "already accepted with a different body" in changed.json()["detail"]
        second = client.put(f"/api/v1/audits/{uuid.uuid4()}", json=body, headers=a.headers)
        assert second.status_code == 409 and "is submitted" in second.json()["detail"]
        assert client.get(f"/api/v1/visits/{visit.id}", headers=a.headers).json()["visit"]["state"] == "submitted"
    assert count(loaded, "audits") == 1


def test_twenty_concurrent_identical_puts_store_exactly_one(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    audit_id, body = str(uuid.uuid4()), audit_body(visit.id)
    app = create_app(Settings(db_path=loaded.path), database=loaded, clock=lambda: NOON_TUESDAY)

    async def storm() -> list:
        async with AsyncTestClient(app) as client:
            return await asyncio.gather(*(client.put(f"/api/v1/audits/{audit_id}", json=body, headers=a.headers) for _ in range(20)))

    responses = run_async(storm())
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 19 + [201]
    assert len({r.content for r in responses}) == 1, "every retry gets the same answer"
    assert count(loaded, "audits") == 1
    assert count(loaded, "visit_events") == 2  # assigned, submitted


def test_per_item_errors_in_the_error_shape(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    answers = perfect_answers()
    answers[0] = {"item": "open-as-published", "value": "yes"}  # yes/no wants true or false
    answers[1] = {"item": "hours-displayed", "na": True}  # N/A not allowed here
    answers[3] = {"item": "floor-clean", "value": 9}  # scale 1..5
    answers.append({"item": "made-up", "value": True})
    del answers[10]  # leaves one item unanswered
    with make_client(loaded) as client:
        response = client.put(f"/api/v1/audits/{uuid.uuid4()}", json=audit_body(visit.id, answers), headers=a.headers)
    assert response.status_code == 422
    problem = response.json()
    assert problem["detail"] == "the audit does not fit in-store-visit version 1"
    errors = {e["path"]: e["message"] for e in problem["errors"]}
    assert errors["body.answers[0].value"] == "answer true or false"
    assert errors["body.answers[1].na"] == "this item cannot be answered N/A"
    assert errors["body.answers[3].value"] == "answer a whole number from 1 to 5"
    assert errors[f"body.answers[{len(answers) - 1}].item"] == "no item 'made-up' in in-store-visit version 1"
    assert errors["body.answers"].startswith("not answered: ")
    assert count(loaded, "audits") == 0


def test_malformed_body_is_a_400_in_the_error_shape(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    with make_client(loaded) as client:
        response = client.put(f"/api/v1/audits/{uuid.uuid4()}", content=b"{not json", headers={**a.headers, "content-type": "application/json"})
        wrong_id = client.put("/api/v1/audits/not-a-uuid", json={}, headers=a.headers)
    assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    assert wrong_id.status_code in (400, 404) and wrong_id.headers["content-type"] == "application/problem+json"


def test_a_visit_keeps_its_checklist_version_after_the_book_changes(loaded: Database, actors: dict[str, Actor], book_dir: Path) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    visit_file = book_dir / "standards" / "in-store-visit.yaml"
    text = visit_file.read_text(encoding="utf-8")
    start = text.index("      - id: invited-back")
    end = text.index("      - id: overall-impression")
    visit_file.write_text(text[:start] + text[end:], encoding="utf-8")  # version 2 drops an item
    publish(loaded, load_book(book_dir))
    with make_client(loaded) as client:
        checklist = client.get(f"/api/v1/visits/{visit.id}/checklist", headers=a.headers).json()
        assert checklist["version"] == 1
        assert "invited-back" in [i["id"] for s in checklist["stages"] for i in s["items"]]
        response = client.put(f"/api/v1/audits/{uuid.uuid4()}", json=audit_body(visit.id), headers=a.headers)
    assert response.status_code == 201 and response.json()["checklist_version"] == 1


def test_proof_of_visit_flags(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    night = dt.datetime(2026, 11, 21, 21, 30, tzinfo=dt.UTC)  # Saturday 22:30 in Sarajevo: closed since 18:00
    body = audit_body(
        visit.id,
        started_at=night.isoformat(),
        finished_at=(night + dt.timedelta(minutes=20)).isoformat(),
        gps={"lat": 43.8700, "lon": 18.4265},  # about 1.2 km north of the store
    )
    with make_client(loaded) as client:  # the clock says 24 November: more than 24 h later
        result = client.put(f"/api/v1/audits/{uuid.uuid4()}", json=body, headers=a.headers).json()
    flags = {f["code"]: f["detail"] for f in result["flags"]}
    assert flags["outside_hours"] == "the store was closed at 2026-11-21 22:30 local time"
    assert flags["far_from_store"] == "GPS 1223 m from the store (over 300 m)"
    assert flags["late_submission"] == "submitted 61 h after the visit"  # 21 Nov 21:50 to 24 Nov 11:00 UTC
    assert result["score"]["total"] == 100.0, "flags are for the reviewer, not a rejection"


def test_review_return_correct_and_approve_with_history(loaded: Database, actors: dict[str, Actor]) -> None:
    a, mx = actors["auditor_a"], actors["manager_x"]
    visit = assign(loaded, a.user, actors["admin"].user)
    answers = perfect_answers()
    failing = [dict(x, value=False) if x["item"] == "thanked" else x for x in answers]
    with make_client(loaded) as client:
        first = client.put(f"/api/v1/audits/{uuid.uuid4()}", json=audit_body(visit.id, failing), headers=a.headers).json()
        assert [f["item"] for f in first["score"]["failed"]] == ["thanked"]
        no_reason = client.post(f"/api/v1/visits/{visit.id}/review", json={"decision": "return"}, headers=mx.headers)
        assert no_reason.status_code == 422
        returned = client.post(f"/api/v1/visits/{visit.id}/review", json={"decision": "return", "comment": "Was the customer really not thanked?"}, headers=mx.headers)
        assert returned.status_code == 200 and returned.json()["visit"]["state"] == "returned"
        # The auditor corrects what was sent: the latest audit as it was submitted, with its result.
        latest = client.get(f"/api/v1/visits/{visit.id}/audit", headers=a.headers).json()
        assert [(x["item"], x["value"]) for x in latest["audit"]["answers"]] == [(x["item"], x["value"]) for x in failing]
        assert latest["result"] == first
        assert client.get(f"/api/v1/visits/{visit.id}/audit", headers=actors["auditor_b"].headers).status_code == 404
        corrected = client.put(f"/api/v1/audits/{uuid.uuid4()}", json=audit_body(visit.id, answers), headers=a.headers)
        assert corrected.status_code == 201 and corrected.json()["revision"] == 2
        approved = client.post(f"/api/v1/visits/{visit.id}/review", json={"decision": "approve"}, headers=mx.headers)
        assert approved.json()["visit"]["state"] == "approved" and approved.json()["score"]["total"] == 100.0
        again = client.post(f"/api/v1/visits/{visit.id}/review", json={"decision": "reject", "comment": "late"}, headers=mx.headers)
        assert again.status_code == 409
        history = client.get(f"/api/v1/visits/{visit.id}/history", headers=a.headers).json()
    assert [(e["action"], e["actor"], e["revision"]) for e in history["events"]] == [
        ("assigned", "admin", None),
        ("submitted", "auditor-a", 1),
        ("returned", "manager-x", 1),
        ("resubmitted", "auditor-a", 2),
        ("approved", "manager-x", 2),
    ]
    assert history["events"][2]["comment"] == "Was the customer really not thanked?"
    assert [r["revision"] for r in history["revisions"]] == [1, 2]
    assert history["revisions"][0]["score"]["total"] < history["revisions"][1]["score"]["total"]


def test_a_visit_with_no_audit_yet_has_no_latest_audit(loaded: Database, actors: dict[str, Actor]) -> None:
    visit = assign(loaded, actors["auditor_a"].user, actors["admin"].user)
    with make_client(loaded) as client:
        none = client.get(f"/api/v1/visits/{visit.id}/audit", headers=actors["auditor_a"].headers)
    assert none.status_code == 404 and "has no audit yet" in none.json()["detail"]


def test_an_audit_missing_a_required_comment_is_refused(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user, checklist_id="phone-call")
    answers = perfect_answers(checklist_id="phone-call")
    answers = [dict(x, value=20) if x["item"] == "callback-hours" else x for x in answers]  # over 10 h: fails
    with make_client(loaded) as client:
        refused = client.put(f"/api/v1/audits/{uuid.uuid4()}", json=audit_body(visit.id, answers), headers=a.headers)
        index = next(i for i, x in enumerate(answers) if x["item"] == "callback-hours")
        assert {e["path"]: e["message"] for e in refused.json()["errors"]} == {
            f"body.answers[{index}].comment": "a comment is required when this item fails"
        }
        answers[index]["comment"] = "Promised a call-back the same day; it came two days later."
        assert client.put(f"/api/v1/audits/{uuid.uuid4()}", json=audit_body(visit.id, answers), headers=a.headers).status_code == 201
