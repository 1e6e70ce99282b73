"""New survey responses enter the roll-ups once per group commit (`store.db.later`, `rollups.add_survey_answers`):
the sums a batch writes equal a rebuild from the rows, and a job that fails leaves nothing in them."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future

import pytest
import sqlite_utils

from audit_api.book import load_book
from audit_api.domain.forms import SurveyAnswers
from audit_api.services import feedback
from audit_api.store import Database, rollups
from audit_api.store import feedback as store

from .conftest import DEMO_BOOK, NOON_TUESDAY

BOOK = load_book(DEMO_BOOK)


def _snapshot(database: Database) -> dict[str, list[tuple[object, ...]]]:
    db = database.read()
    return {table: sorted(tuple(row) for row in db.conn.execute(f"SELECT * FROM {table}")) for table in
            ("survey_rollups", "survey_dimension_rollups", "rollup_stores")}


def test_a_batch_of_answers_with_a_failing_job_sums_as_a_rebuild(loaded: Database) -> None:
    survey = BOOK.surveys_by_id["store-feedback"]
    futures: list[Future[object]] = []
    with loaded.writer():  # the committer waits for this lock: what is submitted meanwhile makes one batch
        for n, (store_id, touchpoint) in enumerate([("sarajevo-ferhadija", "checkout"), ("sarajevo-ferhadija", "fitting-room"),
                                                     ("moskva-arbat", "checkout")] * 4):
            answers = SurveyAnswers(answers={"recommend": n % 11, "satisfied": 1 + n % 5, "easy": 1 + n % 7, "staff-friendly": 1 + n % 5}, contact=None)
            futures.append(loaded.submit(feedback.response_job(
                survey, 1, at=BOOK.stores_by_id[store_id], touchpoint_id=touchpoint, language="en", answers=answers,
                browser=f"browser-{n % 5}", now=NOON_TUESDAY + dt.timedelta(days=n % 3, minutes=n),
                origin=feedback.Origin(form_nonce=None, token_problem=None if n % 4 else "no_form_token", address_key="one-address"),
            )))

        def fails_after_counting(db: sqlite_utils.Database) -> None:
            kept = store.NewResponse(
                store_id="moskva-arbat", touchpoint_id="checkout", language="en", survey_id=survey.id, survey_version=1, answers="{}",
                nps=10, csat=5, ces=1, browser_key=None, reward=None, created_at=NOON_TUESDAY.isoformat(), local_day="2026-11-24",
            )
            store.insert_response(db, kept, None)
            store.add_to_rollups(db, kept, [])
            raise RuntimeError("after its sums were left for the batch")

        futures.append(loaded.submit(fails_after_counting))
    with pytest.raises(RuntimeError):
        futures[-1].result()
    receipts = [future.result() for future in futures[:-1]]
    assert len({r.response_id for r in receipts if not r.duplicate}) > 3  # several stored, some absorbed or suspect
    kept = _snapshot(loaded)
    assert kept["survey_rollups"] and kept["survey_dimension_rollups"]
    assert ("d", "checkout", "moskva-arbat", "2026-11-24") not in {row[:4] for row in kept["survey_rollups"]}  # the failed job's
    with loaded.write() as db:
        rollups.rebuild_rollups(db)
    assert _snapshot(loaded) == kept
