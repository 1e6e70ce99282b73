"""Metrics over the reader's whole scope and per store, in each store's local days, with the SERVQUAL
dimensions: figures worked out by hand on a small data set across two stores five time zones apart
(hours apart in UTC: Moscow is UTC+3, Sarajevo UTC+1 in November)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from audit_api.book.questions import QUESTION_KINDS
from audit_api.domain.forms import SurveyAnswers
from audit_api.domain.metrics import SCALES, ces, csat, dimension_mean, nps
from audit_api.services import feedback
from audit_api.store import Database, migrate, publish
from audit_api.store.migrations import migrations

from .audit_helpers import BOOK
from .conftest import Actor, make_client
from .test_survey_pages import GOOD, answer, link

MOSCOW, SARAJEVO = "moskva-arbat", "sarajevo-ferhadija"  # the stores of manager_y and manager_x


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


# (store, touchpoint, instant, answers, suspect): the touchpoint's own survey takes the answers. In the
# store-feedback survey recommend is NPS, satisfied CSAT, easy CES, staff-friendly assurance and tidy
# tangibles; in the phone line's, handled is CSAT, easy CES, and four ratings measure four dimensions.
ANSWERS: list[tuple[str, str, dt.datetime, dict[str, int], bool]] = [
    # M1: 00:30 on the 24th in Moscow, though the 23rd in UTC
    (MOSCOW, "checkout", utc(23, 21, 30), {"recommend": 10, "satisfied": 5, "easy": 7, "staff-friendly": 5, "tidy": 4}, False),
    # M2: 23:59 on the 24th in Moscow
    (MOSCOW, "checkout", utc(24, 20, 59), {"recommend": 6, "satisfied": 3, "easy": 4, "staff-friendly": 3}, False),
    # M3: 00:30 on the 25th in Moscow, though the 24th in UTC
    (MOSCOW, "checkout", utc(24, 21, 30), {"recommend": 0, "satisfied": 1, "easy": 1, "staff-friendly": 1, "tidy": 1}, False),
    # M4: 23:30 on the 23rd in Moscow
    (MOSCOW, "checkout", utc(23, 20, 30), {"recommend": 0, "satisfied": 1, "staff-friendly": 1}, False),
    # M5: the phone line, mid-day on the 24th
    (MOSCOW, "phone-line", utc(24, 8), {"handled": 4, "easy": 6, "answered-quickly": 5, "friendly-voice": 4, "knew-how": 2, "kept-promise": 3}, False),
    # S1: 00:30 on the 24th in Sarajevo, though the 23rd in UTC
    (SARAJEVO, "checkout", utc(23, 23, 30), {"recommend": 9, "satisfied": 4, "easy": 5, "staff-friendly": 4, "tidy": 2}, False),
    # S2: 00:30 on the 25th in Sarajevo, though the 24th in UTC
    (SARAJEVO, "fitting-room", utc(24, 23, 30), {"recommend": 10, "satisfied": 5, "tidy": 5}, False),
    # S3: mid-day on the 24th
    (SARAJEVO, "fitting-room", utc(24, 12), {"recommend": 8, "satisfied": 2, "easy": 2, "tidy": 5}, False),
    # S4: the 24th, but suspect (no good form token): kept, and left out of every figure
    (SARAJEVO, "checkout", utc(24, 10), {"recommend": 0, "satisfied": 1, "staff-friendly": 1, "tidy": 1}, True),
]


def fill(database: Database) -> None:
    for store_id, touchpoint_id, instant, given, suspect in ANSWERS:
        store = BOOK.stores_by_id[store_id]
        touchpoint = store.touchpoint(touchpoint_id)
        assert touchpoint is not None
        survey = BOOK.surveys_by_id[BOOK.survey_id_for(store, touchpoint) or ""]
        origin = feedback.Origin(token_problem="no_form_token") if suspect else feedback.VOUCHED
        database.submit(feedback.response_job(
            survey, 1, at=store, touchpoint_id=touchpoint_id, language="en",
            answers=SurveyAnswers(answers=dict(given), contact=None), browser=None, now=instant, origin=origin,
        )).result()


def metrics(client: Any, actor: Actor, **params: str) -> dict[str, Any]:
    response = client.get("/api/v1/metrics", params=params, headers=actor.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def figures(responses: int, suspect: int, nps: tuple[float | None, int, int, int], csat: tuple[float | None, int, int],
            ces: tuple[float | None, int], **dimensions: tuple[float, int]) -> dict[str, Any]:
    """The API's figures: nps (score, promoters, passives, detractors), csat (score, satisfied, count),
    ces (mean, count), and the dimensions given as (mean, count) on the 1..5 scale; the others have none."""
    return {
        "responses": responses, "suspect": suspect,
        "nps": {"score": nps[0], "promoters": nps[1], "passives": nps[2], "detractors": nps[3], "count": sum(nps[1:])},
        "csat": {"score": csat[0], "satisfied": csat[1], "count": csat[2]},
        "ces": {"mean": ces[0], "count": ces[1]},
        "dimensions": {
            name: {"mean": dimensions[name][0], "count": dimensions[name][1], "min": 1, "max": 5} if name in dimensions
            else {"mean": None, "count": 0, "min": None, "max": None}
            for name in ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
        },
    }


# The 24th in local days: M1, M2, M5 in Moscow; S1, S3 in Sarajevo; S4 suspect.
# Moscow: NPS 10, 6 -> (1 - 1) / 2 = 0; CSAT 5, 3, 4 -> 2 of 3 = 66.7 %; CES 7, 4, 6 -> 17 / 3 = 5.67;
#   assurance 5, 3 (staff-friendly), 2 (knew-how) -> 10 / 3 = 3.33; tangibles 4; responsiveness 5; empathy 4; reliability 3.
MOSCOW_24 = figures(3, 0, (0.0, 1, 0, 1), (66.7, 2, 3), (5.67, 3),
                    assurance=(3.33, 3), tangibles=(4.0, 1), responsiveness=(5.0, 1), empathy=(4.0, 1), reliability=(3.0, 1))
# Sarajevo: NPS 9, 8 -> (1 - 0) / 2 = 50; CSAT 4, 2 -> 1 of 2 = 50 %; CES 5, 2 -> 3.5; assurance 4; tangibles 2, 5 -> 3.5.
# S4's 0, 1, 1, 1 count nowhere but in `suspect`.
SARAJEVO_24 = figures(2, 1, (50.0, 1, 1, 0), (50.0, 1, 2), (3.5, 2), assurance=(4.0, 1), tangibles=(3.5, 2))
# Both, counted once (not a mean of the two stores' figures): NPS 10, 6, 9, 8 -> (2 - 1) / 4 = 25; CSAT 5, 3, 4, 4, 2 ->
# 3 of 5 = 60 %; CES 7, 4, 6, 5, 2 -> 24 / 5 = 4.8; assurance 5, 3, 2, 4 -> 3.5; tangibles 4, 2, 5 -> 11 / 3 = 3.67.
BOTH_24 = figures(5, 1, (25.0, 2, 1, 1), (60.0, 3, 5), (4.8, 5),
                  assurance=(3.5, 4), tangibles=(3.67, 3), responsiveness=(5.0, 1), empathy=(4.0, 1), reliability=(3.0, 1))
DAY = {"from": "2026-11-24", "to": "2026-11-24"}


def test_overall_and_per_store_figures_count_local_days(loaded: Database, actors: dict[str, Actor]) -> None:
    fill(loaded)
    with make_client(loaded) as client:
        admin = metrics(client, actors["admin"], **DAY)
        next_day = metrics(client, actors["admin"], **{"from": "2026-11-25", "to": "2026-11-25"})
        day_before = metrics(client, actors["admin"], **{"from": "2026-11-23", "to": "2026-11-23"})
        onwards = metrics(client, actors["admin"], **{"from": "2026-11-24"})
    assert admin["overall"] == BOTH_24
    assert admin["stores"] == [{"store_id": MOSCOW, "touchpoint_id": None, **MOSCOW_24}, {"store_id": SARAJEVO, "touchpoint_id": None, **SARAJEVO_24}]
    # The 25th holds M3 (Moscow) and S2 (Sarajevo), both made on the 24th in UTC; the 23rd only M4.
    assert (next_day["overall"]["responses"], [s["store_id"] for s in next_day["stores"]]) == (2, [MOSCOW, SARAJEVO])
    assert next_day["overall"]["nps"] == {"score": 0.0, "promoters": 1, "passives": 0, "detractors": 1, "count": 2}  # 0 and 10
    assert (day_before["overall"]["responses"], day_before["overall"]["nps"]["detractors"]) == (1, 1)
    assert (onwards["overall"]["responses"], onwards["overall"]["suspect"]) == (7, 1)


def test_each_response_keeps_its_store_local_day(loaded: Database) -> None:
    fill(loaded)
    days = [row["local_day"] for row in loaded.read().query("SELECT local_day FROM survey_responses ORDER BY id")]
    assert days == ["2026-11-24", "2026-11-24", "2026-11-25", "2026-11-23", "2026-11-24", "2026-11-24", "2026-11-25", "2026-11-24", "2026-11-24"]


def test_the_survey_page_stores_the_local_day(loaded: Database) -> None:
    with make_client(loaded, clock_at=utc(23, 21, 30)) as client:  # 00:30 on the 24th in Moscow
        assert answer(client, link(loaded, MOSCOW, "checkout"), {**GOOD, "tidy": "4"}).status_code == 200
    [row] = loaded.read().query("SELECT r.local_day, d.dimension, d.value FROM survey_responses r JOIN survey_dimension_answers d ON d.response_id = r.id "
                                "WHERE d.dimension = 'tangibles'")
    assert row == {"local_day": "2026-11-24", "dimension": "tangibles", "value": 4}


def test_dimension_answers_are_stored_with_the_response_and_suspect_ones_left_out(loaded: Database) -> None:
    fill(loaded)
    rows = list(loaded.read().query("SELECT store_id, dimension, value, counted FROM survey_dimension_answers WHERE local_day = '2026-11-24' ORDER BY rowid"))
    assert len(rows) == 12  # M1 2, M2 1, M5 4, S1 2, S3 1, S4 2
    assert [(r["dimension"], r["value"]) for r in rows if not r["counted"]] == [("assurance", 1), ("tangibles", 1)]  # S4


def test_a_manager_gets_overall_figures_over_their_own_stores_only(loaded: Database, actors: dict[str, Actor]) -> None:
    fill(loaded)
    with make_client(loaded) as client:
        sarajevo = metrics(client, actors["manager_x"], **DAY)
        moscow = metrics(client, actors["manager_y"], **DAY)
        elsewhere = metrics(client, actors["manager_x"], store=MOSCOW, **DAY)  # another's store: as if it had no answers
    assert sarajevo == {"overall": SARAJEVO_24, "stores": [{"store_id": SARAJEVO, "touchpoint_id": None, **SARAJEVO_24}]}
    assert moscow == {"overall": MOSCOW_24, "stores": [{"store_id": MOSCOW, "touchpoint_id": None, **MOSCOW_24}]}
    assert elsewhere == {"overall": figures(0, 0, (None, 0, 0, 0), (None, 0, 0), (None, 0)), "stores": []}


def test_one_touchpoint_across_the_chain_and_per_touchpoint(loaded: Database, actors: dict[str, Actor]) -> None:
    fill(loaded)
    with make_client(loaded) as client:
        phone = metrics(client, actors["admin"], touchpoint="phone-line", **DAY)
        split = metrics(client, actors["admin"], store=SARAJEVO, by_touchpoint="true", **DAY)
    # Only M5: CSAT 4 -> 100 %; CES 6; no NPS question on the phone.
    assert phone["overall"] == figures(1, 0, (None, 0, 0, 0), (100.0, 1, 1), (6.0, 1),
                                       assurance=(2.0, 1), responsiveness=(5.0, 1), empathy=(4.0, 1), reliability=(3.0, 1))
    assert [(s["touchpoint_id"], s["responses"], s["suspect"]) for s in split["stores"]] == [("checkout", 1, 1), ("fitting-room", 1, 0)]
    assert split["overall"] == SARAJEVO_24
    # the fitting room: S3 alone
    assert split["stores"][1] == {"store_id": SARAJEVO, "touchpoint_id": "fitting-room", **figures(1, 0, (0.0, 0, 1, 0), (0.0, 0, 1), (2.0, 1), tangibles=(5.0, 1))}


# --- the figures from tallies --------------------------------------------------------------------


def test_the_metrics_read_the_scales_their_question_kinds_ask() -> None:
    asked = {cls.metric: cls(id="q", text="q").range() for cls in QUESTION_KINDS.values() if cls.metric}
    assert asked == SCALES


def test_tallies_give_the_figures_lists_give() -> None:
    answers = [9, 10, 10, 7, 8, 0, 3, 5, 6, 6]
    assert nps(Counter(answers)) == nps(answers) and csat(Counter([5, 4, 1])) == csat([5, 4, 1]) and ces(Counter([7, 6, 2])) == ces([7, 6, 2])


def test_a_dimension_mean_reads_on_one_scale() -> None:
    # 5, 5 on 1..5 and 7 on 1..7 (before the book changed the scale): 7 on 1..7 is 5 on 1..5 -> 15 / 3 = 5
    changed = dimension_mean({(1, 5): (2, 10), (1, 7): (1, 7)})
    assert (changed.mean, changed.count, changed.min, changed.max) == (5.0, 3, 1, 5)
    # 4, 4 on 1..5, which holds the most answers, and 4 on 1..7, which is 1 + (4 - 1) * 4 / 6 = 3 on 1..5 -> 11 / 3 = 3.67
    mixed = dimension_mean({(1, 5): (2, 8), (1, 7): (1, 4)})
    assert (mixed.mean, mixed.count, mixed.min, mixed.max) == (3.67, 3, 1, 5)
    # as many answers on each: the wider scale -> 5 on 1..5 is 7 on 1..7 -> (7 + 7) / 2 = 7
    assert dimension_mean({(1, 5): (1, 5), (1, 7): (1, 7)}) == dimension_mean({(1, 7): (2, 14)})
    assert dimension_mean({}).mean is None


# --- the migration gives earlier answers their local day ------------------------------------------


def test_the_migration_gives_earlier_answers_their_store_local_day(tmp_path: Path) -> None:
    database = Database(tmp_path / "audit.db")
    try:
        with database.writer() as db:
            migrations.apply(db, stop_before="m006_survey_local_days_and_dimensions")
        publish(database, BOOK)
        with database.write() as db:
            db.conn.executemany(
                "INSERT INTO survey_responses (store_id, touchpoint_id, language, survey_id, survey_version, answers, created_at) "
                "VALUES (?, 'checkout', 'en', 'store-feedback', 1, '{}', ?)",
                [(MOSCOW, "2026-11-23T21:30:00+00:00"), (SARAJEVO, "2026-11-23T21:30:00+00:00"), ("closed-long-ago", "2026-11-23T21:30:00+00:00")],
            )
        assert migrate(database)[0] == "m006_survey_local_days_and_dimensions"  # then any later steps
        days = [row["local_day"] for row in database.read().query("SELECT local_day FROM survey_responses ORDER BY id")]
    finally:
        database.close()
    # 00:30 on the 24th in Moscow; 22:30 on the 23rd in Sarajevo; a store the book never had: its UTC day
    assert days == ["2026-11-24", "2026-11-23", "2026-11-23"]
