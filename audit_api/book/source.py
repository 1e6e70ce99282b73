"""Read one YAML file of the book into plain Python values, remembering the line of every path.

Why not `yaml.safe_load`: PyYAML follows YAML 1.1, where `no` is False (Norway's language code),
`10:00` is the integer 600 (an opening time) and a repeated key silently wins. Here plain scalars
follow the YAML 1.2 core schema, everything else stays a string, and a repeated key is an error.

Not for: validating shapes (that is msgspec's job in `book/loader.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")


def format_path(path: PathKey) -> str:
    """`("stages", 0, "items")` -> `$.stages[0].items`, the form used in every message."""
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


class SourceError(Exception):
    """The file is not readable YAML; carries the 1-based line."""

    def __init__(self, message: str, line: int, path: PathKey = ()):
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path


@dataclass
class Source:
    """One parsed file: its data plus the line of each value and of each mapping key."""

    file: Path
    data: Any
    value_lines: dict[PathKey, int] = field(default_factory=dict)
    key_lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey, *, key: bool = False) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        lines = self.key_lines if key else self.value_lines
        while path:
            if path in lines:
                return lines[path]
            if path in self.value_lines:
                return self.value_lines[path]
            path = path[:-1]
        return self.value_lines.get((), 1)


def read_source(file: Path, text: str | None = None) -> Source:
    """Parse `file` (or `text`, shown as coming from `file`); raises SourceError."""
    if text is None:
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(f"not UTF-8 text: {exc.reason}", 1) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise SourceError(f"not valid YAML: {exc.problem or exc.context}", line) from None
    source = Source(file=file, data=None)
    if node is None:
        raise SourceError("the file is empty", 1)
    source.data = _convert(node, (), source)
    return source


def _convert(node: yaml.Node, path: PathKey, source: Source) -> Any:
    source.value_lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise SourceError("a key must be a plain word", line, path)
            key = key_node.value
            if key == "<<":
                raise SourceError("merge keys (<<) are not supported: write the values out", line, path)
            if key in result:
                first = source.key_lines[path + (key,)]
                raise SourceError(f"key '{key}' appears twice (first on line {first})", line, path + (key,))
            source.key_lines[path + (key,)] = line
            result[key] = _convert(value_node, path + (key,), source)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, path + (index,), source) for index, child in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)  # the safe loader composes nothing else
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style is not None:  # quoted or block: always a string
        return value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value
