"""Checklist item kinds: one class per kind, holding its fields and everything that differs by kind.

A kind says whether an answer is valid (`value_problem`), what it scores and whether that fails the
standard (`score`, `failed`), what the auditor's phone shows beyond the common fields (`view`), and
what the book must get right about it (`problems`). The scoring rules are specified in the docstring
of `domain/scoring.py`; the methods here implement them. `ITEM_KINDS` lists the kinds (built from the
`Item` union, which is what the book decodes) and `missing_parts` names what a kind class lacks.
Adding a kind: a class here, a member of `Item`, its tests. Not for: rules across items or files
(`rules.py`), scoring a whole audit (`domain/scoring.py`).
"""

from __future__ import annotations

import math
import typing
from typing import Annotated, Any, Literal, TypeGuard

from msgspec import Meta

from .base import Base, Finding, Slug, Text, Translate, Weight, below, duplicates, placeholder
from .source import PathKey

Value = bool | int | float | str  # an answer's value, as the phone sends it
Evidence = Literal["none", "photo", "comment"]  # what a failed item requires beside the answer


class ItemKind(Base, tag_field="kind", frozen=True, kw_only=True):
    """What every checklist item has, whatever its kind; placeholders mark what each kind must add."""

    id: Slug
    text: Text
    weight: Weight = 1.0
    critical: bool = False
    na_allowed: bool = False
    evidence: Evidence = "none"
    guidance: Text = ""

    @property
    def kind(self) -> str:
        return str(self.__struct_config__.tag)

    @placeholder
    def value_problem(self, value: object) -> str | None:
        """Why `value` is not an answer to this item (the message the phone shows), None when it is one."""
        raise NotImplementedError

    @placeholder
    def score(self, value: Value) -> float:
        """The 0..1 score of an answer; `value` is assumed valid (see `value_problem`)."""
        raise NotImplementedError

    def failed(self, score: float) -> bool:
        """Whether an answer scoring `score` fails the standard: anything short of full marks."""
        return score < 1.0

    @placeholder
    def view(self, text: Translate) -> dict[str, Any]:
        """What the phone needs beyond the common fields (keys of `domain.checklist_view.ItemView`),
        including what fails, so the phone asks for a failed item's comment or photo right there: a
        yes/no fails on "no", a number when it misses its target, a scale below `pass_from`, a choice
        marked `fails`."""
        raise NotImplementedError

    def problems(self, at: PathKey = ()) -> list[Finding]:
        """This item's own rules of the book: (path below the item, message). `at` is where the item
        sits in its file, for messages that point at a sibling."""
        return []


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


class YesNoItem(ItemKind, tag="yes_no", frozen=True, kw_only=True):
    """Met or not met."""

    def value_problem(self, value: object) -> str | None:
        return None if isinstance(value, bool) else "answer true or false"

    def score(self, value: Value) -> float:
        return 1.0 if value else 0.0

    def view(self, text: Translate) -> dict[str, Any]:
        return {}


class ScaleItem(ItemKind, tag="scale", frozen=True, kw_only=True):
    """A rating from min to max; scores in proportion."""

    min: int
    max: int

    def value_problem(self, value: object) -> str | None:
        ok = _is_number(value) and float(value).is_integer() and self.min <= value <= self.max
        return None if ok else f"answer a whole number from {self.min} to {self.max}"

    def score(self, value: Value) -> float:
        return (float(value) - self.min) / (self.max - self.min)

    def failed(self, score: float) -> bool:
        return score < 0.5  # below the middle of the range

    def view(self, text: Translate) -> dict[str, Any]:
        passing = (value for value in range(self.min, self.max + 1) if not self.failed(self.score(value)))
        return {"min": self.min, "max": self.max, "pass_from": next(passing, self.max)}

    def problems(self, at: PathKey = ()) -> list[Finding]:
        if self.min >= self.max:
            return [(("max",), f"a scale needs min < max (got {self.min}..{self.max})")]
        return []


class NumberItem(ItemKind, tag="number", frozen=True, kw_only=True):
    """A measured number against a target; scores in proportion to the target."""

    target: Annotated[float, Meta(gt=0)]
    rule: Literal["at_most", "at_least"]
    unit: Text = ""

    def value_problem(self, value: object) -> str | None:
        ok = _is_number(value) and value >= 0 and math.isfinite(value)
        return None if ok else "answer a number, 0 or more"

    def score(self, value: Value) -> float:
        number = float(value)
        if self.rule == "at_most":
            return 1.0 if number <= self.target else self.target / number
        return min(1.0, number / self.target)

    def view(self, text: Translate) -> dict[str, Any]:
        return {"target": self.target, "rule": self.rule, "unit": text(self.unit)}


class Choice(Base, frozen=True, kw_only=True):
    id: Slug
    label: Text
    points: Annotated[float, Meta(ge=0)]


class ChoiceItem(ItemKind, tag="choice", frozen=True, kw_only=True):
    """One of several answers, each worth points; scores against the best answer."""

    choices: list[Choice]

    def value_problem(self, value: object) -> str | None:
        ids = [choice.id for choice in self.choices]
        return None if value in ids else f"answer one of: {', '.join(ids)}"

    def score(self, value: Value) -> float:
        best = max(choice.points for choice in self.choices)
        return next(choice.points for choice in self.choices if choice.id == value) / best

    def view(self, text: Translate) -> dict[str, Any]:
        return {
            "choices": [
                {"id": c.id, "label": text(c.label), "points": c.points, "fails": self.failed(self.score(c.id))} for c in self.choices
            ]
        }

    def problems(self, at: PathKey = ()) -> list[Finding]:
        found: list[Finding] = []
        if len(self.choices) < 2:
            found.append((("choices",), "a choice item needs at least two choices"))
        found += below(at, duplicates([c.id for c in self.choices], (*at, "choices"), "choice id", ("id",)))
        if self.choices and max(choice.points for choice in self.choices) <= 0:
            found.append((("choices",), "the item cannot be scored: no choice is worth any points"))
        return found


Item = YesNoItem | ScaleItem | NumberItem | ChoiceItem
ITEM_KINDS: dict[str, type[ItemKind]] = {kind.__struct_config__.tag: kind for kind in typing.get_args(Item)}
