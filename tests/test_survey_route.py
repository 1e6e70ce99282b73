"""The lean survey route (`http/survey_route.py`) still does everything the Litestar handlers did before it:
the signed link, the flood limit, the form token's nonce and the duplicate absorbed, validation, storage, the
reward, the pages (kept per book, with each answer's own code and complaint link filled in), the cookie, the
security headers and the error pages. The behaviours' own tests (test_survey_pages.py, test_survey_counting.py)
run against it too; this one walks every duty at once, with what is particular to the lean route."""

from __future__ import annotations

import re

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
