"""The standards book as msgspec Structs: the one data format the whole product reads.

Each YAML file of `checklists/` decodes into one of the top-level Structs here (`Chain`, `Faq`,
`Store`, `Checklist`, `Survey`); `Book` holds them all once loaded. Shapes and single-field rules
live here; rules that look across fields or files live in `book/rules.py`. No I/O here.
Each kind of checklist item and of survey question is one class with all its logic, in
`book/items.py` and `book/questions.py`; `Item` and `Question` are the unions of those kinds, and
the item kinds can be imported from here too.

A `Text` is what a person reads: either a plain string (language-neutral: names, addresses) or a
mapping from language code to string. A mapping must hold the chain's default language, which is
what a missing translation falls back to.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Literal

from msgspec import Meta

from .base import NOT_SPACE_OR_AT, Base, LangCode, Slug, Text, Weight, matching
from .items import ChoiceItem as ChoiceItem
from .items import Item
from .items import NumberItem as NumberItem
from .items import ScaleItem as ScaleItem
from .items import YesNoItem as YesNoItem
from .questions import Question

Interval = Annotated[
    str,
    matching(
        r"[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}",
        "opening hours as HH:MM-HH:MM, e.g. 09:00-20:00",
        description="HH:MM-HH:MM in the store's local time, e.g. 09:00-20:00; an end at or before the start runs past midnight",
    ),
]
Hours = Annotated[int, Meta(ge=1, le=24 * 30)]


# --- the chain ------------------------------------------------------------------------------


ContactKind = Literal["phone", "email", "chat", "social", "web", "post"]


class Contact(Base, frozen=True, kw_only=True):
    kind: ContactKind
    value: str
    label: Text
    hours: Text | None = None


class ComplaintProcedure(Base, frozen=True, kw_only=True):
    steps: Annotated[list[Text], Meta(min_length=1)]
    acknowledge_within_hours: Hours = 2
    respond_within_hours: Hours = 10


class VisitRules(Base, frozen=True, kw_only=True):
    store_managers_plan: Annotated[
        bool, Meta(description="may a store's own managers plan mystery visits to it (area managers and admins always may)")
    ] = False


class SurveyLimits(Base, frozen=True, kw_only=True):
    """When a survey answer counts. Answers over a limit are kept, marked suspect, and left out of the
    figures and the prize draw; managers see how many there were."""

    per_browser_per_day: Annotated[int, Meta(ge=1, description="answers one browser counts at one store in a day")] = 1
    per_address_per_hour: Annotated[
        int, Meta(ge=1, description="answers one network address counts at one store in an hour (guest Wi-Fi is shared)")
    ] = 10


Colour = Annotated[str, matching(r"#[0-9a-fA-F]{6}", "a colour as #rrggbb, e.g. #2d6a4f")]
MAX_LOGO_BYTES = 32_000


class Brand(Base, frozen=True, kw_only=True):
    """How the public site looks: the chain's logo and colours; what is left out keeps the site's own.
    Text on either colour is white, so `audit check` warns when a colour is too light to read it on."""

    logo: Annotated[
        str | None,
        Meta(description=f"an SVG file inside the book folder, e.g. brand/logo.svg: the site's header and tab icon "
             f"(at most {MAX_LOGO_BYTES // 1000} KB, no script)"),
    ] = None
    primary: Annotated[Colour | None, Meta(description="the header and links, e.g. #2d6a4f; white text must read on it")] = None
    accent: Annotated[Colour | None, Meta(description="buttons and links under the pointer, e.g. #8a4b08; white text must read on it")] = None


class Chain(Base, frozen=True, kw_only=True):
    name: str
    tagline: Text = ""
    brand: Annotated[Brand | None, Meta(description="the public site's logo and colours")] = None
    default_language: LangCode
    languages: Annotated[list[LangCode], Meta(min_length=1, description="every language, default included")]
    contacts: Annotated[list[Contact], Meta(min_length=1)]
    complaints: ComplaintProcedure
    retention_days: Annotated[int, Meta(ge=1, description="days customers' personal data is kept")]
    default_survey: Annotated[
        Slug | None,
        Meta(description="the survey of a touchpoint that names none, in a store that names none; not needed in a book of one survey"),
    ] = None
    visits: VisitRules = VisitRules()
    survey_limits: SurveyLimits = SurveyLimits()
    words: Annotated[
        dict[str, Text],
        Meta(description="the chain's own word for any of the product's words, keyed by its English id (audit_api/locale/messages.pot): "
             "{'Stores': {bs: Poslovnice}}; a language the product has no catalog for takes its words from here"),
    ] = {}


class FaqTopic(Base, frozen=True, kw_only=True):
    id: Slug
    title: Text


class FaqEntry(Base, frozen=True, kw_only=True):
    id: Slug
    topic: Slug
    question: Text
    answer: Text


class Faq(Base, frozen=True, kw_only=True):
    topics: Annotated[list[FaqTopic], Meta(min_length=1)]
    entries: list[FaqEntry]


# --- stores ---------------------------------------------------------------------------------


class WeekHours(Base, frozen=True, kw_only=True):
    """Opening intervals per weekday; a day left out or empty is closed."""

    mon: list[Interval] = []
    tue: list[Interval] = []
    wed: list[Interval] = []
    thu: list[Interval] = []
    fri: list[Interval] = []
    sat: list[Interval] = []
    sun: list[Interval] = []


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class HoursException(Base, frozen=True, kw_only=True):
    """A dated change of the weekly hours: a holiday (closed) or a short day (other intervals)."""

    date: dt.date
    closed: bool = False
    hours: list[Interval] = []
    note: Text = ""


class Coordinates(Base, frozen=True, kw_only=True):
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]


class Touchpoint(Base, frozen=True, kw_only=True):
    id: Slug
    name: Text
    survey: Annotated[Slug | None, Meta(description="the survey its QR code serves (a survey's id); else the store's")] = None


class Store(Base, frozen=True, kw_only=True):
    id: Slug
    name: Annotated[Text, Meta(description="one name, or one per language: {en: Lipa Arbat, ru: Липа Арбат}")]
    address: str
    city: Annotated[Text, Meta(description="one name, or one per language: {en: Moscow, ru: Москва, bs: Moskva}")]
    country: Annotated[str, matching(r"[A-Z]{2}", "a country code of two capital letters (ISO 3166-1), e.g. BA, RU, KE")]
    timezone: str
    phone: str
    email: Annotated[str, matching(rf"{NOT_SPACE_OR_AT}+@{NOT_SPACE_OR_AT}+\.{NOT_SPACE_OR_AT}+", "an e-mail address, e.g. shop@example.com")]
    coordinates: Coordinates | None = None
    languages: Annotated[list[LangCode], Meta(min_length=1)]
    hours: WeekHours
    exceptions: list[HoursException] = []
    touchpoints: Annotated[list[Touchpoint], Meta(min_length=1)]
    survey: Annotated[
        Slug | None, Meta(description="the survey of its touchpoints that name none (a survey's id); else the chain's default_survey")
    ] = None

    def touchpoint(self, touchpoint_id: str) -> Touchpoint | None:
        return next((t for t in self.touchpoints if t.id == touchpoint_id), None)


# --- service-standard checklists ------------------------------------------------------------


class Stage(Base, frozen=True, kw_only=True):
    id: Slug
    title: Text
    expected_result: Text
    weight: Weight = 1.0
    items: Annotated[list[Item], Meta(min_length=1)]


Channel = Literal["visit", "call"]  # how the auditor meets the store
CriticalCap = Literal["zero", "keep"]  # what a failed critical item does to the total


class Checklist(Base, frozen=True, kw_only=True):
    id: Slug
    title: Text
    channel: Channel
    reviewed: dt.date
    critical_cap: CriticalCap = "zero"
    action_days: Annotated[
        int,
        Meta(ge=1, le=365, description="days a store has to act on each failed item of an approved audit: a corrective action "
             "is due at the end of the store's local day this many days after the approval"),
    ] = 14
    stages: Annotated[list[Stage], Meta(min_length=1)]


# --- customer surveys -----------------------------------------------------------------------


MAX_SURVEY_QUESTIONS = 15


class FollowUp(Base, frozen=True, kw_only=True):
    """Offer the complaint form when the answer to `question` is at most `at_most`."""

    question: Slug
    at_most: int
    text: Text


CurrencyCode = Annotated[str, matching(r"[A-Z]{3}", "an ISO 4217 currency code: three upper-case letters, e.g. BAM, EUR, RUB")]
CodePrefix = Annotated[
    str, matching(r"[A-Z][A-Z0-9]{1,9}", "a short word of 2-10 upper-case letters A-Z or digits, starting with a letter: LIPA gives LIPA-7KQ2M9XA")
]
IncentiveKind = Literal["coupon", "prize_draw"]
# A code's prefix where the book names none: words of no chain, saying what the code is.
DEFAULT_CODE_PREFIX: dict[IncentiveKind, str] = {"coupon": "CODE", "prize_draw": "DRAW"}


class Worth(Base, frozen=True, kw_only=True):
    """What a coupon or a prize is worth: an `amount` in a `currency` (a prize worth 50 BAM), or a
    `percent` off (a coupon worth 10 %); one of the two. Pages format it in the reader's language."""

    amount: Annotated[float, Meta(gt=0)] | None = None
    currency: CurrencyCode | None = None
    percent: Annotated[float, Meta(gt=0, le=100)] | None = None


class Incentive(Base, frozen=True, kw_only=True):
    kind: IncentiveKind
    text: Text
    code_prefix: Annotated[
        CodePrefix | None, Meta(description="what each coupon or draw code starts with; CODE for a coupon, DRAW for a draw if left out")
    ] = None
    value: Worth | None = None

    @property
    def prefix(self) -> str:
        return self.code_prefix or DEFAULT_CODE_PREFIX[self.kind]


class Survey(Base, frozen=True, kw_only=True):
    id: Slug
    title: Text
    intro: Text
    thanks: Text
    questions: Annotated[list[Question], Meta(min_length=1)]
    follow_up: list[FollowUp] = []
    incentive: Incentive | None = None


# --- the whole book -------------------------------------------------------------------------


class Book(Base, dict=True, frozen=True, kw_only=True):
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

    def survey_id_for(self, store: Store, touchpoint: Touchpoint) -> str | None:
        """The id of the survey a touchpoint serves: the touchpoint's `survey`, else its store's, else the
        chain's `default_survey`, else the book's only survey. None when nothing names one (`audit check`
        refuses that, and a reference to a survey the book lacks)."""
        named = touchpoint.survey or store.survey or self.chain.default_survey
        if named is None and len(self.surveys) == 1:
            return self.surveys[0].id
        return named

