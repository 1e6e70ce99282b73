"""Planning visits (issue 13): waves over many stores, a CSV import, cancelling, reassigning, auditors' exclusions,
and the rules every path keeps (an ended window and an excluded auditor are refused).

The wave test runs on a chain of 50 stores: the demo book in a temp folder with 43 more stores, published
once per module into a copy of the session's migrated database with its people; each test gets its own copy.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from litestar.testing import TestClient

from audit_api.book import Book, load_book
from audit_api.store import Database, publish
from audit_api.store.migrations import migrations

from .audit_helpers import audit_body, submitted
from .conftest import DEMO_BOOK, STORE_X, STORE_Y, Actor, Snapshots, make_actor, make_client, snapshot
from .test_authorization import png

CHECKLIST = "in-store-visit"
AUDITORS = ["amra", "bojan", "cvijeta", "dino"]
WINDOW = {"window_start": "2026-11-24", "window_end": "2026-12-04"}  # the clock (NOON_TUESDAY) is on 2026-11-24
HEADER = "store_id,checklist_id,auditor,window_start,window_end,scenario"


@dataclass(frozen=True)
class Chain:
    db_file: Path  # closed: each test copies it
    book: Book
    people: dict[str, Actor]


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory, snapshots: Snapshots) -> Chain:
    folder = tmp_path_factory.mktemp("fifty-stores")
    book_dir = folder / "checklists"
    shutil.copytree(DEMO_BOOK, book_dir)
    model = (book_dir / "stores" / f"{STORE_X}.yaml").read_text()
    for n in range(1, 44):
        (book_dir / "stores" / f"wave-{n:02d}.yaml").write_text(model.replace(f"id: {STORE_X}", f"id: wave-{n:02d}"))
    book = load_book(book_dir)
    assert len(book.stores) == 50

    def build(database: Database) -> dict[str, Actor]:
        publish(database, book)
        people = {name: make_actor(database, name, "auditor") for name in AUDITORS}
        people["admin"] = make_actor(database, "admin", "admin")
        people["area"] = make_actor(database, "area", "manager", all_stores=True, plans_visits=True)
        people["manager_x"] = make_actor(database, "manager-x", "manager", stores=[STORE_X])
        return people

    people = snapshot(snapshots.migrated, folder / "audit.db", build)
    return Chain(folder / "audit.db", book, people)


@pytest.fixture
def world(chain: Chain, tmp_path: Path) -> Iterator[tuple[Database, TestClient, dict[str, Actor]]]:
    shutil.copyfile(chain.db_file, tmp_path / "audit.db")
    database = Database(tmp_path / "audit.db")
    try:
        with make_client(database) as client:
            yield database, client, chain.people
    finally:
        database.close()


def wave_body(stores: list[str], auditors: list[str] = AUDITORS, **changes: object) -> dict:
    return {"store_ids": stores, "checklist_id": CHECKLIST, "auditors": auditors, **WINDOW, "scenario": "Ask about a gift card.", **changes}


def visit_count(database: Database) -> int:
    return int(next(database.read().query("SELECT COUNT(*) AS n FROM visits"))["n"])


def paths(response: object) -> list[str]:
    body = response.json()  # type: ignore[attr-defined]
    return [error["path"] for error in body["errors"]]


def codes(response: object) -> list[str | None]:
    """Each error's stable word for the rule broken, which the app words in the reader's language."""
    body = response.json()  # type: ignore[attr-defined]
    return [error.get("code") for error in body["errors"]]


# --- the must-show: a wave of 50, one cancelled, one reassigned -----------------------------------


def test_a_wave_of_50_visits_one_cancelled_one_reassigned(world: tuple[Database, TestClient, dict[str, Actor]], chain: Chain) -> None:
    database, client, people = world
    admin, area = people["admin"].headers, people["area"].headers
    stores = [s.id for s in chain.book.stores]
    # Amra worked in five stores and Bojan in two: they are never sent there.
    amra_out, bojan_out = stores[:5], [stores[0], stores[20]]
    assert client.put("/api/v1/users/amra/exclusions", json={"stores": amra_out}, headers=admin).status_code == 200
    assert client.put("/api/v1/users/bojan/exclusions", json={"stores": bojan_out}, headers=admin).status_code == 200

    made = client.post("/api/v1/visit-waves", json=wave_body(stores), headers=area)

    assert made.status_code == 201, made.text
    visits = made.json()
    assert sorted(v["store_id"] for v in visits) == sorted(stores) and visit_count(database) == 50
    assert {v["state"] for v in visits} == {"assigned"} and {v["checklist_id"] for v in visits} == {CHECKLIST}
    per_auditor = Counter(v["auditor"] for v in visits)
    assert set(per_auditor) == set(AUDITORS) and max(per_auditor.values()) - min(per_auditor.values()) <= 1, per_auditor
    assert not [v for v in visits if (v["auditor"], v["store_id"]) in {*(("amra", s) for s in amra_out), *(("bojan", s) for s in bojan_out)}]
    # Each auditor's list holds exactly their share.
    for name in AUDITORS:
        theirs = client.get("/api/v1/visits", params={"limit": 500}, headers=people[name].headers).json()
        assert len(theirs) == per_auditor[name]

    # One cancelled: its state, the event with the reason, gone from the auditor's to-do, and nothing more is taken.
    cancelled = visits[7]
    auditor = people[cancelled["auditor"]]
    answer = client.post(f"/api/v1/visits/{cancelled['id']}/cancel", json={"reason": "The store closes for works."}, headers=area)
    assert answer.status_code == 200 and answer.json()["state"] == "cancelled"
    events = client.get(f"/api/v1/visits/{cancelled['id']}/history", headers=area).json()["events"]
    assert [(e["action"], e["actor"], e["comment"]) for e in events][-1] == ("cancelled", "area", "The store closes for works.")
    to_do = [v["id"] for state in ("assigned", "in_progress", "returned")
             for v in client.get("/api/v1/visits", params={"state": state, "limit": 500}, headers=auditor.headers).json()]
    assert cancelled["id"] not in to_do and len(to_do) == per_auditor[cancelled["auditor"]] - 1
    # The phone still learns of it (its list says cancelled), so it can drop a draft.
    mine = {v["id"]: v["state"] for v in client.get("/api/v1/visits", params={"limit": 500}, headers=auditor.headers).json()}
    assert mine[cancelled["id"]] == "cancelled"
    submission = client.put(f"/api/v1/audits/{uuid.uuid4()}", json=audit_body(cancelled["id"]), headers=auditor.headers)
    assert submission.status_code == 409, submission.text
    assert client.post(f"/api/v1/visits/{cancelled['id']}/start", headers=auditor.headers).status_code == 409
    photo = client.post(f"/api/v1/visits/{cancelled['id']}/evidence", files={"file": ("shelf.png", png(), "image/png")}, headers=auditor.headers)
    assert photo.status_code == 409
    assert client.post(f"/api/v1/visits/{cancelled['id']}/review", json={"decision": "approve"}, headers=admin).status_code == 409
    again = client.post(f"/api/v1/visits/{cancelled['id']}/cancel", json={"reason": "Twice."}, headers=area)
    assert again.status_code == 409

    # One reassigned: the old auditor no longer sees it, the new one does.
    moved = next(v for v in visits if v["auditor"] == "cvijeta" and v["store_id"] not in amra_out and v["id"] != cancelled["id"])
    old, new = people["cvijeta"], people["amra"]
    answer = client.post(f"/api/v1/visits/{moved['id']}/reassign", json={"auditor": "amra"}, headers=area)
    assert answer.status_code == 200 and answer.json()["auditor"] == "amra"
    assert client.get(f"/api/v1/visits/{moved['id']}", headers=old.headers).status_code == 404
    assert moved["id"] not in {v["id"] for v in client.get("/api/v1/visits", params={"limit": 500}, headers=old.headers).json()}
    assert client.get(f"/api/v1/visits/{moved['id']}", headers=new.headers).json()["visit"]["auditor"] == "amra"
    assert moved["id"] in {v["id"] for v in client.get("/api/v1/visits", params={"limit": 500}, headers=new.headers).json()}
    events = client.get(f"/api/v1/visits/{moved['id']}/history", headers=area).json()["events"]
    assert [(e["action"], e["actor"]) for e in events] == [("assigned", "area"), ("reassigned", "area")]


def test_a_wave_goes_to_the_fewest_first_ties_by_the_order_given(world: tuple[Database, TestClient, dict[str, Actor]]) -> None:
    database, client, people = world
    client.put("/api/v1/users/amra/exclusions", json={"stores": ["wave-01", "wave-02"]}, headers=people["admin"].headers)
    stores = ["wave-01", "wave-02", "wave-03", "wave-04", "wave-05"]
    made = client.post("/api/v1/visit-waves", json=wave_body(stores, ["amra", "bojan"]), headers=people["area"].headers)
    assert made.status_code == 201
    # wave-01 and -02 cannot go to Amra; then Amra has the fewest twice, and the tie of wave-05 goes to the first named.
    assert [(v["store_id"], v["auditor"]) for v in made.json()] == [
        ("wave-01", "bojan"), ("wave-02", "bojan"), ("wave-03", "amra"), ("wave-04", "amra"), ("wave-05", "amra"),
    ]


def test_a_wave_names_each_problem_and_stores_nothing(world: tuple[Database, TestClient, dict[str, Actor]]) -> None:
    database, client, people = world
    admin, area = people["admin"].headers, people["area"].headers
    client.put("/api/v1/users/amra/exclusions", json={"stores": ["wave-03"]}, headers=admin)
    client.put("/api/v1/users/bojan/exclusions", json={"stores": ["wave-03"]}, headers=admin)
    refused = client.post(
        "/api/v1/visit-waves", json=wave_body(["wave-01", "nowhere", "wave-03", "wave-01"], ["amra", "bojan", "manager-x"]), headers=area
    )
    assert refused.status_code == 422
    assert sorted(paths(refused)) == ["body.auditors[2]", "body.store_ids[1]", "body.store_ids[2]", "body.store_ids[3]"]
    assert "every chosen auditor is excluded from store 'wave-03'" in {e["message"] for e in refused.json()["errors"]}
    assert visit_count(database) == 0
    # Its size is bounded, and only planners plan.
    too_many = client.post("/api/v1/visit-waves", json=wave_body([f"s{n}" for n in range(501)]), headers=area)
    assert too_many.status_code == 400
    store_manager = client.post("/api/v1/visit-waves", json=wave_body([STORE_X]), headers=people["manager_x"].headers)
    assert store_manager.status_code == 403 and visit_count(database) == 0


# --- the rules of every path ----------------------------------------------------------------------


def test_an_ended_window_is_refused_in_the_stores_own_day(chain: Chain, tmp_path: Path) -> None:
    shutil.copyfile(chain.db_file, tmp_path / "audit.db")
    database = Database(tmp_path / "audit.db")
    people = chain.people
    one = {"checklist_id": CHECKLIST, "auditor": "amra", "window_start": "2026-11-20", "window_end": "2026-11-23", "scenario": "Ask."}
    # 21:30 UTC on the 23rd: 22:30 of the 23rd in Sarajevo, already 00:30 of the 24th in Moscow.
    try:
        with make_client(database, clock_at=dt.datetime(2026, 11, 23, 21, 30, tzinfo=dt.UTC)) as client:
            moscow = client.post("/api/v1/visits", json={**one, "store_id": STORE_Y}, headers=people["area"].headers)
            sarajevo = client.post("/api/v1/visits", json={**one, "store_id": STORE_X}, headers=people["area"].headers)
            wave = client.post("/api/v1/visit-waves", json=wave_body([STORE_X, STORE_Y], window_start="2026-11-20", window_end="2026-11-23"),
                               headers=people["area"].headers)
            rows = f"{HEADER}\n{STORE_X},{CHECKLIST},amra,2026-11-20,2026-11-23,Ask.\n{STORE_Y},{CHECKLIST},amra,2026-11-20,2026-11-23,Ask.\n"
            imported = client.post("/api/v1/visit-imports", content=rows.encode(), headers=people["area"].headers)
    finally:
        database.close()
    assert moscow.status_code == 422 and paths(moscow) == ["body.window_end"]
    assert sarajevo.status_code == 201
    assert wave.status_code == 422 and paths(wave) == ["body.window_end"] and STORE_Y in wave.json()["errors"][0]["message"]
    assert imported.status_code == 422 and paths(imported) == ["line 3.window_end"]
    assert codes(moscow) == codes(wave) == codes(imported) == ["window_ended"]


def test_an_excluded_auditor_is_refused_on_every_path(world: tuple[Database, TestClient, dict[str, Actor]]) -> None:
    database, client, people = world
    admin, area = people["admin"].headers, people["area"].headers
    assert client.put("/api/v1/users/amra/exclusions", json={"stores": [STORE_X]}, headers=admin).json() == {"user": "amra", "stores": [STORE_X]}
    one = {"store_id": STORE_X, "checklist_id": CHECKLIST, "auditor": "amra", **WINDOW, "scenario": "Ask."}
    single = client.post("/api/v1/visits", json=one, headers=area)
    wave = client.post("/api/v1/visit-waves", json=wave_body([STORE_X], ["amra"]), headers=area)
    imported = client.post("/api/v1/visit-imports", content=f"{HEADER}\n{STORE_X},{CHECKLIST},amra,2026-11-24,2026-11-30,Ask.\n".encode(),
                           headers=area)
    assert single.status_code == 422 and paths(single) == ["body.auditor"]
    assert "excluded from store" in single.json()["errors"][0]["message"]
    assert wave.status_code == 422 and paths(wave) == ["body.store_ids[0]"]
    assert imported.status_code == 422 and paths(imported) == ["line 2.auditor"]
    assert visit_count(database) == 0
    planned = client.post("/api/v1/visits", json={**one, "auditor": "bojan"}, headers=area).json()
    reassigned = client.post(f"/api/v1/visits/{planned['id']}/reassign", json={"auditor": "amra"}, headers=area)
    assert reassigned.status_code == 422 and paths(reassigned) == ["body.auditor"]
    assert codes(single) == codes(wave) == codes(imported) == codes(reassigned) == ["excluded"]


def test_exclusions_are_read_and_set_by_admins(world: tuple[Database, TestClient, dict[str, Actor]]) -> None:
    database, client, people = world
    admin = people["admin"].headers
    assert client.get("/api/v1/users/dino/exclusions", headers=admin).json() == {"user": "dino", "stores": []}
    client.put("/api/v1/users/dino/exclusions", json={"stores": [STORE_Y, STORE_X, STORE_X]}, headers=admin)
    assert client.get("/api/v1/users/dino/exclusions", headers=admin).json()["stores"] == sorted([STORE_X, STORE_Y])
    assert client.put("/api/v1/users/dino/exclusions", json={"stores": [STORE_Y]}, headers=admin).json()["stores"] == [STORE_Y]
    unknown = client.put("/api/v1/users/dino/exclusions", json={"stores": [STORE_X, "nowhere"]}, headers=admin)
    assert unknown.status_code == 422 and paths(unknown) == ["body.stores[1]"]
    not_auditor = client.put("/api/v1/users/manager-x/exclusions", json={"stores": [STORE_X]}, headers=admin)
    assert not_auditor.status_code == 422 and paths(not_auditor) == ["path.name"]
    assert client.get("/api/v1/users/nobody/exclusions", headers=admin).status_code == 404
    assert client.get("/api/v1/users/dino/exclusions", headers=admin).json()["stores"] == [STORE_Y]
    assert client.put("/api/v1/users/dino/exclusions", json={"stores": []}, headers=admin).json()["stores"] == []


# --- CSV import -----------------------------------------------------------------------------------


def test_a_csv_import_assigns_every_line(world: tuple[Database, TestClient, dict[str, Actor]]) -> None:
    database, client, people = world
    # Excel's "CSV UTF-8": a byte order mark, CRLF, columns in its own order, a quoted scenario with a comma and a line break.
    text = (
        "auditor,store_id,checklist_id,window_start,window_end,scenario\r\n"
        f"amra,{STORE_X},{CHECKLIST},2026-11-24,2026-11-30,\"Ask for a scarf, then return it\nthe next day.\"\r\n"
        "\r\n"
        f"bojan,{STORE_Y},phone-call,2026-11-25,2026-12-01,Ask for a call-back.\r\n"
    )
    made = client.post("/api/v1/visit-imports", content=b"\xef\xbb\xbf" + text.encode(), headers={**people["area"].headers, "Content-Type": "text/csv"})
    assert made.status_code == 201, made.text
    assert [(v["store_id"], v["auditor"], v["checklist_id"], v["window_end"]) for v in made.json()] == [
        (STORE_X, "amra", CHECKLIST, "2026-11-30"), (STORE_Y, "bojan", "phone-call", "2026-12-01"),
    ]
    assert made.json()[0]["scenario"] == "Ask for a scarf, then return it\nthe next day."
    assert visit_count(database) == 2


def test_a_bad_csv_names_line_and_column_and_stores_nothing(world: tuple[Database, TestClient, dict[str, Actor]]) -> None:
    database, client, people = world
    area = people["area"].headers
    text = (
        f"{HEADER}\n"
        f"{STORE_X},{CHECKLIST},amra,2026-11-24,2026-11-30,Fine.\n"  # line 2: good, but all or none
        f"{STORE_X},{CHECKLIST},nobody,2026-11-24,2026-11-30,Ask.\n"  # line 3: no such auditor
        f"nowhere,no-checklist,bojan,24.11.2026,2026-11-30,Ask.\n"  # line 4: store, checklist, date
        f"{STORE_X},{CHECKLIST},bojan,2026-11-30,2026-11-24,\n"  # line 5: window backwards, no scenario
        f"{STORE_X},{CHECKLIST}\n"  # line 6: too few fields
    )
    refused = client.post("/api/v1/visit-imports", content=text.encode(), headers=area)
    assert refused.status_code == 422
    assert paths(refused) == [
        "line 3.auditor", "line 4.store_id", "line 4.checklist_id", "line 4.window_start", "line 5.window_end", "line 5.scenario", "line 6",
    ]
    assert codes(refused) == [
        "unknown_auditor", "unknown_store", "unknown_checklist", "not_a_date", "window_backwards", "scenario_length", "field_count",
    ]
    assert refused.json()["detail"].startswith("nothing was imported: 7 problem(s), the first at line 3.auditor")
    assert visit_count(database) == 0

    no_header = client.post("/api/v1/visit-imports", content=f"{STORE_X},{CHECKLIST},amra,2026-11-24,2026-11-30,Ask.\n".encode(), headers=area)
    assert no_header.status_code == 422 and set(paths(no_header)) == {"line 1"}
    not_utf8 = client.post("/api/v1/visit-imports", content=f"{HEADER}\n{STORE_X},{CHECKLIST},amra,2026-11-24,2026-11-30,Čaj\n".encode("cp1250"),
                           headers=area)
    assert not_utf8.status_code == 422 and paths(not_utf8) == ["line 2"] and codes(not_utf8) == ["not_utf8"]
    empty = client.post("/api/v1/visit-imports", content=f"{HEADER}\n".encode(), headers=area)
    assert empty.status_code == 422 and paths(empty) == ["line 2"]
    store_manager = client.post("/api/v1/visit-imports", content=f"{HEADER}\n{STORE_X},{CHECKLIST},amra,2026-11-24,2026-11-30,A.\n".encode(),
                                headers=people["manager_x"].headers)
    assert store_manager.status_code == 403
    assert visit_count(database) == 0


def test_a_csv_import_is_size_limited(chain: Chain, tmp_path: Path) -> None:
    shutil.copyfile(chain.db_file, tmp_path / "audit.db")
    database = Database(tmp_path / "audit.db")
    line = f"{STORE_X},{CHECKLIST},amra,2026-11-24,2026-11-30,{'x' * 200}\n"
    try:
        with make_client(database) as client:
            too_big = client.post("/api/v1/visit-imports", content=(HEADER + "\n" + line * 6000).encode(), headers=chain.people["area"].headers)
            too_long = client.post("/api/v1/visit-imports", content=(HEADER + "\n" + line * 501).encode(), headers=chain.people["area"].headers)
    finally:
        database.close()
    assert too_big.status_code == 413 and too_big.headers["content-type"] == "application/problem+json"
    assert too_long.status_code == 422 and paths(too_long) == ["body"]


# --- cancel and reassign: states and who --------------------------------------------------------------


def test_only_an_upcoming_visit_is_cancelled_and_only_by_its_planners(world: tuple[Database, TestClient, dict[str, Actor]]) -> None:
    database, client, people = world
    area, admin = people["area"], people["admin"]
    done = submitted(database, people["amra"].user, area.user)
    late = client.post(f"/api/v1/visits/{done.id}/cancel", json={"reason": "Too late."}, headers=area.headers)
    assert late.status_code == 409 and "only an upcoming visit" in late.json()["detail"]

    planned = client.post("/api/v1/visit-waves", json=wave_body([STORE_X]), headers=area.headers).json()[0]
    assert client.post(f"/api/v1/visits/{planned['id']}/start", headers=people[planned["auditor"]].headers).status_code == 200
    blank = client.post(f"/api/v1/visits/{planned['id']}/cancel", json={"reason": "  "}, headers=area.headers)
    assert blank.status_code == 422 and paths(blank) == ["body.reason"]
    assert client.post(f"/api/v1/visits/{planned['id']}/cancel", json={}, headers=area.headers).status_code == 400
    # The store's own manager never learns of it, before or after it is cancelled.
    mx = people["manager_x"].headers
    assert client.post(f"/api/v1/visits/{planned['id']}/cancel", json={"reason": "No."}, headers=mx).status_code == 404
    assert client.post(f"/api/v1/visits/{planned['id']}/cancel", json={"reason": "Budget."}, headers=admin.headers).json()["state"] == "cancelled"
    assert client.get(f"/api/v1/visits/{planned['id']}", headers=mx).status_code == 404
    assert planned["id"] not in {v["id"] for v in client.get("/api/v1/visits", headers=mx).json()}
    assert client.get(f"/api/v1/visits/{planned['id']}", headers=area.headers).json()["visit"]["state"] == "cancelled"


def test_a_visit_is_reassigned_only_before_it_starts(world: tuple[Database, TestClient, dict[str, Actor]]) -> None:
    database, client, people = world
    area = people["area"].headers
    planned = client.post("/api/v1/visit-waves", json=wave_body([STORE_X], ["amra"]), headers=area).json()[0]
    same = client.post(f"/api/v1/visits/{planned['id']}/reassign", json={"auditor": "amra"}, headers=area)
    assert same.status_code == 200 and same.json()["auditor"] == "amra"  # a retry: nothing changes
    unknown = client.post(f"/api/v1/visits/{planned['id']}/reassign", json={"auditor": "manager-x"}, headers=area)
    assert unknown.status_code == 422 and paths(unknown) == ["body.auditor"]
    assert client.post(f"/api/v1/visits/{planned['id']}/start", headers=people["amra"].headers).status_code == 200
    started = client.post(f"/api/v1/visits/{planned['id']}/reassign", json={"auditor": "bojan"}, headers=area)
    assert started.status_code == 409 and "not yet started" in started.json()["detail"]
    events = client.get(f"/api/v1/visits/{planned['id']}/history", headers=area).json()["events"]
    assert [e["action"] for e in events] == ["assigned", "started"]


# --- the migration ------------------------------------------------------------------------------------


def test_m011_rebuilds_visits_keeping_rows_indexes_and_references(snapshots: Snapshots, tmp_path: Path) -> None:
    """A database at m010 with a visit, its audit, event and evidence: after m011 every row and index is there,
    foreign keys still hold, and a visit may be cancelled."""
    shutil.copyfile(snapshots.loaded, tmp_path / "full.db")
    full = sqlite3.connect(tmp_path / "full.db")
    later = [row[0] for row in full.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    full.close()
    database = Database(tmp_path / "audit.db")
    try:
        with database.writer() as db:
            migrations.apply(db, stop_before="m011_planning")
        shutil.copyfile(snapshots.loaded, tmp_path / "book.db")  # the demo book's rows, to point the visit at
        with database.write() as db:
            book = sqlite3.connect(tmp_path / "book.db")
            for row in book.execute("SELECT kind, doc_id, version, hash, body, created_at FROM book_versions"):
                db.execute("INSERT INTO book_versions VALUES (?, ?, ?, ?, ?, ?)", list(row))
            book.close()
            db.execute("INSERT INTO users (id, name, display_name, role, created_at) VALUES (1, 'a', 'A', 'auditor', 'x'), (2, 'b', 'B', 'admin', 'x')")
            version = next(db.query("SELECT MAX(version) AS v FROM book_versions WHERE kind = 'checklist' AND doc_id = ?", [CHECKLIST]))["v"]
            db.execute(
                "INSERT INTO visits (id, store_id, checklist_id, checklist_version, auditor_id, assigned_by, window_start, window_end, "
                "scenario, state, created_at, updated_at) VALUES ('v1', ?, ?, ?, 1, 2, '2026-11-23', '2026-11-30', 'S', 'submitted', 'x', 'x')",
                [STORE_X, CHECKLIST, version],
            )
            db.execute("INSERT INTO visit_events (visit_id, at, actor_id, action) VALUES ('v1', 'x', 2, 'assigned')")
            db.execute("INSERT INTO audits (id, visit_id, revision, body_hash, body, result, submitted_by, submitted_at) "
                       "VALUES ('a1', 'v1', 1, 'h', '{}', '{}', 1, 'x')")
            db.execute("INSERT INTO evidence (visit_id, sha256, media_type, size, filename, uploaded_by, uploaded_at) "
                       "VALUES ('v1', 's', 'image/png', 1, 'f.png', 1, 'x')")
        before = sorted((r["name"], r["sql"]) for r in database.read().query("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'visits' AND type = 'index'"))
        assert "visits_store" in dict(before)  # m009's

        with database.writer() as db:
            migrations.apply(db)

        read = database.read()
        after = sorted((r["name"], r["sql"]) for r in read.query("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'visits' AND type = 'index'"))
        assert after == before
        assert [r["name"] for r in read.query("SELECT name FROM _sqlite_migrations ORDER BY id")] == later
        assert [dict(r) for r in read.query("SELECT id, state, auditor_id FROM visits")] == [{"id": "v1", "state": "submitted", "auditor_id": 1}]
        assert [r["n"] for r in read.query("SELECT (SELECT COUNT(*) FROM audits) + (SELECT COUNT(*) FROM visit_events) "
                                           "+ (SELECT COUNT(*) FROM evidence) AS n")] == [3]
        assert list(read.query("PRAGMA foreign_key_check")) == []
        with database.write() as db:  # the writer's foreign keys are on again
            db.execute("UPDATE visits SET state = 'cancelled' WHERE id = 'v1'")
            with pytest.raises(sqlite3.IntegrityError):
                db.execute("INSERT INTO visit_events (visit_id, at, action) VALUES ('gone', 'x', 'assigned')")
    finally:
        database.close()
