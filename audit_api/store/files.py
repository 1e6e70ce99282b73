"""Files the store keeps beside the database, private to the server's user and durable once written.

    private_folder(path)    make a folder (and any missing parents) mode 0700, or put an existing one back to 0700
    private_file(path)      put an existing file back to mode 0600
    fsync_folder(path)      flush a folder's entries, so a file just renamed into it survives a power cut

Not for: the SQLite file's own writes (SQLite flushes those) or the public site (`audit site build`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path: Path) -> None:
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):  # outermost first; mkdir's mode is narrowed by the umask, never widened
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
    _narrow(path, FOLDER_MODE)


def private_file(path: Path) -> None:
    _narrow(path, FILE_MODE)


def _narrow(path: Path, mode: int) -> None:
    if stat.S_IMODE(path.stat().st_mode) != mode:
        path.chmod(mode)


def fsync_folder(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
