"""An audit is read by its store and by the day of the visit in the store's time zone (m010).

Reports, the dashboard and exports select audits by store and store-local day through an index, so
both are stored with each submission; audits stored before m010 get them from their visit and body.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from audit_api.domain.audits import AuditSubmission
from audit_api.domain.scoring import Answer
from audit_api.services import accounts, visits
from audit_api.store import Database, migrate, publish
from audit_api.store.migrations import migrations

from .audit_helpers import BOOK, assign, perfect_answers

# 21:30 UTC on 23 November: 00:30 on the 24th in Moscow (UTC+3), 22:30 on the 23rd in Sarajevo (UTC+1).
LATE_EVENING_UTC = dt.datetime(2026, 11, 23, 21, 30, tzinfo=dt.UTC)


def _submit(database: Database, store_id: str) -> str:
    admin = accounts.add_user(database, f"admin-{store_id}", "admin")
    auditor = accounts.add_user(database, f"shopper-{store_id}", "auditor")
    visit = assign(database, auditor, admin, store_id)
    body = AuditSubmission(
        visit_id=visit.id, started_at=LATE_EVENING_UTC, finished_at=LATE_EVENING_UTC + dt.timedelta(minutes=20),
        answers=[Answer(**a) for a in perfect_answers()],
    )
    visits.submit_audit(database, BOOK, auditor, str(uuid.uuid4()), body, now=LATE_EVENING_UTC + dt.timedelta(hours=1)).result()
    return visit.id


def test_a_submission_stores_its_store_and_the_visits_store_local_day(loaded: Database) -> None:
    moscow, sarajevo = _submit(loaded, "moskva-arbat"), _submit(loaded, "sarajevo-alta")
    rows = {r["visit_id"]: (r["store_id"], r["local_day"]) for r in loaded.read().query("SELECT visit_id, store_id, local_day FROM audits")}
    assert rows == {moscow: ("moskva-arbat", "2026-11-24"), sarajevo: ("sarajevo-alta", "2026-11-23")}


def test_the_migration_gives_earlier_audits_their_store_and_local_day(tmp_path: Path) -> None:
    database = Database(tmp_path / "audit.db")
    try:
        with database.writer() as db:
            migrations.apply(db, stop_before="m010_audit_days")
        publish(database, BOOK)
        with database.write() as db:
            db.execute("INSERT INTO users (id, name, display_name, role, pseudonym, created_at) VALUES (1, 'a', 'A', 'auditor', 'Auditor 1', '')")
            for store_id in ("moskva-arbat", "sarajevo-alta"):
                db.execute(
                    "INSERT INTO visits (id, store_id, checklist_id, checklist_version, auditor_id, assigned_by, window_start, window_end, "
                    "scenario, state, created_at, updated_at) VALUES (?, ?, 'in-store-visit', 1, 1, 1, '2026-11-23', '2026-11-30', '', "
                    "'submitted', '', '')",
                    [f"v-{store_id}", store_id],
                )
                db.execute(
                    "INSERT INTO audits (id, visit_id, revision, body_hash, body, result, submitted_by, submitted_at) "
                    "VALUES (?, ?, 1, '', ?, '{}', 1, '')",
                    [f"a-{store_id}", f"v-{store_id}", f'{{"started_at": "{LATE_EVENING_UTC.isoformat()}"}}'],
                )
        assert migrate(database)[0] == "m010_audit_days"  # then any later steps
        rows = [(r["store_id"], r["local_day"]) for r in database.read().query("SELECT store_id, local_day FROM audits ORDER BY id")]
        plan = " ".join(
            str(r[3]) for r in database.read().conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM audits WHERE store_id = ? AND local_day BETWEEN ? AND ?", ["x", "a", "b"]
            )
        )
    finally:
        database.close()
    assert rows == [("moskva-arbat", "2026-11-24"), ("sarajevo-alta", "2026-11-23")]
    assert "USING INDEX audits_store_day" in plan
