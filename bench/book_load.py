"""`audit load` of a big chain: the demo book grown to 500, 1,000 and 2,000 stores, and its unchanged reload.

`write_book(folder, stores)` writes the book as files (the demo `checklists/` with its stores copied
under distinct ids, names and cities; the same chain, FAQ, checklists and surveys), so what is timed is
what `audit load` does: read and validate the YAML (`check_book`), `migrate` and `publish`, into a fresh
SQLite file; then the same book loaded again unchanged; then the whole command as a subprocess (imports
included). Prints a table and writes the figures to `build/bench/book_load.json` (a list of objects
with `name` and `seconds`). `--profile` prints where the time of the 2,000-store load goes (cProfile).

Aims (issue 14): 2,000 stores in at most 3 s, growing linearly; reloading it unchanged in at most 1 s.

Where the time went (2,000 stores, the 2-core development machine with other sessions busy on it, so
figures are ranges over runs). Before: `check_book` 2.2-2.4 s of a 2.4-2.6 s load in process; the command
2.7-3.3 s, and its unchanged reload as long (every load parsed every file). cProfile of that load (4.6 s
under the profiler): composing YAML 1.24 s, a third of it PyYAML's Python tag resolver, whose tags were
never read (`_scalar` reads YAML 1.2 itself); nodes into values 1.39 s, 0.54 s of it a regular expression
per text looking for a ` #`; a deep copy of every file's values before decoding 0.57 s (needed only to
drop unknown keys); the rules' walk for translated texts 0.30 s (nested generators); the search for stray
files 0.16 s (a `Path` and a sort for every store again). Not in the profile: Python's cycle collector,
walking the growing heap of values and line maps every few hundred allocations, 0.6 s of 2.2 (measured
with it off). Publishing was small (0.12 s).

What changed: libyaml composes without the resolver; a comment is looked for only on a line with a '#';
a file is copied only when it has an unknown key; texts go into one list; stray files are found by
`os.walk`, not looking into the stores' folder again; the collector is paused while the book is read;
publish writes its rows with one `executemany` each. After: `check_book` 1.0-1.3 s; the load in process
1.25 s, 0.63 s per 1,000 stores at 1,000 and at 2,000 (500: 0.90, 0.45 s in all); the command 1.75 s
(0.37 s of it imports). Before/after at 500 and 1,000 stores: `check_book` 0.63 -> 0.36 s, 1.23 -> 0.63 s.

The unchanged reload: libyaml alone takes ~0.4 s to parse 2,000 files and the command's imports 0.37 s, so
a reload that parses every file again cannot make 1 s. So `audit load` fingerprints the book (SHA-256 of
every file, of the code that checks them and of the day, 0.07 s; `book/fingerprint.py`), and when the
fingerprint is the one recorded by the publish that made the current generation, reports the book
unchanged, with the warnings found then, without parsing it (`services/book.py`): 0.04 s in process,
0.47 s as a command (before: 2.7-3.6 s).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from audit_api.book import check_book
from audit_api.book.fingerprint import fingerprint
from audit_api.services import book as books
from audit_api.store import Database, migrate, publish
from audit_api.store.book import Checked

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "checklists"
RESULTS = ROOT / "build" / "bench" / "book_load.json"
SIZES = (500, 1000, 2000)
_PHASES = (("fingerprint", 7), ("check", 13), ("migrate", 10), ("publish", 10))
AIM_LOAD, AIM_RELOAD = 3.0, 1.0  # seconds, for 2,000 stores
_SUFFIXED = re.compile(r"^(name|city): (.+)$", re.M)
_IN_FLOW = re.compile(r"(: [^,{}]+?)(?=\s*[,}])")  # each text of a `{en: ..., bs: ...}`


def write_book(folder: Path, stores: int) -> Path:
    """The demo book in `folder`, with `stores` stores: the demo's stores in turn, the nth as `<id>-<nnnn>`,
    its name and city ending in ` <nnnn>` (in every language where written per language)."""
    shutil.copytree(DEMO, folder, ignore=shutil.ignore_patterns("stores"))
    (folder / "stores").mkdir()
    demo = [(file.stem, file.read_text(encoding="utf-8")) for file in sorted((DEMO / "stores").glob("*.yaml"))]
    for n in range(stores):
        stem, text = demo[n % len(demo)]
        tag = f"{n:04d}"
        text = re.sub(rf"^id: {re.escape(stem)}$", f"id: {stem}-{tag}", text, count=1, flags=re.M)
        text = _SUFFIXED.sub(lambda m: f"{m[1]}: {_suffixed(m[2], tag)}", text)
        (folder / "stores" / f"{stem}-{tag}.yaml").write_text(text, encoding="utf-8")
    return folder


def _suffixed(value: str, tag: str) -> str:
    if value.startswith("{"):
        return _IN_FLOW.sub(lambda m: f"{m[1]} {tag}", value)
    return f"{value} {tag}"


def load_in_process(book: Path, db_path: Path) -> dict[str, float]:
    """What `audit load` does when it reads the book (`services.book.load`), phase by phase (seconds):
    fingerprint the files, read and validate them, migrate, publish (writing nothing when unchanged)."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    seen = fingerprint(book)
    times["fingerprint"] = time.perf_counter() - start
    start = time.perf_counter()
    result = check_book(book)
    times["check"] = time.perf_counter() - start
    if result.book is None:
        raise SystemExit("\n".join(str(p) for p in result.errors[:10]))
    database = Database(db_path)
    try:
        start = time.perf_counter()
        migrate(database)
        times["migrate"] = time.perf_counter() - start
        start = time.perf_counter()
        publish(database, result.book, checked=Checked(seen.digest, result.problems))
        times["publish"] = time.perf_counter() - start
    finally:
        database.close()
    times["total"] = sum(times.values())
    return times


def reload_unchanged(book: Path, db_path: Path) -> dict[str, float]:
    """`audit load`'s library call on the book it published last: the files hashed, not parsed again."""
    start = time.perf_counter()
    loaded = books.load(db_path, book)
    assert loaded.report is not None and not loaded.report.changed and not loaded.read_again
    return {"total": time.perf_counter() - start}


def load_command(book: Path, db_path: Path) -> float:
    """The whole `audit load` as a subprocess: wall time, the interpreter's start and imports included."""
    audit = Path(sys.executable).with_name("audit")
    env = {**os.environ, "AUDIT_PROGRESS_EVERY": "60"}
    start = time.perf_counter()
    subprocess.run([str(audit), "load", "--book", str(book), "--db", str(db_path)], check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def profile(book: Path, db_path: Path, top: int = 25) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(load_in_process, book, db_path)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", action="store_true", help="profile the 2,000-store load instead")
    parser.add_argument("--stores", type=int, nargs="*", default=list(SIZES), help="the sizes to time")
    args = parser.parse_args()
    rows: list[dict[str, float | str]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.profile:
            profile(write_book(tmp / "book", max(args.stores)), tmp / "profile.db")
            return
        print(f"\naudit load: the demo book grown to {', '.join(f'{n:,}' for n in args.stores)} stores, a fresh database each")
        print(f"{'':<44} {'hash s':>7} {'read+check s':>13} {'migrate s':>10} {'publish s':>10} {'total s':>8} {'s / 1000':>9}")
        for stores in args.stores:
            book = write_book(tmp / f"book-{stores}", stores)
            first = load_in_process(book, tmp / f"{stores}.db")
            again = load_in_process(book, tmp / f"{stores}.db")
            unchanged = reload_unchanged(book, tmp / f"{stores}.db")
            for name, times in ((f"load, {stores} stores", first), (f"reload unchanged, read again, {stores} stores", again),
                                (f"reload unchanged, {stores} stores", unchanged)):
                phases = " ".join(f"{times[phase]:{width}.2f}" if phase in times else " " * width for phase, width in _PHASES)
                print(f"{name:<44} {phases} {times['total']:8.2f} {1000 * times['total'] / stores:9.2f}")
                rows.append({"name": name, "stores": stores, "seconds": round(times["total"], 3),
                             **{f"{phase}_seconds": round(times[phase], 3) for phase, _ in _PHASES if phase in times}})
        largest = max(args.stores)
        book = tmp / f"book-{largest}"
        command = load_command(book, tmp / "command.db")
        command_again = load_command(book, tmp / "command.db")
        for name, seconds in ((f"audit load command, {largest} stores", command), (f"audit load command unchanged, {largest} stores", command_again)):
            print(f"{name:<44} {'':>7} {'':>13} {'':>10} {'':>10} {seconds:8.2f} {1000 * seconds / largest:9.2f}")
            rows.append({"name": name, "stores": largest, "seconds": round(seconds, 3)})
    _aims(rows, largest)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print(f"figures: {RESULTS.relative_to(ROOT)}")


def _aims(rows: list[dict[str, float | str]], largest: int) -> None:
    if largest != 2000:
        return
    seconds: Callable[[str], float] = lambda name: float(next(r["seconds"] for r in rows if r["name"] == name))
    load, reload = seconds("audit load command, 2000 stores"), seconds("audit load command unchanged, 2000 stores")
    print(f"aim: 2,000 stores in <= {AIM_LOAD:.0f} s: {load:.2f} s, {'met' if load <= AIM_LOAD else 'NOT met'}; "
          f"unchanged reload in <= {AIM_RELOAD:.0f} s: {reload:.2f} s, {'met' if reload <= AIM_RELOAD else 'NOT met'}")


if __name__ == "__main__":
    main()
