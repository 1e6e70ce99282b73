"""The lean survey route (`http/survey_route.py`) still does everything the Litestar handlers did before it:
the signed link, the flood limit, the form token's nonce and the duplicate absorbed, validation, storage, the
reward, the pages (kept per book, with each answer's own code and complaint link filled in), the cookie, the
security headers and the error pages. The behaviours' own tests (test_survey_pages.py, test_survey_counting.py)
run against it too; this one walks every duty at once, with what is particular to the lean route."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from litestar import Litestar

from audit_api.domain.forms import complaint_reference
from audit_api.store import Database
from audit_api.store.secret import instance_secret

from .conftest import make_client
from .test_survey_pages import GOOD, answer, form_token, link, responses


def _code(page: str) -> str | None:
    found = re.search(r'<strong class="ticket">([^<]+)</strong>', page)
    return found[1] if found else None


def test_the_lean_route_does_every_duty_of_the_full_one(loaded: Database) -> None:
    secret = instance_secret(loaded.path)
    with make_client(loaded, form_rate_limit=7) as client:
        # The link: an altered one is the kind 404 page, in the reader's language.
        altered = client.get(link(loaded)[:-2] + "xx", headers={"Accept": "text/html", "Accept-Language": "bs"})
        assert altered.status_code == 404 and '<html lang="bs">' in altered.text

        # The page: in the store's language, a fresh form token each time, the browser cookie, never cached, the CSP.
        page = client.get(link(loaded), headers={"Accept-Language": "bs"})
        assert page.status_code == 200 and "Kako smo bili?" in page.text
        assert form_token(page.text) != form_token(client.get(link(loaded)).text)
        cookie = page.headers["set-cookie"]
        assert re.fullmatch(r"fb=[\w-]{22}; HttpOnly; Max-Age=86400; Path=/s/; SameSite=lax", cookie), cookie
        assert page.headers["cache-control"] == "no-store" and "default-src" in page.headers["content-security-policy"]
        assert page.headers["content-type"] == "text/html; charset=utf-8"

        # Validation: 422, the errors in place, what was typed kept, nothing stored.
        client.cookies.clear()
        wrong = client.post(link(loaded), data={"lang": "en", "satisfied": "9", "improve": "Kept text"})
        assert wrong.status_code == 422 and "Please answer this question." in wrong.text and "Kept text" in wrong.text
        assert responses(loaded) == []

        # Storage and the reward: the row, its dimension answer, the roll-up, the code on the page and in the row.
        first = answer(client, link(loaded), {**GOOD, "lang": "bs"}, keep_cookie=True)
        [row] = responses(loaded)
        assert first.status_code == 200 and "Hvala vam!" in first.text
        assert _code(first.text) == row["reward"] and row["reward"].startswith("DRAW-") and row["suspect"] is None
        assert (row["nps"], row["csat"], row["ces"], row["local_day"]) == (9, 5, 6, "2026-11-24")
        dimensions = loaded.read().execute("SELECT question_id, value FROM survey_dimension_answers").fetchall()
        assert dimensions == [("staff-friendly", 4)]
        rollup = loaded.read().execute(
            "SELECT counted, nps_9 FROM survey_rollups WHERE grain = 'd' AND store_id = ? AND touchpoint_id = ?", [row["store_id"], row["touchpoint_id"]]
        ).fetchone()
        assert rollup == (1, 1)

        # The duplicate: the same browser again within ten minutes is absorbed and sees its first code again.
        again = answer(client, link(loaded), {**GOOD, "recommend": "2"}, keep_cookie=True)
        assert _code(again.text) == row["reward"] and len(responses(loaded)) == 1

        # The nonce: the same form token from a fresh browser is kept as suspect, without a code.
        token = form_token(client.get(link(loaded)).text)
        for _ in range(2):
            client.cookies.clear()
            reused = client.post(link(loaded), data={**GOOD, "form_token": token})
        assert [r["suspect"] for r in responses(loaded)] == [None, None, "reused_form_token"]
        assert _code(reused.text) is None, "an answer that does not count enters no draw"

        # Each answer's own complaint link on the kept thank-you page, and its own code.
        low = [answer(client, link(loaded), {**GOOD, "recommend": "3", "lang": "en"}) for _ in range(2)]
        ids = [r["id"] for r in responses(loaded)[-2:]]
        for page, response_id in zip(low, ids):
            assert f"from={complaint_reference(secret, response_id)}" in page.text
        assert _code(low[0].text) != _code(low[1].text)

        # The flood limit: 7 posts a minute from this address to this store, all 7 sent above; the 8th is refused in words.
        refused = client.post(link(loaded), data=GOOD, headers={"Accept": "text/html"})
        assert refused.status_code == 429 and "retry-after" in refused.headers
    with make_client(loaded) as client:
        # The size limit, and a method the route does not answer.
        too_big = client.post(link(loaded), data={**GOOD, "improve": "x" * 40_000}, headers={"Accept": "text/html"})
        assert too_big.status_code == 413
        assert client.put(link(loaded), content=b"").status_code == 405
    assert len(responses(loaded)) == 5


def test_the_cookie_is_secure_where_customers_come_by_https(loaded: Database) -> None:
    with make_client(loaded, public_url="https://feedback.example") as client:
        assert client.get(link(loaded)).headers["set-cookie"].endswith("; Secure")


def test_the_front_keeps_the_public_limit_the_host_check_and_the_body_limit(loaded: Database) -> None:
    """`Front` answers the survey ahead of the router: the public layer's allowance is spent once a request (as on
    every public endpoint, shared with them), a malformed Host is refused as the router refuses it, and a body is
    read in all its parts, and refused once it passes the limit even when no Content-Length announced it."""
    with make_client(loaded, public_rate_limit=3) as client:
        assert client.get(link(loaded)).status_code == 200
        assert client.get("/api/v1/faq").status_code == 200, "one allowance with the other public endpoints"
        assert client.post(link(loaded), data=GOOD).status_code == 200
        refused = client.get(link(loaded), headers={"Accept": "text/html", "Accept-Language": "bs"})
        assert refused.status_code == 429 and refused.headers["retry-after"] and '<html lang="bs">' in refused.text
        assert "default-src" in refused.headers["content-security-policy"], "the error page has the security headers too"
    with make_client(loaded) as client:
        assert client.get(link(loaded), headers={"Host": "bad host/"}).status_code == 400
        assert client.get(link(loaded) + "/more").status_code == 404, "one path segment, as the route's"
        _body_in_parts(loaded, client.app)


def _body_in_parts(loaded: Database, app: Litestar) -> None:
    form = urlencode({**GOOD, "lang": "en"}, doseq=True).encode()

    def call(body_parts: list[bytes], headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
        events = [{"type": "http.request", "body": part, "more_body": n < len(body_parts) - 1} for n, part in enumerate(body_parts)]
        sent: list[dict[str, object]] = []

        async def receive() -> dict[str, object]:
            return events.pop(0)

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": link(loaded), "raw_path": link(loaded).encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/x-www-form-urlencoded"), *headers],
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {},
        }
        with ThreadPoolExecutor(1) as thread:  # a loop of its own: this test's process may be inside one (Playwright's)
            thread.submit(asyncio.run, app(scope, receive, send)).result()  # type: ignore[arg-type]
        return int(sent[0]["status"]), b"".join(m.get("body", b"") for m in sent[1:])  # type: ignore[call-overload,misc]

    kept = len(responses(loaded))
    status, page = call([form[:10], form[10:30], form[30:]], [])
    assert status == 200 and b"Thank you" in page and len(responses(loaded)) == kept + 1, "a body in three parts, read whole"
    status, _ = call([b"improve=" + b"x" * 20_000, b"x" * 20_000], [])
    assert status == 413 and len(responses(loaded)) == kept + 1
    assert call([form], [(b"content-length", b"lots")])[0] == 400
