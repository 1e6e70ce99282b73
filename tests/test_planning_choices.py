"""What a planner chooses from: `GET /api/v1/auditors` (logins, names, the stores each is excluded from) and
`GET /api/v1/checklists` (titled in the reader's language), for those who plan visits only: admins, area
managers, and a store's managers where the book says so. Auditors' logins stay hidden from everyone else.
"""

from __future__ import annotations

from pathlib import Path

from audit_api.book import load_book
from audit_api.services import accounts, planning
from audit_api.store import Database, publish

from .audit_helpers import BOOK
from .conftest import STORE_X, STORE_Y, Actor, make_actor, make_client


def test_a_planner_reads_the_auditors_with_the_exclusions_of_the_stores_they_cover(loaded: Database, actors: dict[str, Actor]) -> None:
    planning.set_exclusions(loaded, BOOK, "auditor-a", [STORE_X, STORE_Y])
    accounts.add_user(loaded, "auditor-c", "auditor", display_name="Cvijeta")
    accounts.set_disabled(loaded, "auditor-c", True)
    area = make_actor(loaded, "area", "manager", stores=[STORE_X], plans_visits=True)
    with make_client(loaded) as client:
        by_admin = client.get("/api/v1/auditors", headers=actors["admin"].headers)
        by_area = client.get("/api/v1/auditors", headers=area.headers).json()
        store_manager = client.get("/api/v1/auditors", headers=actors["manager_x"].headers)
        auditor = client.get("/api/v1/auditors", headers=actors["auditor_a"].headers)
    assert by_admin.status_code == 200
    assert by_admin.json() == [
        {"name": "auditor-a", "display_name": "auditor-a", "excluded_stores": sorted([STORE_X, STORE_Y])},
        {"name": "auditor-b", "display_name": "auditor-b", "excluded_stores": []},
    ], "by login; a disabled auditor is not offered"
    assert by_area[0]["excluded_stores"] == [STORE_X], "only the exclusions of the stores the planner covers"
    assert store_manager.status_code == auditor.status_code == 403


def test_the_auditors_come_a_page_at_a_time(loaded: Database, actors: dict[str, Actor]) -> None:
    for name in ("auditor-c", "auditor-d", "auditor-e"):
        accounts.add_user(loaded, name, "auditor")
    seen: list[str] = []
    with make_client(loaded) as client:
        path: str | None = "/api/v1/auditors?limit=2"
        while path:
            page = client.get(path, headers=actors["admin"].headers)
            assert len(page.json()) <= 2
            seen += [row["name"] for row in page.json()]
            path = page.links.get("next", {}).get("url")
    assert seen == ["auditor-a", "auditor-b", "auditor-c", "auditor-d", "auditor-e"]


def test_the_checklists_are_titled_in_the_readers_language(loaded: Database, actors: dict[str, Actor]) -> None:
    with make_client(loaded) as client:
        answer = client.get("/api/v1/checklists?lang=ru", headers=actors["admin"].headers)
        refused = client.get("/api/v1/checklists", headers=actors["manager_x"].headers)
    titles = {c.id: c.title for c in BOOK.checklists}
    assert answer.status_code == 200
    assert [(c["id"], c["title"], c["version"]) for c in answer.json()] == [
        (checklist_id, titles[checklist_id]["ru"], 1) for checklist_id in sorted(titles)  # type: ignore[index]
    ]
    assert refused.status_code == 403


def test_where_the_book_lets_store_managers_plan_they_read_the_choices_too(loaded: Database, actors: dict[str, Actor], book_dir: Path) -> None:
    chain = book_dir / "chain.yaml"
    chain.write_text(chain.read_text(encoding="utf-8") + "visits:\n  store_managers_plan: true\n", encoding="utf-8")
    publish(loaded, load_book(book_dir))
    with make_client(loaded) as client:
        auditors = client.get("/api/v1/auditors", headers=actors["manager_x"].headers)
        checklists = client.get("/api/v1/checklists", headers=actors["manager_x"].headers)
    assert auditors.status_code == checklists.status_code == 200
    assert [a["name"] for a in auditors.json()] == ["auditor-a", "auditor-b"]


def test_any_manager_reads_a_published_checklist_in_their_language(loaded: Database, actors: dict[str, Actor]) -> None:
    with make_client(loaded) as client:
        bosnian = client.get("/api/v1/checklists/in-store-visit", params={"lang": "bs"}, headers=actors["manager_x"].headers)
        missing = client.get("/api/v1/checklists/no-such-list", headers=actors["admin"].headers)
        auditor = client.get("/api/v1/checklists/in-store-visit", headers=actors["auditor_a"].headers)
    assert bosnian.status_code == 200
    checklist = bosnian.json()
    first = BOOK.checklists_by_id["in-store-visit"].stages[0]
    assert checklist["title"] == "Posjeta prodavnici"
    assert checklist["stages"][0]["title"] == first.title["bs"]  # type: ignore[index]
    assert checklist["stages"][0]["items"][0]["text"] == first.items[0].text["bs"]  # type: ignore[index]
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert auditor.status_code == 403
