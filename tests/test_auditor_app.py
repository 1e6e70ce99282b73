"""The auditors' phone app as the server serves it: the enrolment redirect, the shell's files and their
versions, the page's Content-Security-Policy, the app's words in every language, and the JS using only
listed words. (The app itself, in a real browser: tests/test_auditor_app_browser.py.)"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from audit_api.app.words import WORDS, split
from audit_api.http.auditor_app import APP_DIR, Shell, shell
from audit_api.http.security import APP_POLICY
from audit_api.store import Database
from audit_api.words import catalog_languages, words

from .conftest import make_client

SCRIPTS = sorted([*APP_DIR.glob("*.js"), *APP_DIR.glob("workspace/*.js")])  # vendor/ holds libraries, not our words
_T_CALL = re.compile(r"(?<![\w.$])(?<!function )t\(\s*")
# A comment, or a string (skipped whole, so "image/*" opens no comment and "http://" is no line comment).
_COMMENT = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|/\*.*?\*/|//[^\n]*""", re.S)
_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')


def test_the_enrolment_link_sends_the_code_on_in_the_fragment(loaded: Database) -> None:
    with make_client(loaded) as client:
        answer = client.get("/enrol", params={"code": "Ab3_xY-9kLmNoPqRsTuVwXyZ"}, follow_redirects=False)
        bare = client.get("/enrol", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/#enrol=Ab3_xY-9kLmNoPqRsTuVwXyZ"  # browsers never send a fragment
    assert answer.headers["cache-control"] == "no-store" and answer.headers["referrer-policy"] == "no-referrer"
    assert bare.status_code == 303 and bare.headers["location"] == "/app/"


def test_the_app_is_public_static_and_runs_only_its_own_files(loaded: Database) -> None:
    with make_client(loaded) as client:
        page = client.get("/app/")
        moved = client.get("/app", follow_redirects=False)
        missing = client.get("/app/nothing.js")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    policy = page.headers["content-security-policy"]
    assert policy == APP_POLICY
    for needed in ("script-src 'self'", "worker-src 'self'", "connect-src 'self'", "img-src 'self' blob: data:", "default-src 'none'"):
        assert needed in policy
    assert "unsafe" not in policy and "http" not in policy, "no inline script, nothing from another origin"
    assert page.headers["x-frame-options"] == "DENY"
    assert moved.status_code == 308 and moved.headers["location"] == "/app/", "/app is outside the service worker's scope"
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    source = (APP_DIR / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<script(?![^>]*\bsrc=)", source) == [] and " style=" not in source and " on" not in source.replace("<html", "")
    assert not any(re.search(r"\binnerHTML\b|\beval\(|new Function", path.read_text(encoding="utf-8")) for path in SCRIPTS)


def test_every_shell_file_has_an_etag_and_answers_304_to_it(loaded: Database) -> None:
    with make_client(loaded) as client:
        for url in shell().files:
            first = client.get(url)
            assert first.status_code == 200 and first.headers["cache-control"] == "no-cache", url
            again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
            assert again.status_code == 304 and again.content == b"", url


def test_text_files_go_gzip_compressed_to_a_browser_that_takes_it(loaded: Database) -> None:
    """Each encoding is its own representation: its own ETag, and `Vary: Accept-Encoding`."""
    with make_client(loaded, public_rate_limit=10**9) as client:  # four requests a file: more than a minute's share
        for url in [*shell().files, "/app/words/bs.json", "/app/languages.json"]:
            plain = client.get(url, headers={"Accept-Encoding": "identity"})
            packed = client.get(url, headers={"Accept-Encoding": "gzip, br"})
            if url.endswith(".png"):
                assert "content-encoding" not in packed.headers, url
                continue
            assert "content-encoding" not in plain.headers and packed.headers["content-encoding"] == "gzip", url
            assert packed.content == plain.content, url  # httpx decompressed it
            assert int(packed.headers["content-length"]) < len(plain.content) or len(plain.content) < 200, url
            assert packed.headers["etag"] != plain.headers["etag"] and packed.headers["vary"] == "Accept-Encoding", url
            assert client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]}).status_code == 304
            refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0"})
            assert "content-encoding" not in refused.headers, url


def test_the_service_worker_names_its_cache_after_the_content(tmp_path: Path) -> None:
    served = shell().files["/app/sw.js"].content.decode()
    written = json.loads(re.search(r"const SHELL = (\{.*?\});", served)[1])
    assert written["version"] == shell().version
    expected = {"/app/", "/app/languages.json", *(f"/app/{p.name}" for p in APP_DIR.iterdir() if p.suffix in (".js", ".css", ".svg", ".webmanifest"))}
    assert set(written["files"]) == expected - {"/app/sw.js"}
    copy = tmp_path / "app"
    shutil.copytree(APP_DIR, copy)
    assert Shell.read(copy).version == shell().version, "the same files, the same version"
    (copy / "app.css").write_text((copy / "app.css").read_text(encoding="utf-8") + "\n/* a release */\n", encoding="utf-8")
    changed = Shell.read(copy)
    assert changed.version != shell().version and changed.version in changed.files["/app/sw.js"].content.decode()


def test_the_manifest_makes_the_app_installable(loaded: Database) -> None:
    with make_client(loaded) as client:
        manifest = client.get("/app/manifest.webmanifest")
        icons = {icon["src"]: client.get(icon["src"]) for icon in manifest.json()["icons"]}
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.json()["scope"] == manifest.json()["start_url"] == "/app/"
    assert {icon["sizes"] for icon in manifest.json()["icons"]} >= {"192x192", "512x512"}
    assert all(answer.status_code == 200 for answer in icons.values())


@pytest.mark.parametrize("lang", catalog_languages())
def test_the_words_of_every_catalog_language_are_complete(loaded: Database, lang: str) -> None:
    with make_client(loaded) as client:
        answer = client.get(f"/app/words/{lang}.json")
    assert answer.status_code == 200 and answer.headers["content-language"] == lang
    assert answer.headers["cache-control"].startswith("public")
    served = answer.json()
    assert list(served) == WORDS
    assert [key for key, word in served.items() if not word.strip()] == []
    catalog = words(lang)
    assert [key for key in WORDS if not catalog.knows(split(key)[1])] == [], "translated in the catalog, not shown in a fallback"
    placeholders = {key: sorted(re.findall(r"%\((\w+)\)s", word)) for key, word in served.items()}
    assert placeholders == {key: sorted(re.findall(r"%\((\w+)\)s", split(key)[1])) for key in WORDS}


def test_words_for_a_language_nobody_speaks_are_not_found(loaded: Database) -> None:
    with make_client(loaded) as client:
        assert client.get("/app/words/xx.json").status_code == 404
        assert client.get("/app/words/en").status_code == 404
        offered = client.get("/app/languages.json").json()
    assert "en" in offered["languages"] and offered["default"] == "en"


def _t_calls(source: str) -> list[str | None]:
    """The id of every t(...) call in a script: the string literal it starts with, or None when it is not one."""
    source = _COMMENT.sub(lambda found: found[1] or "", source)
    found = []
    for call in _T_CALL.finditer(source):
        literal = _LITERAL.match(source, call.end())
        found.append(json.loads(f'"{literal[1]}"') if literal else None)
    return found


def test_the_app_uses_only_listed_words_and_every_listed_word() -> None:
    used = {path.name: _t_calls(path.read_text(encoding="utf-8")) for path in SCRIPTS}
    assert {name: ids for name, ids in used.items() if None in ids} == {}, 't("...") takes a literal id, so this test can see it'
    every = {word for ids in used.values() for word in ids}
    assert sorted(every - set(WORDS)) == [], "add these to audit_api/app/words.py (and translate them)"
    assert sorted(set(WORDS) - every) == [], "no longer used: remove them from audit_api/app/words.py"
    assert len(WORDS) == len(set(WORDS))


def test_the_scanner_sees_every_kind_of_call() -> None:
    source = (
        'x = t("My visits"); y = t( "A \\"b\\"", {n}); z = t(name); at("no"); a.t("no");\n// t("no")\nfunction t(id) {}\n'
        'accept = "image/*"; w = t("Take a photo"); /* t("no") */ u = "http://x"; v = t("Yes");'
    )
    assert _t_calls(source) == ["My visits", 'A "b"', None, "Take a photo", "Yes"]


def test_the_app_is_rate_limited_like_the_public_routes(loaded: Database) -> None:
    with make_client(loaded, public_rate_limit=2) as client:
        statuses = [client.get("/app/app.css").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
