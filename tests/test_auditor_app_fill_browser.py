"""Filling in, offline, and sending exactly once: the auditors' app for real (Debian's Chromium through
Playwright at 390x844, the real server as its own process, the real SQLite file).

- The offline journey: load once, go offline, reload, fill the whole in-store checklist (a failed item's
  photo from a 4000x3000 JPEG, stored at most 1600 px), close the page and reopen it offline (the draft is
  there), finish, go online: the audit and its photo are stored exactly once, and the app shows the score
  the API computed.
- Sync under faults: the server is killed while the outbox sends (once right after it stored an audit,
  before the phone heard back) and started again: every audit arrives exactly once.
- A returned visit, corrected in the app, becomes the next revision.
- Refusals in plain words: 409 (the visit already has its audit) and 422 naming the item.
axe-core on every screen; screenshots in build/screenshots/ (app-fill-*).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import msgspec
import pytest
from PIL import Image
from playwright.sync_api import expect

from audit_api.app.words import WORDS, split
from audit_api.book import pick
from audit_api.book.items import Item
from audit_api.domain.audits import AuditSubmission
from audit_api.domain.links import enrolment_url
from audit_api.services import accounts, visits
from audit_api.store import Database
from audit_api.store.accounts import User

from .audit_helpers import BOOK, assign, audit_body, perfect_answers
from .conftest import STORE_X, STORE_Y, make_actor
from .test_auditor_app_browser import phone, ready, t
from .test_browser import NEEDS_BROWSER, csp_violations, serious_violations, shot

pytestmark = NEEDS_BROWSER

IN_STORE = BOOK.checklists_by_id["in-store-visit"]
PHOTO_ITEM = "entrance-clean"  # a yes/no item that wants a photo when it is not met
LANG = "bs"


class Server:
    """`audit serve` as its own process on a fixed port, to be killed (-9) and started again."""

    def __init__(self, database: Database, log: Path):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.database, self.log, self.process = database, log, None

    def start(self) -> None:
        env = {**os.environ, "AUDIT_PUBLIC_URL": self.base}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "audit_api.cli", "serve", "--db", str(self.database.path), "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, env=env,
            )
        for _ in range(150):
            try:
                httpx.get(f"{self.base}/healthz", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def app_server(loaded: Database, tmp_path: Path) -> Iterator[Server]:
    server = Server(loaded, tmp_path / "server.log")
    server.start()
    yield server
    if server.process.poll() is None:
        server.process.terminate()
        server.process.wait(timeout=10)


def auditor(database: Database, name: str = "amra") -> tuple[User, User]:
    admin = make_actor(database, f"admin-{name}", "admin").user
    return accounts.add_user(database, name, "auditor", display_name="Amra Hodžić", language=LANG), admin


def sign_in(context, server: Server, database: Database, name: str = "amra"):
    page = context.new_page()
    page.goto(enrolment_url(server.base, accounts.start_enrolment(database, accounts.find_user(database, name)).code))
    ready(page)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    return page


def rows(database: Database, sql: str, *params: object) -> list[dict]:
    return list(database.read().query(sql, params))


def big_jpeg(path: Path) -> Path:
    """A 4000 x 3000 photo, as a phone's camera takes it."""
    image = Image.new("RGB", (4000, 3000))
    image.paste((180, 40, 40), (0, 0, 2000, 3000))
    image.paste((40, 120, 180), (2000, 0, 4000, 3000))
    image.save(path, "JPEG", quality=90)
    return path


def answer(page, item: Item, fail: bool = False) -> None:
    """Answer one item the way an auditor taps it: at its best, or (`fail`) not met."""
    if item.kind == "yes_no":
        page.locator(f"#answer-{item.id}-{'false' if fail else 'true'}").check()
    elif item.kind == "scale":
        page.locator(f"#answer-{item.id}-{item.min if fail else item.max}").check()
    elif item.kind == "number":
        page.locator(f"#answer-{item.id}").fill(str(item.target * 3 if fail else item.target))
    elif item.kind == "choice":
        best = max(item.choices, key=lambda choice: choice.points)
        worst = min(item.choices, key=lambda choice: choice.points)
        page.locator(f"#answer-{item.id}-{(worst if fail else best).id}").check()


def stage_title(index: int) -> str:
    return pick(IN_STORE.stages[index].title, LANG, "en")


def screen(page, heading: str) -> None:
    """Wait for the screen whose heading is `heading` to be drawn (a link changes the screen after the click returns)."""
    page.get_by_role("heading", level=1, name=heading, exact=True).wait_for()
    ready(page)


def until(page, script: str, seconds: float = 20) -> None:
    """Wait until an async script in the page answers true (`wait_for_function` does not await promises)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"still not true after {seconds} s: {script}"
        page.wait_for_timeout(200)


OUTBOX = """async () => {
  const entries = await (await import("/app/db.js")).all("outbox");
  return %s;
}"""


def english_left(page) -> list[str]:
    """The app's English words (those the reader's language writes otherwise) still on the screen."""
    text = page.locator("body").inner_text()
    english = [split(key)[1].split("%(")[0].strip() for key in WORDS if t(LANG, split(key)[1], split(key)[0]) != split(key)[1]]
    return [word for word in english if len(word) > 8 and word in text]


def axe_and_shot(page, name: str) -> None:
    assert serious_violations(page) == [], name
    assert english_left(page) == [], name
    shot(page, f"app-fill-{name}")


def test_the_offline_journey_stores_the_audit_and_its_photo_exactly_once(
    app_server: Server, loaded: Database, chromium, tmp_path: Path
) -> None:
    amra, admin = auditor(loaded)
    visit = assign(loaded, amra, admin)
    store_name = pick(BOOK.stores_by_id[STORE_X].name, LANG, "en")
    photo = big_jpeg(tmp_path / "entrance.jpg")
    context = phone(chromium, "bs-BA")
    page = sign_in(context, app_server, loaded)
    blocked = csp_violations(page)

    context.set_offline(True)
    page.reload()
    ready(page)
    page.get_by_role("link", name=store_name).click()
    screen(page, store_name)
    axe_and_shot(page, "visit-to-do")
    where = BOOK.stores_by_id[STORE_X].coordinates
    context.grant_permissions(["geolocation"])  # she allows it when the browser asks
    context.set_geolocation({"latitude": where.lat + 0.0005, "longitude": where.lon, "accuracy": 15})  # ~56 m away
    page.get_by_role("button", name=t(LANG, "Start the visit")).click()
    screen(page, stage_title(0))

    for index, stage in enumerate(IN_STORE.stages):
        if index == 2:  # the phone's page is closed halfway, and opened again with no network
            page.close()
            page = context.new_page()
            page.goto(f"{app_server.base}/app/#/visit/{visit.id}/stage/1")
            screen(page, stage_title(0))
            assert page.locator(f"#answer-{PHOTO_ITEM}-false").is_checked(), "the draft is there"
            assert page.locator(f"#item-{PHOTO_ITEM} img.preview").get_attribute("data-width") == "1600"
            page.goto(f"{app_server.base}/app/#/visit/{visit.id}/stage/3")
            screen(page, stage_title(2))
        for item in stage.items:
            answer(page, item, fail=item.id == PHOTO_ITEM)
            if item.id == PHOTO_ITEM:
                field = page.locator(f"#item-{PHOTO_ITEM}")
                field.get_by_text(t(LANG, "A photo is needed: the item is not met.")).wait_for()  # asked for right there
                axe_and_shot(page, "photo-asked")
                page.set_input_files(f"#photo-{PHOTO_ITEM}", str(photo))
                field.get_by_text(t(LANG, "Photo saved on the phone.")).wait_for()
                preview = field.locator("img.preview")
                assert (preview.get_attribute("data-width"), preview.get_attribute("data-height")) == ("1600", "1200")
                assert field.get_by_text(t(LANG, "Retake the photo")).is_visible()
        total = len(stage.items)
        expect(page.locator("#stage-progress")).to_have_text(t(LANG, "Answered: %(done)s of %(total)s", done=total, total=total))
        if index == 0:
            axe_and_shot(page, "stage")
        last = index == len(IN_STORE.stages) - 1
        page.get_by_role("link", name=t(LANG, "Check and send" if last else "Next stage")).click()
        screen(page, t(LANG, "Check and send") if last else stage_title(index + 1))

    assert page.get_by_role("heading", name=t(LANG, "Still to do")).count() == 0
    # She filled it in after the visit: the arrival is set by hand, on the store's clock (Sarajevo).
    sarajevo = ZoneInfo(BOOK.stores_by_id[STORE_X].timezone)
    arrived = (dt.datetime.now(sarajevo) - dt.timedelta(minutes=40)).replace(second=0, microsecond=0)
    page.get_by_label(t(LANG, "Arrived", "time")).fill(arrived.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(t(LANG, "Arrived", "time")).dispatch_event("change")
    page.get_by_label(t(LANG, "Staff you dealt with (name or badge, optional)")).fill("Lejla, badge 114")
    axe_and_shot(page, "finish")
    page.get_by_role("button", name=t(LANG, "Send the audit")).click()
    page.get_by_role("heading", name=t(LANG, "Waiting to be sent")).wait_for()
    ready(page)
    axe_and_shot(page, "waiting")
    assert rows(loaded, "SELECT * FROM audits") == [], "offline: nothing sent"

    context.set_offline(False)
    page.get_by_role("heading", name=t(LANG, "Result")).wait_for(timeout=20_000)
    ready(page)
    stored = rows(loaded, "SELECT result, body FROM audits WHERE visit_id = ?", visit.id)
    assert len(stored) == 1, "the audit, exactly once"
    evidence = rows(loaded, "SELECT item_id, sha256 FROM evidence WHERE visit_id = ?", visit.id)
    assert [row["item_id"] for row in evidence] == [PHOTO_ITEM], "its photo, exactly once"
    admin_token = make_actor(loaded, "reader", "admin").headers
    kept = httpx.get(f"{app_server.base}/api/v1/visits/{visit.id}/evidence/{evidence[0]['sha256']}", headers=admin_token)
    with Image.open(io.BytesIO(kept.content)) as image:
        assert image.format == "JPEG" and max(image.size) <= 1600 and image.size == (1600, 1200)
    result = json.loads(stored[0]["result"])
    body = json.loads(stored[0]["body"])
    assert body["staff_observed"] == "Lejla, badge 114"
    assert body["gps"] == {"lat": where.lat + 0.0005, "lon": where.lon, "accuracy_m": 15}, "the position, with her permission"
    assert "far_from_store" not in [flag["code"] for flag in result["flags"]]
    assert dt.datetime.fromisoformat(body["started_at"]) == arrived, "the arrival as set, on the store's clock"
    assert dt.datetime.fromisoformat(body["finished_at"]) - arrived > dt.timedelta(minutes=39)
    assert [f["item"] for f in result["score"]["failed"]] == [PHOTO_ITEM]
    shown = page.locator(".result .total").inner_text()
    assert re.sub(r"\D", "", shown) == re.sub(r"\D", "", f"{round(result['score']['total'], 1):g}"), (shown, result["score"]["total"])
    failed_text = pick(next(i for s in IN_STORE.stages for i in s.items if i.id == PHOTO_ITEM).text, LANG, "en")
    assert failed_text in page.locator(".result").inner_text()
    axe_and_shot(page, "result")
    assert blocked == []
    context.close()


def _queue_script(bodies: list[dict], photo: bytes) -> str:
    """Put finished audits in the app's outbox as the finish screen does (an in-store audit with the photo of
    its failed item)."""
    return f"""async () => {{
      const outbox = await import("/app/outbox.js");
      const db = await import("/app/db.js");
      const session = await db.get("kv", "session");
      const bytes = Uint8Array.from(atob("{base64.b64encode(photo).decode()}"), (c) => c.charCodeAt(0));
      for (const body of {json.dumps(bodies)}) {{
        const photos = {{}};
        if (body.answers.some((answer) => answer.item === "{PHOTO_ITEM}")) {{
          photos["{PHOTO_ITEM}"] = crypto.randomUUID();
          await db.put("photos", photos["{PHOTO_ITEM}"], {{ blob: new Blob([bytes], {{ type: "image/jpeg" }}), visit: body.visit_id,
            item: "{PHOTO_ITEM}", user: session.user, width: 64, height: 48, uploaded: false }});
        }}
        await outbox.queue({{ visit: body.visit_id, user: session.user, photos, corrects: null }}, body);
      }}
      await outbox.send({{ now: true }});
    }}"""


def small_jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


def failing_body(visit_id: str) -> dict:
    now = time.time()
    answers = [dict(a, value=False) if a["item"] == PHOTO_ITEM else a for a in perfect_answers()]
    stamp = lambda seconds: time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(seconds))  # noqa: E731
    return {**audit_body(visit_id, answers), "started_at": stamp(now - 1800), "finished_at": stamp(now - 60)}


def test_sync_under_faults_stores_every_audit_exactly_once(app_server: Server, loaded: Database, chromium) -> None:
    amra, admin = auditor(loaded)
    ids = [assign(loaded, amra, admin).id, assign(loaded, amra, admin).id, assign(loaded, amra, admin, store_id=STORE_Y).id]
    context = phone(chromium, "bs-BA")
    page = sign_in(context, app_server, loaded)
    puts: list[str] = []

    def kill_after_the_first_is_stored(route) -> None:
        puts.append(route.request.url)
        if len(puts) == 1:
            response = route.fetch()  # the server stores it and answers ...
            assert response.status == 201
            app_server.kill()  # ... and dies before the phone hears back
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/audits/*", kill_after_the_first_is_stored)
    context.set_offline(True)  # the audits are finished with no network
    page.evaluate(_queue_script([failing_body(visit_id) for visit_id in ids], small_jpeg((200, 30, 30))))
    page.reload()
    ready(page)
    assert page.get_by_text(t(LANG, "Waiting to be sent: %(count)s", count=3)).is_visible()
    axe_and_shot(page, "outbox")
    # Offline, each was tried already. Online, sending starts: the first audit is stored, the server is
    # killed before the phone hears back, and the others find no server.
    tried = page.evaluate(OUTBOX % "Math.max(...entries.map((entry) => entry.tries))")
    context.set_offline(False)
    until(page, OUTBOX % f'entries.every((entry) => entry.tries > {tried} && entry.state === "waiting")')
    assert len(puts) == 1
    assert len(rows(loaded, "SELECT * FROM audits")) == 1, "stored once, not acknowledged"
    app_server.start()
    page.get_by_role("button", name=t(LANG, "Send now")).click()
    until(page, OUTBOX % 'entries.every((entry) => entry.state === "sent")', 30)
    stored = rows(loaded, "SELECT visit_id, COUNT(*) AS n FROM audits GROUP BY visit_id")
    assert sorted((row["visit_id"], row["n"]) for row in stored) == sorted((visit_id, 1) for visit_id in ids), "every audit exactly once"
    photos = rows(loaded, "SELECT visit_id, COUNT(*) AS n FROM evidence GROUP BY visit_id")
    assert sorted((row["visit_id"], row["n"]) for row in photos) == sorted((visit_id, 1) for visit_id in ids), "every photo exactly once"
    assert len(puts) >= 4, "the first audit was sent again, and the server answered the stored result"
    left = page.evaluate("""async () => (await (await import("/app/db.js")).all("photos")).length""")
    assert left == 0, "sent photos leave the phone"
    context.close()


def test_a_returned_visit_corrected_in_the_app_becomes_the_next_revision(app_server: Server, loaded: Database, chromium) -> None:
    amra, admin = auditor(loaded)
    visit = assign(loaded, amra, admin, store_id=STORE_Y)
    body = msgspec.convert(failing_body(visit.id) | {"answers": perfect_answers()}, AuditSubmission)
    visits.submit_audit(loaded, BOOK, amra, str(uuid.uuid4()), body).result()
    visits.review(loaded, BOOK, admin, visit.id, "return", "Was the fitting room really clean? Check again.")
    context = phone(chromium, "bs-BA")
    page = sign_in(context, app_server, loaded)
    page.get_by_role("link", name=pick(BOOK.stores_by_id[STORE_Y].name, LANG, "en")).click()
    screen(page, pick(BOOK.stores_by_id[STORE_Y].name, LANG, "en"))
    assert page.get_by_text("Was the fitting room really clean? Check again.").is_visible(), "the reviewer's comment"
    axe_and_shot(page, "returned")
    page.get_by_role("button", name=t(LANG, "Correct the audit")).click()
    screen(page, stage_title(0))
    assert page.locator("#answer-open-as-published-true").is_checked(), "what was sent, ready to correct"
    page.locator("#answer-hours-displayed-false").check()
    until(page, f"""async () => (await (await import("/app/db.js")).get("drafts", "{visit.id}")).answers["hours-displayed"].value === false""")
    page.goto(f"{app_server.base}/app/#/visit/{visit.id}/finish")
    screen(page, t(LANG, "Check and send"))
    page.get_by_role("button", name=t(LANG, "Send the audit")).click()
    page.get_by_role("heading", name=t(LANG, "Result")).wait_for(timeout=20_000)
    revisions = rows(loaded, "SELECT revision, body FROM audits WHERE visit_id = ? ORDER BY revision", visit.id)
    assert [row["revision"] for row in revisions] == [1, 2]
    corrected = {a["item"]: a.get("value") for a in json.loads(revisions[1]["body"])["answers"]}
    assert corrected["hours-displayed"] is False and corrected["open-as-published"] is True
    assert rows(loaded, "SELECT state FROM visits WHERE id = ?", visit.id) == [{"state": "submitted"}]
    assert t(LANG, "Revision %(number)s, sent %(when)s.", number=2, when="").split("2")[0] in page.locator(".result").inner_text()
    axe_and_shot(page, "corrected")
    context.close()


def test_refusals_are_said_in_plain_words_naming_the_item(app_server: Server, loaded: Database, chromium) -> None:
    amra, admin = auditor(loaded)
    taken = assign(loaded, amra, admin)
    call = assign(loaded, amra, admin, checklist_id="phone-call")
    context = phone(chromium, "bs-BA")
    page = sign_in(context, app_server, loaded)
    # Another phone of hers sends the first visit's audit meanwhile (409 for this one) ...
    visits.submit_audit(loaded, BOOK, amra, str(uuid.uuid4()), msgspec.convert(failing_body(taken.id), AuditSubmission)).result()
    # ... and an older release of the app left out a comment the phone-call checklist requires (422).
    checklist = BOOK.checklists_by_id["phone-call"]
    needs_comment = next(i for s in checklist.stages for i in s.items if i.evidence == "comment")
    answers = [{"item": i.id, "value": True if i.kind == "yes_no" else getattr(i, "max", None) or getattr(i, "target", None)
                or max(i.choices, key=lambda c: c.points).id} for s in checklist.stages for i in s.items]
    answers = [dict(a, value=needs_comment.target * 5) if a["item"] == needs_comment.id else a for a in answers]
    page.evaluate(_queue_script([failing_body(taken.id), {**failing_body(call.id), "answers": answers}], small_jpeg((10, 10, 10))))
    until(page, OUTBOX % 'entries.length === 2 && entries.every((entry) => entry.state === "refused")')
    page.reload()
    ready(page)
    assert page.get_by_text(t(LANG, "Refused, needing you: %(count)s", count=2)).is_visible()
    cards = page.locator(".card .work.refused")
    assert cards.count() == 2
    axe_and_shot(page, "visits-refused")
    page.goto(f"{app_server.base}/app/#/visit/{taken.id}")
    screen(page, pick(BOOK.stores_by_id[STORE_X].name, LANG, "en"))
    expect(page.locator("section.refused")).to_contain_text(t(LANG, "This visit no longer takes this audit: it already has one, or it was closed."))
    axe_and_shot(page, "refused")
    page.goto(f"{app_server.base}/app/#/visit/{call.id}")
    item_text = pick(needs_comment.text, LANG, "en")
    expect(page.locator("section.refused")).to_contain_text(t(LANG, "%(item)s: a comment is needed.", item=item_text))
    ready(page)
    page.get_by_role("button", name=t(LANG, "Correct the audit")).click()
    screen(page, t(LANG, "Check and send"))
    assert item_text in page.locator("ul.todo").inner_text(), "the item is named where it is fixed"
    assert rows(loaded, "SELECT COUNT(*) AS n FROM audits WHERE visit_id = ?", call.id) == [{"n": 0}]
    context.close()
