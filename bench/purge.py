"""The privacy purge on a large database while customers keep answering: how long it holds the write lock.

`python -m bench.purge [responses] [complaints]` fills a database with the given numbers of survey
responses and complaints (200,000 and 20,000 by default; nine answers in ten and every complaint older
than the retention period, half the answers with a comment, one in five with contact details), copies
it, and purges each copy while a thread submits a survey answer every 5 ms through the real service:
once in batches (`PURGE_BATCH` rows a transaction, as `audit privacy purge` does) and once with every
row of a table in one batch, the way the purge worked before. Before both, the same thread alone gives
the baseline: how long an answer waits on a quiet database. Printed: the longest time the purge held
the write lock (inside one of its transactions, commit included: median, 99th percentile, longest)
and the 99th-percentile and longest wait of an answer. Figures depend on the machine; compare each wait with the quiet one.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import msgspec
import sqlite_utils

from audit_api.book import Book, load_book
from audit_api.domain.forms import SurveyAnswers
from audit_api.services import feedback
from audit_api.store import Database, migrate, publish

from .figures import keep

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2027, 6, 1, 12, 0, tzinfo=dt.UTC)
STORES = ("sarajevo-ferhadija", "sarajevo-alta")
PACE = 0.005  # one answer every 5 ms: a busy hour of a large chain


class TimedDatabase(Database):
    """Notes how long each `write()` transaction held the write lock, from BEGIN to the end of COMMIT."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.holds: list[float] = []

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        started = None
        try:
            with super().write() as db:
                started = time.perf_counter()
                yield db
        finally:
            if started is not None:
                self.holds.append(time.perf_counter() - started)


def fill(database: Database, book: Book, responses: int, complaints: int) -> None:
    publish(database, book)
    pick = random.Random(7)
    old = NOW - dt.timedelta(days=book.chain.retention_days + 1)
    with database.write() as db:
        for start in range(0, responses, 50_000):
            rows, contacts = [], []
            for n in range(start, min(start + 50_000, responses)):
                at = NOW - dt.timedelta(days=2) if n % 10 == 9 else old - dt.timedelta(minutes=n)
                answers: dict[str, object] = {"recommend": pick.randint(0, 10), "satisfied": pick.randint(1, 5), "visit-reason": "buy"}
                if n % 2 == 0:
                    answers["improve"] = "More sizes in the fitting room, please; call me back on my mobile."
                rows.append((n + 1, STORES[n % 2], msgspec.json.encode(answers).decode(), answers["recommend"], answers["satisfied"],
                             at.isoformat(), at.date().isoformat(), f"address-{n % 997}" if n % 3 == 0 else None))
                if n % 5 == 0:
                    contacts.append((n + 1, "Amra Hodžić", "amra@example.com", "+387 61 000 000"))
            db.conn.executemany(
                "INSERT INTO survey_responses (id, store_id, touchpoint_id, language, survey_id, survey_version, answers, nps, csat, "
                "created_at, local_day, address_key) VALUES (?, ?, 'checkout', 'bs', 'store-feedback', 1, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.conn.executemany("INSERT INTO survey_contacts (response_id, name, email, phone) VALUES (?, ?, ?, ?)", contacts)
        received = [(old - dt.timedelta(minutes=n)).isoformat() for n in range(complaints)]
        db.conn.executemany(
            "INSERT INTO complaints (ticket, store_id, language, happened_on, what, desired, state, received_at, acknowledge_by, "
            "respond_by, reply) VALUES (?, ?, 'bs', ?, 'The cashier was rude to me and my mother.', 'apology', 'resolved', ?, ?, ?, "
            "'Dear customer, we are sorry.')",
            [(f"C-{n:04d}-{n:04d}", STORES[n % 2], at[:10], at, at, at) for n, at in enumerate(received)],
        )
        db.conn.executemany(
            "INSERT INTO complaint_contacts (ticket, name, email, phone) VALUES (?, 'Amra', 'amra@example.com', '+387 61 000 000')",
            [(f"C-{n:04d}-{n:04d}",) for n in range(0, complaints, 2)],
        )


class Answering:
    """A thread that submits one survey answer every `PACE` seconds and notes how long each waited."""

    def __init__(self, database: Database, book: Book):
        self.database, self.book = database, book
        self.waits: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="answering")

    def _run(self) -> None:
        store = self.book.stores_by_id[STORES[0]]
        survey, version = feedback.current_survey(self.database, self.book, store, "checkout")
        answers = SurveyAnswers(answers={"recommend": 9, "satisfied": 4, "improve": "Friendly staff."}, contact=None)
        while not self._stop.is_set():
            started = time.perf_counter()
            self.database.submit(feedback.response_job(survey, version, at=store, touchpoint_id="checkout", language="bs",
                                   answers=answers, browser=None, now=NOW)).result()
            self.waits.append(time.perf_counter() - started)
            time.sleep(PACE)

    def during(self, work: Callable[[], object]) -> float:
        """Run `work` while answering; returns how long it took."""
        self._thread.start()
        time.sleep(0.2)  # answering before the work starts
        started = time.perf_counter()
        work()
        took = time.perf_counter() - started
        self._stop.set()
        self._thread.join()
        return took


def _copy(source: Database, path: Path) -> TimedDatabase:
    with sqlite3.connect(path) as target:
        source.read().conn.backup(target)
    target.close()
    return TimedDatabase(path)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _p99(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.99)]


def main(responses: int = 200_000, complaints: int = 20_000) -> None:
    book = load_book(ROOT / "checklists")
    with tempfile.TemporaryDirectory() as folder:
        source = Database(Path(folder) / "source.db")
        migrate(source)
        started = time.perf_counter()
        fill(source, book, responses, complaints)
        print(f"{responses:,} responses and {complaints:,} complaints written in {time.perf_counter() - started:.1f} s")

        quiet = _copy(source, Path(folder) / "quiet.db")
        answering = Answering(quiet, book)
        answering.during(lambda: time.sleep(2))
        baseline = max(answering.waits)
        quiet.close()

        print(f"\nwhile a thread submits an answer every {PACE * 1000:g} ms; an answer on a quiet database waits at most "
              f"{_ms(baseline)} ms")
        print("| purge | batches | purge s | hold ms: median | p99 | longest | answers | wait ms: p99 | longest | longest / quiet |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        kept: list[dict[str, object]] = []
        for label, size in ((f"in batches of {feedback.PURGE_BATCH}", feedback.PURGE_BATCH), ("one transaction per table (before)", responses)):
            database = _copy(source, Path(folder) / f"{size}.db")
            answering = Answering(database, book)
            reports: list[feedback.PurgeReport] = []
            took = answering.during(lambda: reports.append(feedback.purge(database, book, NOW, batch_size=size)))  # noqa: B023
            holds, waits = database.holds, answering.waits
            print(f"| {label} | {reports[0].batches} | {took:.1f} | {_ms(statistics.median(holds))} | {_ms(_p99(holds))} | "
                  f"{_ms(max(holds))} | {len(waits)} | {_ms(_p99(waits))} | {_ms(max(waits))} | {max(waits) / baseline:.1f} |")
            kept.append({
                "name": label, "batches": reports[0].batches, "purge_s": round(took, 2), "hold_ms_median": round(statistics.median(holds) * 1000, 2),
                "hold_ms_p99": round(_p99(holds) * 1000, 2), "hold_ms_longest": round(max(holds) * 1000, 2), "answers": len(waits),
                "wait_ms_p99": round(_p99(waits) * 1000, 2), "wait_ms_longest": round(max(waits) * 1000, 2),
                "longest_over_quiet": round(max(waits) / baseline, 2), "quiet_wait_ms_longest": round(baseline * 1000, 2),
            })
            database.close()
        keep("purge", kept)
        source.close()


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
