"""A fingerprint of the book as `audit load` would check it: the book's files and the code that checks them.

Two checks with the same fingerprint find the same book and the same problems, so a reload of a book
whose files have not changed since it was last published need not parse them again (2,000 stores: about
a second of YAML, against some 60 ms to hash the files; `bench/book_load.py`). What goes in: how the
folder is named (messages name files that way), every file of the folder but hidden ones (the loader
reads the YAML and the logo, and warns of stray files), the package's own code and catalogs (the rules,
the product's words), the versions of the libraries that parse and decode, and the day (a standard's
review falls due by date). Not for: telling what changed (`store.book.publish` does, document by document).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import msgspec
import yaml

from .loader import YAML_SUFFIXES

_PACKAGE = Path(__file__).resolve().parent.parent
_CODE = (".py", ".po", ".pot")


@dataclass(frozen=True)
class Fingerprint:
    digest: str  # SHA-256, hex
    stores: int  # the store files it covers: what `audit load` counts its progress in


def fingerprint(folder: Path | str, today: dt.date | None = None) -> Fingerprint:
    """The fingerprint of the book in `folder` (named as the caller wrote it, like `check_book`'s), on `today`."""
    root = os.fspath(folder)
    digest = hashlib.sha256()
    for part in (root, (today or dt.date.today()).isoformat(), _code_digest()):
        digest.update(part.encode() + b"\0")
    files = _files(root)
    for inside in files:
        try:
            with open(os.path.join(root, *inside), "rb") as file:
                body = file.read()
        except OSError:  # unreadable, or gone meanwhile: the check will say what it makes of it
            body = b"\0unreadable"
        digest.update(f"{'/'.join(inside)}\0{len(body)}\0".encode())
        digest.update(body)
    return Fingerprint(digest.hexdigest(), sum(1 for inside in files if len(inside) == 2 and inside[0] == "stores" and _is_yaml(inside[1])))


def _files(root: str) -> list[tuple[str, ...]]:
    """Every file below `root` but hidden ones (.git, an editor's state), as the parts of its path inside,
    in their order. Plain strings: `pathlib` on every file of a 2,000-store book took longer than hashing it."""
    found = []
    for here, folders, names in os.walk(root):
        folders[:] = [name for name in folders if not name.startswith(".")]
        at = tuple(Path(here).relative_to(root).parts)
        found += [(*at, name) for name in names if not name.startswith(".")]
    return sorted(found)


def _is_yaml(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in YAML_SUFFIXES


@functools.cache
def _code_digest() -> str:
    """The package's code and catalogs, and the parsing libraries' versions: what a check's findings depend on."""
    digest = hashlib.sha256(f"msgspec {msgspec.__version__}, PyYAML {yaml.__version__}\0".encode())
    for file in sorted(file for file in _PACKAGE.rglob("*") if file.suffix in _CODE and file.is_file()):
        digest.update(f"{file.relative_to(_PACKAGE).as_posix()}\0".encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()
