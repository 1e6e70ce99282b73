"""Plain words for what is wrong with a value of the book, and what to write instead.

msgspec says what a Struct expected (`Expected `int`, got `str``, a regex, `Invalid RFC3339 encoded
date`); `decode_message` turns that into words a first-time writer of a book understands, names the
allowed values of a closed list (with a did-you-mean), and recognises local habits: `09.00-20.00`
for a time, `24.12.2026` for a date, `da`/`нет` for true/false. `closest_zone` suggests a time zone.
Pure functions on values: the loader finds the value, its place and its type; this module finds words.
Not for: YAML syntax (`source.py`) or rules across fields and files (`rules.py`).
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import functools
import json
import re
import unicodedata
import zoneinfo
from collections.abc import Iterator, Sequence
from typing import Any

from .base import PATTERN_WORDS

# What a JSON type name in msgspec's messages asks for, in plain words.
_WANT = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "array": "a list",
    "object": "keys with values (key: value, one a line)",
    "date": "a date, year-month-day (e.g. 2026-12-24)",
    "str | object": "a text, or one text per language ({en: ..., bs: ...})",
}
# Words people write for yes and no in the chain's languages; YAML 1.2 reads them all as text.
_TRUE = {"yes", "y", "on", "da", "ja", "si", "sí", "oui", "evet", "ndiyo", "ndio", "да", "так", "tak", "ano", "igen"}
_FALSE = {"no", "n", "off", "ne", "nein", "non", "hayır", "hapana", "нет", "не", "ні", "nie", "nu", "nem"}

_EXPECTED = re.compile(r"^Expected `(?P<want>[^`]+)`(?P<rest>.*?)(?:, got `(?P<got>[^`]+)`)?$")
_BOUND = re.compile(r"^ (?P<op>>=|>|<=|<) (?P<limit>-?[0-9.]+)$")
_LENGTH = re.compile(r"^ of length (?P<op>>=|<=) (?P<limit>[0-9]+)$")
_REGEX = re.compile(r"^ matching regex (?P<regex>'.*')$", re.S)  # the pattern as a Python literal
_MISSING = re.compile(r"^Object missing required field `(?P<key>[^`]+)`$")


def decode_message(message: str, value: Any, *, field: str | None, allowed: Sequence[str] = (), line: str = "") -> str:
    """msgspec's `message` about `value` (the value found there, None if absent) in plain words.

    `field` is the key the value sits under; `allowed`, the values of a closed list there (a `kind`
    or a Literal); `line`, the YAML line it was read from.
    """
    if missing := _MISSING.match(message):
        return f"missing required key '{missing['key']}'" + (f": use one of {', '.join(allowed)}" if allowed else "")
    if allowed:
        return one_of(field or "value", value, allowed)
    if message.startswith("Invalid RFC3339"):
        return date_message(value)
    expected = _EXPECTED.match(message)
    if expected is None:
        return message[:1].lower() + message[1:]
    want, rest, got = expected["want"], expected["rest"], expected["got"]
    if got:
        return _wrong_type(want, got, value, line)
    if regex := _REGEX.match(rest):
        return pattern_message(ast.literal_eval(regex["regex"]), value)
    if bound := _BOUND.match(rest):
        return _out_of_bounds(want, bound["op"], bound["limit"], value)
    if length := _LENGTH.match(rest):
        return _bad_length(want, length["op"], int(length["limit"]), value)
    return message[:1].lower() + message[1:]


def one_of(what: str, value: Any, allowed: Sequence[str]) -> str:
    """`unknown kind 'yesno': use one of yes_no, scale, number, choice (did you mean 'yes_no'?)`."""
    listed = ", ".join(allowed)
    if value is None:
        return f"write one of {listed} here: this is empty"
    if not isinstance(value, str):
        return f"write one of {listed} here, not {_describe(value)}"
    return f"unknown {what} {_show(value)}: use one of {listed}{did_you_mean(value, allowed)}"


def did_you_mean(value: str, options: Sequence[str]) -> str:
    """` (did you mean 'x'?)` when an option is close to `value`; else ''."""
    close = closest(value, options)
    return f" (did you mean '{close}'?)" if close else ""


def closest(value: str, options: Sequence[str]) -> str | None:
    """The option closest to `value`, ignoring case, dashes, underscores and spaces; None if none is close."""

    def fold(text: str) -> str:
        return re.sub(r"[\s_-]+", "", text.casefold())

    folded = {fold(option): option for option in options}
    if fold(value) in folded:
        return folded[fold(value)]
    close = difflib.get_close_matches(fold(value), list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


def _wrong_type(want: str, got: str, value: Any, line: str) -> str:
    wanted = " or ".join(_WANT.get(part, part) for part in want.split(" | ") if part != "null")
    if want == "bool" and isinstance(value, str) and (truth := _truth(value)) is not None:
        word = "true" if truth else "false"
        return f"write {word} here: YAML 1.2 reads {_show(value)} as text, not as {word} (write true or false)"
    if got == "null" and " #" in f" {line.partition(':')[2]}":
        fixed = json.dumps(line.partition(":")[2].strip(), ensure_ascii=False)
        return f"write {wanted} here: this is empty because a ' #' starts a comment. Put the text in quotes: {fixed}"
    if got == "null":
        return f"write {wanted} here: this is empty"
    if want == "array" and got in ("str", "int", "float"):
        return f"write a list here, even of one: [{value}]"
    return f"write {wanted} here, not {_describe(value)}"


def _out_of_bounds(want: str, op: str, limit: str, value: Any) -> str:
    number = "a whole number" if want == "int" else "a number"
    limit = limit.removesuffix(".0")
    words = {">=": f"{limit} or more", ">": f"more than {limit}", "<=": f"{limit} or less", "<": f"less than {limit}"}[op]
    return f"write {number} of {words} here, not {_describe(value)}"


def _bad_length(want: str, op: str, limit: int, value: Any) -> str:
    if want == "str":
        count = len(value) if isinstance(value, str) else 0
        bound = "at least" if op == ">=" else "at most"
        return f"write {bound} {limit} characters here (this has {count})"
    if op == ">=" and limit == 1:
        return "list at least one entry here" if want == "array" else "write at least one key here"
    bound = "at least" if op == ">=" else "at most"
    return f"list {bound} {limit} entries here" if want == "array" else f"write {bound} {limit} keys here"


# --- patterns and local habits ----------------------------------------------------------------


def pattern_message(regex: str, value: Any) -> str:
    """`'09.00-20.00' is not opening hours as HH:MM-HH:MM, e.g. 09:00-20:00: write 09:00-20:00 (a colon, not a dot)`."""
    words = PATTERN_WORDS.get(regex, "in the form this key needs")
    if not isinstance(value, str):
        return f"write {words} here, not {_describe(value)}"
    for candidate, why in _rewrites(value):
        if candidate != value and re.search(regex, candidate):
            return f"{_show(value)} is not {words}: write {candidate}{f' ({why})' if why else ''}"
    return f"{_show(value)} is not {words}"


def _rewrites(value: str) -> Iterator[tuple[str, str]]:
    """Ways `value` may have been meant, each with what was off when the words of the pattern do not say it:
    the first that matches the pattern is suggested."""
    if value.endswith("\n"):
        yield value.strip(), "on the key's line: a | or > block keeps a line break at the end"
    yield value.strip(), "without the spaces around it"
    value = value.strip()
    ascii_digits = _ascii_digits(value)
    yield ascii_digits, "with the digits 0-9"
    if time := _time_range(ascii_digits):
        yield time, "a colon, not a dot, between hours and minutes" if "." in value else "two digits each for hours and minutes"
    yield value.lower(), ""
    yield value.upper(), ""
    language, _, region = value.partition("-")
    yield f"{language.lower()}-{region.upper()}", ""
    yield _slug(value), ""


def _ascii_digits(text: str) -> str:
    """Any script's digits as 0-9: `١٠:٠٠` -> `10:00`."""
    return "".join(str(unicodedata.digit(char)) if char.isdigit() and not char.isascii() and unicodedata.digit(char, None) is not None else char for char in text)


_TIME = r"(?P<{0}h>[0-9]{{1,2}})(?:[:.h](?P<{0}m>[0-9]{{2}}))?"
_TIME_RANGE = re.compile(rf"^{_TIME.format('a')}\s*[-–—]\s*{_TIME.format('b')}\s*h?$", re.I)


def _time_range(text: str) -> str | None:
    """`09.00-20.00`, `9:00 - 20:00`, `9-20` -> `09:00-20:00`; None for anything else."""
    match = _TIME_RANGE.match(text)
    if match is None:
        return None
    return f"{int(match['ah']):02d}:{match['am'] or '00'}-{int(match['bh']):02d}:{match['bm'] or '00'}"


def _slug(text: str) -> str:
    """`Mostar Centar`, `Mostar_Centar` -> `mostar-centar` (letters outside a-z are dropped after their accents)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


_DATE_DMY = re.compile(r"^(?P<d>[0-9]{1,2})[./-](?P<m>[0-9]{1,2})[./-](?P<y>[0-9]{4})\.?$")
_DATE_YMD = re.compile(r"^(?P<y>[0-9]{4})[./](?P<m>[0-9]{1,2})[./](?P<d>[0-9]{1,2})\.?$")


def date_message(value: Any) -> str:
    """`'24.12.2026' is not a date written year-month-day: write 2026-12-24`."""
    if not isinstance(value, str):
        return f"write {_WANT['date']} here, not {_describe(value)}"
    meant = _date(_ascii_digits(value.strip()))
    if meant:
        return f"{_show(value)} is not a date written year-month-day: write {meant}"
    return f"{_show(value)} is not a date: write year-month-day, e.g. 2026-12-24"


def _date(text: str) -> str | None:
    match = _DATE_YMD.match(text) or _DATE_DMY.match(text)
    if match is None:
        return None
    day, month = int(match["d"]), int(match["m"])
    if "/" in text and match.re is _DATE_DMY and day <= 12 and month <= 12 and day != month:
        return None  # 03/04/2026: the 3rd of April or the 4th of March, depending on the country
    try:
        return dt.date(int(match["y"]), month, day).isoformat()
    except ValueError:
        return None


def _truth(text: str) -> bool | None:
    word = text.strip().casefold()
    return True if word in _TRUE else False if word in _FALSE else None


# --- time zones -------------------------------------------------------------------------------


@functools.cache
def _zones() -> dict[str, str]:
    """Every zone of the tz database by its folded name, and by its city alone where that is unique."""
    names = sorted(name for name in zoneinfo.available_timezones() if "/" in name and not name.startswith(("Etc/", "SystemV/")))
    by_name = {_fold_zone(name): name for name in names}
    cities: dict[str, list[str]] = {}
    for name in names:
        cities.setdefault(_fold_zone(name.rsplit("/", 1)[1]), []).append(name)
    return by_name | {city: found[0] for city, found in cities.items() if len(found) == 1 and city not in by_name}


def _fold_zone(text: str) -> str:
    return text.strip().casefold().replace(" ", "_")


def closest_zone(text: str) -> str | None:
    """The real time zone closest to `text`: `Europe/Sarajvo` -> Europe/Sarajevo, `Moscow` -> Europe/Moscow.

    A close whole name first, then a close city alone: `Europe/Kazan` is not taken for Europe/Vatican.
    """
    zones = _zones()
    folded = _fold_zone(text)
    city = folded.rsplit("/", 1)[-1]
    if folded in zones or city in zones:
        return zones.get(folded) or zones[city]
    for wanted, cutoff in ((folded, 0.85), (city, 0.75)):
        close = difflib.get_close_matches(wanted, list(zones), n=1, cutoff=cutoff)
        if close:
            return zones[close[0]]
    return None


# --- showing values ---------------------------------------------------------------------------


def _show(value: str) -> str:
    """A value quoted for a message, its line breaks and tabs made visible, cut if long."""
    text = value if len(value) <= 60 else value[:57] + "..."
    return "'" + text.replace("\n", "\\n").replace("\t", "\\t") + "'"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {_show(value)}"
    if isinstance(value, list):
        return "a list"
    return "keys with values"
