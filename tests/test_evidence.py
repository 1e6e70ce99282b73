"""Evidence: recognised by content, limited in size, stored once by SHA-256, required where the rule says."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from PIL import Image

from audit_api.domain.media import sniff
from audit_api.store import Database

from .audit_helpers import assign, audit_body, perfect_answers
from .conftest import Actor, make_client


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\nrest", "image/png"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00", "image/heic"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00", None),  # an MP4 video
        (b"GIF89a", None),
        (b"hello, this is text", None),
    ],
)
def test_content_decides_the_type(data: bytes, media_type: str | None) -> None:
    assert sniff(data) == media_type


def test_a_jpg_name_on_text_content_is_refused(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    with make_client(loaded) as client:
        response = client.post(
            f"/api/v1/visits/{visit.id}/evidence",
            files={"file": ("receipt.jpg", b"<html>not a photo</html>", "image/jpeg")},
            headers=a.headers,
        )
    assert response.status_code == 422
    problem = response.json()
    assert problem["detail"] == "'receipt.jpg' is not a photo or document we accept"
    assert problem["errors"] == [
        {"path": "body.file", "message": "its content is none of: JPEG photo, PNG image, HEIC photo, PDF document (the file name and declared type do not count)"}
    ]
    assert not list((loaded.path.parent / "evidence").rglob("*")) or not any(p.is_file() for p in (loaded.path.parent / "evidence").rglob("*"))


def test_upload_is_idempotent_by_content(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    photo = jpeg()
    files = {"file": ("IMG_0001.HEIC.jpg", photo, "application/octet-stream"), "item": (None, "entrance-clean")}
    with make_client(loaded) as client:
        first = client.post(f"/api/v1/visits/{visit.id}/evidence", files=files, headers=a.headers)
        again = client.post(f"/api/v1/visits/{visit.id}/evidence", files=files, headers=a.headers)
        listed = client.get(f"/api/v1/visits/{visit.id}/evidence", headers=a.headers).json()
        served = client.get(f"/api/v1/visits/{visit.id}/evidence/{first.json()['sha256']}", headers=a.headers)
    assert first.status_code == 201 and again.status_code == 200 and first.json() == again.json()
    assert first.json()["sha256"] == hashlib.sha256(photo).hexdigest()
    assert first.json()["media_type"] == "image/jpeg" and first.json()["item_id"] == "entrance-clean"
    assert len(listed) == 1
    assert served.content == photo and served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    stored = [p for p in (loaded.path.parent / "evidence").rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == photo


def test_over_the_size_limit_is_413(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    big = jpeg() + b"\x00" * 5000
    with make_client(loaded, evidence_max_bytes=4000) as client:
        response = client.post(f"/api/v1/visits/{visit.id}/evidence", files={"file": ("big.jpg", big, "image/jpeg")}, headers=a.headers)
        way_over = client.post(f"/api/v1/visits/{visit.id}/evidence", files={"file": ("huge.jpg", b"\xff" * 200_000, "image/jpeg")}, headers=a.headers)
    assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"
    assert way_over.status_code == 413 and way_over.headers["content-type"] == "application/problem+json"


def test_unknown_item_is_refused(loaded: Database, actors: dict[str, Actor]) -> None:
    a = actors["auditor_a"]
    visit = assign(loaded, a.user, actors["admin"].user)
    with make_client(loaded) as client:
        response = client.post(
            f"/api/v1/visits/{visit.id}/evidence",
            files={"file": ("a.jpg", jpeg(), "image/jpeg"), "item": (None, "no-such-item")},
            headers=a.headers,
        )
    assert response.status_code == 422 and response.json()["errors"] == [{"path": "body.item", "message": "unknown item 'no-such-item'"}]


def test_an_audit_without_its_required_photo_is_not_complete(loaded: Database, actors: dict[str, Actor]) -> None:
    a, mx = actors["auditor_a"], actors["manager_x"]
    visit = assign(loaded, a.user, actors["admin"].user)
    answers = [dict(x, value=False) if x["item"] == "price-labels" else x for x in perfect_answers()]  # photo required when failed
    with make_client(loaded) as client:
        assert client.put(f"/api/v1/audits/{uuid.uuid4()}", json=audit_body(visit.id, answers), headers=a.headers).status_code == 201
        detail = client.get(f"/api/v1/visits/{visit.id}", headers=mx.headers).json()
        assert detail["complete"] is False and detail["missing_evidence"] == ["price-labels"]
        blocked = client.post(f"/api/v1/visits/{visit.id}/review", json={"decision": "approve"}, headers=mx.headers)
        assert blocked.status_code == 409 and "photos missing for price-labels" in blocked.json()["detail"]
        # The photo arrives after the submission, as it does on a bad network.
        upload = client.post(
            f"/api/v1/visits/{visit.id}/evidence",
            files={"file": ("labels.jpg", jpeg(), "image/jpeg"), "item": (None, "price-labels")},
            headers=a.headers,
        )
        assert upload.status_code == 201
        assert client.get(f"/api/v1/visits/{visit.id}", headers=mx.headers).json()["complete"] is True
        assert client.post(f"/api/v1/visits/{visit.id}/review", json={"decision": "approve"}, headers=mx.headers).status_code == 200
