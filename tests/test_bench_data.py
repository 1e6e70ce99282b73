"""The benchmarks' generated rows are rows the app itself reads: audits, survey responses and complaints
written by `bench/data.py` come back through the API as the app's own would."""

from __future__ import annotations

import datetime as dt

import msgspec

from audit_api.domain.audits import AuditSubmission
from audit_api.domain.scoring import score
from audit_api.store import Database
from audit_api.store.visits import AuditResult
from bench import data

from .audit_helpers import BOOK
from .conftest import STORE_X, Actor, make_client

FIRST_DAY = dt.date(2026, 10, 1)


def test_generated_rows_read_back_through_the_api(loaded: Database, actors: dict[str, Actor]) -> None:
    admin, auditor = actors["admin"].user, actors["auditor_a"].user
    store = BOOK.stores_by_id[STORE_X]
    visit_ids = data.generate_audits(loaded, BOOK, 40, [store], auditor_ids=[auditor.id], assigned_by=admin.id, first_day=FIRST_DAY, days=30)
    last_response = data.generate_responses(loaded, BOOK, 200, [store], first_day=FIRST_DAY, days=30)
    tickets = data.generate_complaints(loaded, BOOK, 30, [store], first_day=FIRST_DAY, days=30, handled_by=admin.id)
    checklist = BOOK.checklists_by_id["in-store-visit"]
    with make_client(loaded) as client:
        headers = actors["manager_x"].headers
        details = [client.get(f"/api/v1/visits/{visit_id}", headers=headers) for visit_id in visit_ids[:4]]
        audit = client.get(f"/api/v1/visits/{visit_ids[0]}/audit", headers=headers)
        history = client.get(f"/api/v1/visits/{visit_ids[1]}/history", headers=headers)
        responses = client.get("/api/v1/responses", params={"limit": 500}, headers=headers)
        complaint = client.get(f"/api/v1/complaints/{tickets[0]}", headers=headers)
        metrics = client.get("/api/v1/metrics", headers=headers)
    assert [d.status_code for d in details] == [200] * 4
    assert {d.json()["visit"]["state"] for d in details} == {"submitted", "approved"}
    assert audit.status_code == 200
    body = msgspec.convert(audit.json()["audit"], AuditSubmission, strict=False)
    result = msgspec.convert(audit.json()["result"], AuditResult, strict=False)
    assert result.score == score(checklist, body.answers)  # a true score of the answers stored
    assert [e["action"] for e in history.json()["events"]] == ["assigned", "submitted", "approved"]
    assert responses.status_code == 200 and len(responses.json()) == 200
    assert max(r["id"] for r in responses.json()) == last_response
    assert all(FIRST_DAY.isoformat() <= r["local_day"] <= "2026-10-30" for r in responses.json())
    assert complaint.status_code == 200 and complaint.json()["complaint"]["ticket"] == tickets[0]
    assert metrics.json()["overall"]["responses"] == 180  # one in ten is suspect; the roll-ups were made again
