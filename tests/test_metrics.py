"""NPS, CSAT and CES from hand-computed examples, then through the API per store, touchpoint and period."""

from __future__ import annotations

import datetime as dt

from audit_api.domain.forms import SurveyAnswers
from audit_api.domain.metrics import Ces, Csat, Nps, ces, csat, nps
from audit_api.services import feedback
from audit_api.store import Database

from .audit_helpers import BOOK
from .conftest import STORE_X, STORE_Y, Actor, make_client


def test_nps() -> None:
    # 10 answers: promoters 9, 10, 10 (3); passives 7, 8 (2); detractors 0, 3, 5, 6, 6 (5) -> 30 % - 50 % = -20
    assert nps([9, 10, 10, 7, 8, 0, 3, 5, 6, 6]) == Nps(score=-20.0, promoters=3, passives=2, detractors=5, count=10)
    assert nps([10, 9, 9]).score == 100.0
    assert nps([]) == Nps(score=None, promoters=0, passives=0, detractors=0, count=0)


def test_csat() -> None:
    # 4 and 5 are satisfied: 4 of 6 -> 66.7 %
    assert csat([5, 4, 4, 5, 3, 1]) == Csat(score=66.7, satisfied=4, count=6)
    assert csat([]).score is None


def test_ces() -> None:
    assert ces([7, 6, 2]) == Ces(mean=5.0, count=3)  # 15 / 3
    assert ces([1, 2]) == Ces(mean=1.5, count=2)


def _respond(database: Database, store: str, touchpoint: str, at: dt.datetime, recommend: int, satisfied: int, easy: int) -> None:
    survey = BOOK.surveys[0]
    answers = SurveyAnswers(answers={"recommend": recommend, "satisfied": satisfied, "easy": easy}, contact=None)
    database.submit(feedback.response_job(survey, 1, at=BOOK.stores_by_id[store], touchpoint_id=touchpoint, language="en", answers=answers, browser=None, now=at)).result()


def test_metrics_api_per_store_touchpoint_and_period(loaded: Database, actors: dict[str, Actor]) -> None:
    day = dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC)
    for recommend, satisfied, easy in ((10, 5, 7), (9, 4, 6), (3, 2, 2)):
        _respond(loaded, STORE_X, "checkout", day, recommend, satisfied, easy)
    _respond(loaded, STORE_X, "fitting-room", day, 6, 3, 4)
    _respond(loaded, STORE_X, "checkout", day - dt.timedelta(days=30), 0, 1, 1)  # outside the period
    _respond(loaded, STORE_Y, "checkout", day, 10, 5, 7)
    with make_client(loaded) as client:
        mx = client.get("/api/v1/metrics", params={"from": "2026-11-01", "to": "2026-11-30", "by_touchpoint": "true"}, headers=actors["manager_x"].headers).json()
        whole = client.get("/api/v1/metrics", params={"store": STORE_X, "from": "2026-11-01"}, headers=actors["admin"].headers).json()
    checkout, fitting = mx["stores"]
    assert (checkout["store_id"], checkout["touchpoint_id"], checkout["responses"]) == (STORE_X, "checkout", 3)
    # checkout: NPS 2 promoters, 1 detractor of 3 -> 33.3; CSAT 2 of 3 -> 66.7; CES (7+6+2)/3 = 5
    assert (checkout["nps"]["score"], checkout["csat"]["score"], checkout["ces"]["mean"]) == (33.3, 66.7, 5.0)
    assert (fitting["nps"]["score"], fitting["csat"]["score"], fitting["ces"]["mean"]) == (-100.0, 0.0, 4.0)
    # the whole store in the period: 4 answers; NPS (2 - 2)/4 = 0; CSAT 2/4 = 50; CES 19/4 = 4.75
    [store] = whole["stores"]
    assert whole["overall"] == {key: value for key, value in store.items() if key not in ("store_id", "touchpoint_id")}
    assert (store["responses"], store["nps"]["score"], store["csat"]["score"], store["ces"]["mean"]) == (4, 0.0, 50.0, 4.75)
