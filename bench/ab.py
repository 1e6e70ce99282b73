"""Interleaved A/B: the working tree against an earlier commit, under the same load, in alternating rounds.

`python -m bench.ab REV [--only TEXT] [--rounds 6] [--seconds 2] [--connections 8]` checks REV out in a
temporary git worktree, makes a database for each tree with that tree's own code (the demo book, and visits
to submit audits to), starts each tree's bench server (`bench.server`: the app and its bare baselines), and
measures `make bench`'s targets (those whose name holds TEXT) on both, round after round, the trees taking
turns at going first. It prints, per target, each round's req/s of both trees and their quotient, and the
median quotient: a before/after that one noisy minute cannot fake, on a shared machine whose speed moves by
up to 2x within the hour, where two separate `make bench` runs can. Each tree's ratio to its own bare
endpoint is printed too. Both servers run throughout; an idle one costs nothing.

This is how the README's "interleaved A/B" figures are made. Not for: absolute figures (`make bench`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from audit_api.book import load_book

from .__main__ import Target, _targets
from .load import load
from .serving import free_port, serve

ROOT = Path(__file__).resolve().parent.parent
VISITS = 20_000  # more audits than a run of a few rounds submits: each is a fresh visit

# Run in each tree with that tree's code: its migrations make its database.
_PREPARE = """
import json, sys
from pathlib import Path
from audit_api.book import load_book
from audit_api.domain.links import link_token
from audit_api.store import Database, migrate, publish
from audit_api.store.secret import instance_secret
from bench.submissions import prepare_submissions
path = Path(sys.argv[1])
database = Database(path)
migrate(database)
book = load_book(Path("checklists"))
publish(database, book)
token, visit_ids = prepare_submissions(database, book, int(sys.argv[2]))
database.close()
print(json.dumps({"token": token, "visit_ids": visit_ids, "link": link_token(instance_secret(path), "sarajevo-ferhadija", "fitting-room")}))
"""


def _targets_of(tree: Path, db: Path, only: str) -> list[Target]:
    """`make bench`'s targets whose name holds `only`, over a database `tree`'s code makes at `db`."""
    made = subprocess.run([sys.executable, "-c", _PREPARE, str(db), str(VISITS)], cwd=tree, capture_output=True, text=True, check=True)
    given = json.loads(made.stdout)
    book = load_book(ROOT / "checklists")
    return [t for t in _targets(book, given["token"], given["visit_ids"], given["link"]) if only in t.name]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rev", help="the commit to compare the working tree with (e.g. HEAD~1)")
    parser.add_argument("--only", default="", help="only the targets whose name holds this text")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one round per target and tree")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(before), args.rev], cwd=ROOT, check=True)
        servers = []
        try:
            targets: dict[str, list[Target]] = {}
            ports: dict[str, int] = {}
            for name, tree in ((args.rev, before), ("working tree", ROOT)):
                db = Path(tmp) / f"{len(ports)}.db"
                targets[name] = _targets_of(tree, db, args.only)
                ports[name] = free_port()
                servers.append(serve(db, ports[name], tree=tree))
            _compare(args, ports, targets)
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, check=False)


def _compare(args: argparse.Namespace, ports: dict[str, int], targets: dict[str, list[Target]]) -> None:
    """Each target on both trees, in alternating rounds: the req/s of each, their quotient, each one's ratio to bare."""
    old, new = list(ports)
    for n, target in enumerate(targets[new]):
        rates: dict[str, list[float]] = {old: [], new: []}
        ratios: dict[str, list[float]] = {old: [], new: []}
        for name in (old, new):  # warm up
            load(ports[name], targets[name][n].make, 0.5, args.connections)
        for round_ in range(args.rounds):
            for name in (old, new) if round_ % 2 == 0 else (new, old):
                ours = load(ports[name], targets[name][n].make, args.seconds, args.connections)
                bare = load(ports[name], targets[name][n].baseline, args.seconds, args.connections)
                if ours.errors or bare.errors:
                    raise SystemExit(f"{target.name} on {name}: {ours.errors + bare.errors} requests failed")
                rates[name].append(ours.rate)
                ratios[name].append(ours.rate / bare.rate)
        quotients = [b / a for a, b in zip(rates[old], rates[new])]
        print(f"\n{target.name}, {args.rounds} rounds x {args.seconds:g} s, {args.connections} connections")
        for name in (old, new):
            print(f"  {name:>14}: {' '.join(f'{r:6.0f}' for r in rates[name])} req/s; ratio to bare, median {statistics.median(ratios[name]):.2f}")
        print(f"  {'new / old':>14}: {' '.join(f'{q:6.2f}' for q in quotients)}; median {statistics.median(quotients):.2f}")


if __name__ == "__main__":
    main()
