"""Exports: audits one row per item answer, survey responses and complaints, as CSV and JSON lines, streamed,
within the reader's scope and the dashboard's filters, by store-local day; CSV safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid

import pytest
from litestar.testing import TestClient

from audit_api.domain import exports as shaping
from audit_api.domain.audits import AuditSubmission
from audit_api.domain.forms import ComplaintForm, Contact, SurveyAnswers
from audit_api.domain.scoring import Answer, score
from audit_api.services import exports, feedback, visits
from audit_api.store import Database
from audit_api.store.accounts import User
from bench import data

from .audit_helpers import BOOK, VISIT_START, assign, perfect_answers
from .conftest import STORE_X, STORE_Y, Actor, make_client

INJECTION = "=HYPERLINK(\"http://evil.example\",\"click\")"
CHECKLIST = BOOK.checklists_by_id["in-store-visit"]


def _answers() -> list[Answer]:
    """Perfect, but: a critical item failed (the total drops to 0), an item failed with a formula for a comment, one N/A."""
    changed = {
        "open-as-published": {"value": False},
        "hours-displayed": {"value": False, "comment": INJECTION},
        "staff-available": {"value": None, "na": True},
    }
    return [Answer(**{**a, **changed.get(a["item"], {})}) for a in perfect_answers()]


def _submit(database: Database, auditor: User, by: User, store_id: str, answers: list[Answer], late: bool = False) -> str:
    visit = assign(database, auditor, by, store_id)
    body = AuditSubmission(visit_id=visit.id, started_at=VISIT_START, finished_at=VISIT_START + dt.timedelta(minutes=25), answers=answers)
    now = VISIT_START + dt.timedelta(hours=30 if late else 1)
    visits.submit_audit(database, BOOK, auditor, str(uuid.uuid4()), body, now=now).result()
    return visit.id


def _csv(client: TestClient, actor: Actor, kind: str, **params: str) -> list[dict[str, str]]:
    response = client.get(f"/api/v1/exports/{kind}", params=params, headers=actor.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # the byte order mark, for spreadsheets
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_audit_rows_are_the_item_answers_with_stage_weight_score_and_flags(loaded: Database, actors: dict[str, Actor]) -> None:
    a, admin = actors["auditor_a"].user, actors["admin"].user
    visit_id = _submit(loaded, a, admin, STORE_X, _answers(), late=True)
    expected = score(CHECKLIST, _answers())
    with make_client(loaded) as client:
        response = client.get("/api/v1/exports/audits", params={"from": "2026-11-24", "to": "2026-11-24"}, headers=actors["admin"].headers)
        rows = _csv(client, actors["admin"], "audits")
        as_manager = _csv(client, actors["manager_x"], "audits")
    assert response.headers["content-disposition"].startswith('attachment; filename="audits-2026-11-24-to-2026-11-24.csv"')
    assert list(rows[0]) == [name for name, _ in shaping.AUDIT_COLUMNS]
    items = [(stage, item) for stage in CHECKLIST.stages for item in stage.items]
    assert [(r["stage_id"], r["item_id"]) for r in rows] == [(s.id, i.id) for s, i in items]  # one row per item answer
    assert {r["visit_id"] for r in rows} == {visit_id}
    first = rows[0]
    assert (first["revision"], first["store_id"], first["checklist_id"], first["checklist_version"], first["state"]) == (
        "1", STORE_X, "in-store-visit", "1", "submitted")
    assert (first["local_day"], first["started_at"], first["finished_at"]) == (
        "2026-11-24", "2026-11-24T10:00:00+01:00", "2026-11-24T10:25:00+01:00")  # Sarajevo's time
    by_item = {r["item_id"]: r for r in rows}
    critical = by_item["open-as-published"]
    assert (critical["critical"], critical["answer"], critical["item_score"], critical["failed"]) == ("true", "false", "0.0", "true")
    failed = by_item["hours-displayed"]
    assert (failed["stage_weight"], failed["weight"], failed["failed"], failed["comment"]) == ("1.0", "1.0", "true", "'" + INJECTION)
    na = by_item["staff-available"]
    assert (na["stage_id"], na["stage_weight"], na["answer"], na["item_score"], na["failed"]) == ("greeting", "1.5", "N/A", "", "false")
    scale = by_item["floor-clean"]
    assert (scale["item_kind"], scale["item_score"], scale["failed"]) == ("scale", "100.0", "false")
    stage_scores = {s.stage: s.score for s in expected.stages}
    assert all(float(r["stage_score"]) == stage_scores[r["stage_id"]] for r in rows)
    assert stage_scores["first-impression"] == 60.0 and expected.total == 0.0  # hand-checked: 3 of 5 met; a critical item failed
    assert {(r["total"], r["flags"]) for r in rows} == {("0.0", "late_submission")}
    # Whoever plans visits knows the auditor; a store's own manager reads the pseudonym.
    assert {r["auditor"] for r in rows} == {"auditor-a"}
    assert {r["auditor"] for r in as_manager} == {a.pseudonym}


def test_a_correction_replaces_the_revision_it_corrects(loaded: Database, actors: dict[str, Actor]) -> None:
    a, admin = actors["auditor_a"].user, actors["admin"].user
    visit_id = _submit(loaded, a, admin, STORE_X, _answers())
    visits.review(loaded, BOOK, admin, visit_id, "return", "Check the hours again.", now=VISIT_START + dt.timedelta(hours=2))
    body = AuditSubmission(visit_id=visit_id, started_at=VISIT_START, finished_at=VISIT_START + dt.timedelta(minutes=30),
                           answers=[Answer(**x) for x in perfect_answers()])
    visits.submit_audit(loaded, BOOK, a, str(uuid.uuid4()), body, now=VISIT_START + dt.timedelta(hours=3)).result()
    with make_client(loaded) as client:
        rows = _csv(client, actors["admin"], "audits")
    assert len(rows) == len(perfect_answers())
    assert {(r["revision"], r["total"], r["state"]) for r in rows} == {("2", "100.0", "submitted")}


def test_the_scope_and_the_filters_decide_the_rows(loaded: Database, actors: dict[str, Actor]) -> None:
    a, admin = actors["auditor_a"].user, actors["admin"].user
    _submit(loaded, a, admin, STORE_X, _answers())
    _submit(loaded, a, admin, STORE_Y, _answers())
    with make_client(loaded) as client:
        mine = _csv(client, actors["manager_x"], "audits")
        outside = client.get("/api/v1/exports/audits", params={"store": STORE_Y}, headers=actors["manager_x"].headers)
        russia = _csv(client, actors["admin"], "audits", country="ru")
        sarajevo = _csv(client, actors["admin"], "audits", city="SARAJEVO")
        everything = _csv(client, actors["admin"], "audits")
    assert {r["store_id"] for r in mine} == {STORE_X}
    assert outside.status_code == 200
    assert outside.content.decode("utf-8-sig") == ",".join(name for name, _ in shaping.AUDIT_COLUMNS) + "\r\n"  # the header only
    assert {r["store_id"] for r in russia} == {STORE_Y}
    assert {r["store_id"] for r in sarajevo} == {STORE_X}
    assert {r["store_id"] for r in everything} == {STORE_X, STORE_Y}


def test_periods_are_store_local_days(loaded: Database, actors: dict[str, Actor]) -> None:
    # 22:30 UTC on 23 November is 01:30 on the 24th in Moscow (UTC+3): the 24th there.
    late_evening = dt.datetime(2026, 11, 23, 22, 30, tzinfo=dt.UTC)
    store = BOOK.stores_by_id[STORE_Y]
    form = ComplaintForm(store_id=STORE_Y, happened_on=dt.date(2026, 11, 23), what="-1 stars, rude.", desired="apology",
                         contact=Contact(name="Ivan", email="ivan@example.com", phone="+7 900 000 00 00"))
    ticket = feedback.file_complaint(loaded, BOOK, form, "ru", late_evening)
    survey, version = feedback.current_survey(loaded, BOOK, store, "checkout")
    loaded.submit(feedback.response_job(survey, version, at=store, touchpoint_id="checkout", language="ru",
                           answers=SurveyAnswers(answers={"recommend": 9, "satisfied": 4}, contact=None), browser=None,
                           now=late_evening)).result()
    with make_client(loaded) as client:
        on_24th = _csv(client, actors["admin"], "complaints", **{"from": "2026-11-24", "to": "2026-11-24"})
        on_23rd = _csv(client, actors["admin"], "complaints", **{"from": "2026-11-23", "to": "2026-11-23"})
        responses_24th = _csv(client, actors["admin"], "responses", **{"from": "2026-11-24", "to": "2026-11-24"})
        responses_23rd = _csv(client, actors["admin"], "responses", to="2026-11-23")
        backwards = client.get("/api/v1/exports/complaints", params={"from": "2026-11-24", "to": "2026-11-23"}, headers=actors["admin"].headers)
    assert [(r["ticket"], r["local_day"], r["received_at"]) for r in on_24th] == [(ticket, "2026-11-24", "2026-11-24T01:30:00+03:00")]
    assert on_23rd == []
    complaint = on_24th[0]
    assert (complaint["state"], complaint["answered_on_time"], complaint["what"], complaint["contact_phone"]) == (
        "received", "", "'-1 stars, rude.", "'+7 900 000 00 00")  # formula characters escaped
    assert [(r["store_id"], r["local_day"], r["nps"]) for r in responses_24th] == [(STORE_Y, "2026-11-24", "9")]
    assert responses_23rd == []
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["path"] == "query.to"


def test_json_lines_parse_with_their_types(loaded: Database, actors: dict[str, Actor]) -> None:
    a, admin = actors["auditor_a"].user, actors["admin"].user
    _submit(loaded, a, admin, STORE_X, _answers(), late=True)
    store = BOOK.stores_by_id[STORE_X]
    survey, version = feedback.current_survey(loaded, BOOK, store, "checkout")
    for contact in (None, Contact(name="Amra", email="amra@example.com", phone="061 000 000")):
        answers = {"recommend": 10, "satisfied": 5, "contact-ok": contact is not None}
        loaded.submit(feedback.response_job(survey, version, at=store, touchpoint_id="checkout", language="bs",
                               answers=SurveyAnswers(answers=answers, contact=contact), browser=None, now=VISIT_START)).result()
    with make_client(loaded) as client:
        audits = client.get("/api/v1/exports/audits", params={"format": "jsonl"}, headers=actors["manager_x"].headers)
        responses = client.get("/api/v1/exports/responses", params={"format": "jsonl"}, headers=actors["manager_x"].headers)
    assert audits.headers["content-type"] == "application/x-ndjson"
    assert audits.headers["content-disposition"].startswith('attachment; filename="audits-all-days.jsonl"')
    rows = [json.loads(line) for line in audits.text.splitlines()]
    assert len(rows) == len(perfect_answers()) and list(rows[0]) == [name for name, _ in shaping.AUDIT_COLUMNS]
    failed = next(r for r in rows if r["item_id"] == "hours-displayed")
    assert (failed["answer"], failed["item_score"], failed["failed"], failed["comment"], failed["flags"], failed["total"]) == (
        False, 0.0, True, INJECTION, ["late_submission"], 0.0)  # JSON lines are not escaped: no spreadsheet reads them
    lines = [json.loads(line) for line in responses.text.splitlines()]
    assert {(r["answers"]["recommend"], r["contact_email"]) for r in lines} == {(10, None), (10, "amra@example.com")}


def test_csv_cells_are_what_the_csv_module_writes_and_formulas_are_defused() -> None:
    values = ["plain", "a, b", 'say "hi"', "two\nlines", "=1+2", "+387 61", "-5", "@SUM(A1)", "\tx", "\rx", "", None, True, False,
              0, -3, 2.5, 83.33, "N/A", "Ćevapi, Москва"]
    out = io.StringIO()
    csv.writer(out).writerow([shaping._cell(v) for v in values])  # the default dialect, as `rows_csv` writes
    assert ",".join(shaping.csv_cell(v) for v in values) + "\r\n" == out.getvalue()
    assert [shaping.escaped(v) for v in ("=1+2", "+1", "-1", "@x", "\tx", "\rx", "a=b", "1-2")] == [
        "'=1+2", "'+1", "'-1", "'@x", "'\tx", "'\rx", "a=b", "1-2"]
    assert shaping.csv_cell(-3) == "-3"  # a number stays a number


def test_a_big_export_streams_batch_by_batch(loaded: Database, actors: dict[str, Actor]) -> None:
    admin, auditor = actors["admin"].user, actors["auditor_a"].user
    count = exports.BATCH * 2 + 7
    data.generate_audits(loaded, BOOK, count, BOOK.stores, auditor_ids=[auditor.id], assigned_by=admin.id,
                         first_day=dt.date(2026, 1, 1), days=300, rollups=False)
    export = exports.export(loaded, BOOK, admin, "audits", "csv")
    chunks = list(export.chunks)
    assert len(chunks) == 1 + 3  # the header, then a chunk per batch read
    items = sum(len(stage.items) for stage in CHECKLIST.stages)
    lines = b"".join(chunks).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + count * items
    assert len({line.split(",")[0] for line in lines[1:]}) == count  # every visit once, none repeated
    with make_client(loaded) as client, client.stream("GET", "/api/v1/exports/audits", headers=actors["admin"].headers) as response:
        assert "content-length" not in response.headers  # streamed, not counted out in advance
        assert sum(1 for _ in response.iter_lines()) == len(lines)


@pytest.mark.parametrize("kind", ["audits", "responses", "complaints"])
def test_auditors_may_not_export(client: TestClient, actors: dict[str, Actor], kind: str) -> None:
    response = client.get(f"/api/v1/exports/{kind}", headers=actors["auditor_a"].headers)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("kind", ["audits", "responses", "complaints"])
def test_each_batch_reads_an_index_range_in_order(loaded: Database, actors: dict[str, Actor], kind: str) -> None:
    """No query of an export scans a table or sorts: the chain's by day, a manager's store by store and day."""
    statements: list[str] = []
    connection = loaded.read().conn  # the export below reads on this thread: through this connection
    connection.set_trace_callback(statements.append)
    try:
        for who in ("admin", "manager_x"):
            b"".join(exports.export(loaded, BOOK, actors[who].user, kind, "csv", first_day=dt.date(2026, 1, 1)).chunks)
    finally:
        connection.set_trace_callback(None)
    reads = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT") and "json_each" not in sql]
    assert len(reads) == 2
    for sql in reads:
        plan = [row["detail"] for row in loaded.read().query(f"EXPLAIN QUERY PLAN {sql}")]
        assert not [step for step in plan if step.startswith("SCAN") or "TEMP B-TREE" in step], plan
