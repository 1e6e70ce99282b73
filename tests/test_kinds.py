"""One home per kind: every checklist item kind and survey question kind has every part, and the
renderers (the phone's checklist view, the survey page) handle every kind the registries list."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, ClassVar

import msgspec
import pytest

from audit_api.book import items, load_book, pick, questions
from audit_api.book.base import missing_parts
from audit_api.book.items import ITEM_KINDS, ItemKind
from audit_api.book.models import Checklist, Survey
from audit_api.book.questions import QUESTION_KINDS, QuestionKind
from audit_api.domain.checklist_view import ItemView, checklist_view
from audit_api.domain.forms import read_survey
from audit_api.domain.links import link_token
from audit_api.store import Database, publish
from audit_api.store.secret import instance_secret

from .conftest import make_client

# Values for every kind-specific field a kind of today needs; a new kind with a new required field
# adds a value here.
ITEM_FIELDS: dict[str, Any] = {
    "min": 1, "max": 5, "target": 30, "rule": "at_most", "unit": {"en": "seconds", "bs": "sekundi"},
    "choices": [{"id": "best", "label": {"en": "Best"}, "points": 2}, {"id": "poor", "label": {"en": "Poor"}, "points": 0}],
}
QUESTION_FIELDS: dict[str, Any] = {
    "min": 1, "max": 4, "max_length": 200,
    "options": [{"id": "yes-please", "label": {"en": "Yes, please"}}, {"id": "no-thanks", "label": {"en": "No, thanks"}}],
}


def sample(kind: type, fields: dict[str, Any], **common: Any) -> dict[str, Any]:
    """The book's data for one item or question of `kind`, with every field it has from `fields`."""
    tag = kind.__struct_config__.tag
    own = {name: value for name, value in fields.items() if name in kind.__struct_fields__}
    return {"id": f"the-{tag.replace('_', '-')}", "kind": tag, "text": f"The {tag} one", **common, **own}


def every_item() -> list[ItemKind]:
    return [msgspec.convert(sample(kind, ITEM_FIELDS), kind) for kind in ITEM_KINDS.values()]


def every_question(**common: Any) -> list[QuestionKind]:
    return [msgspec.convert(sample(kind, QUESTION_FIELDS, **common), kind) for kind in QUESTION_KINDS.values()]


def english(text: Any) -> str:
    return pick(text, "en", "en")


def bosnian(text: Any) -> str:
    return pick(text, "bs", "en")


# --- every kind has every part ------------------------------------------------------------------


def test_every_item_kind_has_every_part() -> None:
    lacking = {kind: missing_parts(cls) for kind, cls in ITEM_KINDS.items()}
    assert {kind: parts for kind, parts in lacking.items() if parts} == {}


def test_every_question_kind_has_every_part() -> None:
    lacking = {kind: missing_parts(cls) for kind, cls in QUESTION_KINDS.items()}
    assert {kind: parts for kind, parts in lacking.items() if parts} == {}


@pytest.mark.parametrize(("module", "base", "registry"), [(items, ItemKind, ITEM_KINDS), (questions, QuestionKind, QUESTION_KINDS)])
def test_every_kind_class_is_registered(module: Any, base: type, registry: dict[str, type]) -> None:
    """A kind class left out of the `Item` or `Question` union could never be read from the book."""
    public = [cls for name, cls in inspect.getmembers(module, inspect.isclass) if issubclass(cls, base) and cls is not base and not name.startswith("_")]
    assert sorted(cls.__name__ for cls in public if registry.get(cls.__struct_config__.tag) is not cls) == []


def test_the_completeness_check_names_exactly_what_a_kind_lacks() -> None:
    class DummyItem(ItemKind, tag="dummy", kw_only=True):
        def value_problem(self, value: object) -> str | None:
            return None

    class DummyQuestion(QuestionKind, tag="dummy", kw_only=True):
        widget: ClassVar[str] = "text"

        def hints(self, text: Any) -> dict[str, Any]:
            return {}

    class WidgetlessQuestion(QuestionKind, tag="widgetless", kw_only=True):
        def hints(self, text: Any) -> dict[str, Any]:
            return {}

        def read(self, raw: list[str]) -> tuple[Any, str | None]:
            return raw, None

    assert missing_parts(DummyItem) == ["score", "view"]
    assert missing_parts(DummyQuestion) == ["read"]
    assert missing_parts(WidgetlessQuestion) == ["widget"]
    with pytest.raises(NotImplementedError, match="DummyItem kind lacks `score`"):
        DummyItem(id="dummy", text="-").score(True)
    with pytest.raises(NotImplementedError, match="DummyQuestion kind lacks `read`"):
        DummyQuestion(id="dummy", text="-").read(["yes"])
    assert "dummy" not in ITEM_KINDS and "dummy" not in QUESTION_KINDS and "widgetless" not in QUESTION_KINDS


def test_well_formed_kinds_have_no_problems() -> None:
    assert [(i.kind, i.problems(("here",))) for i in every_item() if i.problems(("here",))] == []
    assert [(q.kind, q.problems(("here",))) for q in every_question() if q.problems(("here",))] == []


def test_metrics_come_from_numeric_questions() -> None:
    """The nps, csat and ces columns store a whole number: only a question with a range may feed one."""
    feeding = {kind: cls.metric for kind, cls in QUESTION_KINDS.items() if cls.metric}
    assert sorted(feeding.values()) == ["ces", "csat", "nps"], "one kind per metric column"
    assert [q.kind for q in every_question() if q.metric and q.range() is None] == []


# --- the renderers handle every kind -----------------------------------------------------------


def test_every_item_kind_view_decodes_into_the_phones_item_view() -> None:
    """`checklist_view` decodes each kind's `view` into `ItemView`, which refuses keys it does not have."""
    common = {"id", "kind", "text", "guidance", "weight", "critical", "na_allowed", "evidence"}
    for item in every_item():
        assert not set(item.view(english)) & common, f"the {item.kind} view overrides a common field"
    checklist = msgspec.convert(
        {"id": "all-kinds", "title": "All kinds", "channel": "visit", "reviewed": "2026-10-01",
         "stages": [{"id": "only", "title": "Only", "expected_result": "-", "items": [msgspec.to_builtins(i) for i in every_item()]}]},
        Checklist,
    )
    [stage] = checklist_view(checklist, 1, "digest", "bs", "en").stages
    for item, view in zip(every_item(), stage.items, strict=True):
        assert isinstance(view, ItemView) and view.kind == item.kind
        extra = msgspec.to_builtins(item.view(bosnian))
        assert {key: msgspec.to_builtins(view).get(key) for key in extra} == extra, item.kind


def test_every_question_kind_reads_an_answer_or_says_why_not() -> None:
    """`read_survey` keeps whatever `read` returns: a kind must never read a posted answer as nothing."""
    for question in every_question(required=True):
        for raw in (["1"], ["yes"], ["yes-please"], ["yes-please", "no-thanks"], ["nonsense"], ["x" * 5000]):
            value, error = question.read(raw)
            assert (value is None) != (error is None), (question.kind, raw, value, error)
        value, error = question.read([])
        assert (value, error) in {(None, "required"), (False, None)}, question.kind


def test_the_survey_page_draws_every_question_kind(book_dir: Path, database: Database) -> None:
    """The page of a survey holding one question of every kind shows an input for each: a kind whose
    widget `survey.html` has no branch for would be left out of the page, and fail here."""
    # In place of the chain's default survey, which the store's first touchpoint serves.
    survey = {"id": "store-feedback", "title": "Every kind", "intro": "-", "thanks": "Thanks",
              "questions": [sample(kind, QUESTION_FIELDS) for kind in QUESTION_KINDS.values()]}
    (book_dir / "surveys" / "store-feedback.yaml").write_bytes(msgspec.json.encode(survey))
    book = load_book(book_dir)
    publish(database, book)
    store = "sarajevo-ferhadija"
    touchpoint = book.stores_by_id[store].touchpoints[0].id
    with make_client(database) as client:
        page = client.get(f"/s/{link_token(instance_secret(database.path), store, touchpoint)}?lang=en")
    assert page.status_code == 200, page.text
    asked = msgspec.convert(survey, Survey).questions
    assert {q.widget for q in asked} == {cls.widget for cls in QUESTION_KINDS.values()}
    assert [q.kind for q in asked if f'name="{q.id}"' not in page.text] == []
    for question in asked:
        for n in question.hints(english).get("scale", []):
            assert f'name="{question.id}" value="{n}"' in page.text
        for option in question.hints(english).get("options", []):
            assert f'name="{question.id}" value="{option["id"]}"' in page.text


def posted(question: QuestionKind) -> list[str]:
    """A valid answer as a browser posts it: the low end of a range, the first option, or a yes."""
    scale = question.range()
    if scale:
        return [str(scale[0])]
    options = question.hints(english).get("options")
    return [options[0]["id"]] if options else ["yes"]


def test_a_survey_of_every_kind_reads_every_answer() -> None:
    survey = msgspec.convert(
        {"id": "every-kind", "title": "-", "intro": "-", "thanks": "-", "questions": [sample(k, QUESTION_FIELDS) for k in QUESTION_KINDS.values()]},
        Survey,
    )
    form = {question.id: posted(question) for question in survey.questions} | {"contact_email": ["someone@example.com"]}
    answers, errors = read_survey(survey, form)
    assert errors == {}
    assert set(answers.answers) == {question.id for question in survey.questions}
    assert answers.contact is not None and answers.contact.email == "someone@example.com"


@pytest.mark.parametrize(("low", "high"), [(1, 5), (0, 10), (1, 4), (1, 2)])
def test_the_phone_is_told_exactly_which_answers_fail(low: int, high: int) -> None:
    """The phone asks for a failed item's comment or photo from the view's hints (yes/no: "no"; number:
    missing the target; scale: below `pass_from`; choice: `fails`): they agree with `failed()`."""
    scale = msgspec.convert(sample(items.ScaleItem, {**ITEM_FIELDS, "min": low, "max": high}), items.ScaleItem)
    view = scale.view(english)
    assert [v < view["pass_from"] for v in range(low, high + 1)] == [scale.failed(scale.score(v)) for v in range(low, high + 1)]
    choice = msgspec.convert(sample(items.ChoiceItem, {"choices": [
        {"id": "best", "label": "-", "points": 2}, {"id": "half", "label": "-", "points": 1}, {"id": "none", "label": "-", "points": 0}]}),
        items.ChoiceItem)
    assert [c["fails"] for c in choice.view(english)["choices"]] == [False, True, True]
    yes_no = msgspec.convert(sample(items.YesNoItem, {}), items.YesNoItem)
    assert [yes_no.failed(yes_no.score(v)) for v in (True, False)] == [False, True]
    for rule, misses, meets in [("at_most", 31, 30), ("at_least", 29, 30)]:
        number = msgspec.convert(sample(items.NumberItem, {**ITEM_FIELDS, "rule": rule}), items.NumberItem)
        assert (number.failed(number.score(misses)), number.failed(number.score(meets))) == (True, False)
