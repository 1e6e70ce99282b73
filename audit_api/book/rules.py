"""Rules of the book that look across fields and files, run after every file has decoded.

Duplicate ids, dangling references, impossible opening hours, unknown time zones, surveys over the
question limit, checklists that cannot be scored, missing translations (a warning: the default
language is shown instead), and each item's and question's own rules, which its kind class holds
(`problems` in `items.py`, `questions.py`). Each finding is a `Problem` located by file, path and line.
Not for: shapes of single fields (the Structs hold those).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import msgspec

from ..errors import Problem
from .base import duplicates
from .intervals import DAY, parse_interval
from .models import MAX_SURVEY_QUESTIONS, WEEKDAYS, Book, Checklist, Store, Survey
from .source import PathKey, Source, format_path

REVIEW_EVERY_DAYS = 183  # the sources: review standards at least every six months


class _Report:
    def __init__(self, source_of: Callable[[Any], Source]):
        self.source_of = source_of
        self.problems: list[Problem] = []

    def add(self, doc: Any, path: PathKey, message: str, *, severity: str = "error") -> None:
        source = self.source_of(doc)
        self.problems.append(
            Problem(
                file=str(source.file),
                path=format_path(path),
                line=source.line_of(path),
                message=message,
                severity=severity,
            )
        )

    def warn(self, doc: Any, path: PathKey, message: str) -> None:
        self.add(doc, path, message, severity="warning")

    def where(self, doc: Any, path: PathKey) -> str:
        source = self.source_of(doc)
        return f"{source.file}:{source.line_of(path)}"


def check(book: Book, source_of: Callable[[Any], Source], today: dt.date | None = None) -> list[Problem]:
    report = _Report(source_of)
    today = today or dt.date.today()
    _check_chain(book, report)
    _check_faq(book, report)
    _unique_docs(book.stores, "store", report)
    for store in book.stores:
        _check_store(store, book, report)
    _unique_docs(book.checklists, "checklist", report)
    for checklist in book.checklists:
        _check_checklist(checklist, report, today)
    _unique_docs(book.surveys, "survey", report)
    for survey in book.surveys:
        _check_survey(survey, report)
    for doc in [book.chain, book.faq, *book.stores, *book.checklists, *book.surveys]:
        _check_translations(doc, book, report)
    return report.problems


# --- chain and FAQ ----------------------------------------------------------------------------


def _check_chain(book: Book, report: _Report) -> None:
    chain = book.chain
    _unique_values(chain, chain.languages, ("languages",), "language", report)
    if chain.default_language not in chain.languages:
        report.add(chain, ("default_language",), f"'{chain.default_language}' is not listed in languages")
    procedure = chain.complaints
    if procedure.respond_within_hours < procedure.acknowledge_within_hours:
        report.add(
            chain,
            ("complaints", "respond_within_hours"),
            "the response target cannot come before the acknowledgement target",
        )


def _check_faq(book: Book, report: _Report) -> None:
    faq = book.faq
    _unique_ids(faq, faq.topics, ("topics",), "topic", report)
    _unique_ids(faq, faq.entries, ("entries",), "FAQ entry", report)
    topics = {topic.id for topic in faq.topics}
    for index, entry in enumerate(faq.entries):
        if entry.topic not in topics:
            report.add(faq, ("entries", index, "topic"), f"unknown topic '{entry.topic}' (topics: {', '.join(sorted(topics))})")
    used = {entry.topic for entry in faq.entries}
    for index, topic in enumerate(faq.topics):
        if topic.id not in used:
            report.warn(faq, ("topics", index), f"topic '{topic.id}' has no entries")


# --- stores -----------------------------------------------------------------------------------


def _check_store(store: Store, book: Book, report: _Report) -> None:
    try:
        zoneinfo.ZoneInfo(store.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        report.add(store, ("timezone",), f"unknown time zone '{store.timezone}' (use an IANA name such as Europe/Sarajevo)")
    for index, lang in enumerate(store.languages):
        if lang not in book.chain.languages:
            report.add(store, ("languages", index), f"'{lang}' is not one of the chain's languages")
    _unique_values(store, store.languages, ("languages",), "language", report)
    _unique_ids(store, store.touchpoints, ("touchpoints",), "touchpoint", report)

    week: list[tuple[int, int, PathKey]] = []
    for day_index, day in enumerate(WEEKDAYS):
        for index, text in enumerate(getattr(store.hours, day)):
            path = ("hours", day, index)
            parsed = _interval(store, text, path, report)
            if parsed:
                week.append((parsed[0] + day_index * DAY, parsed[1] + day_index * DAY, path))
    _no_overlap(store, week, 7 * DAY, report)

    seen: dict[dt.date, int] = {}
    for index, exception in enumerate(store.exceptions):
        at: PathKey = ("exceptions", index)
        if exception.date in seen:
            report.add(store, (*at, "date"), f"{exception.date} already has an exception (exceptions[{seen[exception.date]}])")
        seen.setdefault(exception.date, index)
        if exception.closed and exception.hours:
            report.add(store, (*at, "hours"), "a closed day cannot have opening hours")
        if not exception.closed and not exception.hours:
            report.add(store, at, "give the day's hours, or closed: true")
        spans = [(p[0], p[1], (*at, "hours", i)) for i, text in enumerate(exception.hours) if (p := _interval(store, text, (*at, "hours", i), report))]
        _no_overlap(store, spans, None, report)


def _interval(store: Store, text: str, path: PathKey, report: _Report) -> tuple[int, int] | None:
    try:
        return parse_interval(text)
    except ValueError as exc:
        report.add(store, path, str(exc))
        return None


def _no_overlap(store: Store, intervals: list[tuple[int, int, PathKey]], wrap: int | None, report: _Report) -> None:
    """Intervals must not overlap; with `wrap`, Sunday night's spill-over meets Monday morning."""
    spans = sorted(intervals)
    if wrap is not None:
        spans += [(start - wrap, end - wrap, path) for start, end, path in spans if end > wrap]
        spans.sort()
    for (_, end, first), (start, _, second) in zip(spans, spans[1:]):
        if start < end:
            report.add(store, second, f"overlaps {format_path(first)}")


# --- checklists -------------------------------------------------------------------------------


def _check_checklist(checklist: Checklist, report: _Report, today: dt.date) -> None:
    _unique_ids(checklist, checklist.stages, ("stages",), "stage", report)
    items = [(s, i, item) for s, stage in enumerate(checklist.stages) for i, item in enumerate(stage.items)]
    seen: dict[str, PathKey] = {}
    total = 0.0
    for s, i, item in items:
        path = ("stages", s, "items", i)
        if item.id in seen:
            report.add(checklist, (*path, "id"), f"item id '{item.id}' is used twice (also at {format_path(seen[item.id])})")
        seen.setdefault(item.id, (*path, "id"))
        for suffix, message in item.problems(path):
            report.add(checklist, (*path, *suffix), message)
        total += checklist.stages[s].weight * item.weight
    if total <= 0:
        report.add(checklist, ("stages",), "the checklist cannot be scored: every item (or stage) weighs 0")
    for s, stage in enumerate(checklist.stages):
        if stage.weight > 0 and all(item.weight == 0 for item in stage.items):
            report.warn(checklist, ("stages", s), f"stage '{stage.id}' has weight but all its items weigh 0")
    if checklist.reviewed > today:
        report.add(checklist, ("reviewed",), f"reviewed on {checklist.reviewed}, which is in the future")
    elif (today - checklist.reviewed).days > REVIEW_EVERY_DAYS:
        report.warn(checklist, ("reviewed",), f"last reviewed {checklist.reviewed}: review standards at least every six months")


# --- surveys ----------------------------------------------------------------------------------


def _check_survey(survey: Survey, report: _Report) -> None:
    count = len(survey.questions)
    if count > MAX_SURVEY_QUESTIONS:
        report.add(
            survey,
            ("questions", MAX_SURVEY_QUESTIONS),
            f"a survey has at most {MAX_SURVEY_QUESTIONS} questions (keep it short); this one has {count}",
        )
    _unique_ids(survey, survey.questions, ("questions",), "question", report)
    for index, question in enumerate(survey.questions):
        path = ("questions", index)
        for suffix, message in question.problems(path):
            report.add(survey, (*path, *suffix), message)
    if sum(question.contact_consent for question in survey.questions) > 1:
        report.add(survey, ("questions",), "ask for contact consent once")
    by_id = {question.id: question for question in survey.questions}
    for index, rule in enumerate(survey.follow_up):
        followed = by_id.get(rule.question)
        scale = followed.range() if followed else None
        if followed is None:
            report.add(survey, ("follow_up", index, "question"), f"unknown question '{rule.question}'")
        elif scale is None:
            report.add(survey, ("follow_up", index, "question"), f"'{rule.question}' is not a scored question")
        elif not scale[0] <= rule.at_most < scale[1]:
            report.add(survey, ("follow_up", index, "at_most"), f"at_most must lie in {scale[0]}..{scale[1] - 1}")


# --- shared -----------------------------------------------------------------------------------


def _unique_docs(docs: list[Any], what: str, report: _Report) -> None:
    first: dict[str, Any] = {}
    for doc in docs:
        if doc.id in first:
            report.add(doc, ("id",), f"duplicate {what} id '{doc.id}' (also in {report.where(first[doc.id], ('id',))})")
        first.setdefault(doc.id, doc)


def _unique_ids(doc: Any, items: Iterable[Any], path: PathKey, what: str, report: _Report) -> None:
    _unique_values(doc, [item.id for item in items], path, f"{what} id", report, suffix=("id",))


def _unique_values(doc: Any, values: list[str], path: PathKey, what: str, report: _Report, suffix: PathKey = ()) -> None:
    for where, message in duplicates(values, path, what, suffix):
        report.add(doc, where, message)


def _check_translations(doc: Any, book: Book, report: _Report) -> None:
    default, languages = book.chain.default_language, book.chain.languages
    for path, text in _texts(doc, ()):
        if default not in text:
            report.add(doc, path, f"no text in the default language '{default}' to fall back to")
        missing = [lang for lang in languages if lang not in text and lang != default]
        if missing:
            report.warn(doc, path, f"no translation for {', '.join(missing)}: '{default}' is shown instead")
        extra = [lang for lang in text if lang not in languages]
        if extra:
            report.warn(doc, path, f"{', '.join(extra)} is not one of the chain's languages")


def _texts(value: Any, path: PathKey) -> Iterator[tuple[PathKey, dict[str, str]]]:
    """Every translated text (a language -> string mapping) below `value`, with its path."""
    if isinstance(value, dict):
        yield path, value
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            yield from _texts(getattr(value, name), (*path, name))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _texts(child, (*path, index))
