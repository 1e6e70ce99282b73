"""`make bench`: start the server on the demo book, load it from this (second) process, print the table.

Each target is measured in alternating rounds with its baseline, a bare Litestar endpoint on the same
server, so both see the same machine noise; the ratio is target req/s over baseline req/s (1.0 means
our work costs nothing over the framework's own). A submission is also measured against the durable
baseline (`POST /bench/durable`: the body, one insert, one durable commit), the least any endpoint that
keeps what it acknowledges can do. Then survey answers go through the product's own `audit serve` with one
worker and with two (`--workers`), both running, in alternating rounds: the ratio of two to one, load generator
included on the same two cores. The peak resident memory of every server process is watched throughout.
Every figure printed also goes to `build/bench/results.json`. Where a request's time goes on the event loop:
`python -m bench.requests`.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from audit_api.book import Book, load_book
from audit_api.domain.links import link_token
from audit_api.store import Database, migrate, publish
from audit_api.store.secret import instance_secret

from .load import RequestFactory, Sample, load, request
from .serving import Peak, children, free_port, serve
from .submissions import prepare_submissions, submission_bodies

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "build" / "bench" / "results.json"


@dataclass
class Target:
    name: str
    make: RequestFactory
    baseline: RequestFactory
    durable: RequestFactory | None = None  # a submission's second baseline: decode, one insert, one durable commit


def _constant(raw: bytes) -> RequestFactory:
    return lambda: raw


BARE_GET = _constant(request("GET", "/bench/bare"))
SUBMISSIONS = 40_000
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}  # more than a run can send: every PUT is a new audit of a fresh visit


SURVEY_FORM = urlencode(
    [("recommend", "9"), ("satisfied", "4"), ("easy", "6"), ("staff-friendly", "5"), ("visit-reason", "buy"),
     ("went-well", "greeting"), ("went-well", "advice"), ("competitors", "better"), ("improve", "More sizes in the fitting room."),
     ("lang", "bs")]
).encode()


def _targets(book: Book, token: str, visit_ids: list[str], link: str) -> list[Target]:
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    bodies = submission_bodies(book, visit_ids)
    same_payload = next(submission_bodies(book, visit_ids[:1]))  # the baseline decodes the very same bytes

    def submit() -> bytes:
        return request("PUT", f"/api/v1/audits/{uuid.uuid4()}", next(bodies), auth)

    def decode_only() -> bytes:
        return request("PUT", f"/bench/decode/{uuid.uuid4()}", same_payload, auth)

    durable_audit = _constant(request("POST", "/bench/durable", same_payload, auth))
    durable_form = _constant(request("POST", "/bench/durable", SURVEY_FORM, FORM))

    return [
        Target("GET /api/v1/stores/{id}", _constant(request("GET", "/api/v1/stores/sarajevo-alta?lang=bs")), BARE_GET),
        Target("GET /api/v1/stores", _constant(request("GET", "/api/v1/stores", headers={"Accept-Language": "ru"})), BARE_GET),
        Target("PUT /api/v1/audits/{uuid} (in-store, 36 items)", submit, decode_only, durable_audit),
        Target("GET /s/{token} (survey page)", _constant(request("GET", f"/s/{link}", headers={"Accept-Language": "bs"})), BARE_GET),
        Target("POST /s/{token} (survey answers)", _constant(request("POST", f"/s/{link}", SURVEY_FORM, FORM)),
               _constant(request("POST", "/bench/form", SURVEY_FORM, FORM)), durable_form),
    ]


def _measure(port: int, target: Target, rounds: int, seconds: float, connections: int) -> tuple[Sample, Sample, Sample | None]:
    load(port, target.make, 0.5, connections)  # warm up
    load(port, target.baseline, 0.5, connections)
    ours, base, durable = Sample(), Sample(), Sample() if target.durable else None
    for _ in range(rounds):
        base.add(load(port, target.baseline, seconds, connections))
        ours.add(load(port, target.make, seconds, connections))
        if target.durable and durable is not None:
            durable.add(load(port, target.durable, seconds, connections))
    return ours, base, durable


def _figure(name: str, sample: Sample, base: Sample | None = None, durable: Sample | None = None) -> dict[str, object]:
    """One printed row as `results.json` holds it: the ratio against the row's baseline (1.0 for a baseline)."""
    return {
        "name": name, "req_s": round(sample.rate, 1), "p50_ms": round(sample.percentile(50) * 1000, 3),
        "p99_ms": round(sample.percentile(99) * 1000, 3), "errors": sample.errors,
        "ratio": round(sample.rate / base.rate, 3) if base else 1.0,
        **({"ratio_durable": round(sample.rate / durable.rate, 3)} if durable else {}),
    }


WORKER_CONNECTIONS = 16  # enough for two processes, spread by the kernel as each connection is accepted


def _workers(db_path: Path, link: str, args: argparse.Namespace) -> tuple[Sample, Sample, list[float]]:
    """Survey answers through the product's own `audit serve` with 1 worker and with 2, both running, measured in
    alternating rounds (an idle server costs nothing); with the peak memory of every worker process."""
    post = _constant(request("POST", f"/s/{link}", SURVEY_FORM, FORM))
    ports, servers = [free_port(), free_port()], []
    try:
        for port, count in zip(ports, (1, 2)):
            servers.append(serve(db_path, port, workers=count))
        processes = [servers[0].pid, *children(servers[1].pid)]
        peaks = [Peak(pid) for pid in processes]
        for peak in peaks:
            peak.__enter__()
        samples = [Sample(), Sample()]
        for port in ports:
            load(port, post, 0.5, WORKER_CONNECTIONS)  # warm up
        for _ in range(args.rounds):
            for port, sample in zip(ports, samples):
                sample.add(load(port, post, args.seconds, WORKER_CONNECTIONS))
        for peak in peaks:
            peak.__exit__()
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    return samples[0], samples[1], [peak.highest for peak in peaks]


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one round per target")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--only", default="", help="only the targets whose name holds this text")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        database = Database(db_path)
        migrate(database)
        book = load_book(ROOT / "checklists")
        publish(database, book)
        token, visit_ids = prepare_submissions(database, book, SUBMISSIONS)
        database.close()
        link = link_token(instance_secret(db_path), "sarajevo-ferhadija", "fitting-room")
        targets = [t for t in _targets(book, token, visit_ids, link) if args.only in t.name]
        port = free_port()
        server = serve(db_path, port)
        try:
            with Peak(server.pid) as peak:
                rows = [(t, *_measure(port, t, args.rounds, args.seconds, args.connections)) for t in targets]
        finally:
            server.terminate()
            server.wait(timeout=10)
        scaling = _workers(db_path, link, args) if not args.only or "workers" in args.only else None

    print(f"\n{args.rounds} rounds x {args.seconds:g} s, {args.connections} connections, one server process")
    header = (
        f"{'endpoint':48} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'bare req/s':>11} {'ratio':>6}"
        f" {'durable req/s':>14} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    figures = []
    for target, ours, base, durable in rows:
        against_durable = f" {durable.rate:14.0f} {ours.rate / durable.rate:6.2f}" if durable else ""
        print(
            f"{target.name:48} {ours.rate:8.0f} {ours.percentile(50) * 1000:8.2f} {ours.percentile(99) * 1000:8.2f}"
            f" {ours.errors:7d} {base.rate:11.0f} {ours.rate / base.rate:6.2f}{against_durable}"
        )
        figures.append(_figure(target.name, ours, base, durable))
        figures.append(_figure(f"baseline of {target.name}", base))
        if durable:
            figures.append(_figure(f"durable baseline of {target.name}", durable))
    print(f"\nmemory: the server's peak resident set {peak.highest:.0f} MB (aim: at most 150 MB a process)")
    figures = [{**figure, "server_peak_rss_mb": round(peak.highest, 1)} for figure in figures]
    if scaling:
        one, two, peaks = scaling
        print(
            f"audit serve, survey answers ({WORKER_CONNECTIONS} connections): 1 worker {one.rate:.0f} req/s, 2 workers {two.rate:.0f} req/s:"
            f" {two.rate / one.rate:.2f}x (aim: at least 1.3x); peak resident set per process {max(peaks):.0f} MB"
        )
        figures.append(_figure("POST /s/{token} (survey answers), audit serve --workers 1", one) | {"server_peak_rss_mb": round(peaks[0], 1)})
        figures.append(_figure("POST /s/{token} (survey answers), audit serve --workers 2", two, one) | {"server_peak_rss_mb": round(max(peaks), 1)})
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"every figure: {RESULTS.relative_to(ROOT)}")
    if any(ours.errors or base.errors or (durable and durable.errors) for _, ours, base, durable in rows) or (
        scaling and (scaling[0].errors or scaling[1].errors)
    ):
        raise SystemExit("some requests failed: the figures above are not valid")


if __name__ == "__main__":
    main()
