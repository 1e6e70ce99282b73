"""Load the standards book folder into a validated `Book`, or into the full list of its problems.

The folder's layout is the contract (the README's section on the standards book shows it too):

    chain.yaml            the chain: languages, contacts, complaint procedure, retention
    faq.yaml              the public FAQ
    stores/*.yaml         one store a file
    standards/*.yaml      one service-standard checklist a file
    surveys/*.yaml        one customer survey a file
    schemas/              JSON Schemas generated from the Structs (not read here)

Every problem names the file (as the caller named the folder: `./my-book/chain.yaml` for
`./my-book`), the path inside it and the line, in plain words (`book/hints.py`). A file with an
unknown key still has its other keys checked, so one run shows as much as it can; a file that does
not decode is left out of the rules across files, and references into its folder wait for the fix,
so one mistake is one error. Not for: writing anything.
"""

from __future__ import annotations

import difflib
import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BookInvalid, Problem
from ..progress import Step, Total, no_step
from . import rules
from .decode import decode, problem
from .models import Book, Chain, Checklist, Faq, Store, Survey
from .source import Source, SourceError, format_path, read_source

SINGLE_FILES: dict[str, type] = {"chain.yaml": Chain, "faq.yaml": Faq}
FOLDERS: dict[str, type] = {"stores": Store, "standards": Checklist, "surveys": Survey}
_GENERATED = {"schemas"}
YAML_SUFFIXES = (".yaml", ".yml")
# What a folder holds, and a file name for the example, for the error when it holds nothing.
_ONE = {"stores": ("store", "main-street"), "standards": ("checklist", "store-visit"), "surveys": ("survey", "store-feedback")}
# What each kind of file is called in messages.
_KIND_NAMES: dict[type, str] = {Chain: "the chain", Faq: "the FAQ", Store: "a store", Checklist: "a checklist", Survey: "a survey"}


@dataclass
class LoadResult:
    book: Book | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def load_book(folder: Path | str) -> Book:
    """The validated book; raises BookInvalid with every error found."""
    result = check_book(folder)
    if result.book is None:
        raise BookInvalid(result.problems)
    return result.book


def check_book(folder: Path | str, *, step: Step = no_step, total: Total = no_step) -> LoadResult:
    """Read and validate every file of the book; never raises for bad content.

    Files are named in messages the way `folder` is written: pass the text a person typed
    (`./my-book`) to have it kept as it is, `./` included. The progress is counted in stores, most
    of the work in a big chain: `total` hears how many there are, `step` of each one read and decoded.
    """
    with _collector_paused():
        return _check_book(folder, step, total)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while the book is read: every file adds thousands of objects that stay
    (values, lines, Structs) and none forms a cycle, yet each few hundred allocations the collector walked
    them all again, a quarter of a 2,000-store load (`bench/book_load.py`). Back on as it was afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_book(folder: Path | str, step: Step, total: Total) -> LoadResult:
    book_dir = _BookDir(Path(folder), os.fspath(folder))
    folder = book_dir.root
    problems: list[Problem] = []
    if not folder.is_dir():
        return LoadResult(None, [Problem(file=book_dir.given, path="$", line=1, message="no such folder")])

    decoded: dict[str, list[tuple[Any, Source]]] = {}
    unread: set[str] = set()  # the folders with a file that did not decode, or with no file at all
    for name, type_ in SINGLE_FILES.items():
        file = folder / name
        if not file.is_file():
            problems.append(Problem(file=book_dir.show(file), path="$", line=1, message="missing file"))
            continue
        decoded[name] = _decode_file(file, book_dir, type_, problems)
    for sub, type_ in FOLDERS.items():
        files = _book_files(folder / sub)
        counted = sub == "stores"
        if counted:
            total(len(files))
        decoded[sub] = []
        for file in files:
            decoded[sub] += _decode_file(file, book_dir, type_, problems)
            if counted:
                step(1)
        if len(decoded[sub]) < len(files) or not files:
            unread.add(sub)
        if not files:
            problems.append(_empty_folder(book_dir, sub))
    problems.extend(_stray_files(book_dir))

    if any(not decoded.get(name) for name in SINGLE_FILES):
        return LoadResult(None, _sorted(problems))
    (chain, _), (faq, _) = decoded["chain.yaml"][0], decoded["faq.yaml"][0]
    book = Book(
        chain=chain,
        faq=faq,
        stores=[obj for obj, _ in decoded["stores"]],
        checklists=[obj for obj, _ in decoded["standards"]],
        surveys=[obj for obj, _ in decoded["surveys"]],
    )
    sources = {id(obj): src for items in decoded.values() for obj, src in items}
    problems.extend(rules.check(book, lambda obj: sources[id(obj)], unread=frozenset(unread)))
    has_errors = any(p.severity == "error" for p in problems)
    return LoadResult(None if has_errors else book, _sorted(problems))


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line))


@dataclass(frozen=True)
class _BookDir:
    """The book's folder, and how the caller wrote it: the start of every file name in messages."""

    root: Path
    given: str

    def show(self, file: Path) -> str:
        """`file` named from the folder as given: `./my-book` + `stores/x.yaml` -> `./my-book/stores/x.yaml`."""
        inside = file.relative_to(self.root).as_posix()
        start = self.given.rstrip("/")
        if not start:
            return f"/{inside}" if self.given.startswith("/") else inside
        return f"{start}/{inside}"


def _book_files(folder: Path) -> list[Path]:
    """The YAML files the book reads in `folder` (not below it)."""
    if not folder.is_dir():
        return []
    return sorted((file for file in folder.iterdir() if file.suffix.lower() in YAML_SUFFIXES and file.is_file()), key=_in_order)


def _in_order(file: Path) -> tuple[str, ...]:
    """Paths' own order (their parts), without `Path.__lt__`'s cost on a few thousand stores."""
    return file.parts


def _empty_folder(book_dir: _BookDir, sub: str) -> Problem:
    one, example = _ONE[sub]
    return Problem(
        file=book_dir.show(book_dir.root / sub) + "/",
        path="$",
        line=1,
        message=f"the book has no {one}: add a file for each {one} here, e.g. {sub}/{example}.yaml",
    )


def _stray_files(book_dir: _BookDir) -> list[Problem]:
    """YAML files the loader would not read (misnamed, or in the wrong folder): warnings, naming where such a file goes.

    Other files (a README.md beside the stores, an editor's backup) are left alone.
    """
    folder = book_dir.root
    found = []
    for here, folders, names in os.walk(folder):
        inside = Path(here).relative_to(folder).parts
        # Hidden folders and files (.git, an editor's state) and the generated schemas are not the book's.
        folders[:] = [name for name in folders if not name.startswith(".") and (inside or name not in _GENERATED)]
        if len(inside) == 1 and inside[0] in FOLDERS:
            continue  # its YAML files are the ones the book reads (`_book_files`): thousands of stores, not looked at again
        for name in names:
            if name.startswith(".") or os.path.splitext(name)[1].lower() not in YAML_SUFFIXES or (not inside and name in SINGLE_FILES):
                continue
            if (file := Path(here, name)).is_file():
                found.append(file)
    stray = []
    for file in sorted(found, key=_in_order):
        message = f"the book does not read this file{_where_it_goes(file, file.relative_to(folder))}"
        stray.append(Problem(file=book_dir.show(file), path="$", line=1, message=message, severity="warning"))
    return stray


def _where_it_goes(file: Path, inside: Path) -> str:
    """Where a stray file may have been meant to go: by what it holds, else by its name; else what the book reads."""
    expected = ", ".join([*SINGLE_FILES, *(f"{sub}/*.yaml" for sub in FOLDERS)])
    kind = _kind_of(file)
    places = {type_: name for name, type_ in SINGLE_FILES.items()} | {type_: f"{sub}/{inside.name}" for sub, type_ in FOLDERS.items()}
    if kind is not None and kind in SINGLE_FILES.values():
        return f": it holds {_KIND_NAMES[kind]}, which the book reads from {places[kind]}"
    if kind is not None:
        return f": it holds {_KIND_NAMES[kind]}; move it to {places[kind]}"
    if len(inside.parts) == 1 and (close := difflib.get_close_matches(inside.name, list(SINGLE_FILES), n=1, cutoff=0.6)):
        return f": did you mean {close[0]}?"
    if len(inside.parts) == 2 and (close := difflib.get_close_matches(inside.parts[0], list(FOLDERS), n=1, cutoff=0.6)):
        return f": did you mean {close[0]}/{inside.name}?"
    return f" (it reads {expected})"


def _kind_of(file: Path) -> type | None:
    """The kind of book file `file` holds, judged by its keys; None if unreadable or unclear."""
    try:
        data = read_source(file).data
    except SourceError:
        return None
    if not isinstance(data, dict):
        return None
    fits = [kind for kind in _KIND_NAMES if set(data) <= _fields(kind)]
    return fits[0] if len(fits) == 1 else None


def _fields(kind: type) -> set[str]:
    return set(getattr(kind, "__struct_fields__", ()))


def _decode_file(file: Path, book_dir: _BookDir, type_: type, problems: list[Problem]) -> list[tuple[Any, Source]]:
    shown = book_dir.show(file)
    try:
        source = read_source(file)
    except SourceError as exc:
        problems.append(Problem(file=shown, path=format_path(exc.path), line=exc.line, message=exc.message))
        return []
    source.name = shown
    for path, note in source.notes:
        problems.append(problem(source, path, note, severity="warning"))
    if looks_like := _other_kind(source.data, type_):
        problems.append(problem(source, (), f"this file holds {_KIND_NAMES[looks_like]}, not {_KIND_NAMES[type_]}: is it in the wrong place?"))
        return []
    obj = decode(source, type_, problems)
    return [] if obj is None else [(obj, source)]


def _other_kind(data: Any, type_: type) -> type | None:
    """The kind of file `data` is, when it has several keys `type_` does not know and another kind knows them all."""
    if not isinstance(data, dict):
        return None
    if len(set(data) - _fields(type_)) < 3:
        return None
    return next((other for other in _KIND_NAMES if other is not type_ and set(data) <= _fields(other)), None)
