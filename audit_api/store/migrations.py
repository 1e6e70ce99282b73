"""The database schema as a list of small named steps, recorded in the database (sqlite-utils Migrations).

Add a step at the end; never edit one that has shipped.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
import zoneinfo

import sqlite_utils
from sqlite_utils import Migrations

from .db import Database

migrations = Migrations("audit_api")


@migrations()
def m001_book_versions(db: sqlite_utils.Database) -> None:
    # Every version of every book document ever loaded, by content hash; never deleted, so a
    # submission can always point at the exact checklist or survey it was made against.
    db.execute(
        """
        CREATE TABLE book_versions (
            kind TEXT NOT NULL CHECK (kind IN ('chain', 'faq', 'store', 'checklist', 'survey')),
            doc_id TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 1),
            hash TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (kind, doc_id, version),
            UNIQUE (kind, doc_id, hash)
        )
        """
    )
    # Which version of each document is the published one.
    db.execute(
        """
        CREATE TABLE book_current (
            kind TEXT NOT NULL,
            doc_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            since TEXT NOT NULL,
            PRIMARY KEY (kind, doc_id),
            FOREIGN KEY (kind, doc_id, version) REFERENCES book_versions (kind, doc_id, version)
        )
        """
    )
    # One row: bumped by every load that changes anything, so running servers notice.
    db.execute(
        "CREATE TABLE book_state (id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL, published_at TEXT)"
    )
    db.execute("INSERT INTO book_state (id, generation) VALUES (1, 0)")


def _run(db: sqlite_utils.Database, script: str) -> None:
    """Statement by statement: `executescript` would commit, breaking the migration's transaction."""
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


def migrate(database: Database) -> list[str]:
    """Apply pending steps; returns their names (empty when the schema is current)."""
    with database.writer() as db:
        names = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
    return names


def pending(database: Database) -> list[str]:
    return [m.name for m in migrations.pending(database.read())]


@migrations()
def m002_accounts_visits_audits(db: sqlite_utils.Database) -> None:
    _run(
        db,
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'auditor')),
            all_stores INTEGER NOT NULL DEFAULT 0,
            language TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE user_stores (
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            store_id TEXT NOT NULL,
            PRIMARY KEY (user_id, store_id)
        );
        -- One-time enrolment codes and device tokens: only SHA-256 hashes of the secrets are stored.
        CREATE TABLE enrolments (
            code_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT
        );
        CREATE TABLE tokens (
            id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            secret_hash TEXT NOT NULL,
            device TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            revoked_at TEXT
        );
        CREATE INDEX tokens_user ON tokens (user_id);
        CREATE TABLE visits (
            id TEXT PRIMARY KEY,
            store_id TEXT NOT NULL,
            checklist_kind TEXT NOT NULL DEFAULT 'checklist' CHECK (checklist_kind = 'checklist'),
            checklist_id TEXT NOT NULL,
            checklist_version INTEGER NOT NULL,
            auditor_id INTEGER NOT NULL REFERENCES users (id),
            assigned_by INTEGER NOT NULL REFERENCES users (id),
            window_start TEXT NOT NULL,
            window_end TEXT NOT NULL,
            scenario TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('assigned', 'in_progress', 'submitted', 'approved', 'rejected', 'returned')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            FOREIGN KEY (checklist_kind, checklist_id, checklist_version) REFERENCES book_versions (kind, doc_id, version)
        );
        CREATE INDEX visits_auditor ON visits (auditor_id, state);
        CREATE INDEX visits_store ON visits (store_id, state);
        -- Every accepted submission, by the client's UUID; a correction is the next revision.
        CREATE TABLE audits (
            id TEXT PRIMARY KEY,
            visit_id TEXT NOT NULL REFERENCES visits (id),
            revision INTEGER NOT NULL,
            body_hash TEXT NOT NULL,
            body TEXT NOT NULL,
            result TEXT NOT NULL,
            submitted_by INTEGER NOT NULL REFERENCES users (id),
            submitted_at TEXT NOT NULL,
            UNIQUE (visit_id, revision)
        );
        CREATE TABLE visit_events (
            id INTEGER PRIMARY KEY,
            visit_id TEXT NOT NULL REFERENCES visits (id),
            at TEXT NOT NULL,
            actor_id INTEGER REFERENCES users (id),
            action TEXT NOT NULL,
            revision INTEGER,
            comment TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX visit_events_visit ON visit_events (visit_id);
        -- Photos and receipts: the file lives in the blob folder under its SHA-256.
        CREATE TABLE evidence (
            visit_id TEXT NOT NULL REFERENCES visits (id),
            item_id TEXT NOT NULL DEFAULT '',
            sha256 TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            filename TEXT NOT NULL,
            uploaded_by INTEGER NOT NULL REFERENCES users (id),
            uploaded_at TEXT NOT NULL,
            PRIMARY KEY (visit_id, item_id, sha256)
        );
        """
    )


@migrations()
def m003_surveys_complaints(db: sqlite_utils.Database) -> None:
    _run(
        db,
        """
        -- Anonymous answers: kept for metrics after personal data is purged.
        CREATE TABLE survey_responses (
            id INTEGER PRIMARY KEY,
            store_id TEXT NOT NULL,
            touchpoint_id TEXT NOT NULL,
            language TEXT NOT NULL,
            survey_kind TEXT NOT NULL DEFAULT 'survey' CHECK (survey_kind = 'survey'),
            survey_id TEXT NOT NULL,
            survey_version INTEGER NOT NULL,
            answers TEXT NOT NULL,
            nps INTEGER,
            csat INTEGER,
            ces INTEGER,
            browser_key TEXT,
            reward TEXT UNIQUE,
            created_at TEXT NOT NULL,
            FOREIGN KEY (survey_kind, survey_id, survey_version) REFERENCES book_versions (kind, doc_id, version)
        );
        CREATE INDEX survey_responses_store ON survey_responses (store_id, touchpoint_id, created_at);
        CREATE INDEX survey_responses_browser ON survey_responses (browser_key, created_at);
        -- Personal data, given with consent; removed by `audit privacy purge` after the retention period.
        CREATE TABLE survey_contacts (
            response_id INTEGER PRIMARY KEY REFERENCES survey_responses (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            email TEXT NOT NULL,
            phone TEXT NOT NULL
        );
        CREATE TABLE complaints (
            ticket TEXT PRIMARY KEY,
            store_id TEXT NOT NULL,
            language TEXT NOT NULL,
            happened_on TEXT NOT NULL,
            what TEXT NOT NULL,
            desired TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('received', 'acknowledged', 'in_progress', 'resolved', 'closed')),
            received_at TEXT NOT NULL,
            acknowledge_by TEXT NOT NULL,
            respond_by TEXT NOT NULL,
            acknowledged_at TEXT,
            resolved_at TEXT,
            closed_at TEXT,
            resolution TEXT NOT NULL DEFAULT '',
            root_cause TEXT NOT NULL DEFAULT '',
            source_response INTEGER REFERENCES survey_responses (id),
            purged_at TEXT
        );
        CREATE INDEX complaints_queue ON complaints (store_id, state, respond_by);
        CREATE TABLE complaint_contacts (
            ticket TEXT PRIMARY KEY REFERENCES complaints (ticket) ON DELETE CASCADE,
            name TEXT NOT NULL,
            email TEXT NOT NULL,
            phone TEXT NOT NULL
        );
        CREATE TABLE complaint_events (
            id INTEGER PRIMARY KEY,
            ticket TEXT NOT NULL REFERENCES complaints (ticket),
            at TEXT NOT NULL,
            actor_id INTEGER REFERENCES users (id),
            from_state TEXT,
            to_state TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX complaint_events_ticket ON complaint_events (ticket);
        """,
    )


@migrations()
def m004_visits_by_assigner(db: sqlite_utils.Database) -> None:
    # A manager's visit list reads the visits they assigned and those of their stores, each through an
    # index (services/access.py), never the whole table.
    db.execute("CREATE INDEX visits_assigned_by ON visits (assigned_by, state)")


@migrations()
def m005_accounts_expiry_mystery_and_suspect_answers(db: sqlite_utils.Database) -> None:
    # Accounts: a disabled user's tokens fail at once; area managers plan visits; store managers see an
    # auditor only by a stable pseudonym, never by name or login.
    db.execute("ALTER TABLE users ADD COLUMN disabled_at TEXT")
    db.execute("ALTER TABLE users ADD COLUMN plans_visits INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE users ADD COLUMN pseudonym TEXT")
    for row in list(db.query("SELECT id FROM users")):
        db.execute("UPDATE users SET pseudonym = ? WHERE id = ?", [_pseudonym(), row["id"]])
    # Survey answers: each form token counts once; answers over the book's limits are kept as suspect.
    db.execute("ALTER TABLE survey_responses ADD COLUMN form_nonce TEXT")
    db.execute("ALTER TABLE survey_responses ADD COLUMN address_key TEXT")
    db.execute("ALTER TABLE survey_responses ADD COLUMN suspect TEXT")
    db.execute("CREATE UNIQUE INDEX survey_responses_nonce ON survey_responses (form_nonce)")
    db.execute("CREATE INDEX survey_responses_address ON survey_responses (address_key, created_at)")


def _pseudonym() -> str:
    """As `services.accounts.new_pseudonym` made them when this step shipped."""
    return "Auditor " + "".join(secrets.choice("23456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(5))


@migrations()
def m006_survey_local_days_and_dimensions(db: sqlite_utils.Database) -> None:
    # Each answer's day in its store's time zone, written at submission: a period of the metrics counts
    # local days (an answer at 00:30 on 24 November in Moscow belongs to the 24th, though it is the 23rd
    # in UTC), never by converting each row's time. The metrics read this index alone, in its order, so
    # SQLite counts a store's and touchpoint's answers as it goes (bench/metrics.py: a million answers).
    db.execute("ALTER TABLE survey_responses ADD COLUMN local_day TEXT")
    db.execute("CREATE INDEX survey_responses_metrics ON survey_responses (store_id, touchpoint_id, local_day, suspect, nps, csat, ces)")
    # Answers so far: their store's time zone from the published store document (else its latest version).
    zones = _store_zones(db)
    db.conn.create_function("m006_local_day", 2, functools.partial(_local_day, zones), deterministic=True)
    db.execute("UPDATE survey_responses SET local_day = m006_local_day(created_at, store_id)")
    # The answers of rating questions that measure a SERVQUAL dimension, one row each, written in the
    # same transaction as their response, so each dimension's mean is counted in SQLite without decoding
    # any answer's JSON. Store, touchpoint, day and whether the response counts are copied from the
    # response for the indexes. Answers so far had no dimension: nothing to fill in.
    _run(
        db,
        """
        CREATE TABLE survey_dimension_answers (
            response_id INTEGER NOT NULL REFERENCES survey_responses (id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            store_id TEXT NOT NULL,
            touchpoint_id TEXT NOT NULL,
            local_day TEXT NOT NULL,
            dimension TEXT NOT NULL,
            value INTEGER NOT NULL,
            scale_min INTEGER NOT NULL,
            scale_max INTEGER NOT NULL,
            counted INTEGER NOT NULL CHECK (counted IN (0, 1)),
            PRIMARY KEY (response_id, question_id)
        );
        CREATE INDEX survey_dimension_answers_metrics
            ON survey_dimension_answers (store_id, touchpoint_id, dimension, scale_min, scale_max, local_day, counted, value);
        """,
    )


def _store_zones(db: sqlite_utils.Database) -> dict[str, str]:
    """Each store's time zone, from its published document (else its latest version)."""
    zones: dict[str, str] = {}
    for row in db.query(
        "SELECT v.doc_id, v.body FROM book_versions v WHERE v.kind = 'store' AND v.version = COALESCE("
        "(SELECT c.version FROM book_current c WHERE c.kind = 'store' AND c.doc_id = v.doc_id), "
        "(SELECT MAX(w.version) FROM book_versions w WHERE w.kind = 'store' AND w.doc_id = v.doc_id))"
    ):
        timezone = json.loads(row["body"]).get("timezone")
        if isinstance(timezone, str):
            zones[row["doc_id"]] = timezone
    return zones


def _local_day(zones: dict[str, str], created_at: str, store_id: str) -> str:
    """The date of `created_at` in the store's time zone (UTC for a store without a known one), as m006 backfilled it."""
    moment = dt.datetime.fromisoformat(created_at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(zones[store_id])
    except (KeyError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        zone = dt.UTC
    try:
        return moment.astimezone(zone).date().isoformat()
    except OverflowError:  # beyond the calendar's ends in that zone: the instant's own date stands in
        return moment.date().isoformat()


@migrations()
def m007_complaint_replies(db: sqlite_utils.Database) -> None:
    # The answer a customer reads on the status page, written when a manager resolves the complaint and
    # correctable while it stays resolved (`reply_at`: when the text shown was written). The staff notes
    # (resolution, root cause) stay staff-only. Complaints resolved before this step keep their notes and
    # have no reply yet (''). Each correction of a reply is an event of the history, `kind = 'reply'`,
    # beside the state changes (`'transition'`, every event so far).
    db.execute("ALTER TABLE complaints ADD COLUMN reply TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE complaints ADD COLUMN reply_at TEXT")
    db.execute(
        "ALTER TABLE complaint_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'transition' CHECK (kind IN ('transition', 'reply'))"
    )


@migrations()
def m008_purge_in_batches(db: sqlite_utils.Database) -> None:
    # The privacy purge works in short transactions and skips what it has done: a response it has been
    # through gets `purged_at`, as complaints already do, and each table has an index of the rows still
    # to purge, by age, so a batch reads the oldest of them without scanning what is done. Responses so
    # far have none: the first purge after this step goes through the old ones once more.
    db.execute("ALTER TABLE survey_responses ADD COLUMN purged_at TEXT")
    db.execute("CREATE INDEX survey_responses_to_purge ON survey_responses (created_at) WHERE purged_at IS NULL")
    db.execute("CREATE INDEX complaints_to_purge ON complaints (received_at) WHERE purged_at IS NULL")


@migrations()
def m009_list_pages(db: sqlite_utils.Database) -> None:
    # Every list is read a page at a time in its order (`store/pages.py`): each index below has a list's
    # equalities first (the reader's scope, one arm a store, an assigner or an auditor; the state filter)
    # and the list's order next, ending in its unique column, so a page reads only its own rows and never
    # sorts. Indexes that are a prefix of a new one go; the new one keeps the name where it replaces one.
    _run(
        db,
        """
        CREATE INDEX visits_window ON visits (window_start, id);
        CREATE INDEX visits_state_window ON visits (state, window_start, id);
        CREATE INDEX visits_auditor_window ON visits (auditor_id, window_start, id);
        DROP INDEX visits_auditor;
        CREATE INDEX visits_auditor ON visits (auditor_id, state, window_start, id);
        DROP INDEX visits_assigned_by;
        CREATE INDEX visits_assigned_by ON visits (assigned_by, state, window_start, id);
        CREATE INDEX visits_store_window ON visits (store_id, window_start, id);
        DROP INDEX visits_store;
        CREATE INDEX visits_store ON visits (store_id, state, window_start, id);
        CREATE INDEX complaints_due ON complaints (respond_by, ticket);
        CREATE INDEX complaints_state_due ON complaints (state, respond_by, ticket);
        CREATE INDEX complaints_store_due ON complaints (store_id, respond_by, ticket);
        DROP INDEX complaints_queue;
        CREATE INDEX complaints_queue ON complaints (store_id, state, respond_by, ticket);
        CREATE INDEX survey_responses_day ON survey_responses (local_day);
        CREATE INDEX survey_responses_store_day ON survey_responses (store_id, local_day);
        """,
    )


@migrations()
def m010_audit_days(db: sqlite_utils.Database) -> None:
    # Reports, the dashboard and exports read audits by store and by the day of the visit in the store's
    # time zone (when the auditor started), as survey answers are read by `local_day`: both are copied onto
    # each audit row when it is stored, so a period or a scope is an index range, never a decoded body.
    # Audits so far: the visit's store, and their start in that store's zone as m006 worked days out.
    db.execute("ALTER TABLE audits ADD COLUMN store_id TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE audits ADD COLUMN local_day TEXT NOT NULL DEFAULT ''")
    db.execute("UPDATE audits SET store_id = (SELECT v.store_id FROM visits v WHERE v.id = audits.visit_id)")
    zones = _store_zones(db)
    db.conn.create_function("m010_local_day", 2, functools.partial(_local_day, zones), deterministic=True)
    db.execute("UPDATE audits SET local_day = m010_local_day(json_extract(body, '$.started_at'), store_id)")
    db.execute("CREATE INDEX audits_store_day ON audits (store_id, local_day)")
    db.execute("CREATE INDEX audits_day ON audits (local_day)")
