"""The instance's secret key, which signs the QR links: from AUDIT_SECRET, else a key file beside the database.

The file is made on first use from 32 random bytes (64 hex characters), readable by its owner only,
and written whole or not at all: a temporary file in the same folder, flushed to disk, linked into
place (so two processes starting at once cannot replace each other's key), and the folder flushed too.
A key shorter than `MIN_SECRET_CHARS` (AUDIT_SECRET set but empty or short, or a truncated key file)
is refused with `WeakSecret`, never used: links signed with it could be forged.

A signing key cannot be kept as a hash (it must sign); keep the file out of backups that leave the
server, and set AUDIT_SECRET in production so that every server of one instance signs alike.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..errors import AuditError
from .files import fsync_folder, private_file

MIN_SECRET_CHARS = 32


class WeakSecret(AuditError):
    """The signing key is missing, empty or too short to be safe; the message says how to fix it."""


def instance_secret(db_path: Path, environ: Mapping[str, str] | None = None) -> bytes:
    env = os.environ if environ is None else environ
    if "AUDIT_SECRET" in env:  # set but empty is a mistake to report, not a reason to fall back to the file
        value = env["AUDIT_SECRET"]
        _check(value, "AUDIT_SECRET", "set AUDIT_SECRET to at least 32 random characters (e.g. `openssl rand -hex 32`)")
        return value.encode()
    path = Path(db_path).parent / "secret.key"
    if not path.exists():
        _create(path)
    private_file(path)
    value = path.read_text().strip()
    _check(value, str(path), f"restore {path} from a backup, or delete it to make a new key (every printed QR code then changes)")
    return value.encode()


def _check(value: str, source: str, fix: str) -> None:
    if len(value.strip()) < MIN_SECRET_CHARS:
        what = "is empty" if not value.strip() else f"has {len(value.strip())} characters"
        raise WeakSecret(f"the QR-link signing key in {source} {what}; at least {MIN_SECRET_CHARS} are needed: {fix}")


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)  # a rename that never replaces: another process may have made the key meanwhile
        except FileExistsError:
            return
    finally:
        Path(temp).unlink(missing_ok=True)
    fsync_folder(path.parent)
