"""The common ground of the book's Structs: the strict base Struct, shared field types, and kind parts.

A checklist item kind or a survey question kind is one class (`items.py`, `questions.py`). Its base
class marks each part every kind must provide with `@placeholder`; `missing_parts` names the parts a
kind class leaves to a placeholder, and a test runs it over every registered kind. msgspec Structs
cannot use ABCMeta, hence this instead of abstract methods.
Not for: the files' top-level shapes (`models.py`) or rules across fields and files (`rules.py`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import msgspec
from msgspec import Meta

from .source import PathKey, format_path


class Base(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Unknown keys are errors: a typo in the book must never be silently ignored.

    msgspec does not pass `kw_only` down to subclasses, so every Struct below repeats it.
    """


# What each pattern of the book asks for, in plain words: the description editors show, and what
# `audit check` says when a value does not match (`book/hints.py`).
PATTERN_WORDS: dict[str, str] = {}


def whole(regex: str) -> str:
    r"""`regex` matched against the whole value, meaning the same in Python (msgspec) and in editors (ECMA 262).

    `$` would let Python accept a value ending in a line break (`id: |` reads as "front-door\n"), so
    `(?![\s\S])`, "no character follows", ends the match in both engines. Classes are spelled out, [0-9]
    rather than \d: Python's \d and \s also match other scripts' digits and more spaces than an editor's.
    """
    return f"^(?:{regex})(?![\\s\\S])"


def matching(regex: str, words: str, *, description: str | None = None, **constraints: Any) -> Meta:
    """The Meta of a text that matches `regex` as a whole. `words` says what it asks for, plainly, in
    messages ("'x' is not <words>") and, unless a longer `description` is given, in editors."""
    pattern = whole(regex)
    PATTERN_WORDS[pattern] = words
    return Meta(pattern=pattern, description=description or words, **constraints)


# A character other than @ and white space, in both engines: Python's \s also matches \x1c-\x1f and
# \x85, ECMA 262's also matches \ufeff, so both are spelt out.
NOT_SPACE_OR_AT = r"[^@\s\x1c-\x1f\x85\ufeff]"


Slug = Annotated[
    str,
    matching(r"[a-z0-9]+(-[a-z0-9]+)*", "an id (lower-case letters a-z, digits 0-9 and dashes, e.g. front-door)", max_length=64),
]
LangCode = Annotated[
    str, matching(r"[a-z]{2,3}(-[A-Z]{2})?", "a language code (two or three lower-case letters, e.g. en, bs, ru, or with a region: pt-BR)")
]
Text = str | dict[LangCode, str]
Weight = Annotated[float, Meta(ge=0)]

# Resolves a Text to the reader's language; the renderers pass it to a kind's view or hints.
Translate = Callable[[Text], str]
# Where a kind's own book rule points: a path below the item or question, and the message.
Finding = tuple[PathKey, str]

F = TypeVar("F", bound=Callable[..., Any])


def placeholder(method: F) -> F:
    """Mark a base-class method (or property getter) as a part every kind must provide.

    Calling the placeholder raises NotImplementedError, so a kind lacking a part fails loudly
    instead of being skipped; `missing_parts` finds it before anything is called.
    """

    @functools.wraps(method)
    def missing(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"the {type(self).__name__} kind lacks `{method.__name__}`")

    missing.__placeholder__ = True  # type: ignore[attr-defined]
    return missing  # type: ignore[return-value]


def _is_placeholder(attribute: object) -> bool:
    function = attribute.fget if isinstance(attribute, property) else attribute
    return getattr(function, "__placeholder__", False)


def missing_parts(kind: type) -> list[str]:
    """The parts `kind` lacks: names that still resolve to a placeholder of one of its bases."""
    names = {name for klass in kind.__mro__ for name in vars(klass)}
    return sorted(name for name in names if _is_placeholder(inspect.getattr_static(kind, name)))


def duplicates(ids: list[str], path: PathKey, what: str, suffix: PathKey = ()) -> list[Finding]:
    """Each repeated id in `ids` (found at `path`), located at its second use."""
    seen: dict[str, int] = {}
    found = []
    for index, value in enumerate(ids):
        if value in seen:
            found.append(((*path, index, *suffix), f"duplicate {what} '{value}' (first at {format_path((*path, seen[value]))})"))
        seen.setdefault(value, index)
    return found


def below(at: PathKey, findings: list[Finding]) -> list[Finding]:
    """`findings` located below `at`, with `at` taken off their paths."""
    return [(path[len(at):], message) for path, message in findings]

