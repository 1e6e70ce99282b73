"""Every list comes a page at a time: `?limit=`, an opaque `?cursor=`, and `Link: <...>; rel="next"`.

A database with the visits, complaints and survey responses of five stores, many of them tied on the
list's first sort column, read as an admin, an auditor and a manager of two stores: walking the pages
gives every row once, in the list's order, inside the reader's scope whatever the cursor says; a row
written between two pages neither repeats nor hides another; and each query SQLite runs for a page
reads an index in the list's order (its plan never sorts, never scans a table).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import TestClient

from audit_api.services import accounts, feedback, visits
from audit_api.store import Database

from .audit_helpers import BOOK
from .conftest import Actor, make_actor, make_client

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
STORES = ["store-a", "store-b", "store-c", "store-d", "store-e"]
MINE = ["store-a", "store-c"]  # the manager's two stores
STATES = ["assigned", "in_progress", "submitted", "approved", "rejected", "returned"]
UPCOMING = {"assigned", "in_progress"}
COMPLAINT_STATES = ["received", "acknowledged", "in_progress", "resolved", "closed"]
OPEN = {"received", "acknowledged", "in_progress"}
PER_STORE = 24
LISTS = {"visits": "/api/v1/visits", "complaints": "/api/v1/complaints", "responses": "/api/v1/responses"}


@pytest.fixture
def people(loaded: Database) -> dict[str, Actor]:
    return {
        "admin": make_actor(loaded, "boss", "admin"),
        "manager": make_actor(loaded, "two-stores", "manager", stores=MINE),
        "auditor": make_actor(loaded, "shopper", "auditor"),
        "other_auditor": make_actor(loaded, "other-shopper", "auditor"),
    }


def _id(actor: Actor) -> int:
    assert actor.user is not None
    return actor.user.id


@pytest.fixture
def rows(loaded: Database, people: dict[str, Actor]) -> Database:
    """Visits, complaints and responses of five stores, straight into the tables: four windows, due times
    and days each, so most rows tie on the first sort column. The manager assigned some upcoming visits
    of a store they do not cover (they see those), the admin all others."""
    stamp = NOW.isoformat()
    admin, manager = _id(people["admin"]), _id(people["manager"])
    auditors = [_id(people["auditor"]), _id(people["other_auditor"])]
    with loaded.write() as db:
        db.conn.executemany(
            "INSERT INTO visits (id, store_id, checklist_id, checklist_version, auditor_id, assigned_by, window_start, window_end, "
            "scenario, state, created_at, updated_at) VALUES (?, ?, 'phone-call', 1, ?, ?, ?, '2026-12-31', '', ?, ?, ?)",
            [
                (f"v-{s}-{n:02d}", s, auditors[n % 2], manager if s in ("store-b", "store-d") and n % 2 == 0 else admin,
                 f"2026-11-{1 + 7 * (n % 4):02d}", STATES[n % 6], stamp, stamp)
                for s in STORES for n in range(PER_STORE)
            ],
        )
        db.conn.executemany(
            "INSERT INTO complaints (ticket, store_id, language, happened_on, what, desired, state, received_at, acknowledge_by, "
            "respond_by) VALUES (?, ?, 'en', '2026-11-20', 'x', 'apology', ?, ?, ?, ?)",
            [
                (f"C-{s}-{n:02d}", s, COMPLAINT_STATES[n % 5], stamp, stamp, f"2026-11-{20 + n % 4}T10:00:00+00:00")
                for s in STORES for n in range(PER_STORE)
            ],
        )
        db.conn.executemany(
            "INSERT INTO survey_responses (store_id, touchpoint_id, language, survey_id, survey_version, answers, nps, csat, ces, "
            "created_at, local_day) VALUES (?, 'checkout', 'en', 'store-feedback', 1, '{}', 9, 4, 2, ?, ?)",
            [(s, stamp, f"2026-11-{20 + n % 4}") for n in range(PER_STORE) for s in STORES],
        )
    return loaded


# --- what each reader's whole list is, worked out here from the rows written ------------------------


def expected(database: Database, name: str, reader: str, people: dict[str, Actor], **query: str) -> list[str]:
    """The ids of the list `name` that `reader` sees (with the filters in `query`), in the list's order."""
    db = database.read()
    if name == "visits":
        rows = db.execute("SELECT id, store_id, state, auditor_id, assigned_by, window_start FROM visits").fetchall()
        me = _id(people[reader])

        def sees(store: str, state: str, auditor: int, assigner: int) -> bool:
            if reader == "admin":
                return True
            if reader in ("auditor", "other_auditor"):
                return auditor == me
            return (state in UPCOMING and assigner == me) or (state not in UPCOMING and store in MINE)

        kept = [r for r in rows if sees(r[1], r[2], r[3], r[4]) and query.get("state", r[2]) == r[2]]
        return [r[0] for r in sorted(kept, key=lambda r: (r[5], r[0]))]
    if name == "complaints":
        rows = db.execute("SELECT ticket, store_id, state, respond_by FROM complaints").fetchall()
        kept = [r for r in rows if (reader == "admin" or r[1] in MINE) and (query.get("all") == "true" or r[2] in OPEN)]
        return [r[0] for r in sorted(kept, key=lambda r: (r[3], r[0]))]
    rows = db.execute("SELECT id, store_id, local_day FROM survey_responses").fetchall()
    kept = [
        r for r in rows
        if (reader == "admin" or r[1] in MINE) and query.get("store", r[1]) == r[1] and r[2] >= query.get("from", "")
    ]
    return [str(r[0]) for r in sorted(kept, key=lambda r: (r[2], r[0]), reverse=True)]


def key_of(name: str, row: dict[str, Any]) -> str:
    return str(row["id"] if name != "complaints" else row["ticket"])


def next_link(response: Any) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    match = re.fullmatch(r'<(/api/v1/[^>]+)>; rel="next"', link)
    assert match, link
    return match[1]


def walk(client: TestClient, path: str, actor: Actor, **params: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Every row of a list, following the Link headers from the first page; and each page's path."""
    rows, pages = [], []
    response = client.get(path, params=params or None, headers=actor.headers)
    while True:
        assert response.status_code == 200, response.text
        assert isinstance(response.json(), list)
        rows += response.json()
        link = next_link(response)
        if link is None:
            return rows, pages
        pages.append(link)
        response = client.get(link, headers=actor.headers)


def cursor(*values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


# --- walking the pages -----------------------------------------------------------------------------


WALKS = [
    ("visits", "admin", {}),
    ("visits", "admin", {"state": "submitted"}),
    ("visits", "manager", {}),
    ("visits", "manager", {"state": "assigned"}),
    ("visits", "auditor", {}),
    ("complaints", "admin", {}),
    ("complaints", "admin", {"all": "true"}),
    ("complaints", "manager", {}),
    ("complaints", "manager", {"all": "true"}),
    ("responses", "admin", {}),
    ("responses", "admin", {"store": "store-b", "from": "2026-11-22"}),
    ("responses", "manager", {}),
    ("responses", "manager", {"from": "2026-11-21"}),
]


@pytest.mark.parametrize(("name", "reader", "query"), WALKS)
def test_walking_the_pages_gives_every_row_once_in_order(
    rows: Database, people: dict[str, Actor], name: str, reader: str, query: dict[str, str]
) -> None:
    want = expected(rows, name, reader, people, **query)
    assert len(want) > 7, "enough rows for several pages"
    with make_client(rows, clock_at=NOW) as client:
        got, pages = walk(client, LISTS[name], people[reader], limit="7", **query)
        whole = client.get(LISTS[name], params={**query, "limit": "500"}, headers=people[reader].headers)
    assert [key_of(name, row) for row in got] == want
    assert len(pages) == (len(want) - 1) // 7
    for page in pages:  # the next page keeps the query, with the cursor and the limit
        assert "limit=7" in page and "cursor=" in page and all(f"{k}={v}" in page for k, v in query.items())
    assert whole.json() == got and "link" not in whole.headers, "all of them fit one page of 500"


def test_a_row_written_between_pages_neither_repeats_nor_hides_another(rows: Database, people: dict[str, Actor]) -> None:
    admin = people["admin"]
    before = expected(rows, "complaints", "admin", people, all="true")
    with make_client(rows, clock_at=NOW) as client:
        first = client.get("/api/v1/complaints", params={"all": "true", "limit": "10"}, headers=admin.headers)
        last_seen = first.json()[-1]["respond_by"]
        with rows.write() as db:  # one due before the page's end (already passed), one after it, one tied with it
            for ticket, due in (("C-NEW-EARLY", "2026-11-19T00:00:00+00:00"), ("C-NEW-LATE", "2026-11-23T12:00:00+00:00"),
                                ("C-zzz-TIED", last_seen)):
                db.execute(
                    "INSERT INTO complaints (ticket, store_id, language, happened_on, what, desired, state, received_at, "
                    "acknowledge_by, respond_by) VALUES (?, 'store-a', 'en', '2026-11-20', 'x', 'apology', 'received', ?, ?, ?)",
                    [ticket, NOW.isoformat(), NOW.isoformat(), due],
                )
        rest, _ = walk(client, next_link(first) or "", admin)
    seen = [row["ticket"] for row in first.json() + rest]
    assert len(seen) == len(set(seen)), "no row twice"
    assert [t for t in seen if not t.startswith(("C-NEW", "C-zzz"))] == before, "none skipped, in order"
    assert "C-NEW-EARLY" not in seen, "it sorts before the page already read"
    assert "C-NEW-LATE" in seen and "C-zzz-TIED" in seen, "they sort after it: the next pages have them"


def test_the_page_size_is_bounded(rows: Database, people: dict[str, Actor]) -> None:
    admin = people["admin"]
    with make_client(rows, clock_at=NOW) as client:
        default = client.get("/api/v1/visits", headers=admin.headers)
        largest = client.get("/api/v1/visits", params={"limit": "500"}, headers=admin.headers)
        one = client.get("/api/v1/responses", params={"limit": "1"}, headers=admin.headers)
        refused = [client.get(path, params={"limit": bad}, headers=admin.headers)
                   for path in LISTS.values() for bad in ("0", "501", "-1", "ten", "1e3")]
    assert len(default.json()) == 100 and "limit=100" in (next_link(default) or "")
    assert len(largest.json()) == len(STORES) * PER_STORE and "link" not in largest.headers
    assert len(one.json()) == 1 and next_link(one)
    for response in refused:
        assert response.status_code == 400 and response.headers["content-type"].startswith("application/problem+json")
        assert [e["path"] for e in response.json()["errors"]] == ["query.limit"], response.json()


BAD_CURSORS = [
    "!!!not-base64!!!",
    "a",  # not whole base64
    base64.urlsafe_b64encode(b"not json").decode(),
    cursor("complaints", "2026-11-01", "v-store-a-00"),  # another list's
    cursor("visits", "2026-11-01"),  # too short
    cursor("visits", "2026-11-01", "v-store-a-00", "x"),  # too long
    cursor("visits", "2026-11-01", None),
    cursor("visits", "2026-11-01", True),
    cursor("visits", ["2026-11-01"], "v"),
    cursor("visits", "2026-11-01", 2**70),  # no 64-bit integer
    cursor("visits", "2026-11-01", "\ud800"),  # no text SQLite can store
    base64.urlsafe_b64encode(b'{"visits": 1}').decode(),
    "x" * 2000,
]


@pytest.mark.parametrize("bad", BAD_CURSORS)
def test_a_cursor_the_list_did_not_give_is_a_400(rows: Database, people: dict[str, Actor], bad: str) -> None:
    with make_client(rows, clock_at=NOW) as client:
        response = client.get("/api/v1/visits", params={"cursor": bad}, headers=people["admin"].headers)
    assert response.status_code == 400 and response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 400 and [e["path"] for e in problem["errors"]] == ["query.cursor"], problem


@pytest.mark.parametrize("name", list(LISTS))
def test_the_scope_holds_on_every_page_and_for_any_cursor(rows: Database, people: dict[str, Actor], name: str) -> None:
    manager = people["manager"]
    query = {"all": "true"} if name == "complaints" else {}
    want = expected(rows, name, "manager", people, **query)
    crafted = {  # from the first row of every list, of stores the manager does not cover
        "visits": cursor("visits", "2000-01-01", ""),
        "complaints": cursor("complaints", "2000-01-01", ""),
        "responses": cursor("responses", "9999-12-31", 2**62),
    }[name]
    with make_client(rows, clock_at=NOW) as client:
        got, _ = walk(client, LISTS[name], manager, limit="5", **query)
        from_crafted, _ = walk(client, LISTS[name], manager, limit="5", cursor=crafted, **query)
        other_store = client.get(LISTS["responses"], params={"store": "store-b"}, headers=manager.headers) if name == "responses" else None
    for row in got + from_crafted:
        store = row["store_id"]
        assert store in MINE or (name == "visits" and row["state"] in UPCOMING and row["assigned_by"] == "two-stores"), row
    assert [key_of(name, row) for row in got] == want == [key_of(name, row) for row in from_crafted]
    assert other_store is None or other_store.json() == []


# --- each page's query reads an index in the list's order --------------------------------------------


def statements(database: Database, call: Callable[[], object]) -> list[str]:
    """The statements `call` runs on this thread's read connection, their parameters filled in."""
    conn: sqlite3.Connection = database.read().conn
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        call()
    finally:
        conn.set_trace_callback(None)
    return seen


TABLES = {"visits": "v", "complaints": "complaints", "responses": "r"}
FIRST = {"visits": ["2026-11-08", "v-store-a-01"], "complaints": ["2026-11-21T10:00:00+00:00", "C-store-a-01"], "responses": ["2026-11-22", 40]}


def list_call(database: Database, name: str, user: Any, after: list[object] | None, **filters: Any) -> Callable[[], object]:
    if name == "visits":
        return lambda: visits.list_visits(database, BOOK, user, filters.get("state"), after=after, limit=101)
    if name == "complaints":
        return lambda: feedback.queue(database, user, NOW, include_closed=filters.get("all", False), after=after, limit=101)
    return lambda: feedback.list_responses(
        database, user, store_id=filters.get("store"), since=filters.get("since"), after=after, limit=101
    )


PLANS = [
    (reader, name, filters)
    for name, filters in [
        ("visits", {}), ("visits", {"state": "submitted"}),
        ("complaints", {}), ("complaints", {"all": True}),
        ("responses", {}), ("responses", {"store": "store-b"}), ("responses", {"since": dt.date(2026, 11, 21)}),
        ("responses", {"store": "store-a", "since": dt.date(2026, 11, 21)}),
    ]
    for reader in ("admin", "manager", "auditor")
    if reader != "auditor" or name == "visits"
]


@pytest.mark.parametrize(("reader", "name", "filters"), PLANS)
@pytest.mark.parametrize("paged", [False, True], ids=["first page", "next page"])
def test_each_page_is_read_through_an_index_in_the_lists_order(
    rows: Database, people: dict[str, Actor], reader: str, name: str, filters: dict[str, Any], paged: bool
) -> None:
    user = accounts.find_user(rows, people[reader].name)
    assert user is not None
    ran = statements(rows, list_call(rows, name, user, FIRST[name] if paged else None, **filters))
    [query] = [sql for sql in ran if "ORDER BY" in sql]
    plan = [row[3] for row in rows.read().conn.execute(f"EXPLAIN QUERY PLAN {query}")]
    assert not [line for line in plan if "TEMP B-TREE" in line], plan
    table = TABLES[name]
    reads = [line for line in plan if line.startswith((f"SCAN {table}", f"SEARCH {table}"))]
    assert reads and all("INDEX" in line for line in reads), plan
    if reader != "admin" or "store" in filters:  # a part of the table: found by its equalities, never walked whole
        assert all(line.startswith(f"SEARCH {table} USING") and "=?" in line for line in reads), plan
    if reader == "manager":  # one arm a store (and an assigner), merged in order
        assert any(line.startswith("MERGE") for line in plan) or "store" in filters, plan


def test_the_users_come_a_page_at_a_time_by_login(loaded: Database, people: dict[str, Actor]) -> None:
    for n in range(7):
        accounts.add_user(loaded, f"auditor-{n:02d}", "auditor")
    with make_client(loaded) as client:
        users, pages = walk(client, "/api/v1/users", people["admin"], limit="3")
        refused = client.get("/api/v1/users", params={"cursor": cursor("x", 1)}, headers=people["admin"].headers)
    names = [user["name"] for user in users]
    assert names == sorted(names) and len(names) == len(set(names)) == 7 + 4  # and the four people of the fixture
    assert len(pages) == 3  # 11 users, 3 a page: four pages, three of them reached by a Link
    assert refused.status_code == 400
