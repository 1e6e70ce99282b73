"""Security headers through the real app: every kind of HTML page carries a Content-Security-Policy that
allows its inline scripts and styles by hash only, and nosniff, X-Frame-Options, Referrer-Policy and a
Permissions-Policy (the auditors' app alone may ask for the location); over HTTPS every answer pins HTTPS
and the survey's cookie is Secure; evidence PDFs download, photos show.
A real browser loads each kind with no CSP violation in tests/test_browser.py."""

from __future__ import annotations

import io
import json
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from PIL import Image

from audit_api.book import load_book
from audit_api.domain.links import link_token
from audit_api.http.security import content_disposition
from audit_api.posters import write_posters
from audit_api.render.csp import source_hash
from audit_api.site.build import CSP_FILE
from audit_api.store import Database
from audit_api.store.secret import instance_secret

from .audit_helpers import assign, audit_body, perfect_answers
from .conftest import DEMO_BOOK, Actor, make_client

BOOK = load_book(DEMO_BOOK)
JS_TYPES = {"", "text/javascript", "application/javascript", "module"}


@pytest.fixture(scope="module")
def site(demo_site: Path) -> Path:
    return demo_site


class Inline(HTMLParser):
    """What a page runs or loads: its inline scripts and styles, word for word, and its external URLs."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.urls: list[str] = []
        self.meta_csp: str | None = None
        self._open: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.meta_csp = a.get("content")
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"] or "")
        elif tag == "script" and (a.get("type") or "").lower() in JS_TYPES:
            self._open = self.scripts
            self.scripts.append("")
        elif tag == "style":
            self._open = self.styles
            self.styles.append("")
        if tag == "link" and a.get("href") and "stylesheet" in (a.get("rel") or ""):
            self.urls.append(a["href"] or "")

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._open = None


def policy(header: str) -> dict[str, list[str]]:
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


def assert_guarded(response: httpx.Response) -> dict[str, list[str]]:
    """The page's headers are all there, and its CSP allows exactly what the page itself holds inline."""
    assert response.headers["content-type"].startswith("text/html"), response.request.url
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    features = dict(part.strip().split("=", 1) for part in response.headers["permissions-policy"].split(","))
    assert {features[f] for f in ("camera", "microphone", "geolocation", "payment", "usb")} == {"()"}, "no page of ours asks for these"
    csp = policy(response.headers["content-security-policy"])
    assert csp["frame-ancestors"] == ["'none'"] and csp["default-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"} & {s for sources in csp.values() for s in sources}
    page = Inline(response.text)
    for script in page.scripts:
        assert source_hash(script) in csp["script-src"], f"{response.request.url}: an inline script the CSP would block"
    for style in page.styles:
        assert source_hash(style) in csp["style-src"], f"{response.request.url}: an inline style the CSP would block"
    for url in page.urls:
        assert url.startswith(("/", "../", "./")) or not re.match(r"^[a-z]+:", url), f"{url}: not from this origin"
    return csp


def test_the_customers_pages_and_their_errors(loaded: Database) -> None:
    survey = f"/s/{link_token(instance_secret(loaded.path), 'sarajevo-ferhadija', 'fitting-room')}"
    with make_client(loaded) as client:
        complaint = client.post("/complaint", data={"store": "sarajevo-ferhadija", "happened_on": "2026-11-23", "what": "Waited.", "desired": "apology"})
        ticket = re.search(r'id="ticket">([^<]+)<', complaint.text)
        pages = {
            "survey": client.get(survey),
            "survey with errors": client.post(survey, data={}),
            "complaint form": client.get("/complaint"),
            "complaint with errors": client.post("/complaint", data={"store": "atlantis"}),
            "ticket": complaint,
            "status lookup": client.get("/complaint/status"),
            "status": client.get(f"/complaint/status/{ticket[1] if ticket else 'C-0000-0000'}"),
            "not found": client.get("/s/not-a-link", headers={"Accept": "text/html"}),
            "no such status": client.get("/complaint/status/C-AAAA-AAAA", headers={"Accept": "text/html"}),
        }
    assert pages["survey"].status_code == 200 and pages["survey with errors"].status_code == 422
    assert pages["not found"].status_code == 404 and pages["no such status"].status_code == 404
    for name, response in pages.items():
        csp = assert_guarded(response)
        assert "script-src" not in csp, f"{name}: our own pages run no script at all"
        assert csp["img-src"] == ["data:"] and csp["form-action"] == ["'self'"]
        assert Inline(response.text).styles, f"{name}: the template's <style> block is allowed by its hash"


def test_the_audit_report(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    photo = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 0, 0)).save(photo, format="JPEG")
    answers = [dict(x, value=False, comment="No receipt") if x["item"] == "correct-receipt" else x for x in perfect_answers()]
    with make_client(loaded) as client:
        client.put(f"/api/v1/audits/{uuid.uuid4()}", json=audit_body(visit.id, answers), headers=a.headers)
        client.post(f"/api/v1/visits/{visit.id}/evidence", files={"file": ("r.jpg", photo.getvalue(), "image/jpeg"), "item": (None, "correct-receipt")}, headers=a.headers)
        report = client.get(f"/api/v1/visits/{visit.id}/report?lang=en", headers=a.headers)
    assert report.status_code == 200 and 'src="data:image/jpeg;base64,' in report.text
    csp = assert_guarded(report)
    assert "script-src" not in csp and csp["img-src"] == ["data:"], "photos are data: URIs; nothing else loads"


def test_the_public_site_allows_exactly_the_inline_scripts_its_build_listed(loaded: Database, site: Path) -> None:
    listed = json.loads((site / CSP_FILE).read_text())
    assert len(listed["script-src"]) >= 2, "Material's inline scripts were found and hashed"
    with make_client(loaded, site_dir=site) as client:
        pages = [client.get(path) for path in ("/", "/en/", "/ru/faq/", "/bs/stores/sarajevo-alta/", "/en/stores/", "/en/complaints/")]
        error = client.get("/en/no-such-page/", headers={"Accept": "text/html"})
        css = client.get("/en/assets/site.css")
    for response in pages:
        assert response.status_code == 200
        csp = assert_guarded(response)
        assert csp["script-src"] == ["'self'", *listed["script-src"]]
        assert csp["worker-src"] == ["'self'"] and csp["connect-src"] == ["'self'"], "search runs in a worker on the index"
    every_inline = {source_hash(s) for page in site.rglob("*.html") for s in Inline(page.read_text(encoding="utf-8")).scripts}
    assert every_inline == set(listed["script-src"]), "the build's list is every inline script of every page, no more"
    assert error.status_code == 404 and assert_guarded(error)["script-src"] == ["'self'", *listed["script-src"]], (
        "a page the site lacks answers with the site's own 404 page (in its language), under the site's policy"
    )
    assert css.headers["x-content-type-options"] == "nosniff" and "content-security-policy" not in css.headers


def test_the_api_reference_loads_from_this_origin_only(client) -> None:
    page = client.get("/schema")
    csp = assert_guarded(page)
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"] and csp["connect-src"] == ["'self'"]
    parsed = Inline(page.text)
    assert parsed.scripts == [] and parsed.styles == [] and "http" not in page.text
    assert len(parsed.urls) == 3
    for url in parsed.urls:
        asset = client.get(url)
        assert asset.status_code == 200 and asset.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript", "text/css"), url
    assert client.get("/schema/openapi.json").json()["openapi"].startswith("3.1")


def test_json_answers_are_nosniff_without_a_page_policy(client) -> None:
    for response in (client.get("/api/v1/faq"), client.get("/api/v1/stores/atlantis"), client.get("/healthz")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" not in response.headers


def test_posters_carry_their_policy_in_the_file(loaded: Database, tmp_path: Path) -> None:
    written = write_posters(BOOK, instance_secret(loaded.path), "https://lipa.example", tmp_path / "qr")
    page = Inline(written[0][1].read_text(encoding="utf-8"))
    assert page.meta_csp is not None
    csp = policy(page.meta_csp)
    assert csp["default-src"] == ["'none'"] and "script-src" not in csp
    assert csp["style-src"] == [source_hash(style) for style in page.styles]
    assert "frame-ancestors" not in csp, "browsers ignore frame-ancestors in <meta> and say so in the console"


@pytest.mark.parametrize(("public_url", "secure"), [("https://lipa.example", True), ("http://127.0.0.1:8000", False)])
def test_the_survey_cookie_is_secure_over_https(loaded: Database, public_url: str, secure: bool) -> None:
    with make_client(loaded, public_url=public_url) as client:
        response = client.get(f"/s/{link_token(instance_secret(loaded.path), 'sarajevo-ferhadija', 'checkout')}")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("fb=") and "HttpOnly" in cookie
    assert ("Secure" in cookie.split("; ")) is secure


@pytest.mark.parametrize(("public_url", "pinned"), [("https://lipa.example", True), ("http://127.0.0.1:8000", False)])
def test_https_is_pinned_on_every_answer_where_the_instance_is_reached_by_https(loaded: Database, public_url: str, pinned: bool) -> None:
    with make_client(loaded, public_url=public_url) as client:
        answers = [client.get("/healthz"), client.get("/api/v1/faq"), client.get("/app/"), client.get("/no-such-page", headers={"Accept": "text/html"})]
    for answer in answers:
        assert answer.headers.get("strict-transport-security") == ("max-age=31536000" if pinned else None), answer.request.url


def test_the_app_alone_may_ask_for_the_location(loaded: Database) -> None:
    """The auditors' app checks a visit's place by GPS; it takes photos through the file picker, not the camera API."""
    with make_client(loaded) as client:
        app, survey = client.get("/app/"), client.get(f"/s/{link_token(instance_secret(loaded.path), 'sarajevo-ferhadija', 'checkout')}")
    assert app.headers["permissions-policy"] == (
        "accelerometer=(), camera=(), geolocation=(self), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
    )
    assert "geolocation=()" in survey.headers["permissions-policy"]
    assert "permissions-policy" not in client.get("/api/v1/faq").headers, "a policy for pages, not for JSON"


def test_a_pdf_downloads_and_a_photo_shows(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    photo = io.BytesIO()
    Image.new("RGB", (4, 4), (9, 9, 9)).save(photo, format="PNG")
    files = {"receipt.pdf": b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "shelf.png": photo.getvalue()}
    with make_client(loaded) as client:
        shas = {
            name: client.post(f"/api/v1/visits/{visit.id}/evidence", files={"file": (name, data)}, headers=a.headers).json()["sha256"]
            for name, data in files.items()
        }
        pdf = client.get(f"/api/v1/visits/{visit.id}/evidence/{shas['receipt.pdf']}", headers=a.headers)
        png = client.get(f"/api/v1/visits/{visit.id}/evidence/{shas['shelf.png']}", headers=a.headers)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == "attachment; filename=\"receipt.pdf\"; filename*=UTF-8''receipt.pdf"
    assert png.headers["content-disposition"].startswith("inline; ")
    assert pdf.headers["x-content-type-options"] == "nosniff" and pdf.content == files["receipt.pdf"]


def test_a_download_name_cannot_break_the_header() -> None:
    header = content_disposition("application/pdf", '..\\..\\etc/Račun "1"\r\nSet-Cookie: x=1.pdf')
    assert header == "attachment; filename=\"Ra_un _1_Set-Cookie_ x_1.pdf\"; filename*=UTF-8''Ra%C4%8Dun%20%221%22Set-Cookie%3A%20x%3D1.pdf"
    assert content_disposition("image/jpeg", "") == "inline; filename=\"evidence\"; filename*=UTF-8''evidence"
