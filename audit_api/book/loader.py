"""Load the standards book folder into a validated `Book`, or into the full list of its problems.

The folder's layout is the contract (the README's section on the standards book shows it too):

    chain.yaml            the chain: languages, contacts, complaint procedure, retention
    faq.yaml              the public FAQ
    stores/*.yaml         one store a file
    standards/*.yaml      one service-standard checklist a file
    surveys/*.yaml        one customer survey a file
    schemas/              JSON Schemas generated from the Structs (not read here)

Every problem names the file, the path inside it and the line. A file with an unknown key still has
its other keys checked, so one run shows as much as it can. Not for: writing anything.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from ..errors import BookInvalid, Problem
from . import rules
from .models import Book, Chain, Checklist, Faq, Store, Survey
from .source import PathKey, Source, SourceError, format_path, read_source

SINGLE_FILES: dict[str, type] = {"chain.yaml": Chain, "faq.yaml": Faq}
FOLDERS: dict[str, type] = {"stores": Store, "standards": Checklist, "surveys": Survey}
_GENERATED = {"schemas"}


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


def load_book(folder: Path) -> Book:
    """The validated book; raises BookInvalid with every error found."""
    result = check_book(folder)
    if result.book is None:
        raise BookInvalid(result.problems)
    return result.book


def check_book(folder: Path) -> LoadResult:
    """Read and validate every file of the book; never raises for bad content."""
    folder = Path(folder)
    problems: list[Problem] = []
    if not folder.is_dir():
        return LoadResult(None, [Problem(file=str(folder), path="$", line=1, message="no such folder")])

    decoded: dict[str, list[tuple[Any, Source]]] = {}
    for name, type_ in SINGLE_FILES.items():
        file = folder / name
        if not file.is_file():
            problems.append(Problem(file=_show(file, folder), path="$", line=1, message="missing file"))
            continue
        decoded[name] = _decode_file(file, folder, type_, problems)
    for sub, type_ in FOLDERS.items():
        files = sorted((folder / sub).glob("*.y*ml")) if (folder / sub).is_dir() else []
        decoded[sub] = [item for file in files for item in _decode_file(file, folder, type_, problems)]
    problems.extend(_stray_files(folder))

    if any(not decoded.get(name) for name in SINGLE_FILES):
        return LoadResult(None, problems)
    (chain, _), (faq, _) = decoded["chain.yaml"][0], decoded["faq.yaml"][0]
    book = Book(
        chain=chain,
        faq=faq,
        stores=[obj for obj, _ in decoded["stores"]],
        checklists=[obj for obj, _ in decoded["standards"]],
        surveys=[obj for obj, _ in decoded["surveys"]],
    )
    sources = {id(obj): src for items in decoded.values() for obj, src in items}
    problems.extend(rules.check(book, lambda obj: sources[id(obj)]))
    has_errors = any(p.severity == "error" for p in problems)
    return LoadResult(None if has_errors else book, sorted(problems, key=lambda p: (p.file, p.line)))


def _show(file: Path, folder: Path) -> str:
    """How a file is named in messages: relative to the book's parent, e.g. checklists/chain.yaml."""
    try:
        return str(file.relative_to(folder.parent))
    except ValueError:
        return str(file)


def _stray_files(folder: Path) -> list[Problem]:
    """YAML files the loader would not read: most likely a misnamed file."""
    known = set(SINGLE_FILES) | set(FOLDERS) | _GENERATED
    stray = []
    for file in sorted(folder.rglob("*.y*ml")):
        top = file.relative_to(folder).parts[0]
        if top not in known or (top in FOLDERS and file.parent != folder / top):
            expected = ", ".join([*SINGLE_FILES, *(f"{f}/*.yaml" for f in FOLDERS)])
            stray.append(
                Problem(file=_show(file, folder), path="$", line=1, message=f"unexpected file: the book reads {expected}")
            )
    return stray


def _decode_file(file: Path, folder: Path, type_: type, problems: list[Problem]) -> list[tuple[Any, Source]]:
    shown = _show(file, folder)
    try:
        source = read_source(file)
    except SourceError as exc:
        problems.append(Problem(file=shown, path=format_path(exc.path), line=exc.line, message=exc.message))
        return []
    source.file = Path(shown)
    obj = _convert(source, type_, problems)
    return [] if obj is None else [(obj, source)]


_AT = re.compile(r"^(?P<msg>.*?)(?: - at (?P<key>`key` in )?`(?P<path>\$[^`]*)`)?$", re.S)
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<key>.+)`$")
_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[\.\.\.\]")


def _convert(source: Source, type_: type, problems: list[Problem]) -> Any:
    """msgspec-decode the source; report unknown keys and go on without them, stop at anything else."""
    data = copy.deepcopy(source.data)
    while True:
        try:
            return msgspec.convert(data, type_)
        except msgspec.ValidationError as exc:
            match = _AT.match(str(exc))
            assert match is not None  # the pattern matches any text
            message, path = match["msg"], parse_path(match["path"] or "$")
            if match["key"]:
                message = f"a key: {message}"
            unknown = _UNKNOWN.match(message)
            if unknown is None:
                problems.append(_problem(source, path, _humane(message)))
                return None
            key_path = path + (unknown["key"],)
            hint = _did_you_mean(unknown["key"], _fields_at(type_, source.data, path))
            problems.append(_problem(source, key_path, f"unknown key '{unknown['key']}'{hint}", key=True))
            _delete(data, key_path)


def _problem(source: Source, path: PathKey, message: str, *, key: bool = False, severity: str = "error") -> Problem:
    return Problem(
        file=str(source.file),
        path=format_path(path),
        line=source.line_of(path, key=key),
        message=message,
        severity=severity,
    )


def _humane(message: str) -> str:
    message = message.replace("Object missing required field", "missing required key")
    return message.replace("Invalid value", "invalid value").replace("Expected", "expected")


def parse_path(text: str) -> PathKey:
    """`$.stages[0].items` -> ("stages", 0, "items")."""
    parts: list[str | int] = []
    for name, index in _PATH_PART.findall(text[1:]):
        if name:
            parts.append(name)
        elif index:
            parts.append(int(index))
    return tuple(parts)


def _delete(data: Any, path: PathKey) -> None:
    for part in path[:-1]:
        data = data[part]
    del data[path[-1]]


def _did_you_mean(key: str, fields: list[str]) -> str:
    close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (expected one of: {', '.join(fields)})" if fields else ""


def _fields_at(type_: Any, data: Any, path: PathKey) -> list[str]:
    """The keys a Struct accepts at `path` of `data`, following lists, options and tagged unions."""
    info: Any = msgspec.inspect.type_info(type_)
    for part in path + (None,):
        info = _pick_struct(info, data)
        if part is None:
            break
        if isinstance(info, msgspec.inspect.StructType):
            info = next((f.type for f in info.fields if f.encode_name == part), None)
        elif isinstance(info, (msgspec.inspect.ListType, msgspec.inspect.DictType)):
            info = getattr(info, "item_type", None) or getattr(info, "value_type", None)
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return []
    return [f.encode_name for f in info.fields] if isinstance(info, msgspec.inspect.StructType) else []


def _pick_struct(info: Any, data: Any) -> Any:
    if isinstance(info, msgspec.inspect.UnionType):
        structs = [t for t in info.types if isinstance(t, msgspec.inspect.StructType)]
        for struct in structs:
            if isinstance(data, dict) and struct.tag_field and data.get(struct.tag_field) == struct.tag:
                return struct
        containers = [t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)]
        return structs[0] if len(structs) == 1 else (containers[0] if len(containers) == 1 else info)
    return info
