"""Where one request's time goes on the event loop: the per-request breakdown behind issue 14's changes.

`python -m bench.requests [TARGET ...] [--requests N] [--top K]` calls the app in-process as an ASGI
server would (no sockets, no load generator), one request after another, and reports for each target
the event loop's CPU time per request beside its baseline's (the same bare endpoints `make bench`
compares against), then the K functions it spent most own-time in under cProfile, per request. Writes
that reach the disk run on the store's writer thread and are not in these figures: this is the loop's
share, which bounds the throughput one process can reach. Targets: `survey-post`, `survey-page`,
`store`, `stores`, `audit-put`, `durable`.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from litestar import Litestar

from audit_api.book import load_book
from audit_api.config import Settings
from audit_api.domain.links import link_token
from audit_api.http import create_app
from audit_api.store import Database, migrate, publish
from audit_api.store.secret import instance_secret

from . import server as bare
from .__main__ import FORM, SURVEY_FORM
from .submissions import prepare_submissions, submission_bodies

ROOT = Path(__file__).resolve().parent.parent

Call = tuple[str, str, dict[str, str], Callable[[], bytes]]  # method, path, headers, body


async def _call(app: Litestar, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": raw_path, "raw_path": raw_path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in {**headers, "content-length": str(len(body)), "host": "127.0.0.1"}.items()],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {},
    }
    sent = False
    status = 0

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, object]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])  # type: ignore[call-overload]

    await app(scope, receive, send)  # type: ignore[arg-type]
    return status


def _targets(app_root: Path, db_path: Path) -> dict[str, tuple[Call, Call]]:
    database = Database(db_path)
    migrate(database)
    book = load_book(app_root / "checklists")
    publish(database, book)
    token, visit_ids = prepare_submissions(database, book, 5_000)
    database.close()
    link = link_token(instance_secret(db_path), "sarajevo-ferhadija", "fitting-room")
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    bodies = submission_bodies(book, visit_ids)
    same = next(submission_bodies(book, visit_ids[:1]))
    bare_get: Call = ("GET", "/bench/bare", {}, lambda: b"")
    bare_form: Call = ("POST", "/bench/form", FORM, lambda: SURVEY_FORM)
    return {
        "survey-post": (("POST", f"/s/{link}", FORM, lambda: SURVEY_FORM), bare_form),
        "survey-page": (("GET", f"/s/{link}", {"Accept-Language": "bs"}, lambda: b""), bare_get),
        "store": (("GET", "/api/v1/stores/sarajevo-alta?lang=bs", {}, lambda: b""), bare_get),
        "stores": (("GET", "/api/v1/stores", {"Accept-Language": "ru"}, lambda: b""), bare_get),
        "audit-put": (("PUT", "/api/v1/audits/{uuid}", auth, lambda: next(bodies)), ("PUT", "/bench/decode/{uuid}", auth, lambda: same)),
        "durable": (("POST", "/bench/durable", FORM, lambda: SURVEY_FORM), bare_form),
    }


async def _run(app: Litestar, call: Call, n: int, profile: cProfile.Profile | None = None) -> float:
    """Loop CPU seconds per request over `n` requests (after 50 to warm up)."""
    method, path, headers, body = call
    for _ in range(50):
        await _call(app, method, path.replace("{uuid}", str(uuid.uuid4())), headers, body())
    work = [(path.replace("{uuid}", str(uuid.uuid4())), body()) for _ in range(n)]
    if profile:
        profile.enable()
    started = time.thread_time()
    for p, b in work:
        status = await _call(app, method, p, headers, b)
        if status >= 400:
            raise SystemExit(f"{method} {p}: {status}")
    spent = time.thread_time() - started
    if profile:
        profile.disable()
    return spent / n


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.requests", description=__doc__)
    parser.add_argument("targets", nargs="*", default=["survey-post", "survey-page", "store", "stores", "audit-put"])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        targets = _targets(ROOT, db_path)
        bare._durable = bare._Durable(Path(f"{db_path}.durable"))
        app = create_app(Settings(db_path=db_path, public_rate_limit=10**9, form_rate_limit=10**9))
        for handler in (bare.bare, bare.bare_decode, bare.bare_form, bare.bare_durable):
            app.register(handler)

        async def measure() -> None:
            for name in args.targets:
                ours, base = targets[name]
                base_cost = await _run(app, base, args.requests)
                our_cost = await _run(app, ours, args.requests)
                profile = cProfile.Profile()
                await _run(app, ours, args.requests, profile)
                print(f"\n== {name}: {our_cost * 1e6:.0f} µs of loop CPU a request; baseline {base_cost * 1e6:.0f} µs "
                      f"(ratio at best {base_cost / our_cost:.2f})")
                out = io.StringIO()
                stats = pstats.Stats(profile, stream=out)
                stats.sort_stats("tottime").print_stats(args.top)
                for line in out.getvalue().splitlines():
                    parts = line.split(None, 5)
                    if len(parts) == 6 and parts[1].replace(".", "").isdigit() and "poll" not in parts[5]:  # waiting, not work  # ncalls tottime percall cumtime percall where
                        calls = parts[0].split("/")[0]
                        print(f"  {float(parts[1]) / args.requests * 1e6:7.1f} µs own  {float(parts[3]) / args.requests * 1e6:7.1f} µs with callees"
                              f"  {int(calls) / args.requests:5.1f}x  {parts[5]}")

        asyncio.run(measure())


if __name__ == "__main__":
    main()
