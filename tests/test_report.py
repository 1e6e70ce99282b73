"""The per-audit report: printable HTML in the reader's language, photos embedded, text escaped."""

from __future__ import annotations

import io
import uuid

from PIL import Image

from audit_api.store import Database

from .audit_helpers import assign, audit_body, perfect_answers
from .conftest import Actor, make_client


def test_report_in_the_readers_language(loaded: Database, actors: dict[str, Actor]) -> None:
    a, mx = actors["auditor_a"], actors["manager_x"]
    visit = assign(loaded, a.user, actors["admin"].user)
    answers = [
        dict(x, value=False, comment="Price tag said 39.90, till charged 45.00") if x["item"] == "correct-receipt" else x
        for x in perfect_answers()
    ]
    photo = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 0, 0)).save(photo, format="JPEG")
    with make_client(loaded) as client:
        client.put(f"/api/v1/audits/{uuid.uuid4()}", json=audit_body(visit.id, answers, staff_observed="<script>alert(1)</script>"), headers=a.headers)
        client.post(
            f"/api/v1/visits/{visit.id}/evidence",
            files={"file": ("receipt.jpg", photo.getvalue(), "image/jpeg"), "item": (None, "correct-receipt")},
            headers=a.headers,
        )
        bosnian = client.get(f"/api/v1/visits/{visit.id}/report?lang=bs", headers=mx.headers)
        russian = client.get(f"/api/v1/visits/{visit.id}/report", headers={**mx.headers, "Accept-Language": "ru"})
    assert bosnian.status_code == 200 and bosnian.headers["content-type"].startswith("text/html")
    html = bosnian.text
    assert '<html lang="bs">' in html
    assert "Izvještaj o provjeri: Lipa Ferhadija" in html
    assert "Kritična stavka nije ispunjena." in html and "0%" in html  # critical cap: zero (bs writes "0%", CLDR)
    assert "Račun je izdat i iznos odgovara cijenama." in html  # the failed item, in Bosnian
    assert "Price tag said 39.90, till charged 45.00" in html
    assert 'src="data:image/jpeg;base64,' in html
    assert "in-store-visit, verzija 1" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert '<html lang="ru">' in russian.text and "Отчёт о проверке" in russian.text


def test_report_before_submission(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    with make_client(loaded) as client:
        html = client.get(f"/api/v1/visits/{visit.id}/report?lang=en", headers=a.headers).text
    assert "No audit has been submitted for this visit yet." in html
