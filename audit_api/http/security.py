"""Security headers on every response, decided in one place: a `before_send` hook on the app, so they
reach error pages, the OpenAPI reference and the static site too (route middleware sees none of those).

    every response       X-Content-Type-Options: nosniff; Strict-Transport-Security (a year) where the instance is
                         reached by HTTPS (AUDIT_PUBLIC_URL): a browser then never tries it over plain HTTP
    every HTML page      Content-Security-Policy (by kind, below), X-Frame-Options: DENY,
                         Referrer-Policy: same-origin (links out carry no path: tickets and links stay here),
                         Permissions-Policy: no camera, microphone, location, payment, USB or motion sensors
                         for the page or anything it might frame; the auditors' app alone may ask for the
                         location (the visit's GPS check; photos come through the file picker, not the camera API)

    kind of page                        its Content-Security-Policy
    the product's pages (customers',    `render.csp.PAGE_POLICY`: no script at all, the templates' <style>
      errors, the audit report)           blocks by hash, images only as data: URIs
    /schema (Swagger UI, offline)       `SCHEMA_POLICY`: scripts, styles and the spec from this origin only
    the auditors' app (/app/)           `APP_POLICY`: scripts, styles, its service worker, manifest and API calls
                                          from this origin only (and the report's <style> by hash: the app opens
                                          the report as a blob); images also as blob: and data: (photos); no form posts
    the public site (`audit site        `SitePolicy`: scripts from this origin plus exactly the inline scripts
      build`, served at /)                MkDocs Material wrote, by the hashes the build lists in <site>/.csp.json

Which kind: an error page (status 400 and up) is always the product's own; otherwise the site's static
files router (tagged with `SITE_ROUTE_OPT`) is the site, the app's routes (`APP_ROUTE_OPT`) the app, /schema
is the reference, and the rest is ours.
A header a handler set itself is kept. Not for: what a page contains (`render/`), cookies (`pages.py`).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from litestar.types import Message, Scope

from ..render.csp import PAGE_POLICY, style_hashes
from ..site.build import CSP_FILE

log = logging.getLogger("audit_api")

SITE_ROUTE_OPT = {"page_kind": "site"}
APP_ROUTE_OPT = {"page_kind": "app"}
# The app opens the audit report (fetched with its token) as a blob: URL, which keeps the app's policy: so the
# policy allows the report's own <style> by its hash, as the report's own page does.
APP_POLICY = (
    f"default-src 'none'; script-src 'self'; style-src 'self' {' '.join(style_hashes('report.html'))}; img-src 'self' blob: data:; connect-src 'self'; "
    "worker-src 'self'; manifest-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SCHEMA_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_NOSNIFF = (b"x-content-type-options", b"nosniff")
_HSTS = (b"strict-transport-security", b"max-age=31536000")
_PAGE_HEADERS = ((b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin"))
_CSP = b"content-security-policy"
_PERMISSIONS = b"permissions-policy"
_FEATURES = ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb")


def permissions_policy(allowed: tuple[str, ...] = ()) -> str:
    """Every powerful feature above off, but `allowed` (for this origin only)."""
    return ", ".join(f"{feature}=(self)" if feature in allowed else f"{feature}=()" for feature in _FEATURES)


NO_FEATURES = permissions_policy().encode()
APP_FEATURES = permissions_policy(("geolocation",)).encode()


def site_policy(script_hashes: list[str], style_hashes: list[str]) -> str:
    scripts = " ".join(["'self'", *script_hashes])
    styles = " ".join(["'self'", *style_hashes])
    return (
        f"default-src 'none'; script-src {scripts}; style-src {styles}; img-src 'self' data:; connect-src 'self'; "
        "worker-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


class SitePolicy:
    """The public site's CSP, from the hashes its last build listed; re-read (at most once a second)
    when a new build replaces the file, as a running server notices a new `audit site build`."""

    def __init__(self, site_dir: Path):
        self.file = site_dir / CSP_FILE
        self._stamp: int | None = None
        self._checked = float("-inf")
        self._policy = b""

    def get(self) -> bytes:
        now = time.monotonic()
        if now - self._checked >= 1.0:
            self._checked = now
            try:
                stamp: int | None = self.file.stat().st_mtime_ns
            except OSError:
                stamp = None
            if stamp != self._stamp or not self._policy:
                self._stamp, self._policy = stamp, self._read()
        return self._policy

    def _read(self) -> bytes:
        try:
            hashes = json.loads(self.file.read_text(encoding="utf-8"))
            return site_policy(list(hashes["script-src"]), list(hashes["style-src"])).encode()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # Fail closed: the site's own script files still run, its inline scripts do not.
            log.warning("%s unreadable (%s): the site's inline scripts are blocked until `audit site build` runs", self.file, exc)
            return site_policy([], []).encode()


class SecurityHeaders:
    """The `before_send` hook: adds the headers above to each response as it starts."""

    def __init__(self, site_dir: Path, schema_path: str = "/schema", *, https: Callable[[], bool] = lambda: False):
        self.site = SitePolicy(site_dir)
        self.schema_path = schema_path
        self.https = https  # the app's settings of the moment: whether people reach it by HTTPS
        self._page = PAGE_POLICY.encode()
        self._schema = SCHEMA_POLICY.encode()
        self._app = APP_POLICY.encode()

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers") or ())
        names = {bytes(name).lower() for name, _ in headers}
        added = [header for header in (_NOSNIFF, *((_HSTS,) if self.https() else ())) if header[0] not in names]
        if any(bytes(name).lower() == b"content-type" and bytes(value).startswith(b"text/html") for name, value in headers):
            policy, features = self._policy(scope, message["status"])
            page = ((_CSP, policy), (_PERMISSIONS, features), *_PAGE_HEADERS)
            added += [(name, value) for name, value in page if name not in names]
        if added:
            message["headers"] = [*headers, *added]

    def _policy(self, scope: Scope, status: int) -> tuple[bytes, bytes]:
        """The page's Content-Security-Policy and Permissions-Policy, by its kind."""
        if status >= 400:
            return self._page, NO_FEATURES
        handler = scope.get("route_handler")
        if handler is not None and handler.opt.get("page_kind") == SITE_ROUTE_OPT["page_kind"]:
            return self.site.get(), NO_FEATURES
        if handler is not None and handler.opt.get("page_kind") == APP_ROUTE_OPT["page_kind"]:
            return self._app, APP_FEATURES
        path = scope["path"]
        if path == self.schema_path or path.startswith(f"{self.schema_path}/"):
            return self._schema, NO_FEATURES
        return self._page, NO_FEATURES


_UNSAFE_IN_QUOTES = re.compile(r"[^A-Za-z0-9 ._()+-]")


def content_disposition(media_type: str, filename: str) -> str:
    """Images inline; anything else (a PDF) as an attachment, so it opens outside our origin. The name
    loses any folder and control characters; an ASCII `filename` for old clients, `filename*` in UTF-8."""
    name = "".join(ch for ch in filename.replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable()).strip() or "evidence"
    kind = "inline" if media_type.startswith("image/") else "attachment"
    return f"{kind}; filename=\"{_UNSAFE_IN_QUOTES.sub('_', name)}\"; filename*=UTF-8''{quote(name, safe='')}"
