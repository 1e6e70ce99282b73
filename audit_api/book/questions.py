"""Survey question kinds: one class per kind, holding its fields and everything that differs by kind.

A kind says how a browser's answer reads (`read`: a value, or the label key of an error shown next
to the question), which widget the survey page draws (`widget`, with the `hints` it needs), its
answer range if numeric (`range`), which metric column it feeds (`metric`), whether its answers are
free text purged after the retention period (`free_text`), whether it is the contact consent, and
what the book must get right about it (`problems`). `QUESTION_KINDS` lists the kinds (built from the
`Question` union, which is what the book decodes) and `missing_parts` names what a kind class lacks.
Adding a kind: a class here, a member of `Question`, its tests; a new widget also needs its branch
in `render/templates/survey.html`. Not for: rules across questions (`rules.py`), the contact fields
(`domain/forms.py`).
"""

from __future__ import annotations

import re
import typing
from typing import Annotated, Any, ClassVar, Literal

from msgspec import Meta

from .base import Base, Finding, Slug, Text, Translate, below, duplicates, placeholder
from .source import PathKey

Reading = tuple[Any, str | None]  # (the answer or None, the error's label key or None)
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")


class QuestionKind(Base, tag_field="kind", frozen=True, kw_only=True):
    """What every survey question has, whatever its kind; placeholders mark what each kind must add."""

    id: Slug
    text: Text
    required: bool = False

    metric: ClassVar[str | None] = None  # the metric column its answer feeds: nps, csat or ces
    free_text: ClassVar[bool] = False  # personal data: purged after the chain's retention period
    contact_consent: ClassVar[bool] = False  # a yes shows and keeps the customer's contact fields

    @property
    def kind(self) -> str:
        return str(self.__struct_config__.tag)

    @property
    @placeholder
    def widget(self) -> str:
        """What the survey page draws (a branch of `survey.html`): scale, single, multiple, text, consent."""
        raise NotImplementedError

    @placeholder
    def hints(self, text: Translate) -> dict[str, Any]:
        """What the widget needs beyond id, text and required, in the reader's language (`text`)."""
        raise NotImplementedError

    @placeholder
    def read(self, raw: list[str]) -> Reading:
        """The answer in `raw` (the posted values, stripped, blanks dropped), or the error's label key."""
        raise NotImplementedError

    def range(self) -> tuple[int, int] | None:
        """The answer range of a numeric question, None for the others."""
        return None

    def problems(self, at: PathKey = ()) -> list[Finding]:
        """This question's own rules of the book: (path below the question, message). `at` is where
        the question sits in its file, for messages that point at a sibling."""
        return []

    def _unanswered(self) -> Reading:
        return None, "required" if self.required else None


class _ScaleQuestion(QuestionKind, frozen=True, kw_only=True):
    """A whole number in a range, chosen from a row of buttons."""

    widget: ClassVar[str] = "scale"

    @placeholder
    def range(self) -> tuple[int, int]:
        """The answer range, both ends included."""
        raise NotImplementedError

    def hints(self, text: Translate) -> dict[str, Any]:
        low, high = self.range()
        return {"scale": list(range(low, high + 1))}

    def read(self, raw: list[str]) -> Reading:
        if not raw:
            return self._unanswered()
        low, high = self.range()
        # What the buttons post: ASCII digits only ('²' and '٣' pass str.isdigit() but are no answer), and
        # few of them, so int() never sees a number too long for it.
        if _WHOLE_NUMBER.fullmatch(raw[0]) and low <= (value := int(raw[0])) <= high:
            return value, None
        return None, "choose_one"

    def problems(self, at: PathKey = ()) -> list[Finding]:
        low, high = self.range()
        return [(("max",), f"a rating needs min < max (got {low}..{high})")] if low >= high else []


class NpsQuestion(_ScaleQuestion, tag="nps", frozen=True, kw_only=True):
    """How likely to recommend, 0-10."""

    metric: ClassVar[str | None] = "nps"

    def range(self) -> tuple[int, int]:
        return (0, 10)


class CsatQuestion(_ScaleQuestion, tag="csat", frozen=True, kw_only=True):
    """How satisfied, 1-5."""

    metric: ClassVar[str | None] = "csat"

    def range(self) -> tuple[int, int]:
        return (1, 5)


class CesQuestion(_ScaleQuestion, tag="ces", frozen=True, kw_only=True):
    """How easy, 1-7."""

    metric: ClassVar[str | None] = "ces"

    def range(self) -> tuple[int, int]:
        return (1, 7)


# The five dimensions of service quality of SERVQUAL (Parasuraman, Zeithaml and Berry): what a rating
# question may measure, so the metrics give each dimension's mean across questions and surveys.
Dimension = Literal["tangibles", "reliability", "responsiveness", "assurance", "empathy"]
DIMENSIONS: tuple[Dimension, ...] = typing.get_args(Dimension)


class RatingQuestion(_ScaleQuestion, tag="rating", frozen=True, kw_only=True):
    """A whole number from `min` to `max`; with a `dimension`, it feeds that dimension's mean."""

    min: int = 1
    max: int = 5
    dimension: Annotated[
        Dimension | None,
        Meta(description="the SERVQUAL dimension it measures: tangibles, reliability, responsiveness, assurance or empathy"),
    ] = None

    def range(self) -> tuple[int, int]:
        return (self.min, self.max)


class Option(Base, frozen=True, kw_only=True):
    id: Slug
    label: Text


class _OptionsQuestion(QuestionKind, frozen=True, kw_only=True):
    """Answers chosen from a list of options."""

    options: list[Option]

    def hints(self, text: Translate) -> dict[str, Any]:
        return {"options": [{"id": o.id, "label": text(o.label)} for o in self.options]}

    def problems(self, at: PathKey = ()) -> list[Finding]:
        found: list[Finding] = []
        if len(self.options) < 2:
            found.append((("options",), "a choice question needs at least two options"))
        return found + below(at, duplicates([o.id for o in self.options], (*at, "options"), "option id", ("id",)))


class SingleChoiceQuestion(_OptionsQuestion, tag="single", frozen=True, kw_only=True):
    widget: ClassVar[str] = "single"

    def read(self, raw: list[str]) -> Reading:
        if not raw:
            return self._unanswered()
        return (raw[0], None) if raw[0] in {o.id for o in self.options} else (None, "choose_one")


class MultipleChoiceQuestion(_OptionsQuestion, tag="multiple", frozen=True, kw_only=True):
    widget: ClassVar[str] = "multiple"

    def read(self, raw: list[str]) -> Reading:
        if not raw:
            return self._unanswered()
        if not set(raw) <= {o.id for o in self.options}:
            return None, "choose_listed"
        return [o.id for o in self.options if o.id in raw], None  # in the book's order


class TextQuestion(QuestionKind, tag="text", frozen=True, kw_only=True):
    max_length: Annotated[int, Meta(ge=1, le=4000)] = 1000

    widget: ClassVar[str] = "text"
    free_text: ClassVar[bool] = True

    def hints(self, text: Translate) -> dict[str, Any]:
        return {"max_length": self.max_length}

    def read(self, raw: list[str]) -> Reading:
        if not raw:
            return self._unanswered()
        return (raw[0], None) if len(raw[0]) <= self.max_length else (None, "too_long")


class ConsentQuestion(QuestionKind, tag="consent", frozen=True, kw_only=True):
    """Permission to contact the customer; shows contact fields when given."""

    widget: ClassVar[str] = "consent"
    contact_consent: ClassVar[bool] = True

    def hints(self, text: Translate) -> dict[str, Any]:
        return {}

    def read(self, raw: list[str]) -> Reading:
        return raw[:1] == ["yes"], None  # always answered: an unticked box is a no


Question = (
    NpsQuestion
    | CsatQuestion
    | CesQuestion
    | RatingQuestion
    | SingleChoiceQuestion
    | MultipleChoiceQuestion
    | TextQuestion
    | ConsentQuestion
)
QUESTION_KINDS: dict[str, type[QuestionKind]] = {kind.__struct_config__.tag: kind for kind in typing.get_args(Question)}
