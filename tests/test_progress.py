"""Progress on the long commands (`audit qr`, `privacy purge`, `site build`, `export`): a bar with counts, rate
and time left at a terminal, plain lines through a pipe, a one-line summary with the time taken on stdout;
and `progress.py` itself, on a fake clock. `AUDIT_PROGRESS_EVERY=0` makes the pipe print a line per step."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner

from audit_api.cli import main
from audit_api.domain.forms import ComplaintForm, Contact, SurveyAnswers
from audit_api.progress import Progress
from audit_api.services import feedback
from audit_api.site.pages import pages_for
from audit_api.store import Database, publish
from bench import data

from .audit_helpers import BOOK
from .conftest import DEMO_BOOK, STORE_X, Actor, make_client
from .terminal import at_a_terminal, through_a_pipe

PIPE = {"AUDIT_PROGRESS_EVERY": "0"}
ESCAPE = "\x1b["


# --- progress.py on a fake clock ------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _plain(total: int | None = 10, every: float = 2) -> tuple[Progress, Clock, io.StringIO]:
    clock, stream = Clock(), io.StringIO()
    return Progress("loading", "stores", total, stream=stream, terminal=False, every=every, clock=clock), clock, stream


def test_a_pipe_gets_a_line_every_few_seconds_with_rate_and_time_left() -> None:
    progress, clock, stream = _plain()
    with progress:
        for _ in range(8):  # an item every half second: lines at 2 s and at 4 s
            clock.now += 0.5
            progress.step()
    assert stream.getvalue().splitlines() == [
        "loading: 4/10 stores (40%), 2/s, about 3 s left",
        "loading: 8/10 stores (80%), 2/s, about 1 s left",
    ]
    assert progress.summary() == "8 stores in 4.0 s (2/s)"


def test_a_total_known_only_later_and_none_at_all() -> None:
    progress, clock, stream = _plain(total=None, every=0)
    with progress:
        clock.now += 1
        progress.step(3)
        progress.set_total(6)
        clock.now += 1
        progress.step(3)
    assert stream.getvalue().splitlines() == ["loading: 3 stores, 3/s", "loading: 6/6 stores (100%), 3/s, about 0 s left"]


def test_work_stopped_half_way_says_how_far_it_got() -> None:
    progress, clock, stream = _plain(every=60)
    with pytest.raises(RuntimeError), progress:
        clock.now += 2
        progress.step(5)
        raise RuntimeError("the disk is full")
    assert stream.getvalue() == "loading: 5/10 stores (50%), 2/s, about 2 s left\n"
    finished, _, quiet = _plain(every=60)
    with finished:
        finished.step(10)
    assert quiet.getvalue() == "", "work that ends well leaves the summary to the command"


def test_a_terminal_gets_a_bar_redrawn_in_place() -> None:
    stream = io.StringIO()
    with Progress("loading", "stores", 4, stream=stream, terminal=True) as progress:
        progress.step(4)
    drawn = stream.getvalue()
    assert ESCAPE in drawn and "4/4" in drawn and "stores/s" in drawn and "left" in drawn and "━" in drawn


# --- the commands ---------------------------------------------------------------------------------


def _at_a_terminal(args: list[str], count: str, unit: str) -> str:
    code, stdout, drawn = at_a_terminal(args)
    assert code == 0, drawn
    assert ESCAPE in drawn, "drawn with terminal codes"
    assert count in drawn and f"{unit}/s" in drawn and "left" in drawn, drawn
    return stdout


def _through_a_pipe(args: list[str], what: str, unit: str, count: str) -> tuple[list[str], str]:
    code, stdout, stderr = through_a_pipe(args, env=PIPE)
    assert code == 0, stderr
    assert ESCAPE not in stderr and ESCAPE not in stdout
    lines = stderr.splitlines()
    assert lines and all(re.fullmatch(rf"{what}: [\d,/]+ {unit}( \(\d+%\))?, [\d,]+/s(, about \d+ s left)?", line) for line in lines), lines
    assert lines[-1].startswith(f"{what}: {count} {unit} (100%)")
    return lines, stdout


def _summary(stdout: str, pattern: str) -> None:
    last = stdout.splitlines()[-1]
    assert re.fullmatch(pattern, last), last


def _options(database: Database) -> list[str]:
    return ["--db", str(database.path), "--book", str(DEMO_BOOK)]


POSTERS = sum(len(store.touchpoints) for store in BOOK.stores)


@pytest.mark.parametrize("where", ["terminal", "pipe"])
def test_qr(loaded: Database, tmp_path: Path, where: str) -> None:
    args = ["qr", *_options(loaded), "--out", str(tmp_path / "qr")]
    count = f"{POSTERS}/{POSTERS}"
    if where == "terminal":
        stdout = _at_a_terminal(args, count, "posters")
    else:
        lines, stdout = _through_a_pipe(args, "writing posters", "posters", count)
        assert len(lines) == POSTERS, "a line a poster"
    _summary(stdout, rf"{POSTERS} posters in \d+\.\d s \([\d,]+/s\): {re.escape(str(tmp_path / 'qr'))}")
    assert len([line for line in stdout.splitlines() if "  " in line]) == POSTERS, "each poster's link, as before"


def _old_feedback(database: Database) -> None:
    """Three responses and two complaints past the retention period: five rows to purge in two batches."""
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=BOOK.chain.retention_days + 1)
    contact = Contact(name="Amra", email="amra@example.com", phone="+387 61 000 000")
    store = BOOK.stores_by_id[STORE_X]
    for n in range(3):
        answers = SurveyAnswers(answers={"recommend": 9, "satisfied": 4, "improve": "Call me", "contact-ok": True}, contact=contact)
        database.submit(feedback.response_job(BOOK.surveys[0], 1, at=store, touchpoint_id="checkout", language="en", answers=answers,
                               browser=None, now=old - dt.timedelta(minutes=n))).result()
    for n in range(2):
        form = ComplaintForm(store_id=STORE_X, happened_on=old.date(), what="My name is Amra", desired="refund", contact=contact)
        feedback.file_complaint(database, BOOK, form, "en", old - dt.timedelta(minutes=n))


@pytest.mark.parametrize("where", ["terminal", "pipe"])
def test_privacy_purge(loaded: Database, where: str) -> None:
    _old_feedback(loaded)
    args = ["privacy", "purge", *_options(loaded)]
    if where == "terminal":
        stdout = _at_a_terminal(args, "5/5", "rows")
    else:
        lines, stdout = _through_a_pipe(args, "purging", "rows", "5/5")
        assert [line.split(",")[0] for line in lines] == ["purging: 3/5 rows (60%)", "purging: 5/5 rows (100%)"], "a line a batch"
    _summary(stdout, r"older than \d+ days: removed 3 survey contacts, 3 survey comments, 2 complaint contacts, 2 complaint texts, "
                     r"in 2 batches: 5 rows in \d+\.\d s \([\d,]+/s\)")


SMALL_SITE = msgspec.structs.replace(BOOK, chain=msgspec.structs.replace(BOOK.chain, languages=["en"]), stores=BOOK.stores[:2])


@pytest.fixture
def small_site_db(database: Database) -> Database:
    """The demo book cut to one language and two stores, published: the smallest site that is still the whole site."""
    publish(database, SMALL_SITE)
    return database


@pytest.mark.parametrize("where", ["terminal", "pipe"])
def test_site_build(small_site_db: Database, tmp_path: Path, where: str) -> None:
    out = tmp_path / "site"
    args = ["site", "build", *_options(small_site_db), "--out", str(out)]
    pages = len(pages_for(SMALL_SITE, "en", dt.datetime.now(dt.UTC)))
    if where == "terminal":
        stdout = _at_a_terminal(args, f"{pages}/{pages}", "pages")
    else:
        lines, stdout = _through_a_pipe(args, "building the site", "pages", f"{pages}/{pages}")
        done = [int(re.search(r": (\d+)/", line)[1]) for line in lines]
        assert len(done) > 1 and done == sorted(set(done)), "lines as MkDocs writes the pages (the last ones may come together)"
    _summary(stdout, rf"{pages} pages in \d+\.\d s \([\d,]+/s\), languages en: {re.escape(str(out))}")
    assert len(list((out / "en").rglob("*.html"))) == pages + 1, "each page, and the 404 page"


def _exportable(database: Database, admin: Actor, auditor: Actor) -> None:
    """A few audits, survey responses and complaints, over a fortnight at every store."""
    assert admin.user is not None and auditor.user is not None
    first = dt.date(2026, 11, 1)
    data.generate_audits(database, BOOK, 3, BOOK.stores, auditor_ids=[auditor.user.id], assigned_by=admin.user.id, first_day=first, days=14,
                         rollups=False)
    data.generate_responses(database, BOOK, 20, BOOK.stores, first_day=first, days=14, rollups=False)
    data.generate_complaints(database, BOOK, 6, BOOK.stores, first_day=first, days=14, handled_by=admin.user.id)


@pytest.mark.parametrize("where", ["terminal", "pipe"])
def test_export(loaded: Database, actors: dict[str, Actor], tmp_path: Path, where: str) -> None:
    _exportable(loaded, actors["admin"], actors["auditor_a"])
    out = tmp_path / "responses.csv"
    args = ["export", "responses", *_options(loaded), "--out", str(out)]
    if where == "terminal":
        stdout = _at_a_terminal(args, "20/20", "responses")
    else:
        lines, stdout = _through_a_pipe(args, "exporting responses", "responses", "20/20")
        assert len(lines) == 1, "a line a batch read"
    _summary(stdout, rf"20 responses in \d+\.\d s \([\d,]+/s\): {re.escape(str(out))}")
    assert len(out.read_bytes().decode("utf-8-sig").splitlines()) == 1 + 20


def _rows(text: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("kind", ["audits", "responses", "complaints"])
def test_the_export_file_is_what_the_api_gives_an_admin(loaded: Database, actors: dict[str, Actor], tmp_path: Path, kind: str) -> None:
    _exportable(loaded, actors["admin"], actors["auditor_a"])
    out = tmp_path / f"{kind}.csv"
    period = {"from": "2026-11-03", "to": "2026-11-10"}
    code, _, stderr = through_a_pipe(["export", kind, *_options(loaded), "--out", str(out), "--from", period["from"], "--to", period["to"]])
    assert code == 0, stderr
    with make_client(loaded) as client:
        response = client.get(f"/api/v1/exports/{kind}", params=period, headers=actors["admin"].headers)
        everything = client.get(f"/api/v1/exports/{kind}", headers=actors["admin"].headers)
    assert response.status_code == 200
    rows = _rows(out.read_bytes())
    assert rows == _rows(response.content)
    assert 0 < len(rows) < len(_rows(everything.content)), "the period narrows it"
    if kind == "audits":
        assert {row["auditor"] for row in rows} == {"auditor-a"}, "the chain's operator knows its auditors"


def test_an_export_to_stdout_leaves_the_summary_to_stderr(loaded: Database, actors: dict[str, Actor]) -> None:
    _exportable(loaded, actors["admin"], actors["auditor_a"])
    result = CliRunner().invoke(main, ["export", "complaints", "--format", "jsonl", *_options(loaded), "--out", "-"], env=PIPE)
    assert result.exit_code == 0, result.stderr
    with make_client(loaded) as client:
        response = client.get("/api/v1/exports/complaints", params={"format": "jsonl"}, headers=actors["admin"].headers)
    assert result.stdout_bytes == response.content
    assert [json.loads(line)["ticket"] for line in result.stdout_bytes.splitlines()]
    assert re.fullmatch(r"6 complaints in \d+\.\d s \([\d,]+/s\): stdout", result.stderr.splitlines()[-1])


def test_an_export_that_fails_says_why_and_leaves_no_file(loaded: Database, tmp_path: Path) -> None:
    out = tmp_path / "audits.csv"
    code, stdout, stderr = through_a_pipe(["export", "audits", *_options(loaded), "--out", str(out), "--from", "2026-11-10", "--to", "2026-11-01"])
    assert code == 1 and "the period ends before it starts" in stderr
    assert not out.exists()
