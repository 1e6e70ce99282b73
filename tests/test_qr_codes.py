"""QR codes as printed: decoded by a real decoder they give back the exact signed URL; altered, it is refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import zxingcpp
from PIL import Image

from audit_api.book.i18n import every
from audit_api.store import Database
from audit_api.store.secret import instance_secret

from .audit_helpers import BOOK
from .conftest import DEMO_BOOK, make_client


def test_every_touchpoint_gets_a_decodable_signed_short_url(loaded: Database, tmp_path: Path) -> None:
    out = tmp_path / "qr"
    done = subprocess.run(
        [sys.executable, "-m", "audit_api.cli", "qr", "--db", str(loaded.path), "--book", str(DEMO_BOOK), "--out", str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    printed = dict(reversed(line.split("  ")) for line in done.stdout.splitlines() if "  " in line)
    touchpoints = [(s.id, t.id) for s in BOOK.stores for t in s.touchpoints]
    assert len(printed) == len(touchpoints)
    with make_client(loaded) as client:
        for store_id, touchpoint_id in touchpoints:
            png = out / store_id / f"{touchpoint_id}.png"
            [code] = zxingcpp.read_barcodes(Image.open(png))
            url = code.text
            assert url == printed[str(out / store_id / f"{touchpoint_id}.html")]
            assert len(url) <= 64 and url.startswith("http://127.0.0.1:8000/s/")
            assert (out / store_id / f"{touchpoint_id}.svg").read_text().startswith("<svg")
            page = client.get(url.removeprefix("http://127.0.0.1:8000"))
            assert page.status_code == 200
            store = BOOK.stores_by_id[store_id]
            assert any(name in page.text for name in every(store.name)), "the page names its store"


def test_an_altered_or_forged_link_is_refused(loaded: Database) -> None:
    from audit_api.domain.links import link_token

    good = link_token(instance_secret(loaded.path), "moskva-arbat", "checkout")
    altered = ("A" if good[0] != "A" else "B") + good[1:]
    forged = link_token(b"not the instance secret", "moskva-arbat", "checkout")
    with make_client(loaded) as client:
        assert client.get(f"/s/{good}").status_code == 200
        for token in (altered, forged, good[:-1], good + "A"):
            page = client.get(f"/s/{token}", headers={"Accept": "text/html"})
            assert page.status_code == 404
            assert "Traceback" not in page.text and "If you scanned a code in a store, please scan it again." in page.text
        api_style = client.get(f"/s/{altered}")
        assert api_style.status_code == 404 and api_style.headers["content-type"] == "application/problem+json"


def test_posters_carry_the_call_in_every_store_language(loaded: Database, tmp_path: Path) -> None:
    from audit_api.posters import write_posters

    [(url, poster)] = [w for w in write_posters(BOOK, b"k", "https://lipa.example", tmp_path) if "banja-luka-delta/checkout" in str(w[1])]
    html = poster.read_text(encoding="utf-8")
    assert "Lipa Delta" in html and url in html and "<svg" in html
    assert 'lang="bs"' in html and 'lang="ru"' in html and 'lang="en"' in html
    assert "Recite nam kako smo vas uslužili" in html and "Оцените нашу работу" in html and "Tell us how we did" in html
    assert "size:A5" in html
