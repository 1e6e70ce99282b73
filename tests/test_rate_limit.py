"""The public rate limit: a burst of N passes, the next waits its turn, idle clients are forgotten."""

from __future__ import annotations

import pytest

from audit_api.http.limits import Allowances, RateLimit
from audit_api.store import Database

from .conftest import make_client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_spacing() -> None:
    clock = Clock()
    limit = RateLimit(3, period=60, clock=clock)
    assert [limit.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limit.hit("a") == pytest.approx(20.0)  # one request every 60/3 s after the burst
    assert limit.hit("b") == 0.0, "clients are counted apart"
    clock.now += 19.9
    assert limit.hit("a") == pytest.approx(0.1)
    clock.now += 0.1
    assert limit.hit("a") == 0.0
    assert limit.hit("a") > 0


def test_a_refused_request_does_not_use_up_the_allowance() -> None:
    clock = Clock()
    limit = RateLimit(2, period=10, clock=clock)
    limit.hit("a"), limit.hit("a")
    for _ in range(50):
        assert limit.hit("a") > 0
    clock.now += 5
    assert limit.hit("a") == 0.0


def test_idle_clients_are_forgotten_without_changing_any_answer() -> None:
    clock = Clock()
    limit = RateLimit(2, period=10, clock=clock, allowances=Allowances(slots=8, probes=8))
    limit.hit("busy"), limit.hit("busy")
    for n in range(7):
        limit.hit(f"idle-{n}")
    assert limit.allowances.held() == 8  # full
    clock.now += 5.1  # the idle ones are whole again; "busy" is still owed
    assert [limit.hit(f"new-{n}") for n in range(7)] == [0.0] * 7  # in the idle ones' slots
    assert limit.hit("busy") == 0.0 and limit.hit("busy") > 0, "busy was kept"
    assert limit.hit("idle-0") == 0.0, "a forgotten client starts whole, as it would have been"


def test_with_more_clients_at_once_than_slots_the_least_owed_is_forgotten() -> None:
    clock = Clock()
    limit = RateLimit(1, period=10, clock=clock, allowances=Allowances(slots=2, probes=2))
    limit.hit("a")
    clock.now += 1
    limit.hit("b")
    assert limit.hit("c") == 0.0  # takes a's slot: a was due soonest
    assert limit.hit("b") > 0 and limit.hit("c") > 0
    assert limit.hit("a") == 0.0


def test_limit_must_allow_something() -> None:
    with pytest.raises(ValueError):
        RateLimit(0)


def test_over_the_limit_answers_429_with_retry_after(loaded: Database) -> None:
    with make_client(loaded, public_rate_limit=2) as client:
        assert client.get("/api/v1/faq").status_code == 200
        assert client.get("/api/v1/stores").status_code == 200, "one allowance for every public endpoint"
        refused = client.get("/api/v1/faq")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "30"
        assert refused.json()["detail"] == "at most 2 requests a minute; try again in 30 s"
        assert client.get("/healthz").status_code == 200, "health checks are not limited"
