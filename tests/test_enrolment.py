"""A phone enrols by scanning a QR code: a one-time, expiring code traded for a device token."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import zxingcpp
from PIL import Image

from audit_api.services import accounts
from audit_api.store import Database

from .conftest import DEMO_BOOK, NOON_TUESDAY, make_client


def cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audit_api.cli", *args, "--db", str(db), "--book", str(DEMO_BOOK)],
        capture_output=True, text=True, timeout=60,
    )


def test_cli_enrolment_qr_decodes_and_is_exchanged_once(loaded: Database, tmp_path: Path) -> None:
    assert cli("users", "add", "amra", "--role", "auditor", "--language", "bs", db=loaded.path).returncode == 0
    png = tmp_path / "amra.png"
    done = cli("users", "enrol", "amra", "--png", str(png), db=loaded.path)
    assert done.returncode == 0, done.stderr
    [decoded] = zxingcpp.read_barcodes(Image.open(png))
    url = decoded.text
    assert url in done.stdout and url.startswith("http://127.0.0.1:8000/enrol?code=")
    code = parse_qs(urlparse(url).query)["code"][0]

    with make_client(loaded, clock_at=dt.datetime.now(dt.UTC)) as client:
        issued = client.post("/api/v1/devices", json={"code": code, "device": "Amra's phone"})
        assert issued.status_code == 201
        token = issued.json()["token"]
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
        assert me["name"] == "amra" and me["role"] == "auditor" and me["language"] == "bs"
        reused = client.post("/api/v1/devices", json={"code": code, "device": "another phone"})
        assert reused.status_code == 404 and "unknown, used or expired" in reused.json()["detail"]

    secret = token.split(".", 1)[1]
    dump = "\n".join(repr(row) for table in ("tokens", "enrolments") for row in loaded.read().execute(f"SELECT * FROM {table}"))
    assert secret not in dump and code not in dump, "only hashes are stored"


def test_an_expired_code_is_refused(loaded: Database) -> None:
    user = accounts.add_user(loaded, "late", "auditor")
    code = accounts.start_enrolment(loaded, user, hours=24, now=NOON_TUESDAY - dt.timedelta(hours=25)).code
    with make_client(loaded) as client:
        response = client.post("/api/v1/devices", json={"code": code, "device": "phone"})
    assert response.status_code == 404


def test_bad_tokens_are_401(loaded: Database) -> None:
    with make_client(loaded) as client:
        for header in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer nope.nope"}, {"Authorization": "Bearer nodot"}):
            response = client.get("/api/v1/me", headers=header)
            assert response.status_code == 401 and response.headers["content-type"] == "application/problem+json"


def test_admin_creates_users_and_enrolments_over_the_api(loaded: Database) -> None:
    admin = accounts.add_user(loaded, "boss", "admin")
    code = accounts.start_enrolment(loaded, admin, now=NOON_TUESDAY).code
    with make_client(loaded) as client:
        token = client.post("/api/v1/devices", json={"code": code, "device": "laptop"}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        made = client.post("/api/v1/users", json={"name": "area-1", "role": "manager", "stores": ["sarajevo-alta", "mostar-centar"]}, headers=headers)
        assert made.status_code == 201 and made.json()["stores"] == ["mostar-centar", "sarajevo-alta"]
        bad = client.post("/api/v1/users", json={"name": "area-2", "role": "manager", "stores": ["atlantis"]}, headers=headers)
        assert bad.status_code == 422 and bad.json()["detail"] == "unknown store(s): atlantis"
        dup = client.post("/api/v1/users", json={"name": "area-1", "role": "auditor"}, headers=headers)
        assert dup.status_code == 409
        enrolment = client.post("/api/v1/users/area-1/enrolments", json={"hours": 2}, headers=headers).json()
        assert enrolment["url"].endswith(enrolment["code"])
        assert enrolment["expires_at"].startswith("2026-11-24T13:00:00")
