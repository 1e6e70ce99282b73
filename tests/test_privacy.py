"""`audit privacy purge`: personal data older than the retention period goes; anonymous scores stay."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

from audit_api.domain.forms import ComplaintForm, Contact, SurveyAnswers
from audit_api.services import feedback
from audit_api.store import Database

from .audit_helpers import BOOK
from .conftest import DEMO_BOOK, STORE_X


def test_purge_removes_old_personal_data_and_keeps_scores(loaded: Database) -> None:
    now = dt.datetime.now(dt.UTC)
    old, recent = now - dt.timedelta(days=BOOK.chain.retention_days + 1), now - dt.timedelta(days=2)
    survey = BOOK.surveys[0]
    contact = Contact(name="Amra", email="amra@example.com", phone="+387 61 000 000")
    for at in (old, recent):
        answers = SurveyAnswers(answers={"recommend": 3, "satisfied": 2, "improve": "Call me, Amra, on my mobile", "contact-ok": True}, contact=contact)
        loaded.submit(feedback.response_job(survey, 1, at=BOOK.stores_by_id[STORE_X], touchpoint_id="checkout", language="en", answers=answers, browser=None, now=at)).result()
        form = ComplaintForm(store_id=STORE_X, happened_on=at.date(), what="My name is Amra and...", desired="refund", contact=contact)
        feedback.file_complaint(loaded, BOOK, form, "en", at)

    done = subprocess.run([sys.executable, "-m", "audit_api.cli", "privacy", "purge", "--db", str(loaded.path), "--book", str(DEMO_BOOK)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "removed 1 survey contacts, 1 survey comments, 1 complaint contacts, 1 complaint texts, in 2 batches" in done.stdout

    db = loaded.read()
    rows = db.execute("SELECT created_at, answers, nps, csat FROM survey_responses ORDER BY created_at").fetchall()
    assert [(r[2], r[3]) for r in rows] == [(3, 2), (3, 2)], "scores stay"
    assert "improve" not in json.loads(rows[0][1]) and "improve" in json.loads(rows[1][1])
    assert db.execute("SELECT COUNT(*) FROM survey_contacts").fetchone()[0] == 1
    complaints = db.execute("SELECT what, state, purged_at IS NOT NULL FROM complaints ORDER BY received_at").fetchall()
    assert complaints[0] == ("", "received", 1) and complaints[1][0].startswith("My name is Amra")
    assert db.execute("SELECT COUNT(*) FROM complaint_contacts").fetchone()[0] == 1

    again = subprocess.run([sys.executable, "-m", "audit_api.cli", "privacy", "purge", "--db", str(loaded.path), "--book", str(DEMO_BOOK)],
                           capture_output=True, text=True, timeout=60)
    assert "removed 0 survey contacts, 0 survey comments, 0 complaint contacts, 0 complaint texts, in 0 batches" in again.stdout
