"""The instance's secret key, which signs the QR links: from AUDIT_SECRET, else a key file beside the database.

The file is made on first use from 32 random bytes, readable by its owner only. A signing key cannot
be kept as a hash (it must sign); keep the file out of backups that leave the server, and set
AUDIT_SECRET in production so that every server of one instance signs alike.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path


def instance_secret(db_path: Path, environ: Mapping[str, str] | None = None) -> bytes:
    env = os.environ if environ is None else environ
    if env.get("AUDIT_SECRET"):
        return env["AUDIT_SECRET"].encode()
    path = Path(db_path).parent / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip().encode()
