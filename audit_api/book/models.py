"""The standards book as msgspec Structs: the one data format the whole product reads.

Each YAML file of `checklists/` decodes into one of the top-level Structs here (`Chain`, `Faq`,
`Store`, `Checklist`, `Survey`); `Book` holds them all once loaded. Shapes and single-field rules
live here; rules that look across fields or files live in `book/rules.py`. No I/O here.

A `Text` is what a person reads: either a plain string (language-neutral: names, addresses) or a
mapping from language code to string. A mapping must hold the chain's default language, which is
what a missing translation falls back to.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Literal

import msgspec
from msgspec import Meta


class _Base(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Unknown keys are errors: a typo in the book must never be silently ignored.

    msgspec does not pass `kw_only` down to subclasses, so every Struct below repeats it.
    """


Slug = Annotated[
    str,
    Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64, description="lower-case id: letters, digits, dashes"),
]
LangCode = Annotated[
    str, Meta(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$", description="BCP 47 language code, e.g. en, bs, ru, pt-BR")
]
Text = str | dict[LangCode, str]
Interval = Annotated[
    str,
    Meta(
        pattern=r"^\d\d:\d\d-\d\d:\d\d$",
        description="HH:MM-HH:MM in the store's local time; an end at or before the start runs past midnight",
    ),
]
Weight = Annotated[float, Meta(ge=0)]
Hours = Annotated[int, Meta(ge=1, le=24 * 30)]


# --- the chain ------------------------------------------------------------------------------


class Contact(_Base, kw_only=True):
    kind: Literal["phone", "email", "chat", "social", "web", "post"]
    value: str
    label: Text
    hours: Text | None = None


class ComplaintProcedure(_Base, kw_only=True):
    steps: Annotated[list[Text], Meta(min_length=1)]
    acknowledge_within_hours: Hours = 2
    respond_within_hours: Hours = 10


class Chain(_Base, kw_only=True):
    name: str
    tagline: Text = ""
    default_language: LangCode
    languages: Annotated[list[LangCode], Meta(min_length=1, description="every language, default included")]
    contacts: Annotated[list[Contact], Meta(min_length=1)]
    complaints: ComplaintProcedure
    retention_days: Annotated[int, Meta(ge=1, description="days customers' personal data is kept")]


class FaqTopic(_Base, kw_only=True):
    id: Slug
    title: Text


class FaqEntry(_Base, kw_only=True):
    id: Slug
    topic: Slug
    question: Text
    answer: Text


class Faq(_Base, kw_only=True):
    topics: Annotated[list[FaqTopic], Meta(min_length=1)]
    entries: list[FaqEntry]


# --- stores ---------------------------------------------------------------------------------


class WeekHours(_Base, kw_only=True):
    """Opening intervals per weekday; a day left out or empty is closed."""

    mon: list[Interval] = []
    tue: list[Interval] = []
    wed: list[Interval] = []
    thu: list[Interval] = []
    fri: list[Interval] = []
    sat: list[Interval] = []
    sun: list[Interval] = []


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class HoursException(_Base, kw_only=True):
    """A dated change of the weekly hours: a holiday (closed) or a short day (other intervals)."""

    date: dt.date
    closed: bool = False
    hours: list[Interval] = []
    note: Text = ""


class Coordinates(_Base, kw_only=True):
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]


class Touchpoint(_Base, kw_only=True):
    id: Slug
    name: Text


class Store(_Base, kw_only=True):
    id: Slug
    name: str
    address: str
    city: str
    country: Annotated[str, Meta(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
    timezone: str
    phone: str
    email: Annotated[str, Meta(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    coordinates: Coordinates | None = None
    languages: Annotated[list[LangCode], Meta(min_length=1)]
    hours: WeekHours
    exceptions: list[HoursException] = []
    touchpoints: Annotated[list[Touchpoint], Meta(min_length=1)]


# --- service-standard checklists ------------------------------------------------------------


class _ItemBase(_Base, tag_field="kind", kw_only=True):
    id: Slug
    text: Text
    weight: Weight = 1.0
    critical: bool = False
    na_allowed: bool = False
    evidence: Literal["none", "photo", "comment"] = "none"
    guidance: Text = ""

    @property
    def kind(self) -> str:
        return self.__struct_config__.tag


class YesNoItem(_ItemBase, tag="yes_no", kw_only=True):
    """Met or not met."""


class ScaleItem(_ItemBase, tag="scale", kw_only=True):
    """A rating from min to max; scores in proportion."""

    min: int
    max: int


class NumberItem(_ItemBase, tag="number", kw_only=True):
    """A measured number against a target; scores in proportion to the target."""

    target: Annotated[float, Meta(gt=0)]
    rule: Literal["at_most", "at_least"]
    unit: Text = ""


class Choice(_Base, kw_only=True):
    id: Slug
    label: Text
    points: Annotated[float, Meta(ge=0)]


class ChoiceItem(_ItemBase, tag="choice", kw_only=True):
    """One of several answers, each worth points; scores against the best answer."""

    choices: list[Choice]


Item = YesNoItem | ScaleItem | NumberItem | ChoiceItem


class Stage(_Base, kw_only=True):
    id: Slug
    title: Text
    expected_result: Text
    weight: Weight = 1.0
    items: Annotated[list[Item], Meta(min_length=1)]


class Checklist(_Base, kw_only=True):
    id: Slug
    title: Text
    channel: Literal["visit", "call"]
    reviewed: dt.date
    critical_cap: Literal["zero", "keep"] = "zero"
    stages: Annotated[list[Stage], Meta(min_length=1)]


# --- customer surveys -----------------------------------------------------------------------


class _QuestionBase(_Base, tag_field="kind", kw_only=True):
    id: Slug
    text: Text
    required: bool = False

    @property
    def kind(self) -> str:
        return self.__struct_config__.tag


class NpsQuestion(_QuestionBase, tag="nps", kw_only=True):
    """How likely to recommend, 0-10."""


class CsatQuestion(_QuestionBase, tag="csat", kw_only=True):
    """How satisfied, 1-5."""


class CesQuestion(_QuestionBase, tag="ces", kw_only=True):
    """How easy, 1-7."""


class RatingQuestion(_QuestionBase, tag="rating", kw_only=True):
    min: int = 1
    max: int = 5


class Option(_Base, kw_only=True):
    id: Slug
    label: Text


class SingleChoiceQuestion(_QuestionBase, tag="single", kw_only=True):
    options: list[Option]


class MultipleChoiceQuestion(_QuestionBase, tag="multiple", kw_only=True):
    options: list[Option]


class TextQuestion(_QuestionBase, tag="text", kw_only=True):
    max_length: Annotated[int, Meta(ge=1, le=4000)] = 1000


class ConsentQuestion(_QuestionBase, tag="consent", kw_only=True):
    """Permission to contact the customer; shows contact fields when given."""


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
SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
MAX_SURVEY_QUESTIONS = 15


def question_range(question: Question) -> tuple[int, int] | None:
    """The answer range of a numeric question, None for the others."""
    if isinstance(question, RatingQuestion):
        return (question.min, question.max)
    return SCALES.get(question.kind)


class FollowUp(_Base, kw_only=True):
    """Offer the complaint form when the answer to `question` is at most `at_most`."""

    question: Slug
    at_most: int
    offer: Literal["complaint"] = "complaint"
    text: Text


class Incentive(_Base, kw_only=True):
    kind: Literal["coupon", "prize_draw"]
    text: Text


class Survey(_Base, kw_only=True):
    id: Slug
    title: Text
    intro: Text
    thanks: Text
    questions: Annotated[list[Question], Meta(min_length=1)]
    follow_up: list[FollowUp] = []
    incentive: Incentive | None = None


# --- the whole book -------------------------------------------------------------------------


class Book(_Base, dict=True, kw_only=True):
    chain: Chain
    faq: Faq
    stores: list[Store]
    checklists: list[Checklist]
    surveys: list[Survey]

    @functools.cached_property
    def stores_by_id(self) -> dict[str, Store]:
        return {store.id: store for store in self.stores}

    @functools.cached_property
    def checklists_by_id(self) -> dict[str, Checklist]:
        return {checklist.id: checklist for checklist in self.checklists}

    @functools.cached_property
    def surveys_by_id(self) -> dict[str, Survey]:
        return {survey.id: survey for survey in self.surveys}
