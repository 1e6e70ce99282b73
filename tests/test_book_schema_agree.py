"""The JSON Schemas editors use and `audit check` agree on the shape of every file of the book, both ways.

Each case is a copy of the demo book with one change. Every YAML file is read with the book's own
YAML 1.2 reader (`book/source.py`) and validated against the schema its first line names (jsonschema,
Draft 2020-12, formats checked); a file that does not read counts as refused, as an editor flags it
too. `audit check` runs on the same copy. Both must accept, or both refuse.

Editors run a schema's `pattern` with ECMA 262 regular expressions, not Python's: `$` does not match
before a final line break, `\\d` is 0-9 only, `\\s` is another set of spaces. jsonschema would use
Python's `re`, agreeing with msgspec by construction and hiding exactly those differences; so the
validator here gives `pattern` ECMA 262's meaning (`ecma_regex`).

Beyond a schema, and so not here: the rules across fields and files (`book/rules.py`). Duplicate ids,
dangling references (a survey a store names, an FAQ entry's topic, a follow-up's question), opening
hours that overlap or are no time of day (25:00 fits HH:MM), time zones (the tz database), translations
and the chain's languages, min below max, a checklist that cannot be scored, a survey's length.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from audit_api.book import check_book
from audit_api.book.schema import schema_files
from audit_api.book.source import SourceError, read_source

from .conftest import DEMO_BOOK

# --- ECMA 262 regular expressions, as editors run them ------------------------------------------

_ECMA_SPACE = {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF}
_ECMA_CLASSES = {
    "d": set(range(0x30, 0x3A)),
    "w": {*range(0x30, 0x3A), *range(0x41, 0x5B), *range(0x61, 0x7B), 0x5F},
    "s": _ECMA_SPACE,
}


def _class_body(codes: set[int], *, negated: bool = False) -> str:
    """The inside of a character class matching exactly `codes` (or every other character), each escaped."""
    runs: list[list[int]] = []
    for code in sorted(codes):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    if negated:
        edges = [-1, *(edge for run in runs for edge in run), 0x110000]
        runs = [[low + 1, high - 1] for low, high in zip(edges[::2], edges[1::2]) if high - low > 1]
    return "".join(f"\\U{low:08x}" + (f"-\\U{high:08x}" if high != low else "") for low, high in runs)


def ecma_regex(pattern: str) -> str:
    """`pattern` rewritten so that Python's `re` gives it the meaning ECMA 262 does (no flags).

    Only what differs is rewritten: `$` (the end of the input only), `.` (no line terminator), and
    the classes \\d \\w \\s and their negations (ASCII digits and letters, ECMA's spaces). Python-only
    syntax fails, as it would in an editor.
    """
    out, index, in_class = [], 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            escape = pattern[index + 1]
            if escape in "AZzP":
                raise ValueError(f"\\{escape} is not ECMA 262: {pattern}")
            if escape.lower() in _ECMA_CLASSES:
                codes = _ECMA_CLASSES[escape.lower()]
                body = _class_body(codes, negated=escape.isupper())
                out.append(body if in_class else f"[{body}]")
            else:
                out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif not in_class and char == "$":
            char = "(?![\\s\\S])"
        elif not in_class and char == ".":
            char = "[^\\n\\r\\u2028\\u2029]"
        elif not in_class and pattern.startswith("(?P", index):
            raise ValueError(f"(?P is not ECMA 262: {pattern}")
        out.append(char)
        index += 1
    return "".join(out)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_regex(pattern))


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Any:
    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


EditorValidator = jsonschema.validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})
SCHEMAS = {name: json.loads(text) for name, text in schema_files().items()}


@cache
def editor(schema_name: str) -> Any:
    """The validator of one schema, as an editor runs it: ECMA 262 patterns, formats checked."""
    return EditorValidator(SCHEMAS[schema_name], format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_the_ecma_rewrite_keeps_the_differences_it_is_for() -> None:
    """What Python accepts and an editor does not, which a plain jsonschema run would miss."""
    assert re.search(r"^[a-z]+$", "front\n") and not _compiled(r"^[a-z]+$").search("front\n")
    assert re.search(r"^\d\d$", "١٢") and not _compiled(r"^\d\d$").search("١٢")
    assert re.search(r"^[^\s]$", "\ufeff") and not _compiled(r"^[^\s]$").search("\ufeff")


def schema_problems(book: Path) -> dict[str, list[str]]:
    """Every file of `book` against the schema its first line names: file -> what an editor would underline."""
    found: dict[str, list[str]] = {}
    for file in [book / "chain.yaml", book / "faq.yaml", *sorted(book.glob("*/*.yaml"))]:
        text = file.read_text(encoding="utf-8")
        schema_name = Path(text.splitlines()[0].split("$schema=")[1]).name
        if errors := _file_problems(schema_name, text):
            found[file.name] = list(errors)
    return found


@cache  # most files of a case are the demo book's, unchanged
def _file_problems(schema_name: str, text: str) -> tuple[str, ...]:
    try:
        data = read_source(Path("file.yaml"), text).data
    except SourceError as exc:
        return (f"does not read: {exc.message}",)
    return tuple(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in editor(schema_name).iter_errors(data))


def break_book(book_dir: Path, file: str, old: str, new: str) -> None:
    path = book_dir / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# (name, file, old, new): each a change of shape only, so the schema can see it.
REFUSED = [
    ("trailing newline in an id (block scalar)", "stores/sarajevo-alta.yaml", "id: sarajevo-alta\n", "id: |\n  sarajevo-alta\n"),
    ("Arabic-Indic digits in hours", "stores/sarajevo-alta.yaml", '  mon: ["10:00-22:00"]', '  mon: ["١٠:٠٠-٢٢:٠٠"]'),
    ("dots in hours", "stores/sarajevo-alta.yaml", '  mon: ["10:00-22:00"]', '  mon: ["10.00-22.00"]'),
    ("hours not a list", "stores/sarajevo-alta.yaml", '  mon: ["10:00-22:00"]', "  mon: 10:00-22:00"),
    ("bad item kind", "standards/phone-call.yaml", "kind: yes_no\n", "kind: yesno\n"),
    ("item without a kind", "standards/phone-call.yaml", "        kind: yes_no\n", ""),
    ("key of another kind", "standards/phone-call.yaml", "kind: yes_no\n", "kind: yes_no\n        min: 1\n"),
    ("bad question kind", "surveys/store-feedback.yaml", "kind: nps\n", "kind: NPS\n"),
    ("missing required key", "standards/phone-call.yaml", "channel: call\n", ""),
    ("unknown key", "stores/kazan-baumana.yaml", "city: Kazan\n", "city: Kazan\ncolour: green\n"),
    ("wrong type", "chain.yaml", "retention_days: 365", "retention_days: a year"),
    ("text where a list goes", "chain.yaml", "languages: [en, bs, ru, es, sw, bg]", "languages: en"),
    ("a number where text goes", "standards/phone-call.yaml", "title: {en: Phone call,", "title: {en: 5,"),
    ("bad id pattern", "stores/mostar-centar.yaml", "id: mostar-centar", "id: Mostar_Centar"),
    ("bad country pattern", "stores/mostar-centar.yaml", "country: BA", "country: ba"),
    ("byte-order mark in an e-mail", "stores/mostar-centar.yaml", "email: mostar@lipa.example", 'email: "mostar@lipa.example\\ufeff"'),
    ("bad language key", "standards/phone-call.yaml", "title: {en: Phone call,", "title: {EN: Phone call,"),
    ("bad enum value", "standards/phone-call.yaml", "channel: call", "channel: phone"),
    ("yes for true", "standards/phone-call.yaml", "critical: true", "critical: yes"),
    ("local date", "standards/phone-call.yaml", "reviewed: 2026-10-15", "reviewed: 15.10.2026"),
    ("no such date", "standards/phone-call.yaml", "reviewed: 2026-10-15", "reviewed: 2026-02-30"),
    ("below a minimum", "chain.yaml", "retention_days: 365", "retention_days: 0"),
    ("not above an exclusive minimum", "standards/phone-call.yaml", "target: 3\n", "target: 0\n"),
    ("above a maximum", "stores/sarajevo-alta.yaml", "lat: 43.8569", "lat: 143.8569"),
    ("an empty list that needs an entry", "standards/phone-call.yaml", "critical_cap: keep\n", "critical_cap: keep\nstages: []\n"),
    ("an id too long", "stores/mostar-centar.yaml", "id: mostar-centar", "id: " + "mostar-" * 10 + "centar"),
    ("a comma splitting a text", "standards/phone-call.yaml", "title: {en: Phone call,", "title: {en: Phone, call,"),
    ("a ' #' emptying a text", "chain.yaml", "name: Lipa", "name: #1 Lipa"),
    ("a ': ' breaking the file", "chain.yaml", "name: Lipa", "name: Lipa: stores"),
]
ACCEPTED = [
    ("the demo book", "chain.yaml", "name: Lipa", "name: Lipa"),
    ("a whole number written 365.0", "chain.yaml", "retention_days: 365", "retention_days: 365.0"),
    ("a quoted date", "standards/phone-call.yaml", "reviewed: 2026-10-15", 'reviewed: "2026-10-15"'),
    ("True for true", "standards/phone-call.yaml", "critical: true", "critical: True"),
    ("a quoted text with ': ' and ' #'", "chain.yaml", "name: Lipa", 'name: "Lipa: stores #1"'),
    ("an empty option", "stores/sarajevo-alta.yaml", "coordinates: {lat: 43.8569, lon: 18.4127}", "coordinates: null"),
]


@pytest.mark.parametrize(("name", "file", "old", "new"), REFUSED, ids=[case[0] for case in REFUSED])
def test_a_broken_shape_is_refused_by_both(book_dir: Path, name: str, file: str, old: str, new: str) -> None:
    break_book(book_dir, file, old, new)
    editor = schema_problems(book_dir)
    check = [str(p) for p in check_book(book_dir).errors]
    assert Path(file).name in editor, f"{name}: the schema accepts it, `audit check` says {check}"
    assert check, f"{name}: `audit check` accepts it, an editor says {editor}"
    assert all(Path(file).name in problem.split(":")[0] for problem in check), check


@pytest.mark.parametrize(("name", "file", "old", "new"), ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_a_good_shape_is_accepted_by_both(book_dir: Path, name: str, file: str, old: str, new: str) -> None:
    break_book(book_dir, file, old, new)
    assert schema_problems(book_dir) == {}
    assert check_book(book_dir).errors == []


def test_a_bad_kind_is_reported_as_a_bad_kind(book_dir: Path) -> None:
    """Not as "'min' is a required property", which `anyOf` over the kinds would give."""
    break_book(book_dir, "standards/phone-call.yaml", "kind: yes_no\n", "kind: yesno\n")
    error = _best_error(book_dir / "standards" / "phone-call.yaml")
    assert list(error.absolute_path)[-1] == "kind"
    assert "'yesno' is not one of ['yes_no', 'scale', 'number', 'choice']" in error.message


def test_an_item_is_checked_against_its_own_kind_only(book_dir: Path) -> None:
    break_book(book_dir, "standards/phone-call.yaml", "kind: yes_no\n", "kind: yes_no\n        colour: green\n")
    error = _best_error(book_dir / "standards" / "phone-call.yaml")
    assert "'colour' was unexpected" in error.message, error.message
    assert "required" not in error.message


def _best_error(file: Path) -> jsonschema.ValidationError:
    error = best_match(editor("checklist.schema.json").iter_errors(read_source(file).data))
    assert error is not None
    return error


# Strings to try every pattern of the book on: the examples of each, and each with the characters
# where Python and ECMA 262 part ways put before, inside and after it.
_AWKWARD = ["\n", "\r", "\u2028", "\x1c", "\x85", "\ufeff", "\xa0", " ", "١", "٠", "𝟙", "ǅ", "é"]
_SEEDS = ["front-door", "en", "pt-BR", "BA", "shop@example.com", "09:00-20:00", "2026-12-24", "BAM", "LIPA"]


def _patterns(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["pattern"]} if isinstance(node.get("pattern"), str) else set()
        return own.union(*(_patterns(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_patterns(value) for value in node))
    return set()


@pytest.mark.parametrize("pattern", sorted(_patterns(SCHEMAS)))
def test_a_pattern_means_the_same_in_python_and_in_editors(pattern: str) -> None:
    probes = {seed[:cut] + odd + seed[cut:] for seed in _SEEDS for odd in _AWKWARD for cut in (0, 1, len(seed))} | set(_SEEDS)
    differ = sorted(p for p in probes if bool(re.search(pattern, p)) != bool(_compiled(pattern).search(p)))
    assert not differ, f"{pattern} means another thing in Python for {differ}"


def test_the_committed_schemas_are_the_ones_checked() -> None:
    for name, schema in SCHEMAS.items():
        assert json.loads((DEMO_BOOK / "schemas" / name).read_text(encoding="utf-8")) == schema, f"run `make schema`: {name}"
