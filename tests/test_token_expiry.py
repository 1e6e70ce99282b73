"""Device tokens expire when unused (90 days by default, sliding on use); a disabled user is locked out
at once, through the API and the `audit users disable` command."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from audit_api.services import accounts
from audit_api.store import Database

from .conftest import NOON_TUESDAY, Actor, enrol, make_client


def test_a_token_unused_for_longer_than_its_lifetime_stops(loaded: Database) -> None:
    user = accounts.add_user(loaded, "seasonal", "auditor")
    headers = {"Authorization": f"Bearer {enrol(loaded, user)}"}  # enrolled just now (real time)
    now = dt.datetime.now(dt.UTC)
    with make_client(loaded, clock_at=now) as client:
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert accounts.lookup_token(loaded, headers["Authorization"][7:], now + dt.timedelta(days=89)) is not None
    assert accounts.lookup_token(loaded, headers["Authorization"][7:], now + dt.timedelta(days=91)) is None
    assert accounts.lookup_token(loaded, headers["Authorization"][7:], now + dt.timedelta(days=8), token_days=7) is None


def test_using_a_token_keeps_it_alive(loaded: Database) -> None:
    user = accounts.add_user(loaded, "regular", "auditor")
    token = enrol(loaded, user)
    start = dt.datetime.now(dt.UTC)
    accounts.touch_token(loaded, token, start + dt.timedelta(days=80))  # used on day 80
    assert accounts.lookup_token(loaded, token, start + dt.timedelta(days=150)) is not None
    assert accounts.lookup_token(loaded, token, start + dt.timedelta(days=171)) is None


def test_a_disabled_users_token_fails_on_its_next_request(loaded: Database, actors: dict[str, Actor]) -> None:
    b = actors["auditor_b"]
    with make_client(loaded, clock_at=NOON_TUESDAY) as client:
        assert client.get("/api/v1/me", headers=b.headers).status_code == 200
        accounts.set_disabled(loaded, b.name, True)
        refused = client.get("/api/v1/me", headers=b.headers)
        code = accounts.start_enrolment(loaded, b.user).code
        re_enrol = client.post("/api/v1/devices", json={"code": code, "device": "new phone"})
        accounts.set_disabled(loaded, b.name, False)
        back = client.get("/api/v1/me", headers=b.headers)
    assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
    assert re_enrol.status_code == 404, "a disabled user cannot enrol a new phone either"
    assert back.status_code == 200


def test_the_disable_command(loaded: Database, actors: dict[str, Actor]) -> None:
    b = actors["auditor_b"]
    command = [sys.executable, "-m", "audit_api.cli", "users", "disable", b.name, "--db", str(loaded.path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"disabled {b.name} at ")
    with make_client(loaded) as client:
        assert client.get("/api/v1/me", headers=b.headers).status_code == 401
    unknown = subprocess.run([*command[:-3], "nobody", "--db", str(loaded.path)], capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 1 and "no user 'nobody'" in unknown.stderr
