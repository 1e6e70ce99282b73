"""Decode one file of the book into its Struct with msgspec, and say what stops it in plain words.

msgspec reports one error at a time, in its own words, at a `$.path`. Here the path is located in the
file (a `[...]` of msgspec, some value of a mapping, becomes the key holding it), the type expected
there is looked up (to list a `kind`'s kinds or a Literal's values, or the keys an unknown key may
have meant), and `hints.py` finds the words. Unknown keys are reported and decoding goes on without
them, so one run shows every typo of a file. Not for: the folder's layout (`loader.py`), YAML syntax
(`source.py`), rules across fields and files (`rules.py`).
"""

from __future__ import annotations

import ast
import copy
import difflib
import re
import typing
from dataclasses import dataclass
from typing import Any

import msgspec

from ..errors import Problem
from . import hints
from .source import PathKey, Source, format_path, quoted_item

_AT = re.compile(r"^(?P<msg>.*?)(?: - at (?P<key>`key` in )?`(?P<path>\$[^`]*)`)?$", re.S)
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<key>.+)`$")
_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]|(\[\.\.\.\])")
_GOT = re.compile(r", got `(?P<got>[^`]+)`$")
_KEY_REGEX = re.compile(r"matching regex (?P<regex>'.*')$", re.S)  # the pattern as a Python literal


def decode(source: Source, type_: type, problems: list[Problem]) -> Any:
    """`source` as a `type_` Struct, or None; each problem found goes to `problems`.

    Unknown keys are reported and left out so the rest is still checked; anything else stops there.
    """
    try:
        return msgspec.convert(source.data, type_)
    except msgspec.ValidationError:
        pass  # below, on a copy the unknown keys can be taken out of, one error at a time
    data = copy.deepcopy(source.data)
    while True:
        try:
            return msgspec.convert(data, type_)
        except msgspec.ValidationError as exc:
            match = _AT.match(str(exc))
            assert match is not None  # the pattern matches any text
            got = _GOT.search(match["msg"])
            path = _resolve(data, match["path"] or "$", got["got"] if got else None)
            unknown = _UNKNOWN.match(match["msg"])
            if unknown is None:
                problems.append(_stopping_problem(source, type_, path, match["msg"], in_key=bool(match["key"])))
                return None
            key_path = path + (unknown["key"],)
            message = f"unknown key '{unknown['key']}'{_unknown_key_hint(unknown['key'], type_, source.data, path)}"
            problems.append(problem(source, key_path, message, key=True))
            _delete(data, key_path)


def _stopping_problem(source: Source, type_: type, path: PathKey, message: str, *, in_key: bool) -> Problem:
    """The one problem that stopped decoding a file, in plain words."""
    for split_at, advice in source.splits.items():
        if path[: len(split_at)] == split_at:
            return problem(source, split_at, advice)
    value = _value_at(source.data, path)
    if in_key and isinstance(value, dict) and (regex := _KEY_REGEX.search(message)):
        pattern = ast.literal_eval(regex["regex"])
        key = next((k for k in value if not re.search(pattern, k)), "")
        words = hints.pattern_message(pattern, key)
        line = source.line_of(path + (key,), key=True)
        if " " in key and line <= len(source.lines):  # `- Tell us: what happened` reads as a key and a value
            words += f". If this is a text with ': ' in it, put it in quotes: {quoted_item(source.lines[line - 1]).strip()}"
        return problem(source, path + (key,), words, key=True)
    field_name = next((part for part in reversed(path) if isinstance(part, str)), None)
    line = source.line_of(path)
    found = _info_at(type_, source.data, path)
    return problem(
        source,
        path,
        hints.decode_message(
            message,
            value,
            field=field_name,
            allowed=_allowed(found),
            line=source.lines[line - 1] if 0 < line <= len(source.lines) else "",
        ),
    )


def problem(source: Source, path: PathKey, message: str, *, key: bool = False, severity: str = "error") -> Problem:
    """A problem at `path` of `source`, on the line of its value (or of its key, with `key`)."""
    return Problem(
        file=source.name,
        path=format_path(path),
        line=source.line_of(path, key=key),
        message=message,
        severity=severity,
    )


def _resolve(data: Any, text: str, got: str | None) -> PathKey:
    """msgspec's path as a PathKey; its `[...]` (some value of a mapping) becomes the key of the first value of type `got`."""
    parts: list[str | int] = []
    for name, index, anything in _PATH_PART.findall(text[1:]):
        if name:
            parts.append(name)
        elif index:
            parts.append(int(index))
        elif anything:
            mapping = _value_at(data, tuple(parts))
            if not isinstance(mapping, dict):
                break
            key = next((k for k, v in mapping.items() if got is None or _json_type(v) == got), None)
            if key is None:
                break
            parts.append(key)
    return tuple(parts)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    names = {bool: "bool", int: "int", float: "float", str: "str", list: "array", dict: "object"}
    return names.get(type(value), type(value).__name__)


def _value_at(data: Any, path: PathKey) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _delete(data: Any, path: PathKey) -> None:
    for part in path[:-1]:
        data = data[part]
    del data[path[-1]]


def _unknown_key_hint(key: str, type_: Any, data: Any, path: PathKey) -> str:
    """A did-you-mean, else the keys allowed; for an item or question whose kind lacks the key, the kinds that have it."""
    found = _info_at(type_, data, path)
    fields = [f.encode_name for f in found.info.fields] if isinstance(found.info, msgspec.inspect.StructType) else []
    close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    kinds = [str(s.tag) for s in _union_structs(found.union) if key in {f.encode_name for f in s.fields}]
    if kinds and isinstance(found.info, msgspec.inspect.StructType):
        return f": kind {found.info.tag} has no '{key}' ({' and '.join(kinds)} {'has' if len(kinds) == 1 else 'have'} it)"
    return f" (expected one of: {', '.join(fields)})" if fields else ""


@dataclass
class _Found:
    """What `_info_at` found at a path: msgspec's type there (None for the `kind` of an unknown kind),
    the Struct it is a field of, and the tagged union it was picked from."""

    info: Any
    parent: Any = None
    field: str | None = None
    union: Any = None


def _info_at(type_: Any, data: Any, path: PathKey) -> _Found:
    """The type a Struct expects at `path` of `data`, following lists, mappings, options and tagged unions."""
    found = _Found(_unwrap(msgspec.inspect.type_info(type_)))
    for part in path:
        at = _pick_struct(found.info, data)
        if isinstance(at, msgspec.inspect.StructType):
            field_type = next((f.type for f in at.fields if f.encode_name == part), None)
            found = _Found(_unwrap(field_type), parent=at, field=str(part))
        elif isinstance(at, msgspec.inspect.ListType):
            found = _Found(_unwrap(at.item_type))
        elif isinstance(at, msgspec.inspect.DictType):
            found = _Found(_unwrap(at.value_type))
        elif part == _tag_field(at):
            found = _Found(None, union=at)  # the kind of an item whose kind is none of the kinds
        else:
            return _Found(None)
        data = _value_at(data, (part,))
    picked = _pick_struct(found.info, data)
    if picked is not found.info:
        found.union, found.info = found.info, picked
    return found


def _unwrap(info: Any) -> Any:
    while isinstance(info, msgspec.inspect.Metadata):
        info = info.type
    if isinstance(info, msgspec.inspect.UnionType):
        return msgspec.inspect.UnionType(tuple(_unwrap(t) for t in info.types))
    return info


def _pick_struct(info: Any, data: Any) -> Any:
    if isinstance(info, msgspec.inspect.UnionType):
        structs = _union_structs(info)
        for struct in structs:
            if isinstance(data, dict) and struct.tag_field and data.get(struct.tag_field) == struct.tag:
                return struct
        containers = [t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)]
        if len(structs) == 1 and not structs[0].tag_field:
            return structs[0]
        if len(containers) == 1:
            return containers[0]
        dicts = [t for t in containers if isinstance(t, msgspec.inspect.DictType)]
        if isinstance(data, dict) and len(dicts) == 1 and not structs:
            return dicts[0]  # a Text written per language
    return info


def _union_structs(info: Any) -> list[Any]:
    if not isinstance(info, msgspec.inspect.UnionType):
        return []
    return [t for t in info.types if isinstance(t, msgspec.inspect.StructType)]


def _tag_field(info: Any) -> str | None:
    return next((s.tag_field for s in _union_structs(info) if s.tag_field), None)


def _allowed(found: _Found) -> list[str]:
    """The values of the closed list the value found must come from: a union's kinds, or a Literal's values."""
    if found.info is None and found.union is not None:
        return [str(s.tag) for s in _union_structs(found.union)]
    if _tag_field(found.info):
        return [str(s.tag) for s in _union_structs(found.info)]  # no kind given: it must be one of these
    types = found.info.types if isinstance(found.info, msgspec.inspect.UnionType) else (found.info,)
    literals = [t for t in types if isinstance(t, msgspec.inspect.LiteralType)]
    if not literals:
        return []
    return _declared_literal(found.parent, found.field) or sorted(str(v) for literal in literals for v in literal.values)


def _declared_literal(parent: Any, name: str | None) -> list[str]:
    """A Literal's values in the order the model declares them (msgspec's type info sorts them)."""
    if not isinstance(parent, msgspec.inspect.StructType) or name is None:
        return []
    field_name = next((f.name for f in parent.fields if f.encode_name == name), name)
    hint = typing.get_type_hints(parent.cls).get(field_name)
    return [str(v) for v in _literal_args(hint)]


def _literal_args(hint: Any) -> list[Any]:
    if typing.get_origin(hint) is typing.Literal:
        return list(typing.get_args(hint))
    return [value for arg in typing.get_args(hint) for value in _literal_args(arg)]
