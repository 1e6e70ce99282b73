"""What the submission benchmark sends: a real auditor with a real token, and fresh visits to audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import msgspec

from audit_api.book import Book
from audit_api.book.items import ChoiceItem
from audit_api.services import accounts, visits
from audit_api.store import Database


def _answers(book: Book) -> list[dict[str, object]]:
    """The demo in-store checklist fully answered, with a realistic mix of results."""
    answers = []
    for n, item in enumerate(i for stage in book.checklists_by_id["in-store-visit"].stages for i in stage.items):
        value = {
            "yes_no": n % 5 != 0,
            "scale": getattr(item, "max", 0) - n % 2,
            "number": getattr(item, "target", 0) * (1.2 if n % 3 == 0 else 0.8),
            "choice": item.choices[n % 2].id if isinstance(item, ChoiceItem) else None,
        }[item.kind]
        answers.append({"item": item.id, "value": value, "comment": "Seen at 10:40, staff busy restocking." if value is False else ""})
    return answers


def _body(visit_id: str, answers: list[dict[str, object]]) -> bytes:
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    return msgspec.json.encode(
        {
            "visit_id": visit_id,
            "started_at": start,
            "finished_at": start + dt.timedelta(minutes=25),
            "answers": answers,
            "gps": {"lat": 43.8591, "lon": 18.4266, "accuracy_m": 12.0},
            "staff_observed": "Lejla, badge 114",
        }
    )


def prepare_submissions(database: Database, book: Book, count: int) -> tuple[str, list[str]]:
    """An admin, an auditor with a device token, and `count` visits assigned to them."""
    admin = accounts.add_user(database, "bench-admin", "admin")
    auditor = accounts.add_user(database, "bench-auditor", "auditor")
    code = accounts.start_enrolment(database, auditor).code
    token = accounts.redeem_enrolment(database, code, "bench").token
    assignment = visits.Assignment(
        store_id="sarajevo-ferhadija", checklist_id="in-store-visit", auditor=auditor.name,
        window_start=dt.date.today() - dt.timedelta(days=1), window_end=dt.date.today() + dt.timedelta(days=6), scenario="Benchmark visit.",
    )
    return token, visits.assign_visits(database, book, admin, [assignment] * count)


def submission_bodies(book: Book, visit_ids: list[str]) -> Iterator[bytes]:
    answers = _answers(book)
    for visit_id in visit_ids:
        yield _body(visit_id, answers)
