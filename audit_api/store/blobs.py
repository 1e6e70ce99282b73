"""Evidence files on disk, addressed by SHA-256: a re-upload finds its file and writes nothing.

A file is written to a temporary name, flushed to disk, renamed into place, and its folder flushed,
so a crash never leaves half a photo under a real name nor loses one already acknowledged. Kept beside
the database (`var/evidence/ab/abcdef...`), readable by the server's user only: folders 0700 (made so,
and put back so when the store opens), files 0600.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from .files import fsync_folder, private_folder


class BlobStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        if self.root.is_dir():
            for folder in (self.root, *(p for p in self.root.iterdir() if p.is_dir())):
                private_folder(folder)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        if not target.parent.is_dir():
            private_folder(target.parent)
            fsync_folder(self.root)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        fsync_folder(target.parent)
        return digest

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()
