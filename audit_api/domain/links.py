"""The links QR codes carry: short signed survey links for stores (`/s/<token>` names one store and
touchpoint), and enrolment links for auditors' phones.

The token is the first 9 bytes of HMAC-SHA256(secret, "store/touchpoint"), in base64url: 12 characters,
so the whole URL stays short (a QR code with few modules scans well from a receipt). Nothing is stored:
the server recomputes every token of the book once and looks tokens up. Changing any character gives
an unknown token; making a valid one needs the instance's secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from ..book.models import Book

TOKEN_BYTES = 9


def link_token(secret: bytes, store_id: str, touchpoint_id: str) -> str:
    digest = hmac.new(secret, f"{store_id}/{touchpoint_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).decode()


def link_index(secret: bytes, book: Book) -> dict[str, tuple[str, str]]:
    """token -> (store id, touchpoint id) for every touchpoint of every store."""
    return {
        link_token(secret, store.id, touchpoint.id): (store.id, touchpoint.id)
        for store in book.stores
        for touchpoint in store.touchpoints
    }


def survey_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/s/{token}"


def enrolment_url(public_url: str, code: str) -> str:
    """What an enrolment QR code carries: the app's page that trades the one-time code for a device token."""
    return f"{public_url.rstrip('/')}/enrol?code={code}"


class LinkIndex:
    """Tokens of the current book, recomputed when the published book changes."""

    def __init__(self, secret: bytes):
        self.secret = secret
        self._book: Book | None = None
        self._index: dict[str, tuple[str, str]] = {}

    def resolve(self, book: Book, token: str) -> tuple[str, str] | None:
        if book is not self._book:
            self._index, self._book = link_index(self.secret, book), book
        return self._index.get(token)
