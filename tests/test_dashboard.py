"""The dashboard (GET /api/v1/dashboard): every figure worked out by hand on a small data set, the roll-ups
it reads kept equal to a rebuild from scratch, their backfill by migration m013, and each query's plan.

The data set, all in the default period (the 30 days ending 24 November 2026), on the phone-call
checklist (stages answering 1, introduction 1, handling 2, closing 1 by weight; items answered here:
answering 3, introduction 2, handling 3, closing 1, the three N/A-able items N/A):

    audit  store        started (UTC)       local day   fails                                   total
    A      ferhadija    23 Nov 21:30        23 (22:30)  clear-speech, thanks-caller             (2/3 + 1 + 2*1 + 0) / 5 = 73.33
    B      ferhadija    23 Nov 09:00        23          says-name-department, answer-correct    (1 + 1/2 + 2*2/3 + 1) / 5 = 76.67
    D      moskva       23 Nov 20:30        23 (23:30)  thanks-caller (revision 2; rev. 1 returned)  (1 + 1 + 2 + 0) / 5 = 80.00
    C      moskva       23 Nov 21:30        24 (00:30)  asks-how-to-help                        (1 + 1/2 + 2 + 1) / 5 = 90.00
    E      alta         rejected: never counted
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from audit_api.domain.audits import AuditSubmission
from audit_api.domain.dashboard import review_due
from audit_api.domain.forms import ComplaintForm, SurveyAnswers
from audit_api.domain.scoring import Answer, FailedItem, Score, StageScore
from audit_api.services import accounts, feedback, reports, visits
from audit_api.services.access import report_stores
from audit_api.store import Database, migrate, publish, rollups
from audit_api.store.accounts import User
from audit_api.store.migrations import migrations
from audit_api.store.scope import EVERYTHING, column_in
from audit_api.store.visits import AuditResult

from .audit_helpers import BOOK, assign
from .conftest import NOON_TUESDAY, Actor, make_actor, make_client

FERHADIJA, ALTA, MOSKVA = "sarajevo-ferhadija", "sarajevo-alta", "moskva-arbat"
UTC = dt.UTC
ROLLUPS = ("survey_rollups", "survey_dimension_rollups", "audit_rollups", "audit_stage_rollups", "audit_item_rollups", "rollup_stores")


def phone_answers(*failing: str) -> list[Answer]:
    """The phone-call checklist answered: the N/A-able items N/A, the others perfect, but `failing` ones 'no'."""
    perfect: dict[str, Any] = {"rings-to-answer": 3, "friendly-voice": 5}
    answers = []
    for stage in BOOK.checklists_by_id["phone-call"].stages:
        for item in stage.items:
            if item.id in ("hold-or-callback", "transfer-works", "callback-hours"):
                answers.append(Answer(item=item.id, na=True))
            else:
                answers.append(Answer(item=item.id, value=False if item.id in failing else perfect.get(item.id, True)))
    return answers


def submit(database: Database, auditor: User, visit_id: str, started: dt.datetime, *failing: str) -> None:
    body = AuditSubmission(visit_id=visit_id, started_at=started, finished_at=started + dt.timedelta(minutes=10), answers=phone_answers(*failing))
    visits.submit_audit(database, BOOK, auditor, str(uuid.uuid4()), body, now=started + dt.timedelta(hours=1)).result()


def audited(database: Database, admin: User, auditor: User) -> None:
    """Audits A-E of the module's docstring."""
    plan = [
        (FERHADIJA, dt.datetime(2026, 11, 23, 21, 30, tzinfo=UTC), ("clear-speech", "thanks-caller")),
        (FERHADIJA, dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC), ("says-name-department", "answer-correct")),
        (MOSKVA, dt.datetime(2026, 11, 23, 21, 30, tzinfo=UTC), ("asks-how-to-help",)),
    ]
    for store_id, started, failing in plan:
        visit = assign(database, auditor, admin, store_id, "phone-call")
        submit(database, auditor, visit.id, started, *failing)
        visits.review(database, BOOK, admin, visit.id, "approve", "", now=NOON_TUESDAY)
    returned = assign(database, auditor, admin, MOSKVA, "phone-call")
    started = dt.datetime(2026, 11, 23, 20, 30, tzinfo=UTC)
    submit(database, auditor, returned.id, started, "thanks-caller", "clear-speech")
    visits.review(database, BOOK, admin, returned.id, "return", "Check the greeting.", now=NOON_TUESDAY)
    submit(database, auditor, returned.id, started, "thanks-caller")
    visits.review(database, BOOK, admin, returned.id, "approve", "", now=NOON_TUESDAY)
    rejected = assign(database, auditor, admin, ALTA, "phone-call")
    submit(database, auditor, rejected.id, started)
    visits.review(database, BOOK, admin, rejected.id, "reject", "Not our scenario.", now=NOON_TUESDAY)


def answer(database: Database, store_id: str, instant: dt.datetime, suspect: bool = False, **given: int) -> None:
    survey = BOOK.surveys_by_id["store-feedback"]
    origin = feedback.Origin(token_problem="no_form_token") if suspect else feedback.VOUCHED
    database.submit(feedback.response_job(
        survey, 1, at=BOOK.stores_by_id[store_id], touchpoint_id="checkout", language="en",
        answers=SurveyAnswers(answers={k.replace("_", "-"): v for k, v in given.items()}, contact=None), browser=None, now=instant,
        origin=origin,
    )).result()


def answered(database: Database) -> None:
    """Survey answers near local midnight: Sarajevo is UTC+1, Moscow UTC+3 in November."""
    answer(database, FERHADIJA, dt.datetime(2026, 11, 23, 22, 30, tzinfo=UTC), recommend=10, satisfied=5, easy=2, staff_friendly=5, tidy=4)  # 23rd
    answer(database, FERHADIJA, dt.datetime(2026, 11, 23, 23, 30, tzinfo=UTC), recommend=6, satisfied=3, easy=5, staff_friendly=2)  # 24th
    answer(database, FERHADIJA, dt.datetime(2026, 11, 24, 8, 0, tzinfo=UTC), suspect=True, recommend=0, satisfied=1, easy=7, staff_friendly=1)
    answer(database, MOSKVA, dt.datetime(2026, 11, 23, 20, 30, tzinfo=UTC), recommend=9, satisfied=4, easy=1, staff_friendly=4, tidy=5)  # 23rd
    answer(database, MOSKVA, dt.datetime(2026, 11, 23, 21, 30, tzinfo=UTC), recommend=8, satisfied=2, easy=3)  # 24th, 00:30 local


def complain(database: Database, admin: User, store_id: str, received: dt.datetime, *moves: tuple[str, dt.datetime]) -> str:
    form = ComplaintForm(store_id=store_id, happened_on=received.date(), what="Waited too long.", desired="apology", contact=None)
    ticket = feedback.file_complaint(database, BOOK, form, "en", received)
    for target, at in moves:
        extra = {"resolution": "Talked to the team.", "root_cause": "Short-staffed.", "reply": "Sorry."} if target == "resolved" else {}
        feedback.move_complaint(database, admin, ticket, target, "", at, **extra)
    return ticket


def complained(database: Database, admin: User) -> None:
    """K1-K5: the clock gives 2 hours to acknowledge and 10 to answer."""
    at = lambda day, hour: dt.datetime(2026, 11, day, hour, 0, tzinfo=UTC)  # noqa: E731
    complain(database, admin, FERHADIJA, at(23, 8), ("in_progress", at(23, 9)), ("resolved", at(23, 12)))  # K1: 4 h, on time
    complain(database, admin, FERHADIJA, at(23, 9), ("in_progress", at(23, 10)), ("resolved", at(24, 9)))  # K2: 24 h, late
    complain(database, admin, MOSKVA, at(24, 2))  # K3: untouched; acknowledge by 04:00, answer by 12:00
    complain(database, admin, MOSKVA, at(23, 20), ("acknowledged", at(23, 21)))  # K4: 23:00 local; answer by 06:00 on the 24th
    complain(database, admin, ALTA, at(24, 7), ("in_progress", at(24, 8)), ("resolved", at(24, 9)))  # K5: 2 h, on time


@pytest.fixture
def world(loaded: Database) -> dict[str, Actor]:
    admin = make_actor(loaded, "boss", "admin")
    auditor = accounts.add_user(loaded, "caller", "auditor")
    assert admin.user
    audited(loaded, admin.user, auditor)
    answered(loaded)
    complained(loaded, admin.user)
    return {
        "admin": admin,
        "ferhadija": make_actor(loaded, "ferhadija-manager", "manager", stores=[FERHADIJA]),
        "auditor": make_actor(loaded, "another-caller", "auditor"),
    }


def read(client: TestClient, actor: Actor, **params: str) -> dict[str, Any]:
    response = client.get("/api/v1/dashboard", params=params, headers=actor.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_every_figure_of_the_chain_by_hand(loaded: Database, world: dict[str, Actor]) -> None:
    with make_client(loaded) as client:
        board = read(client, world["admin"])
    assert (board["first_day"], board["last_day"], board["trend_by"]) == ("2026-10-26", "2026-11-24", "day")

    audits = board["audits"]
    assert audits["audits"] == 4 and audits["mean_score"] == 80.0  # (73.33 + 76.67 + 80 + 90) / 4
    assert audits["trend"] == [
        {"day": "2026-11-23", "mean_score": 76.7, "audits": 3},  # A, B, D: 230 / 3 = 76.67
        {"day": "2026-11-24", "mean_score": 90.0, "audits": 1},  # C: 00:30 in Moscow, though the 23rd in UTC
    ]
    assert audits["stores"] == [
        {"store_id": MOSKVA, "mean_score": 85.0, "audits": 2, "scored": 2},  # (90 + 80) / 2
        {"store_id": FERHADIJA, "mean_score": 75.0, "audits": 2, "scored": 2},  # (73.33 + 76.67) / 2
    ]
    stages = [(s["stage_id"], s["failure_rate"], s["failed"], s["answered"], s["mean_score"]) for s in audits["stages"]]
    assert stages == [
        ("closing", 50.0, 2, 4, 50.0),  # A and D fail thanks-caller, 1 item x 4 audits; (0 + 100 + 100 + 0) / 4
        ("introduction", 25.0, 2, 8, 75.0),  # B, C: 2 items x 4 audits; (100 + 50 + 50 + 100) / 4
        ("answering", 8.3, 1, 12, 91.7),  # A: 1 of 3 x 4; (66.67 + 300) / 4 = 91.67
        ("handling", 8.3, 1, 12, 91.7),  # B: 1 of 3 x 4 (the same rate and failures: by id)
    ]
    items = [(i["checklist_id"], i["stage_id"], i["item_id"], i["failure_rate"], i["failed"], i["answered"]) for i in audits["items"]]
    assert items[:5] == [
        ("phone-call", "closing", "thanks-caller", 50.0, 2, 4),
        ("phone-call", "answering", "clear-speech", 25.0, 1, 4),
        ("phone-call", "handling", "answer-correct", 25.0, 1, 4),
        ("phone-call", "introduction", "asks-how-to-help", 25.0, 1, 4),
        ("phone-call", "introduction", "says-name-department", 25.0, 1, 4),
    ]
    assert [i[3:] for i in items[5:]] == [(0.0, 0, 4)] * 4  # rings, voice, next steps, honest limits; N/A ones not at all

    survey = board["survey"]
    assert (survey["responses"], survey["suspect"]) == (4, 1)
    # NPS 10, 6, 9, 8: promoters 2, detractors 1 -> (2 - 1) / 4 = 25; CSAT 5, 3, 4, 2: 2 of 4; CES (2 + 5 + 1 + 3) / 4
    assert survey["nps"] == {"score": 25.0, "promoters": 2, "passives": 1, "detractors": 1, "count": 4}
    assert survey["csat"] == {"score": 50.0, "satisfied": 2, "count": 4}
    assert survey["ces"] == {"mean": 2.75, "count": 4}
    assert survey["trend"] == [
        {"day": "2026-11-23", "responses": 2, "nps": {"score": 100.0, "promoters": 2, "passives": 0, "detractors": 0, "count": 2},
         "csat": {"score": 100.0, "satisfied": 2, "count": 2}, "ces": {"mean": 1.5, "count": 2}},  # 10, 9; 5, 4; (2 + 1) / 2
        {"day": "2026-11-24", "responses": 2, "nps": {"score": -50.0, "promoters": 0, "passives": 1, "detractors": 1, "count": 2},
         "csat": {"score": 0.0, "satisfied": 0, "count": 2}, "ces": {"mean": 4.0, "count": 2}},  # 6, 8; 3, 2; (5 + 3) / 2
    ]
    assurance, tangibles = survey["dimensions"]["assurance"], survey["dimensions"]["tangibles"]
    assert (assurance["mean"], assurance["count"], assurance["min"], assurance["max"]) == (3.67, 3, 1, 5)  # (5 + 2 + 4) / 3
    assert assurance["trend"] == [{"day": "2026-11-23", "mean": 4.5, "count": 2}, {"day": "2026-11-24", "mean": 2.0, "count": 1}]
    assert (tangibles["mean"], tangibles["count"]) == (4.5, 2)  # (4 + 5) / 2, both on the 23rd
    assert tangibles["trend"] == [{"day": "2026-11-23", "mean": 4.5, "count": 2}]
    assert survey["dimensions"]["empathy"] == {"mean": None, "count": 0, "min": None, "max": None, "trend": []}

    # K1-K5 at 11:00 UTC on the 24th: answered K1 (4 h, on time), K2 (24 h, late), K5 (2 h, on time); open K3
    # (unacknowledged past 04:00, within its answer time: not decided yet) and K4 (past its 06:00 answer time: late).
    # Decided: K1, K2, K5, K4 -> 2 of 4 on time; median of 2, 4, 24 hours.
    assert board["complaints"] == {
        "received": 5, "answered": 3, "answered_on_time": 2, "decided": 4, "on_time_share": 50.0, "median_hours_to_answer": 4.0,
        "open_now": 2, "overdue_now": 1, "acknowledgement_overdue_now": 1,
    }
    assert board["checklists_due"] == []  # both reviewed 2026-10-15: due 2027-04-15, beyond 24 December
    # Each failed item of an approved audit opened an action (A 2, B 2, C 1, D's revision 2 1), due in the checklist's 7 days
    assert board["actions"] == {"open": 6, "overdue": 0}
    admin = accounts.find_user(loaded, "boss")
    assert reports.dashboard(loaded, BOOK, admin, NOON_TUESDAY + dt.timedelta(days=10)).actions.overdue == 6


def test_a_manager_of_one_store_sees_only_its_figures(loaded: Database, world: dict[str, Actor]) -> None:
    with make_client(loaded) as client:
        board = read(client, world["ferhadija"])
        refused = client.get("/api/v1/dashboard", headers=world["auditor"].headers)
        other = read(client, world["ferhadija"], store=MOSKVA)
    assert refused.status_code == 403
    audits = board["audits"]
    assert (audits["audits"], audits["mean_score"]) == (2, 75.0)
    assert audits["trend"] == [{"day": "2026-11-23", "mean_score": 75.0, "audits": 2}]  # A and B
    assert [s["store_id"] for s in audits["stores"]] == [FERHADIJA]
    assert [(s["stage_id"], s["failure_rate"], s["failed"], s["answered"]) for s in audits["stages"]][:2] == [
        ("closing", 50.0, 1, 2), ("introduction", 25.0, 1, 4),
    ]
    survey = board["survey"]
    assert (survey["responses"], survey["suspect"]) == (2, 1)
    assert survey["nps"]["score"] == 0.0 and survey["csat"]["score"] == 50.0 and survey["ces"]["mean"] == 3.5  # 10, 6; 5, 3; 2, 5
    assert [p["day"] for p in survey["trend"]] == ["2026-11-23", "2026-11-24"]
    # K1 (4 h, on time) and K2 (24 h, late): 1 of 2, median (4 + 24) / 2
    assert board["complaints"] == {
        "received": 2, "answered": 2, "answered_on_time": 1, "decided": 2, "on_time_share": 50.0, "median_hours_to_answer": 14.0,
        "open_now": 0, "overdue_now": 0, "acknowledgement_overdue_now": 0,
    }
    assert board["actions"] == {"open": 4, "overdue": 0}  # A's and B's two failed items each
    # Another store: nothing, as if it did not exist
    assert other["audits"]["audits"] == 0 and other["survey"]["responses"] == 0 and other["complaints"]["received"] == 0


def test_store_city_country_and_period_filters(loaded: Database, world: dict[str, Actor]) -> None:
    admin = world["admin"]
    with make_client(loaded) as client:
        moscow = read(client, admin, city="Москва")
        russia = read(client, admin, country="ru")
        sarajevo = read(client, admin, city="sarajevo")
        alta = read(client, admin, store=ALTA)
        one_day = read(client, admin, **{"from": "2026-11-24", "to": "2026-11-24"})
        backwards = client.get("/api/v1/dashboard", params={"from": "2026-11-24", "to": "2026-11-01"}, headers=admin.headers)
    assert moscow == russia
    assert (moscow["audits"]["audits"], moscow["audits"]["mean_score"], moscow["survey"]["responses"]) == (2, 85.0, 2)
    assert (moscow["complaints"]["received"], moscow["complaints"]["overdue_now"]) == (2, 1)  # K3, K4
    # Sarajevo: Ferhadija and Alta (Alta's only audit was rejected; K5 is Alta's)
    assert (sarajevo["audits"]["audits"], sarajevo["complaints"]["received"], sarajevo["complaints"]["answered_on_time"]) == (2, 3, 2)
    assert (alta["audits"]["audits"], alta["complaints"]["received"], alta["complaints"]["median_hours_to_answer"]) == (0, 1, 2.0)
    # The 24th in each store's own time zone: audit C; answers R2 (00:30 Sarajevo) and R5 (00:30 Moscow); K3 and K5
    # (K5 answered on time; K3 open within its answer time, not decided yet: 1 of 1 on time)
    assert (one_day["audits"]["audits"], one_day["audits"]["mean_score"]) == (1, 90.0)
    assert one_day["survey"]["responses"] == 2 and one_day["survey"]["nps"]["score"] == -50.0
    assert one_day["complaints"] == {
        "received": 2, "answered": 1, "answered_on_time": 1, "decided": 1, "on_time_share": 100.0, "median_hours_to_answer": 2.0,
        "open_now": 1, "overdue_now": 0, "acknowledgement_overdue_now": 1,
    }
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["path"] == "query.to"


def test_a_long_period_trends_by_iso_week(loaded: Database, world: dict[str, Actor]) -> None:
    with make_client(loaded) as client:
        board = read(client, world["admin"], **{"from": "2026-06-01", "to": "2026-11-30"})
    assert board["trend_by"] == "week"
    # 23 November 2026 is a Monday: the 23rd and the 24th fall in one week
    assert board["audits"]["trend"] == [{"day": "2026-11-23", "mean_score": 80.0, "audits": 4}]
    assert [(p["day"], p["responses"], p["nps"]["score"]) for p in board["survey"]["trend"]] == [("2026-11-23", 4, 25.0)]
    assert board["audits"]["mean_score"] == 80.0 and board["survey"]["responses"] == 4


def test_checklists_due_for_review_from_the_book(loaded: Database) -> None:
    reviewed = {"phone-call": dt.date(2026, 5, 20), "in-store-visit": dt.date(2026, 6, 24)}
    book = msgspec.structs.replace(BOOK, checklists=[msgspec.structs.replace(c, reviewed=reviewed[c.id]) for c in BOOK.checklists])
    admin = accounts.add_user(loaded, "reader", "admin")
    board = reports.dashboard(loaded, book, admin, NOON_TUESDAY)
    # due six months on: 20 November (passed) and 24 December, today (24 November) + 30 days: both listed, soonest first
    assert [(d.checklist_id, d.due) for d in board.checklists_due] == [
        ("phone-call", dt.date(2026, 11, 20)), ("in-store-visit", dt.date(2026, 12, 24)),
    ]
    assert review_due(dt.date(2026, 8, 31)) == dt.date(2027, 2, 28)


# --- the roll-ups ---------------------------------------------------------------------------------


def snapshot_rollups(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    db = database.read()
    return {
        table: sorted(tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in db.execute(f"SELECT * FROM {table}").fetchall())
        for table in ROLLUPS
    }


def test_the_rollups_kept_with_each_write_equal_a_rebuild(loaded: Database, world: dict[str, Actor]) -> None:
    # The world wrote responses (one suspect), approvals, a return and a re-approval, and complaints. One more
    # response whose scores change afterwards (a correction written straight into the table) and one deleted.
    answer(loaded, ALTA, dt.datetime(2026, 11, 20, 12, 0, tzinfo=UTC), recommend=3, satisfied=2, easy=6, staff_friendly=3)
    answer(loaded, ALTA, dt.datetime(2026, 10, 31, 12, 0, tzinfo=UTC), recommend=7, satisfied=4, easy=2, tidy=2)
    with loaded.write() as db:
        db.execute("UPDATE survey_responses SET nps = 9, suspect = 'browser_limit' WHERE local_day = '2026-11-20'")
        db.execute("UPDATE survey_dimension_answers SET counted = 0 WHERE local_day = '2026-11-20'")
        db.execute("DELETE FROM survey_responses WHERE local_day = '2026-10-31'")
    kept = snapshot_rollups(loaded)
    assert kept["audit_rollups"] and kept["survey_rollups"] and kept["audit_item_rollups"]
    # The privacy purge strips texts and contacts but keeps the scores: the roll-ups stay as they were
    assert feedback.purge(loaded, BOOK, NOON_TUESDAY + dt.timedelta(days=3650)).batches > 0
    assert snapshot_rollups(loaded) == kept
    assert ("m", "*", "*", "2026-10-01") not in {row[:4] for row in kept["survey_rollups"]}  # the deleted answer's month is empty again
    with loaded.write() as db:
        rollups.rebuild_rollups(db)
    assert snapshot_rollups(loaded) == kept


def test_the_metrics_read_the_rollups_as_they_read_the_answers(loaded: Database, world: dict[str, Actor]) -> None:
    admin = accounts.find_user(loaded, "boss")
    figures = feedback.metrics(loaded, admin, since=dt.date(2026, 11, 24))
    assert (figures.overall.responses, figures.overall.nps.score) == (2, -50.0)  # R2 and R5
    everything = feedback.metrics(loaded, admin, by_touchpoint=True)
    assert [(s.store_id, s.touchpoint_id, s.responses, s.suspect) for s in everything.stores] == [
        (MOSKVA, "checkout", 2, 0), (FERHADIJA, "checkout", 2, 1),
    ]


def test_the_migration_backfills_the_rollups_and_complaint_days(tmp_path: Path) -> None:
    database = Database(tmp_path / "audit.db")
    try:
        with database.writer() as db:
            migrations.apply(db, stop_before="m013_daily_rollups")
        publish(database, BOOK)
        started = dt.datetime(2026, 11, 23, 21, 30, tzinfo=UTC)  # the 24th in Moscow
        body = AuditSubmission(visit_id="v1", started_at=started, finished_at=started, answers=phone_answers("thanks-caller"))
        score = Score(
            total=80.0, computed=80.0, critical_failed=False,
            stages=[StageScore(stage=s, weight=1.0, score=100.0) for s in ("answering", "introduction", "handling")]
            + [StageScore(stage="closing", weight=1.0, score=0.0)],
            failed=[FailedItem(stage="closing", item="thanks-caller", critical=False, score=0.0)],
        )
        result = AuditResult(
            audit_id="a1", visit_id="v1", revision=1, checklist_id="phone-call", checklist_version=1, score=score, flags=[],
            submitted_at=started.isoformat(),
        )
        with database.write() as db:
            db.execute("INSERT INTO users (id, name, display_name, role, pseudonym, created_at) VALUES (1, 'a', 'A', 'auditor', 'Auditor 1', '')")
            db.execute(
                "INSERT INTO visits (id, store_id, checklist_id, checklist_version, auditor_id, assigned_by, window_start, window_end, "
                "scenario, state, created_at, updated_at) VALUES ('v1', ?, 'phone-call', 1, 1, 1, '2026-11-23', '2026-11-30', '', "
                "'approved', '', '')",
                [MOSKVA],
            )
            db.execute(
                "INSERT INTO audits (id, visit_id, revision, body_hash, body, result, submitted_by, submitted_at, store_id, local_day) "
                "VALUES ('a1', 'v1', 1, '', ?, ?, 1, '', ?, '2026-11-24')",
                [msgspec.json.encode(body).decode(), msgspec.json.encode(result).decode(), MOSKVA],
            )
            db.conn.executemany(
                "INSERT INTO survey_responses (store_id, touchpoint_id, language, survey_id, survey_version, answers, nps, csat, ces, "
                "created_at, local_day, suspect) VALUES (?, 'checkout', 'en', 'store-feedback', 1, '{}', ?, ?, NULL, '', ?, ?)",
                [(MOSKVA, 10, 5, "2026-11-24", None), (FERHADIJA, 3, 2, "2026-11-23", None), (FERHADIJA, 9, 5, "2026-11-23", "browser_limit")],
            )
            db.execute(
                "INSERT INTO complaints (ticket, store_id, language, happened_on, what, desired, state, received_at, acknowledge_by, "
                "respond_by) VALUES ('C-1', ?, 'en', '2026-11-23', '', 'apology', 'received', ?, ?, ?)",
                [MOSKVA, started.isoformat(), started.isoformat(), started.isoformat()],
            )
        assert "m013_daily_rollups" in migrate(database)
        db = database.read()
        chain = {
            (r["grain"], r["day"]): (r["counted"], r["suspect"], r["nps_10"], r["nps_3"])
            for r in db.query("SELECT * FROM survey_rollups WHERE store_id = '*' AND touchpoint_id = '*'")
        }
        audits = {(r["grain"], r["store_id"], r["day"]): (r["approved"], r["total_sum"]) for r in db.query("SELECT * FROM audit_rollups WHERE checklist_id = '*'")}
        items = {r["item_id"]: (r["answered"], r["failed"]) for r in db.query("SELECT * FROM audit_item_rollups WHERE grain = 'd' AND store_id = ?", [MOSKVA])}
        complaint_day = next(db.query("SELECT local_day FROM complaints"))["local_day"]
        kept = snapshot_rollups(database)
        with database.write() as writer:
            rollups.rebuild_rollups(writer)
        rebuilt = snapshot_rollups(database)
    finally:
        database.close()
    assert chain == {
        ("d", "2026-11-23"): (1, 1, 0, 1), ("d", "2026-11-24"): (1, 0, 1, 0), ("m", "2026-11-01"): (2, 1, 1, 1), ("y", "2026-01-01"): (2, 1, 1, 1),
    }
    assert audits == {(g, s, d): (1, 80.0) for g, d in (("d", "2026-11-24"), ("m", "2026-11-01"), ("y", "2026-01-01")) for s in (MOSKVA, "*")}
    assert items["thanks-caller"] == (1, 1) and items["clear-speech"] == (1, 0) and "callback-hours" not in items
    assert complaint_day == "2026-11-24"  # 00:30 in Moscow
    assert kept == rebuilt


# --- each query is an index range -----------------------------------------------------------------


def plans(database: Database, call: Any) -> list[tuple[str, list[str]]]:
    """Each statement `call` runs on this thread's reader, with its plan."""
    conn = database.read().conn
    ran: list[str] = []
    conn.set_trace_callback(ran.append)
    try:
        call()
    finally:
        conn.set_trace_callback(None)
    return [(sql, [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]) for sql in ran if sql.lstrip().upper().startswith("SELECT")]


@pytest.mark.parametrize("reader", ["admin", "manager", "city"])
def test_each_dashboard_query_reads_an_index_range(loaded: Database, world: dict[str, Actor], reader: str) -> None:
    admin = accounts.find_user(loaded, "boss")
    two = accounts.add_user(loaded, "two-stores", "manager", stores=[FERHADIJA, MOSKVA])
    user, filters = {"admin": (admin, {}), "manager": (two, {}), "city": (admin, {"city": "Sarajevo"})}[reader]
    ran = plans(loaded, lambda: reports.dashboard(loaded, BOOK, user, NOON_TUESDAY, **filters))
    ran += plans(loaded, lambda: feedback.metrics(loaded, user, by_touchpoint=True))
    assert len(ran) > 10
    big = ("survey_responses", "survey_dimension_answers", "audits", "visits", "complaints", "corrective_actions", *ROLLUPS[:-1])
    for sql, plan in ran:
        assert not [line for line in plan if line.startswith("SCAN") and line.split()[1] in big], (sql, plan)
        reads = [line for line in plan if line.startswith("SEARCH") and line.split()[1] in big]
        assert reads and all(("USING" in line and "=?" in line) or "local_day>?" in line for line in reads), (sql, plan)
        # Sums of surveys and audits by store or day come in the key's order; only the per-stage, per-item and
        # per-dimension sums (a few rows) are sorted.
        if any(t in sql for t in ("FROM survey_rollups", "FROM audit_rollups")):
            assert not [line for line in plan if "TEMP B-TREE" in line], (sql, plan)


def test_a_chain_wide_reader_reads_the_chains_own_rows(loaded: Database, world: dict[str, Actor]) -> None:
    admin = accounts.find_user(loaded, "boss")
    scope = report_stores(admin, BOOK)
    assert scope == EVERYTHING
    rows = rollups.survey_counts(loaded.read(), scope, chain=True, touchpoint_id=None, first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 30))
    assert [(r["counted"], r["suspect"]) for r in rows] == [(4, 1)]  # one month row, the chain's
    two = rollups.survey_counts(
        loaded.read(), column_in("store_id", [FERHADIJA, MOSKVA]), chain=False, touchpoint_id=None, first=dt.date(2026, 11, 1),
        last=dt.date(2026, 11, 30), by_store=True,
    )
    assert sorted((r["store_id"], r["counted"]) for r in two) == [(MOSKVA, 2), (FERHADIJA, 2)]


def test_a_period_is_whole_months_and_the_days_at_its_ends() -> None:
    d = dt.date
    assert rollups.pieces(d(2026, 10, 26), d(2026, 11, 24)) == [("d", "2026-10-26", "2026-11-24")]
    assert rollups.pieces(d(2026, 1, 15), d(2026, 4, 30)) == [("d", "2026-01-15", "2026-01-31"), ("m", "2026-02-01", "2026-04-01")]
    assert rollups.pieces(d(2026, 2, 1), d(2026, 3, 3)) == [("m", "2026-02-01", "2026-02-01"), ("d", "2026-03-01", "2026-03-03")]
    assert rollups.pieces(None, None) == [("y", "0001-01-01", "9999-01-01")]
    assert rollups.pieces(d(2024, 11, 25), d(2026, 11, 24)) == [
        ("d", "2024-11-25", "2024-11-30"), ("m", "2024-12-01", "2024-12-01"), ("y", "2025-01-01", "2025-01-01"),
        ("m", "2026-01-01", "2026-10-01"), ("d", "2026-11-01", "2026-11-24"),
    ]
    assert rollups.pieces(d(2026, 12, 5), d(2027, 1, 4)) == [("d", "2026-12-05", "2027-01-04")]
    assert rollups.pieces(d(2026, 3, 1), d(2026, 3, 31), by_day=True) == [("d", "2026-03-01", "2026-03-31")]


def test_the_complaint_clock_from_its_counts() -> None:
    from audit_api.domain.dashboard import ComplaintTally, complaint_clock

    hour = 3_600_000
    # Four answered (1, 2, 5 and 30 hours; three on time), one open past its time, one open within it:
    # decided 4 + 1 = 5, on time 3 of 5; the median of 1, 2, 5, 30 hours is (2 + 5) / 2.
    clock = complaint_clock(ComplaintTally(
        received=6, answered=4, answered_on_time=3, open_now=2, overdue_now=1, acknowledgement_overdue_now=0,
        answer_millis=[hour, 2 * hour, 5 * hour, 30 * hour],
    ))
    assert (clock.decided, clock.on_time_share, clock.median_hours_to_answer) == (5, 60.0, 3.5)
    # An odd count: the middle one. None decided yet: no share, and no median without an answer.
    assert complaint_clock(ComplaintTally(
        received=3, answered=3, answered_on_time=3, open_now=0, overdue_now=0, acknowledgement_overdue_now=0,
        answer_millis=[hour, 4 * hour, 9 * hour],
    )).median_hours_to_answer == 4.0
    waiting = complaint_clock(ComplaintTally(
        received=1, answered=0, answered_on_time=0, open_now=1, overdue_now=0, acknowledgement_overdue_now=1, answer_millis=[],
    ))
    assert (waiting.decided, waiting.on_time_share, waiting.median_hours_to_answer) == (0, None, None)
