"""The mystery shopper stays a mystery: the store's own managers never learn who visited them, and
probes that would tell apart "exists" from "not yours" answer alike.

Area managers (managers who plan visits) and admins plan visits and see auditors by name; a store's
own manager plans visits only where the book says so, and sees the auditor as a stable pseudonym.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from audit_api.book import load_book
from audit_api.services import accounts, visits
from audit_api.store import Database, publish

from .audit_helpers import assign, audit_body, submitted
from .conftest import STORE_X, Actor, make_actor, make_client


def visit_request(auditor: str = "auditor-a", store: str = STORE_X) -> dict[str, str]:
    return {"store_id": store, "checklist_id": "phone-call", "auditor": auditor, "window_start": "2026-12-01",
            "window_end": "2026-12-05", "scenario": "Ask for a call-back."}


def test_a_store_manager_reads_a_visit_without_learning_who_made_it(loaded: Database, actors: dict[str, Actor]) -> None:
    a, admin, mx = actors["auditor_a"], actors["admin"], actors["manager_x"]
    visit = submitted(loaded, a.user, admin.user)
    secret_words = [a.user.name, a.user.display_name, f'"auditor_id":{a.user.id}', f'"auditor_id": {a.user.id}']
    with make_client(loaded) as client:
        pages = {
            "visit": client.get(f"/api/v1/visits/{visit.id}", headers=mx.headers),
            "list": client.get("/api/v1/visits", headers=mx.headers),
            "history": client.get(f"/api/v1/visits/{visit.id}/history", headers=mx.headers),
            "report": client.get(f"/api/v1/visits/{visit.id}/report", headers=mx.headers),
        }
        admins = client.get(f"/api/v1/visits/{visit.id}/history", headers=admin.headers).json()
    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
    for name, page in pages.items():
        assert not [word for word in secret_words if word in page.text], name
    pseudonym = a.user.pseudonym
    assert pages["visit"].json()["visit"]["auditor"] == pseudonym
    assert [e["actor"] for e in pages["history"].json()["events"]] == ["admin", pseudonym]
    assert f"<dd>{pseudonym.removeprefix('Auditor ')}</dd>" in pages["report"].text  # under the label "Auditor"
    # The same pseudonym every time, so a manager can still follow one shopper's visits over time.
    assert pages["list"].json()[0]["auditor"] == pseudonym
    # Those who plan visits see the name.
    assert admins["visit"]["auditor"] == "auditor-a" and [e["actor"] for e in admins["events"]] == ["admin", "auditor-a"]


def test_area_managers_plan_visits_store_managers_do_not(loaded: Database, actors: dict[str, Actor]) -> None:
    area = make_actor(loaded, "area-north", "manager", stores=[STORE_X, "mostar-centar"], plans_visits=True)
    with make_client(loaded) as client:
        own_store = client.post("/api/v1/visits", json=visit_request(), headers=actors["manager_x"].headers)
        planned = client.post("/api/v1/visits", json=visit_request(), headers=area.headers)
        elsewhere = client.post("/api/v1/visits", json=visit_request(store="moskva-arbat"), headers=area.headers)
    assert own_store.status_code == 403 and "you do not plan visits to store" in own_store.json()["detail"]
    assert planned.status_code == 201 and planned.json()["auditor"] == "auditor-a"
    assert elsewhere.status_code == 403


def test_the_book_may_let_store_managers_plan(loaded: Database, actors: dict[str, Actor], book_dir: Path) -> None:
    chain = book_dir / "chain.yaml"
    chain.write_text(chain.read_text(encoding="utf-8") + "visits:\n  store_managers_plan: true\n", encoding="utf-8")
    publish(loaded, load_book(book_dir))
    with make_client(loaded) as client:
        response = client.post("/api/v1/visits", json=visit_request(), headers=actors["manager_x"].headers)
    assert response.status_code == 201 and response.json()["auditor"] == "auditor-a"


def test_another_auditors_audit_id_answers_like_a_visit_one_may_not_see(loaded: Database, actors: dict[str, Actor]) -> None:
    a, b, admin = actors["auditor_a"], actors["auditor_b"], actors["admin"]
    visit = assign(loaded, a.user, admin.user)
    audit_id, body = str(uuid.uuid4()), audit_body(visit.id)
    with make_client(loaded) as client:
        assert client.put(f"/api/v1/audits/{audit_id}", json=body, headers=a.headers).status_code == 201
        replayed_by_b = client.put(f"/api/v1/audits/{audit_id}", json=body, headers=b.headers)
        changed_by_b = client.put(f"/api/v1/audits/{audit_id}", json={**body, "comment": "x"}, headers=b.headers)
        fresh_by_b = client.put(f"/api/v1/audits/{uuid.uuid4()}", json=body, headers=b.headers)
    assert replayed_by_b.status_code == changed_by_b.status_code == fresh_by_b.status_code == 404
    assert replayed_by_b.json()["detail"] == changed_by_b.json()["detail"] == fresh_by_b.json()["detail"]


def test_planning_for_an_unknown_user_or_a_non_auditor_answers_alike(loaded: Database, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    with make_client(loaded) as client:
        unknown = client.post("/api/v1/visits", json=visit_request(auditor="nobody"), headers=admin.headers)
        manager = client.post("/api/v1/visits", json=visit_request(auditor="manager-y"), headers=admin.headers)
    assert unknown.status_code == manager.status_code == 422
    assert unknown.json()["errors"] == [{"path": "body.auditor", "message": "no auditor 'nobody'"}]
    assert manager.json()["errors"] == [{"path": "body.auditor", "message": "no auditor 'manager-y'"}]


def test_revoking_another_users_token_answers_like_one_that_does_not_exist(loaded: Database, actors: dict[str, Actor]) -> None:
    a, b = actors["auditor_a"], actors["auditor_b"]
    b_token = accounts.list_tokens(loaded, b.user)[0].id
    with make_client(loaded) as client:
        someone_elses = client.delete(f"/api/v1/tokens/{b_token}", headers=a.headers)
        missing = client.delete("/api/v1/tokens/no-such-token", headers=a.headers)
        still_works = client.get("/api/v1/me", headers=b.headers)
    assert someone_elses.status_code == missing.status_code == 404
    assert still_works.status_code == 200


def test_the_pseudonym_is_stable_and_says_nothing(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"].user
    again = accounts.find_user(loaded, a.name)
    assert again.pseudonym == a.pseudonym and a.pseudonym.startswith("Auditor ")
    assert a.name not in a.pseudonym and str(a.id) not in a.pseudonym.removeprefix("Auditor ")
    others = {accounts.add_user(loaded, f"shopper-{n}", "auditor").pseudonym for n in range(20)}
    assert len(others) == 20


def test_a_visits_view_keeps_the_store_manager_in_the_dark_through_the_service(loaded: Database, actors: dict[str, Actor]) -> None:
    a, admin, mx = actors["auditor_a"], actors["admin"], actors["manager_x"]
    visit = submitted(loaded, a.user, admin.user)
    from .audit_helpers import BOOK

    seen = visits.visit_detail(loaded, BOOK, mx.user, visit.id).visit
    assert seen.auditor == a.user.pseudonym and "auditor_id" not in type(seen).__struct_fields__
    assert seen.window_start == dt.date(2026, 11, 23)
