"""Single-use form tokens: the survey page hands each visitor a fresh one, and an answer counts only
with a token the page issued, for that store and touchpoint, within a few hours, used once.

A token is `<issued at, base 36 seconds>.<nonce>.<signature>`: the signature is an HMAC of the place,
the time and the nonce under the instance's secret, so a token cannot be made or moved to another
store without the secret. Nothing is stored when a token is issued; the nonce is stored with the
answer it counted for, which is what makes it single-use. Pure functions.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

MAX_AGE = dt.timedelta(hours=4)
FIELD = "form_token"  # the form field that carries it


def issue(secret: bytes, store_id: str, touchpoint_id: str, now: dt.datetime) -> str:
    issued = _base36(int(now.timestamp()))
    nonce = secrets.token_urlsafe(12)
    return f"{issued}.{nonce}.{_sign(secret, store_id, touchpoint_id, issued, nonce)}"


def check(secret: bytes, token: str, store_id: str, touchpoint_id: str, now: dt.datetime) -> tuple[str | None, str | None]:
    """(nonce, None) for a good token; (None, why) otherwise: missing, forged or expired."""
    parts = token.split(".")
    if not token:
        return None, "no_form_token"
    # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError, so a 500), and a posted token may hold any.
    if len(parts) != 3 or not hmac.compare_digest(parts[2].encode(), _sign(secret, store_id, touchpoint_id, parts[0], parts[1]).encode()):
        return None, "forged_form_token"
    try:
        issued = dt.datetime.fromtimestamp(int(parts[0], 36), dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None, "forged_form_token"
    if not dt.timedelta(minutes=-5) <= now - issued <= MAX_AGE:
        return None, "expired_form_token"
    return parts[1], None


def _sign(secret: bytes, store_id: str, touchpoint_id: str, issued: str, nonce: str) -> str:
    digest = hmac.new(secret, f"form|{store_id}|{touchpoint_id}|{issued}|{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:15]).decode()


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out
