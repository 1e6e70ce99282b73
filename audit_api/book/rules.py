"""Rules of the book that look across fields and files, run after every file has decoded.

Duplicate ids, dangling references, impossible opening hours, unknown time zones, surveys over the
question limit, checklists that cannot be scored, missing translations (a warning: the default
language is shown instead), and each item's and question's own rules, which its kind class holds
(`problems` in `items.py`, `questions.py`). Each finding is a `Problem` located by file, path and line.
Not for: shapes of single fields (the Structs hold those).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ElementTree
import zoneinfo
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import msgspec
from babel.numbers import is_currency

from .. import words as product_words
from ..errors import Problem
from .base import duplicates
from .hints import closest, closest_zone, did_you_mean
from .intervals import DAY, parse_interval
from .models import MAX_LOGO_BYTES, MAX_SURVEY_QUESTIONS, WEEKDAYS, Book, Chain, Checklist, Store, Survey
from .questions import RatingQuestion
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
                file=source.name,
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
        return f"{source.name}:{source.line_of(path)}"


def check(
    book: Book, source_of: Callable[[Any], Source], today: dt.date | None = None, *, unread: frozenset[str] = frozenset()
) -> list[Problem]:
    """Every finding about `book`. `unread` names the folders (`stores`, `standards`, `surveys`) with a file
    that did not decode or with no file: references into them are not checked, the loader has said why."""
    report = _Report(source_of)
    today = today or dt.date.today()
    _check_chain(book, report)
    _check_brand(book, report)
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
        _check_incentive(survey, report)
    if not {"stores", "surveys"} & unread:  # a file that did not decode is not missing: its error is the one to fix
        _check_survey_references(book, report)
    _check_dimension_scales(book, report)
    _check_languages([book.chain, book.faq, *book.stores, *book.checklists, *book.surveys], book, report)
    _check_words(book, report)
    return report.problems


# --- chain and FAQ ----------------------------------------------------------------------------


def _check_chain(book: Book, report: _Report) -> None:
    chain = book.chain
    _unique_values(chain, chain.languages, ("languages",), "language", report)
    if chain.default_language not in chain.languages:
        listed = ", ".join(chain.languages)
        report.add(
            chain,
            ("default_language",),
            f"'{chain.default_language}' is not listed in languages ({listed}){did_you_mean(chain.default_language, chain.languages)}: "
            "the default language is one of them",
        )
    procedure = chain.complaints
    if procedure.respond_within_hours < procedure.acknowledge_within_hours:
        report.add(
            chain,
            ("complaints", "respond_within_hours"),
            "the response target cannot come before the acknowledgement target",
        )


# --- the chain's brand -----------------------------------------------------------------------

AA_CONTRAST = 4.5  # WCAG 2 AA, normal text
ON_BRAND = "#ffffff"  # the site writes white text on the brand's colours (header, buttons)
_SVG = "{http://www.w3.org/2000/svg}"
_ACTIVE = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}  # elements that run or embed code


def _check_brand(book: Book, report: _Report) -> None:
    """The logo is a small, self-contained SVG inside the book folder; white text reads on the colours (a warning)."""
    chain = book.chain
    if chain.brand is None:
        return
    if chain.brand.logo is not None:
        errors, warnings = logo_problems(report.source_of(chain).file.parent, chain.brand.logo)
        for message in errors:
            report.add(chain, ("brand", "logo"), message)
        for message in warnings:
            report.warn(chain, ("brand", "logo"), message)
    for name in ("primary", "accent"):
        colour = getattr(chain.brand, name)
        if colour is not None and (ratio := contrast(colour, ON_BRAND)) < AA_CONTRAST:
            report.warn(
                chain, ("brand", name),
                f"white text on {colour} has a contrast of {int(ratio * 100) / 100}:1, below the {AA_CONTRAST}:1 of WCAG AA: "
                "choose a darker colour, so the header and buttons stay readable",
            )


def contrast(one: str, other: str) -> float:
    """The WCAG 2 contrast ratio of two `#rrggbb` colours, from 1 (none) to 21 (black on white)."""

    def luminance(colour: str) -> float:
        red, green, blue = (_linear(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def logo_problems(folder: Path, logo: str) -> tuple[list[str], list[str]]:
    """What is wrong with the logo file `logo` of the book in `folder`: (errors, warnings).

    A logo is shown in every page's header and as the tab's icon, from the site's own origin, so it is
    an SVG file inside the book, small, and self-contained: no script, no event handler, no link to
    another file or site. A DOCTYPE is refused before parsing (no entity tricks reach the parser).
    """
    inside = PurePosixPath(logo)
    if inside.is_absolute() or ".." in inside.parts or "\\" in logo:
        return [f"'{logo}' is not inside the book folder: name the file from there, e.g. brand/logo.svg"], []
    if inside.suffix.lower() != ".svg":
        return [f"'{logo}' is not an SVG file: the logo is an .svg drawing, so it stays sharp at every size"], []
    file = folder / inside
    if not file.is_file():
        return [f"no file '{logo}' in the book folder ({folder}): add it, or correct the name"], []
    if not file.resolve().is_relative_to(folder.resolve()):
        return [f"'{logo}' leads outside the book folder: put the file itself in the book"], []
    data = file.read_bytes()
    if len(data) > MAX_LOGO_BYTES:
        return [f"the logo has {len(data) // 1000} KB, over the {MAX_LOGO_BYTES // 1000} KB a logo may have (it loads with every page): "
                "simplify it, or save it without the editor's metadata"], []
    return svg_problems(data)


def svg_problems(data: bytes) -> tuple[list[str], list[str]]:
    """What is wrong with an SVG logo's content: (errors, warnings)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ["the logo is not UTF-8 text: save it as plain SVG (UTF-8)"], []
    if "<!doctype" in text.lower() or "<!entity" in text.lower():
        return ["the logo declares a DOCTYPE or entities: save it as plain SVG, without them"], []
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        return [f"the logo is not well-formed SVG: {exc}"], []
    if root.tag != f"{_SVG}svg":
        return ['the logo is not an SVG drawing: its first element must be <svg xmlns="http://www.w3.org/2000/svg">'], []
    errors: list[str] = []
    for element in root.iter():
        name = str(element.tag).rpartition("}")[2]
        if name.lower() in _ACTIVE:
            errors.append(f"the logo holds a <{name}> element: a logo may hold no script or embedded content")
        for attribute, value in element.attrib.items():
            local = attribute.rpartition("}")[2]
            if local.lower().startswith("on"):
                errors.append(f"the logo's <{name}> has an event handler ({local}): a logo may hold no script")
            elif "javascript:" in "".join(value.split()).lower():
                errors.append(f"the logo's <{name}> has a javascript: link in {local}: a logo may hold no script")
            elif local == "href" and not value.startswith(("#", "data:image/")):
                errors.append(f"the logo's <{name}> refers to '{value[:60]}': a logo must be self-contained (draw it, or embed it in the file)")
    warnings = [] if "viewBox" in root.attrib else ["the logo has no viewBox, so it cannot scale to the header and the tab icon: add one, e.g. viewBox=\"0 0 64 64\""]
    return errors, warnings


def _check_faq(book: Book, report: _Report) -> None:
    faq = book.faq
    _unique_ids(faq, faq.topics, ("topics",), "topic", report)
    _unique_ids(faq, faq.entries, ("entries",), "FAQ entry", report)
    topics = {topic.id for topic in faq.topics}
    for index, entry in enumerate(faq.entries):
        if entry.topic not in topics:
            hint = did_you_mean(entry.topic, sorted(topics)) or f" (topics: {', '.join(sorted(topics))})"
            report.add(faq, ("entries", index, "topic"), f"unknown topic '{entry.topic}'{hint}")
    used = {entry.topic for entry in faq.entries}
    for index, topic in enumerate(faq.topics):
        if topic.id not in used:
            report.warn(faq, ("topics", index), f"topic '{topic.id}' has no entries")


# --- stores -----------------------------------------------------------------------------------


def _check_store(store: Store, book: Book, report: _Report) -> None:
    try:
        zoneinfo.ZoneInfo(store.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = closest_zone(store.timezone)
        hint = f"did you mean {zone}?" if zone else "write a zone of the tz database as Area/City, e.g. Europe/Sarajevo"
        report.add(store, ("timezone",), f"unknown time zone '{store.timezone}': {hint}")
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
            report.add(survey, ("follow_up", index, "question"), f"unknown question '{rule.question}'{did_you_mean(rule.question, list(by_id))}")
        elif scale is None:
            report.add(survey, ("follow_up", index, "question"), f"'{rule.question}' is not a scored question")
        elif not scale[0] <= rule.at_most < scale[1]:
            report.add(survey, ("follow_up", index, "at_most"), f"at_most must lie in {scale[0]}..{scale[1] - 1}")


def _check_incentive(survey: Survey, report: _Report) -> None:
    worth = survey.incentive.value if survey.incentive else None
    if worth is None:
        return
    at: PathKey = ("incentive", "value")
    if (worth.amount is None) == (worth.percent is None):
        report.add(survey, at, "give an amount with its currency (a prize worth 50 BAM) or a percent off (a coupon worth 10 %), one of the two")
    elif worth.amount is not None and worth.currency is None:
        report.add(survey, at, "an amount needs its currency: an ISO 4217 code such as BAM, EUR or RUB")
    elif worth.percent is not None and worth.currency is not None:
        report.add(survey, (*at, "currency"), "a percent off has no currency")
    if worth.currency is not None and not is_currency(worth.currency):
        report.add(survey, (*at, "currency"), f"'{worth.currency}' is not an ISO 4217 currency code (such as BAM, EUR, RUB)")


def _check_survey_references(book: Book, report: _Report) -> None:
    """Every survey a touchpoint, a store or the chain names exists, and every touchpoint has a survey
    to serve on its QR code (the order of `Book.survey_id_for`); a survey no touchpoint serves is a warning."""
    known = book.surveys_by_id
    listed = ", ".join(sorted(known)) or "none"

    def reference(doc: Any, path: PathKey, survey_id: str | None) -> None:
        if survey_id is not None and survey_id not in known:
            report.add(doc, path, f"unknown survey '{survey_id}'" + (did_you_mean(survey_id, sorted(known)) or f" (surveys: {listed})"))

    reference(book.chain, ("default_survey",), book.chain.default_survey)
    served: set[str] = set()
    for store in book.stores:
        reference(store, ("survey",), store.survey)
        for index, touchpoint in enumerate(store.touchpoints):
            reference(store, ("touchpoints", index, "survey"), touchpoint.survey)
            survey_id = book.survey_id_for(store, touchpoint)
            if survey_id is None:
                report.add(
                    store,
                    ("touchpoints", index),
                    f"touchpoint '{touchpoint.id}' has no survey to serve: name one with `survey:` on the touchpoint or the store, "
                    f"or as the chain's `default_survey` (surveys: {listed})",
                )
            else:
                served.add(survey_id)
    for survey in book.surveys:
        if survey.id not in served:
            report.warn(survey, ("id",), f"no touchpoint serves survey '{survey.id}' (name it with `survey:` on a touchpoint or a store)")


def _check_dimension_scales(book: Book, report: _Report) -> None:
    """The rating questions of one SERVQUAL dimension share one scale across the book, so its mean reads on it."""
    first: dict[str, tuple[tuple[int, int], Survey, PathKey]] = {}
    for survey in book.surveys:
        for index, question in enumerate(survey.questions):
            if not isinstance(question, RatingQuestion) or question.dimension is None:
                continue
            path: PathKey = ("questions", index)
            scale, seen = question.range(), first.setdefault(question.dimension, (question.range(), survey, path))
            if scale != seen[0]:
                report.add(
                    survey,
                    (*path, "dimension"),
                    f"{question.dimension} is rated {seen[0][0]}..{seen[0][1]} at {report.where(seen[1], seen[2])}, here {scale[0]}..{scale[1]}: "
                    "one dimension, one scale, so its mean reads on it",
                )


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


def _check_languages(docs: list[Any], book: Book, report: _Report) -> None:
    """Every translated text has the default language and, as a warning, every other language of the chain;
    stores and texts use only the chain's languages.

    One cause, one finding: a default language missing from the list, or written in no text, is one error
    on the chain (not one per text); a language no text is written in is one warning on the chain; a
    language a whole file lacks is one finding on that file; a language the chain does not list is one
    finding where it is first used, counting the other uses.
    """
    chain = book.chain
    default, languages = chain.default_language, chain.languages
    if default not in languages:
        return  # `_check_chain` said so; every text would repeat it
    texts = {id(doc): _texts(doc) for doc in docs}
    written = {lang for found in texts.values() for _, text in found for lang in text}
    unwritten = [lang for lang in languages if lang not in written]
    _unlisted_languages(docs, texts, book, unwritten, report)
    if not written:
        return  # a book of plain, language-neutral texts
    if default not in written:
        used = ", ".join(sorted(written))
        report.add(chain, ("default_language",), f"no text of the book is written in the default language '{default}' (the texts are in {used})")
        return
    for index, lang in enumerate(languages):
        if lang in unwritten:
            near = did_you_mean(lang, sorted(written - set(languages)))
            report.warn(chain, ("languages", index), f"no text of the book is written in '{lang}'{near}: translate the texts, or take it off the list")
    for doc in docs:
        _check_translations(doc, texts[id(doc)], [lang for lang in languages if lang in written], default, report)


def _check_translations(doc: Any, texts: list[tuple[PathKey, dict[str, str]]], languages: list[str], default: str, report: _Report) -> None:
    """The languages each text of `doc` lacks; a language every text of the file lacks is said once, at the first."""
    whole_file = {lang for lang in languages if len(texts) > 1 and all(lang not in text for _, text in texts)}
    for lang in sorted(whole_file):
        if lang == default:
            report.add(doc, texts[0][0], f"no text of this file is in the default language '{default}' ({len(texts)} texts): it is what a missing translation falls back to")
        else:
            report.warn(doc, texts[0][0], f"no text of this file is translated into {lang} ({len(texts)} texts): '{default}' is shown instead")
    for path, text in texts:
        if default not in text and default not in whole_file:
            report.add(doc, path, f"no text in the default language '{default}' to fall back to")
        missing = [lang for lang in languages if lang not in text and lang != default and lang not in whole_file]
        if missing:
            report.warn(doc, path, f"no translation for {', '.join(missing)}: '{default}' is shown instead")


def _unlisted_languages(
    docs: list[Any], texts: dict[int, list[tuple[PathKey, dict[str, str]]]], book: Book, unwritten: list[str], report: _Report
) -> None:
    """A language the chain does not list: one finding where it is first used, an error if a store lists it."""
    languages = book.chain.languages
    stores: dict[str, list[tuple[Store, int]]] = {}
    for store in book.stores:
        for index, lang in enumerate(store.languages):
            if lang not in languages:
                stores.setdefault(lang, []).append((store, index))
    used: dict[str, list[tuple[Any, PathKey]]] = {}
    for doc in docs:
        for path, text in texts[id(doc)]:
            for lang in text:
                if lang not in languages:
                    used.setdefault(lang, []).append((doc, path))
    for lang in sorted(set(stores) | set(used)):
        listed, in_texts = stores.get(lang, []), used.get(lang, [])
        counts = [f"{len(listed)} stores list it"] if len(listed) > 1 else []
        counts += [f"{len(in_texts)} texts are written in it"] if in_texts else []
        typo = closest(lang, unwritten)
        message = f"'{lang}' is not one of the chain's languages ({', '.join(languages)})" + (f" (is '{typo}' in chain.yaml a typo?)" if typo else "")
        message += f"; {' and '.join(counts)}" if counts else ""
        if listed:
            store, index = listed[0]
            report.add(store, ("languages", index), f"{message}: add it to languages in chain.yaml, or take it off here")
        else:
            doc, path = in_texts[0]
            report.warn(doc, path, f"{message}: add it to languages in chain.yaml, or remove those translations")


def _check_words(book: Book, report: _Report) -> None:
    """The chain's own words (`words:`) name words the product has; each language lacking some is one warning."""
    chain, known = book.chain, product_words.msgids()
    for key in chain.words:
        if key not in known:
            report.warn(chain, ("words", key), f"'{key}' is not one of the product's words{did_you_mean(key, sorted(known))}: see audit_api/locale/messages.pot")
    for index, lang in enumerate(chain.languages):
        if missing := product_words.missing(lang, chain):
            listed = "; ".join(f"'{msgid}'" for msgid in missing)
            report.warn(
                chain, ("languages", index),
                f"'{lang}' has no word of the product's own for {len(missing)} of {len(product_words.messages())} words, shown in "
                f"'{chain.default_language}' instead: give them under words (keyed by the English word): {listed}",
            )


def _texts(doc: Any) -> list[tuple[PathKey, dict[str, str]]]:
    """Every translated text (a language -> string mapping) in `doc`, with its path, in the order of the file."""
    found: list[tuple[PathKey, dict[str, str]]] = []
    _collect_texts(doc, (), found)
    return found


_PLAIN = (str, int, float, bool, type(None), dt.date)  # values no text can be inside


def _collect_texts(value: Any, path: PathKey, found: list[tuple[PathKey, dict[str, str]]]) -> None:
    # Called for every value of every document: appending to one list (not nested generators) and
    # leaving plain values at once keeps it a small part of a 2,000-store load (`bench/book_load.py`).
    if isinstance(value, _PLAIN):
        return
    if isinstance(value, dict):
        found.append((path, value))
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            if not (name == "words" and isinstance(value, Chain)):  # the product's words, not texts: `_check_words`
                _collect_texts(getattr(value, name), (*path, name), found)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _collect_texts(child, (*path, index), found)
