"""Read one YAML file of the book into plain Python values, remembering the line of every path.

Why not `yaml.safe_load`: PyYAML follows YAML 1.1, where `no` is False (Norway's language code),
`10:00` is the integer 600 (an opening time) and a repeated key silently wins. Here plain scalars
follow the YAML 1.2 core schema, everything else stays a string, and a repeated key is an error.
A number with nothing after its point (`365.0`) is the whole number 365, as JSON has it (so an editor
checking the file against its JSON Schema agrees).

Where YAML trips a first-time writer, the reader says so in plain words: a text holding `: `, ` #` or
a leading `?` that breaks the file gets the line back with the text in quotes; a ` #` that silently
ends a text, and a comma that splits a text inside `{en: ..., bs: ...}`, are remembered (`notes`,
`splits`) for the loader to report.

Not for: validating shapes (that is msgspec's job, in `book/decode.py`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_MAY_NOT_BE_TEXT = frozenset("~nNtTfF+-.0123456789")  # how a null, a boolean or a number can start
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
    name: str = ""  # how messages name the file (the loader's choice); the file's path if empty
    value_lines: dict[PathKey, int] = field(default_factory=dict)
    key_lines: dict[PathKey, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # the file's text, for hints that quote a line
    # A `{...}` mapping where a comma split a text (`{bg: Добре, благодаря}`): its path -> the advice.
    splits: dict[PathKey, str] = field(default_factory=dict)
    # Warnings found while reading (a ` #` that ended a text early): path and message.
    notes: list[tuple[PathKey, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.name = self.name or str(self.file)

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
            raise SourceError(f"not UTF-8 text: {exc.reason} (save the file as UTF-8)", 1) from None
    lines = text.splitlines()
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        line, message = _explain(exc, lines)
        raise SourceError(f"not valid YAML: {message}", line) from None
    except yaml.reader.ReaderError as exc:  # a control character: YAML allows none but tab and line breaks
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise SourceError(f"not valid YAML: an invisible control character (U+{code:04X}) in the text: delete it", line) from None
    source = Source(file=file, data=None, lines=lines)
    if node is None:
        raise SourceError("the file is empty", 1)
    source.data = _convert(node, (), source)
    return source


def _compose(text: str) -> yaml.Node | None:
    """The node tree of `text`: by libyaml when PyYAML was built with it (some ten times faster; the book
    is read on every check and load), else, and for the words of an error, by PyYAML's own parser."""
    if _FastComposer is not None:
        composer = _FastComposer(text)
        try:
            return composer.get_single_node()  # type: ignore[no-any-return]
        except yaml.YAMLError:
            pass  # PyYAML's parser, below, says what is wrong in the words `_explain` knows
        finally:
            composer.dispose()
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _untagged(*args: Any) -> None:
    """No tag resolution: `_scalar` reads each plain scalar by YAML 1.2's core schema, so the tags PyYAML's
    resolver would work out (a regular-expression search per node, a third of composing) go unused."""


_CParser: Any = getattr(getattr(yaml, "_yaml", None), "CParser", None)
_FastComposer: Any = (
    type("_FastComposer", (_CParser,), {"resolve": _untagged, "descend_resolver": _untagged, "ascend_resolver": _untagged})
    if _CParser is not None
    else None
)


# PyYAML's words for what went wrong -> plain words; the quote hint, if any, follows.
_PROBLEMS = [
    ("mapping values are not allowed", "a ': ' inside a text makes YAML read a new key there"),
    ("but got ':'", "a ': ' inside a text makes YAML read a new key there"),
    ("mapping keys are not allowed", "a '?' at the start of a text makes YAML read a key"),
    ("could not find expected ':'", "a line without its 'key:', or a text that runs on without quotes"),
    ("found character '\\t'", "a tab: indent with spaces"),
    ("that cannot start any token", "a text cannot start with this character"),
    ("expected alphabetic or numeric character", "a text cannot start with * or & (YAML reads a reference)"),
    ("found unexpected end of stream", "a quote is opened and never closed"),
    ("'<block mapping start>'", "this line is indented differently from the lines around it"),
    ("'<stream end>'", "a [ or { is opened and never closed"),
    ("'<scalar>'", "more text follows a closing quote or bracket"),
]
_ENTRY = re.compile(r"^(?P<lead>\s*(?:-\s+)?)(?:(?P<key>[^\s'\"#{}\[\],:][^:#]*?):(?:\s+|$))?(?P<value>.*?)\s*$")
_ITEM = re.compile(r"^(?P<lead>\s*(?:-\s+)?)(?P<item>.*?)\s*$")
_FLOW_ENTRY = re.compile(r",\s*(?=[a-z]{2,3}(?:-[A-Z]{2})?:\s)")
_NEEDS_QUOTES = re.compile(r""": |:$| #|^[?#@`%&*!|>]|^- |^\[[^\]]*\]\s*\S|^\{[^}]*\}\s*\S|^(['"])[^'"]*\1\s*\S""")


def _explain(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, str]:
    """The line to blame and what went wrong there, in plain words, with the line quoted right when that helps."""
    problem = exc.problem or exc.context or "unreadable"
    mark = exc.problem_mark or exc.context_mark
    in_flow = "flow" in (exc.context or "")
    same_line = exc.problem_mark is not None and exc.context_mark is not None and exc.problem_mark.line == exc.context_mark.line
    unclosed = "<stream end>" in problem or "end of stream" in problem or (in_flow and not ("got ':'" in problem and same_line))
    if exc.context_mark is not None and unclosed:
        mark = exc.context_mark  # the bracket or quote left open, not where YAML noticed
    line = mark.line + 1 if mark else 1
    words = next((plain for needle, plain in _PROBLEMS if needle in problem), problem)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if unclosed and in_flow:
        words = "a [ or { is not closed on its line"
    if unclosed and " #" in text:
        words += "; a ' #' starts a comment, which hides the rest of the line"
    fixed = quoted_line(text)
    return line, f"{words}. Put the text in quotes: {fixed.strip()}" if fixed else words


def quoted_line(text: str) -> str | None:
    """`text` (a line of YAML) with its text value in quotes, if a character in it means something to YAML.

    `text: How was it: good?` -> `text: "How was it: good?"`; `{en: Note: this, bs: x}` -> its texts quoted
    one by one. None when there is nothing to quote.
    """
    match = _ENTRY.match(text)
    if match is None or not match["value"]:
        return None
    value = match["value"]
    prefix = match["lead"] + (f"{match['key']}: " if match["key"] else "")
    if value.startswith("{") and value.endswith("}") and match["key"]:
        entries = [entry.partition(":") for entry in _FLOW_ENTRY.split(value[1:-1].strip())]
        if all(sep for _, sep, _ in entries):
            parts = [f"{lang.strip()}: {_quote(body.strip()) if _needs_quotes(body.strip()) else body.strip()}" for lang, _, body in entries]
            fixed = prefix + "{" + ", ".join(parts) + "}"
            return fixed if fixed != text.rstrip() else None
    if _needs_quotes(value) and not (value[0] in "'\"" and value.count(value[0]) < 2):  # not an unclosed quote
        return prefix + _quote(value)
    return None


def quoted_item(text: str) -> str:
    """`text` (a line of YAML) with everything after its `- ` in quotes: `- Tell us: what` -> `- "Tell us: what"`."""
    match = _ITEM.match(text)
    assert match is not None  # the pattern matches any line
    return match["lead"] + _quote(match["item"])


def _needs_quotes(value: str) -> bool:
    return bool(_NEEDS_QUOTES.search(value)) or "," in value and not value.startswith(("[", "{"))


def _quote(value: str) -> str:
    """`value` as a YAML quoted scalar: in single quotes if it holds a double quote, else in JSON's syntax, which YAML shares."""
    if '"' in value and "'" not in value:
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)


def _convert(node: yaml.Node, path: PathKey, source: Source) -> Any:
    # The hottest loop of `audit load` (every value of every file): node kinds by exact type, lines stored
    # straight into the dicts, and a comment looked for only where the line has a '#' after the value.
    source.value_lines[path] = node.start_mark.line + 1
    if type(node) is yaml.ScalarNode:
        value = _scalar(node)
        if not node.style and type(value) is str:
            end = node.end_mark
            if end.line < len(source.lines) and "#" in source.lines[end.line]:
                _note_comment(node, path, source)
        return value
    if type(node) is yaml.SequenceNode:
        return [_convert(child, (*path, index), source) for index, child in enumerate(node.value)]
    assert type(node) is yaml.MappingNode  # the safe loader composes nothing else
    result: dict[str, Any] = {}
    key_lines = source.key_lines
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if type(key_node) is not yaml.ScalarNode:
            raise SourceError("a key must be a plain word", line, path)
        key = key_node.value
        if key == "<<":
            raise SourceError("merge keys (<<) are not supported: write the values out", line, path)
        key_path = (*path, key)
        if key in result:
            raise SourceError(f"key '{key}' appears twice (first on line {key_lines[key_path]})", line, key_path)
        key_lines[key_path] = line
        result[key] = _convert(value_node, key_path, source)
    if node.flow_style:
        _note_split(node, path, source)
    return result


def _note_split(node: yaml.MappingNode, path: PathKey, source: Source) -> None:
    """`{bg: Добре, благодаря, ru: ...}`: the comma ended the text, and `благодаря` became a key without a value."""
    pairs = node.value
    for (key_node, value_node), (next_key, next_value) in zip(pairs, pairs[1:]):
        if next_value.start_mark.index == next_value.end_mark.index and isinstance(next_key, yaml.ScalarNode):
            text = f"{value_node.value}, {next_key.value}" if isinstance(value_node, yaml.ScalarNode) else next_key.value
            advice = f"the comma after '{value_node.value}' ends the text, so YAML reads '{next_key.value}' as a language of its own"
            line = source.lines[node.start_mark.line] if node.start_mark.line < len(source.lines) else ""
            fixed = quoted_line(line) if node.start_mark.line == node.end_mark.line else None
            quoted = fixed.strip() if fixed else f"{key_node.value}: {_quote(text)}"
            source.splits[path] = f"{advice}. Put the text in quotes ({quoted}), or write one language a line"
            return


_COMMENT_AFTER = re.compile(r"\s+#[^\s#]")


def _note_comment(node: yaml.ScalarNode, path: PathKey, source: Source) -> None:
    """`text: Room #5 is clean` reads as "Room": a ` #` followed by a word is more likely text than a comment."""
    end = node.end_mark
    rest = source.lines[end.line][end.column:] if end.line < len(source.lines) else ""
    if _COMMENT_AFTER.match(rest):
        whole = f"{node.value}{rest.rstrip()}"
        source.notes.append(
            (path, f"the text ends at ' #': YAML reads '{rest.strip()}' as a comment. If it belongs to the text, put it in quotes: {_quote(whole)}")
        )


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style:  # quoted or block: always a string (plain is None, or "" from libyaml)
        return value
    if not value or value[0] not in _MAY_NOT_BE_TEXT:  # most values are words: skip the patterns below
        return None if not value else value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        number = float(value)
        return int(number) if number.is_integer() else number  # as JSON, and so an editor's schema check, reads it
    return value
