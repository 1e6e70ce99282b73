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


_M011_VISITS = """
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
        state TEXT NOT NULL CHECK (state IN ('assigned', 'in_progress', 'submitted', 'approved', 'rejected', 'returned', 'cancelled')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        FOREIGN KEY (checklist_kind, checklist_id, checklist_version) REFERENCES book_versions (kind, doc_id, version)
    )
"""
_M011_COLUMNS = (
    "id, store_id, checklist_kind, checklist_id, checklist_version, auditor_id, assigned_by, window_start, window_end, "
    "scenario, state, created_at, updated_at"
)


@migrations(transactional=False)
def m011_planning(db: sqlite_utils.Database) -> None:
    # Planning (issue 13). An auditor may be excluded from stores where they are known (they worked
    # there): no visit there is ever assigned to them. Read by auditor (the admin's list) and by auditor
    # and store (each assignment): the primary key serves both.
    #
    # A planned visit may be cancelled: the state CHECK of m002 must allow 'cancelled', and SQLite changes a
    # CHECK only by rebuilding the table (new table, copy, drop, rename), keeping every index and trigger
    # the old one had (m009's among them) by re-running their SQL. audits, visit_events and evidence refer
    # to visits; with foreign keys on, dropping the old table would delete its rows under them. So this
    # step runs outside the runner's transaction: foreign keys off (a pragma that cannot change inside a
    # transaction), one transaction of its own, the references checked before it commits, foreign keys
    # on again. Should it stop after its commit but before it is recorded, running it again finds the new
    # CHECK and the table in place and changes nothing.
    db.execute("PRAGMA foreign_keys=OFF")
    try:
        with db.atomic():
            db.execute(
                "CREATE TABLE IF NOT EXISTS auditor_exclusions ("
                "user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, store_id TEXT NOT NULL, created_at TEXT NOT NULL, "
                "PRIMARY KEY (user_id, store_id)) WITHOUT ROWID"
            )
            table = next(db.query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'visits'"))["sql"]
            if "'cancelled'" not in table:
                kept = [row["sql"] for row in db.query(
                    "SELECT sql FROM sqlite_master WHERE tbl_name = 'visits' AND type IN ('index', 'trigger') AND sql IS NOT NULL"
                )]
                db.execute(_M011_VISITS.replace("CREATE TABLE visits", "CREATE TABLE visits_m011"))
                db.execute(f"INSERT INTO visits_m011 ({_M011_COLUMNS}) SELECT {_M011_COLUMNS} FROM visits")
                db.execute("DROP TABLE visits")
                db.execute("ALTER TABLE visits_m011 RENAME TO visits")
                for sql in kept:
                    db.execute(sql)
            for child in ("visits", "audits", "visit_events", "evidence"):
                if broken := list(db.query(f"PRAGMA foreign_key_check({child})")):
                    raise RuntimeError(f"m011: {len(broken)} row(s) of {child} lost their reference, e.g. {broken[0]}")
    finally:
        db.execute("PRAGMA foreign_keys=ON")


@migrations()
def m012_corrective_actions(db: sqlite_utils.Database) -> None:
    # Corrective actions (issue 13): each failed item of an approved audit (its latest revision) opens one
    # for the store's managers, in the approval's own transaction, so an approved audit never lacks them.
    # `due_at` is the end of the store-local day `action_days` (the checklist's) after the approval: the
    # local midnight that starts the day after, stored in UTC like every time (`domain/actions.py`).
    # `repeat_of` is the latest earlier action of another visit for the same store, checklist and item
    # ("failed again"). Ids are random, like visits', so they count nothing across stores. The queue is
    # read a page at a time, soonest due first (`store/pages.py`): its indexes hold the scope's store and
    # the state filter's equalities first, then (due_at, id), as m009's do for the other lists. The
    # repeat look-up reads by store, checklist and item, latest first. A photo may be uploaded before the
    # action is closed with it, so uploads are rows of their own; the file is an evidence blob.
    _run(
        db,
        """
        CREATE TABLE corrective_actions (
            id TEXT PRIMARY KEY,
            visit_id TEXT NOT NULL REFERENCES visits (id),
            revision INTEGER NOT NULL,
            store_id TEXT NOT NULL,
            checklist_id TEXT NOT NULL,
            stage_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            critical INTEGER NOT NULL,
            opened_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
            closed_at TEXT,
            closed_by INTEGER REFERENCES users (id),
            note TEXT NOT NULL DEFAULT '',
            photo TEXT,
            repeat_of TEXT REFERENCES corrective_actions (id),
            UNIQUE (visit_id, item_id)
        );
        CREATE INDEX corrective_actions_queue ON corrective_actions (store_id, state, due_at, id);
        CREATE INDEX corrective_actions_store_due ON corrective_actions (store_id, due_at, id);
        CREATE INDEX corrective_actions_state_due ON corrective_actions (state, due_at, id);
        CREATE INDEX corrective_actions_due ON corrective_actions (due_at, id);
        CREATE INDEX corrective_actions_repeat ON corrective_actions (store_id, checklist_id, item_id, opened_at);
        CREATE TABLE corrective_action_photos (
            action_id TEXT NOT NULL REFERENCES corrective_actions (id),
            sha256 TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            filename TEXT NOT NULL,
            uploaded_by INTEGER NOT NULL REFERENCES users (id),
            uploaded_at TEXT NOT NULL,
            PRIMARY KEY (action_id, sha256)
        )
        """,
    )


# The columns m013's survey roll-ups add up, each a count over the answers of one key: those that count
# and those left out (suspect), then how many counted answers gave each value of NPS (0-10), CSAT (1-5)
# and CES (1-7), as `domain/metrics.py` reads them.
M013_SURVEY_COUNTS = ("counted", "suspect", *(f"nps_{v}" for v in range(11)), *(f"csat_{v}" for v in range(1, 6)),
                      *(f"ces_{v}" for v in range(1, 8)))


def _m013_survey_values(row: str) -> list[str]:
    """The survey roll-up's counts of one response (`row`: NEW or OLD in a trigger), as SQL expressions."""
    scores = [f"({row}.suspect IS NULL AND {row}.{column} IS {v})" for column, low, high in (("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7))
              for v in range(low, high + 1)]
    return [f"({row}.suspect IS NULL)", f"({row}.suspect IS NOT NULL)", *scores]


def _m013_copies(row: str, sub: str) -> str:
    """Each key a row adds to: by day, month and year (`grain`), for its store and the chain ('*'), for its
    `sub` (touchpoint) and all of them ('*'). Columns: grain, sub, store_id, day."""
    return (
        f"SELECT g.grain, CASE t.whole WHEN 1 THEN '*' ELSE {row}.{sub} END AS sub, "
        f"CASE s.whole WHEN 1 THEN '*' ELSE {row}.store_id END AS store_id, "
        f"CASE g.grain WHEN 'd' THEN {row}.local_day WHEN 'm' THEN substr({row}.local_day, 1, 8) || '01' "
        f"ELSE substr({row}.local_day, 1, 5) || '01-01' END AS day "
        "FROM (SELECT 'd' AS grain UNION ALL SELECT 'm' UNION ALL SELECT 'y') g, (SELECT 0 AS whole UNION ALL SELECT 1) t, (SELECT 0 AS whole UNION ALL SELECT 1) s"
    )


def _m013_upsert(table: str, key: tuple[str, ...], counts: tuple[str, ...], values: list[str], row: str, sub: str, sign: str = "") -> str:
    copies = _m013_copies(row, sub)
    extra = [k for k in key if k not in ("grain", "touchpoint_id", "store_id", "day")]
    selected = ", ".join([*(f"{row}.{k}" for k in extra), *(f"{sign}{v}" for v in values)])
    return (
        f"INSERT INTO {table} ({', '.join(['grain', 'touchpoint_id', 'store_id', 'day', *extra, *counts])}) "
        f"SELECT c.grain, c.sub, c.store_id, c.day, {selected} FROM ({copies}) c WHERE true "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(f'{c} = {c} + excluded.{c}' for c in counts)}"
    )


def _m013_cleanup(table: str, row: str, empty: str) -> str:
    """Drop the keys an update or delete of `row` left empty, so a roll-up holds only keys with answers."""
    return (
        f"DELETE FROM {table} WHERE {empty} AND touchpoint_id IN ({row}.touchpoint_id, '*') AND store_id IN ({row}.store_id, '*') "
        f"AND day IN ({row}.local_day, substr({row}.local_day, 1, 8) || '01', substr({row}.local_day, 1, 5) || '01-01')"
    )


@migrations()
def m013_daily_rollups(db: sqlite_utils.Database) -> None:
    # The dashboard and the metrics read daily (monthly, yearly) sums, never the raw answers: with a million
    # responses and 100,000 audits a period is a few hundred rows. Each roll-up is keyed by grain ('d': a
    # store-local day; 'm': a month, 'y': a year, each keyed by its first day), its store and, where there is one, its
    # touchpoint or checklist; '*' in the store (or touchpoint, checklist) is the sum over all of them, so
    # an admin's chain-wide figures read one row a day. A period is whole years, then months, then days
    # (`store/rollups.py`). The keys lead each table's primary key in the order the queries narrow them.
    #
    # Survey roll-ups are kept by triggers, in the same transaction as every insert, update or delete of a
    # response or a dimension answer, whoever writes it (the survey page, imports, a future correction of a
    # suspect mark); the privacy purge keeps the scores, so it changes no sum. Audit roll-ups are added
    # once, when a visit's latest revision is approved (`services/visits.py` review), from its result.
    # Complaints are read from the table itself through a covering index by store and store-local day,
    # the day each was received in its store's time zone (backfilled as m006 did for answers).
    counts = ", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in M013_SURVEY_COUNTS)
    _run(
        db,
        f"""
        CREATE TABLE survey_rollups (
            grain TEXT NOT NULL CHECK (grain IN ('d', 'm', 'y')),
            touchpoint_id TEXT NOT NULL,
            store_id TEXT NOT NULL,
            day TEXT NOT NULL,
            {counts},
            PRIMARY KEY (grain, store_id, touchpoint_id, day)
        ) WITHOUT ROWID;
        CREATE TABLE survey_dimension_rollups (
            grain TEXT NOT NULL CHECK (grain IN ('d', 'm', 'y')),
            touchpoint_id TEXT NOT NULL,
            store_id TEXT NOT NULL,
            day TEXT NOT NULL,
            dimension TEXT NOT NULL,
            scale_min INTEGER NOT NULL,
            scale_max INTEGER NOT NULL,
            n INTEGER NOT NULL DEFAULT 0,
            total INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (grain, store_id, touchpoint_id, day, dimension, scale_min, scale_max)
        ) WITHOUT ROWID;
        CREATE TABLE audit_rollups (
            grain TEXT NOT NULL CHECK (grain IN ('d', 'm', 'y')),
            checklist_id TEXT NOT NULL,
            store_id TEXT NOT NULL,
            day TEXT NOT NULL,
            approved INTEGER NOT NULL DEFAULT 0,
            scored INTEGER NOT NULL DEFAULT 0,
            total_sum REAL NOT NULL DEFAULT 0,
            PRIMARY KEY (grain, checklist_id, store_id, day)
        ) WITHOUT ROWID;
        CREATE TABLE audit_stage_rollups (
            grain TEXT NOT NULL CHECK (grain IN ('d', 'm', 'y')),
            store_id TEXT NOT NULL,
            day TEXT NOT NULL,
            checklist_id TEXT NOT NULL,
            stage_id TEXT NOT NULL,
            scored INTEGER NOT NULL DEFAULT 0,
            score_sum REAL NOT NULL DEFAULT 0,
            answered INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (grain, store_id, day, checklist_id, stage_id)
        ) WITHOUT ROWID;
        CREATE TABLE audit_item_rollups (
            grain TEXT NOT NULL CHECK (grain IN ('d', 'm', 'y')),
            store_id TEXT NOT NULL,
            day TEXT NOT NULL,
            checklist_id TEXT NOT NULL,
            stage_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            answered INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (grain, store_id, day, checklist_id, stage_id, item_id)
        ) WITHOUT ROWID;
        -- Every store that has a roll-up row: what a chain-wide list per store walks, a store at a time.
        CREATE TABLE rollup_stores (store_id TEXT PRIMARY KEY) WITHOUT ROWID;
        ALTER TABLE complaints ADD COLUMN local_day TEXT;
        CREATE INDEX complaints_store_day
            ON complaints (store_id, local_day, state, received_at, respond_by, acknowledge_by, resolved_at);
        CREATE INDEX complaints_day
            ON complaints (local_day, store_id, state, received_at, respond_by, acknowledge_by, resolved_at)
        """,
    )
    survey_key = ("grain", "store_id", "touchpoint_id", "day")
    dimension_key = (*survey_key, "dimension", "scale_min", "scale_max")
    responses = ("store_id", "touchpoint_id", "local_day", "suspect", "nps", "csat", "ces")
    dimension_answers = ("store_id", "touchpoint_id", "local_day", "dimension", "scale_min", "scale_max", "value", "counted")
    add = _m013_upsert("survey_rollups", survey_key, M013_SURVEY_COUNTS, _m013_survey_values("NEW"), "NEW", "touchpoint_id")
    take = _m013_upsert("survey_rollups", survey_key, M013_SURVEY_COUNTS, _m013_survey_values("OLD"), "OLD", "touchpoint_id", "-")
    empty = _m013_cleanup("survey_rollups", "OLD", "counted = 0 AND suspect = 0")
    known = "INSERT OR IGNORE INTO rollup_stores (store_id) VALUES (NEW.store_id)"
    dims = ("n", "total")
    add_dim = _m013_upsert("survey_dimension_rollups", dimension_key, dims, ["1", "NEW.value"], "NEW", "touchpoint_id")
    take_dim = _m013_upsert("survey_dimension_rollups", dimension_key, dims, ["1", "OLD.value"], "OLD", "touchpoint_id", "-")
    empty_dim = _m013_cleanup("survey_dimension_rollups", "OLD", "n = 0")
    day = "{0}.local_day IS NOT NULL"
    for trigger in (
        f"CREATE TRIGGER survey_rollups_insert AFTER INSERT ON survey_responses WHEN {day.format('NEW')} BEGIN {add}; {known}; END",
        f"CREATE TRIGGER survey_rollups_delete AFTER DELETE ON survey_responses WHEN {day.format('OLD')} BEGIN {take}; {empty}; END",
        f"CREATE TRIGGER survey_rollups_update_old AFTER UPDATE OF {', '.join(responses)} ON survey_responses WHEN {day.format('OLD')} "
        f"BEGIN {take}; {empty}; END",
        f"CREATE TRIGGER survey_rollups_update_new AFTER UPDATE OF {', '.join(responses)} ON survey_responses WHEN {day.format('NEW')} "
        f"BEGIN {add}; {known}; END",
        f"CREATE TRIGGER survey_dimension_rollups_insert AFTER INSERT ON survey_dimension_answers WHEN NEW.counted = 1 BEGIN {add_dim}; END",
        f"CREATE TRIGGER survey_dimension_rollups_delete AFTER DELETE ON survey_dimension_answers WHEN OLD.counted = 1 "
        f"BEGIN {take_dim}; {empty_dim}; END",
        f"CREATE TRIGGER survey_dimension_rollups_update_old AFTER UPDATE OF {', '.join(dimension_answers)} ON survey_dimension_answers "
        f"WHEN OLD.counted = 1 BEGIN {take_dim}; {empty_dim}; END",
        f"CREATE TRIGGER survey_dimension_rollups_update_new AFTER UPDATE OF {', '.join(dimension_answers)} ON survey_dimension_answers "
        f"WHEN NEW.counted = 1 BEGIN {add_dim}; END",
    ):
        db.execute(trigger)
    zones = _store_zones(db)
    db.conn.create_function("m013_local_day", 2, functools.partial(_local_day, zones), deterministic=True)
    db.execute("UPDATE complaints SET local_day = m013_local_day(received_at, store_id)")
    from .rollups import rebuild_rollups  # the same backfill a benchmark runs after loading rows in bulk

    rebuild_rollups(db)


@migrations()
def m014_exports(db: sqlite_utils.Database) -> None:
    # Exports read complaints a batch at a time in the order (store-local day, rowid), one store of the
    # reader's scope at a time (`store/exports.py`): these indexes give that order, so no batch sorts what
    # is left. m013's indexes by day hold the state before the row, in the dashboard's order. Audits and
    # survey responses already have theirs (m010, m009).
    db.execute("CREATE INDEX complaints_export_day ON complaints (local_day)")
    db.execute("CREATE INDEX complaints_export_store_day ON complaints (store_id, local_day)")


@migrations()
def m015_complaint_clock(db: sqlite_utils.Database) -> None:
    # The dashboard's complaint clock over a year of a 100-store chain read some 25,000 rows through m013's
    # wide indexes and worked each out in Python (about 110 ms: `bench/reports.py`). It now counts in SQL,
    # over two narrow indexes each (chain-wide, and with the store first for a reader's stores): complaints
    # still open, by state and day, with the times "now" is compared with; and complaints answered (the
    # index holds only those), by day, with whether each was answered on time and how long it took, as
    # the queries in `store/reports.py` write them (an index on an expression serves only that expression).
    # Only indexes: on a database of 50,000 complaints they take well under a second to build.
    answered = "state NOT IN ('received', 'acknowledged', 'in_progress') AND resolved_at IS NOT NULL"
    clock = "julianday(resolved_at) <= julianday(respond_by), (julianday(resolved_at) - julianday(received_at)) * 86400"
    _run(
        db,
        f"""
        CREATE INDEX complaints_clock_open ON complaints (state, local_day, respond_by, acknowledge_by);
        CREATE INDEX complaints_clock_open_store ON complaints (store_id, state, local_day, respond_by, acknowledge_by);
        CREATE INDEX complaints_clock_answered ON complaints (local_day, {clock}) WHERE {answered};
        CREATE INDEX complaints_clock_answered_store ON complaints (store_id, local_day, {clock}) WHERE {answered}
        """,
    )


@migrations()
def m016_book_fingerprint(db: sqlite_utils.Database) -> None:
    # `audit load` of a book whose files have not changed since it was published need not parse them
    # again (2,000 stores: a second of YAML; `bench/book_load.py`). One row: the fingerprint of the files
    # and code that were checked (`book/fingerprint.py`), the generation they were published as (a
    # later publish by other means makes it stale), and the warnings that check found, to say them again.
    db.execute(
        "CREATE TABLE book_fingerprint (id INTEGER PRIMARY KEY CHECK (id = 1), digest TEXT NOT NULL, "
        "generation INTEGER NOT NULL, problems TEXT NOT NULL)"
    )


@migrations()
def m017_counted_answers_by_address(db: sqlite_utils.Database) -> None:
    # A new survey answer asks how many answers that counted came from its address in the last hour. The index by
    # address held every answer, suspect ones too, so with many answers from one address (a shop's Wi-Fi, a
    # script) each new answer read them all: `make bench` posts from one address and fell to 500 a second. Only
    # the answers that counted, at most the hour's allowance per address and store, are indexed now.
    db.execute("CREATE INDEX survey_responses_address_counted ON survey_responses (address_key, store_id, created_at) WHERE suspect IS NULL")
    db.execute("DROP INDEX survey_responses_address")


@migrations()
def m018_survey_rollups_by_batch(db: sqlite_utils.Database) -> None:
    # A new survey response added itself to the roll-ups by m013's insert triggers: 12 upserts, and 12 more for each
    # dimension answer, every response, about half of the group commit's work for it (`bench/requests.py`). The
    # store now adds a whole batch's new responses at once, each key once (`store/rollups.add_survey_answers`, left
    # by each job for the end of the batch). Updates and deletes keep their triggers.
    db.execute("DROP TRIGGER survey_rollups_insert")
    db.execute("DROP TRIGGER survey_dimension_rollups_insert")
