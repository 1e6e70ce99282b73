"""What issue 13's benchmark (`bench/reports.py`) relies on: generated corrective actions are those the
approvals would have opened, and the audits' JSON lines joined from parts are those of one object a row."""

from __future__ import annotations

import datetime as dt
import json

import msgspec

from audit_api.domain import actions as rules
from audit_api.domain import exports as shaping
from audit_api.domain.audits import AuditSubmission
from audit_api.domain.scoring import Answer, score
from audit_api.services import exports
from audit_api.store import Database
from audit_api.store import actions as actions_store
from audit_api.store.visits import AuditResult
from bench import data

from .audit_helpers import BOOK, VISIT_START, perfect_answers
from .conftest import STORE_X, STORE_Y, Actor

CHECKLIST = BOOK.checklists_by_id["in-store-visit"]
NOW = dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC)


def test_generated_actions_are_those_the_approvals_open(loaded: Database, actors: dict[str, Actor]) -> None:
    admin, auditor = actors["admin"].user, actors["auditor_a"].user
    stores = [BOOK.stores_by_id[STORE_X], BOOK.stores_by_id[STORE_Y]]
    data.generate_audits(loaded, BOOK, 120, stores, auditor_ids=[auditor.id], assigned_by=admin.id, first_day=dt.date(2026, 9, 1), days=80,
                         rollups=False)
    opened = data.generate_actions(loaded, BOOK, now=NOW, closed_by=admin.id)
    db = loaded.read()
    approved = list(db.query("SELECT v.id, v.store_id, v.updated_at, a.result FROM visits v JOIN audits a ON a.visit_id = v.id "
                             "WHERE v.state = 'approved'"))
    failed = {(v["id"], f.item): (v, f) for v in approved for f in msgspec.json.decode(v["result"], type=AuditResult).score.failed}
    rows = list(db.query("SELECT * FROM corrective_actions"))
    assert opened == len(rows) == len(failed) > 0
    repeats = 0
    for row in rows:
        visit, item = failed[(row["visit_id"], row["item_id"])]
        result = msgspec.json.decode(visit["result"], type=AuditResult)
        approved_at = dt.datetime.fromisoformat(visit["updated_at"])
        assert (row["stage_id"], bool(row["critical"])) == (item.stage, item.critical)
        assert row["due_at"] == rules.due_at(BOOK.stores_by_id[visit["store_id"]].timezone, approved_at, CHECKLIST.action_days).isoformat()
        submitted = dt.datetime.fromisoformat(result.submitted_at).astimezone(dt.UTC).isoformat()
        assert row["repeat_of"] == actions_store.earlier_action(db, row["store_id"], row["checklist_id"], row["item_id"],
                                                                not_visit=row["visit_id"], before=submitted)
        repeats += row["repeat_of"] is not None
        if row["state"] == "closed":
            assert row["due_at"] < NOW.isoformat() and row["closed_at"] and row["note"]
    assert repeats > 0  # "failed again" shows


def test_audit_json_lines_joined_from_parts_are_one_object_a_row() -> None:
    answers = [Answer(**a) for a in perfect_answers()]
    answers[0] = Answer(item=answers[0].item, value=False, comment='Said "later", then left; Ćevapi, Москва\n=1+2')
    answers[1] = Answer(item=answers[1].item, value=None, na=True)
    body = AuditSubmission(visit_id="v-1", started_at=VISIT_START, finished_at=VISIT_START + dt.timedelta(minutes=25), answers=answers)
    result = score(CHECKLIST, answers)
    outcome = msgspec.json.decode(msgspec.json.encode({
        "checklist_id": CHECKLIST.id, "checklist_version": 1, "score": result, "flags": [{"code": "late_submission"}, {"code": "far_from_store"}],
    }), type=shaping.AuditOutcome)
    facts = shaping.AuditFacts(
        visit_id="v-1", audit_id="a-1", revision=2, store_id=STORE_X, local_day="2026-11-24", started_at="2026-11-24T10:00:00+01:00",
        finished_at="2026-11-24T10:25:00+01:00", state="approved", auditor="Auditor K7Q2M",
        body=msgspec.json.decode(msgspec.json.encode(body), type=shaping.AuditBody), outcome=outcome,
    )
    layout = shaping.Layout(CHECKLIST)
    joined = layout.jsonl(facts)
    assert joined.encode() == shaping.rows_jsonl("audits", layout.rows(facts))
    assert [list(json.loads(line)) for line in joined.splitlines()][0] == [name for name, _ in shaping.AUDIT_COLUMNS]
    assert layout.jsonl(facts) == joined  # and again from the cache of answers


def test_the_export_of_generated_audits_is_the_same_in_both_formats(loaded: Database, actors: dict[str, Actor]) -> None:
    admin, auditor = actors["admin"].user, actors["auditor_a"].user
    data.generate_audits(loaded, BOOK, 30, [BOOK.stores_by_id[STORE_X]], auditor_ids=[auditor.id], assigned_by=admin.id,
                         first_day=dt.date(2026, 10, 1), days=30, rollups=False)
    lines = b"".join(exports.export(loaded, BOOK, admin, "audits", "jsonl").chunks).decode().splitlines()
    rows = b"".join(exports.export(loaded, BOOK, admin, "audits", "csv").chunks).decode("utf-8-sig").splitlines()
    assert len(lines) == len(rows) - 1 == 30 * sum(len(stage.items) for stage in CHECKLIST.stages)
    assert {json.loads(line)["visit_id"] for line in lines} == {row.split(",")[0] for row in rows[1:]}
