"""Building blocks for the audit tests: a fully answered in-store audit, visits in a chosen state."""

from __future__ import annotations

import datetime as dt
import uuid

from audit_api.book import Book, load_book
from audit_api.domain.audits import AuditSubmission
from audit_api.domain.scoring import Answer
from audit_api.services import visits
from audit_api.store import Database
from audit_api.store.accounts import User
from audit_api.store.visits import Visit

from .conftest import DEMO_BOOK, STORE_X

BOOK = load_book(DEMO_BOOK)
VISIT_START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)  # 10:00 in Sarajevo, a Tuesday: open


def perfect_answers(book: Book = BOOK, checklist_id: str = "in-store-visit") -> list[dict]:
    """Every item of the checklist answered at its best."""
    answers = []
    for stage in book.checklists_by_id[checklist_id].stages:
        for item in stage.items:
            value = {
                "yes_no": True,
                "scale": getattr(item, "max", None),
                "number": getattr(item, "target", None),
                "choice": max(getattr(item, "choices", []) or [None], key=lambda c: c.points if c else 0),
            }[item.kind]
            answers.append({"item": item.id, "value": value.id if item.kind == "choice" else value})
    return answers


def audit_body(visit_id: str, answers: list[dict] | None = None, **extra: object) -> dict:
    return {
        "visit_id": visit_id,
        "started_at": VISIT_START.isoformat(),
        "finished_at": (VISIT_START + dt.timedelta(minutes=25)).isoformat(),
        "answers": answers if answers is not None else perfect_answers(),
        "gps": {"lat": 43.8591, "lon": 18.4266, "accuracy_m": 12},
        "staff_observed": "Lejla, badge 114",
        **extra,
    }


def assign(database: Database, auditor: User, by: User, store_id: str = STORE_X, checklist_id: str = "in-store-visit") -> Visit:
    assignment = visits.Assignment(
        store_id=store_id, checklist_id=checklist_id, auditor=auditor.name,
        window_start=dt.date(2026, 11, 23), window_end=dt.date(2026, 11, 30), scenario="Ask about wholesale discounts.",
    )
    return visits.assign_visit(database, BOOK, by, assignment, now=VISIT_START)  # the window is open on that day, whatever the date


def submitted(database: Database, auditor: User, by: User, store_id: str = STORE_X) -> Visit:
    visit = assign(database, auditor, by, store_id)
    body = AuditSubmission(**{**audit_body(visit.id), "answers": [Answer(**a) for a in perfect_answers()],
                              "started_at": VISIT_START, "finished_at": VISIT_START + dt.timedelta(minutes=25), "gps": None})
    visits.submit_audit(database, BOOK, auditor, str(uuid.uuid4()), body, now=VISIT_START + dt.timedelta(hours=1)).result()
    return visits.visible_visit(database, auditor, visit.id)
