"""`/app/`: the auditors' phone app (static files in `audit_api/app/`), and `/enrol`, where an
enrolment QR code lands.

Role: anyone, rate limited like the other public routes: the app is static; the data behind it needs
a device token, which the app gets by trading the one-time code at `POST /api/v1/devices`.

    GET /enrol?code=C            303 to /app/#enrol=C: after this one request the code travels only in
                                 the fragment, which browsers never send (so it reaches no log again)
    GET /app/                    the app's page (`/app` answers 308 to `/app/`, the service worker's scope)
    GET /app/<file>              the shell's files, each with a strong ETag, revalidated on every use
                                 (workspace/... and vendor/...: the managers' screens and their libraries,
                                 served the same way but not precached)
    GET /app/sw.js               the service worker, with the shell's version and file list written in
    GET /app/languages.json      the chain's languages and its default, from which the app picks the auditor's
    GET /app/words/<lang>.json   the app's words in one language, {id: word} (`app/words.py`), public

The shell's version is a hash of every file's content: a release that changes any file gets a new
service worker, which fills a new cache and deletes the old ones. Text files go gzip-compressed to a
browser that takes it (compressed once, when the shell is read): public files, with no secret for
compression to leak. Not for: the API the app calls.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_304_NOT_MODIFIED

from ..app.words import translated
from ..errors import NotFound
from ..words import catalog_languages
from .context import Context
from .security import APP_ROUTE_OPT

APP_DIR = Path(__file__).resolve().parent.parent / "app"
MEDIA_TYPES = {
    ".html": "text/html",  # Litestar adds "; charset=utf-8" to text types
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".webmanifest": "application/manifest+json",
}
NOT_PRECACHED = {".png"}  # launcher icons: a phone keeps its own copy when it installs the app
# The managers' workspace's screens (workspace/) and the libraries only they load (vendor/: the dashboard's
# charts) are imported lazily: an auditor's phone never downloads them, and the workspace reads the network only.
NOT_PRECACHED_UNDER = ("workspace/", "vendor/")
SHELL_SLOT = b'"__SHELL__"'  # in sw.js: replaced by {"version": ..., "files": [...]}
REVALIDATE = "no-cache"  # cached anywhere, but asked again (a 304 when unchanged): a release shows at once
IfNoneMatch = Annotated[str | None, HeaderParameter(name="If-None-Match")]
AcceptEncoding = Annotated[str | None, HeaderParameter(name="Accept-Encoding")]
COMPRESSED = {".html", ".js", ".css", ".svg", ".webmanifest", ".json"}


@dataclass(frozen=True)
class ShellFile:
    content: bytes
    media_type: str
    etag: str
    gzipped: bytes | None = None  # the content gzip-compressed, for the text files


def _gzip(content: bytes) -> bytes:
    return gzip.compress(content, compresslevel=9, mtime=0)


def _etag(content: bytes) -> str:
    return f'"{hashlib.sha256(content).hexdigest()[:24]}"'


@dataclass(frozen=True)
class Shell:
    files: dict[str, ShellFile]  # by URL path: "/app/" is index.html
    version: str

    @classmethod
    def read(cls, folder: Path) -> Shell:
        sources = {
            path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.suffix in MEDIA_TYPES and path.is_file()
        }
        digest = hashlib.sha256()
        for name, content in sources.items():
            digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
        version = digest.hexdigest()[:16]
        urls = {name: "/app/" if name == "index.html" else f"/app/{name}" for name in sources}
        precached = [
            urls[name] for name in sources
            if Path(name).suffix not in NOT_PRECACHED and not name.startswith(NOT_PRECACHED_UNDER) and name != "sw.js"
        ]
        manifest = json.dumps({"version": version, "files": sorted([*precached, "/app/languages.json"])}).encode()
        if SHELL_SLOT not in sources["sw.js"]:
            raise ValueError(f"{folder / 'sw.js'} lacks the {SHELL_SLOT.decode()} slot for the shell's version and files")
        sources["sw.js"] = sources["sw.js"].replace(SHELL_SLOT, manifest, 1)
        files = {
            urls[name]: ShellFile(
                content, MEDIA_TYPES[Path(name).suffix], _etag(content), _gzip(content) if Path(name).suffix in COMPRESSED else None
            )
            for name, content in sources.items()
        }
        return cls(files=files, version=version)


@functools.cache
def shell() -> Shell:
    """The files as this release ships them, read once per process."""
    return Shell.read(APP_DIR)


class Languages(msgspec.Struct, frozen=True, kw_only=True):
    languages: list[str]
    default: str


def _matches(if_none_match: str | None, etag: str) -> bool:
    return bool(if_none_match) and etag in [tag.strip() for tag in (if_none_match or "").split(",")]


def _takes_gzip(accept_encoding: str | None) -> bool:
    codings = {part.split(";")[0].strip().lower(): part for part in (accept_encoding or "").split(",")}
    return "gzip" in codings and not codings["gzip"].replace(" ", "").endswith(";q=0")


def _answer(
    found: ShellFile, if_none_match: str | None, accept_encoding: str | None, cache: str = REVALIDATE, **headers: str
) -> Response[bytes]:
    """The file, gzip-compressed when it may be (each encoding its own ETag), or 304 when the phone has it."""
    compressed = found.gzipped if found.gzipped is not None and _takes_gzip(accept_encoding) else None
    etag = f'{found.etag[:-1]}-gz"' if compressed is not None else found.etag
    common = {"ETag": etag, "Cache-Control": cache, **headers}
    if found.gzipped is not None:
        common["Vary"] = "Accept-Encoding"
    if _matches(if_none_match, etag):
        return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=common)
    if compressed is not None:
        return Response(compressed, media_type=found.media_type, headers={**common, "Content-Encoding": "gzip"})
    return Response(found.content, media_type=found.media_type, headers=common)


def _generated(content: bytes, media_type: str) -> ShellFile:
    return ShellFile(content, media_type, _etag(content), _gzip(content))


class AuditorApp(Controller):
    path = "/"
    include_in_schema = False
    opt = APP_ROUTE_OPT  # the app's Content-Security-Policy (security.py)

    @get("/enrol", sync_to_thread=False, status_code=303)
    def enrol(self, code: Annotated[str, QueryParameter(name="code", max_length=100)] = "") -> Redirect:
        target = f"/app/#enrol={quote(code, safe='')}" if code else "/app/"
        return Redirect(target, status_code=303, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

    @get("/app", sync_to_thread=False)
    def page(
        self, request: Request[Any, Any, Any], if_none_match: IfNoneMatch = None, accept_encoding: AcceptEncoding = None
    ) -> Response[bytes] | Redirect:
        if request.scope.get("raw_path", b"") == b"/app":  # outside the service worker's scope
            return Redirect("/app/", status_code=308)
        return _answer(shell().files["/app/"], if_none_match, accept_encoding)

    @get("/app/{name:path}", sync_to_thread=False)
    def file(self, name: FromPath[str], if_none_match: IfNoneMatch = None, accept_encoding: AcceptEncoding = None) -> Response[bytes]:
        found = shell().files.get(f"/app{name}")
        if found is None or name == "/":
            raise NotFound(f"the app has no file '{name.lstrip('/')}'")
        return _answer(found, if_none_match, accept_encoding)

    @get("/app/languages.json", sync_to_thread=False)
    def languages(
        self, context: NamedDependency[Context], if_none_match: IfNoneMatch = None, accept_encoding: AcceptEncoding = None
    ) -> Response[bytes]:
        chain = context.book.chain
        content = msgspec.json.encode(Languages(languages=chain.languages, default=chain.default_language))
        return _answer(_generated(content, "application/json"), if_none_match, accept_encoding)

    @get("/app/words/{name:str}", sync_to_thread=False)
    def words(
        self, context: NamedDependency[Context], name: FromPath[str], if_none_match: IfNoneMatch = None, accept_encoding: AcceptEncoding = None
    ) -> Response[bytes]:
        chain = context.book.chain
        lang, dot, suffix = name.rpartition(".")
        if not dot or suffix != "json" or (lang not in chain.languages and lang not in catalog_languages()):
            raise NotFound(f"no words for '{name}': ask for /app/words/<language>.json, one of {', '.join(chain.languages)}")
        content = msgspec.json.encode(translated(lang, chain))
        return _answer(
            _generated(content, "application/json"), if_none_match, accept_encoding, cache=f"public, {REVALIDATE}", **{"Content-Language": lang}
        )
