"""`audit check`: the demo book is valid; broken books are named by file, path and line, in plain words, one error per cause."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from audit_api.book import check_book, load_book, pick
from audit_api.book.source import read_source
from audit_api.errors import BookInvalid

from .conftest import DEMO_BOOK


def audit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audit_api.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(file: Path, needle: str) -> int:
    return next(n for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def messages(book_dir: Path) -> list[str]:
    return [str(p) for p in check_book(book_dir).errors]


def test_demo_book_is_valid_and_complete() -> None:
    result = check_book(DEMO_BOOK)
    assert result.errors == []
    assert result.warnings == [], "the demo book is translated in full"
    book = result.book
    assert book is not None
    assert len(book.stores) >= 5
    assert len({store.timezone for store in book.stores}) >= 2
    assert any(store.exceptions for store in book.stores)
    visit = book.checklists_by_id["in-store-visit"]
    items = [item for stage in visit.stages for item in stage.items]
    assert len(visit.stages) >= 6 and len(items) >= 30
    assert any(item.critical for item in items) and any(item.na_allowed for item in items)
    assert book.checklists_by_id["phone-call"].channel == "call"
    assert len(book.faq.entries) >= 10
    assert book.chain.complaints.respond_within_hours == 10
    assert {"en", "ru"} <= set(book.chain.languages) and len(book.chain.languages) >= 3
    kinds = {question.kind for question in book.surveys[0].questions}
    assert {"nps", "csat", "ces", "text"} <= kinds and book.surveys[0].follow_up


def test_cli_check_exits_zero_on_the_demo_book() -> None:
    done = audit("check", "--book", str(DEMO_BOOK), cwd=DEMO_BOOK.parent)
    assert done.returncode == 0, done.stderr
    assert "0 error(s), 0 warning(s)" in done.stdout


def test_typo_duplicate_and_bad_time_zone_are_all_named(book_dir: Path) -> None:
    alta, mostar = book_dir / "stores" / "sarajevo-alta.yaml", book_dir / "stores" / "mostar-centar.yaml"
    visit = book_dir / "standards" / "in-store-visit.yaml"
    edit(visit, "    expected_result:\n      en: The customer finds", "    expected_reslt:\n      en: The customer finds")
    edit(alta, "id: sarajevo-alta", "id: sarajevo-ferhadija")
    edit(mostar, "timezone: Europe/Sarajevo", "timezone: Europe/Sarajvo")

    done = audit("check", "--book", book_dir.name, cwd=book_dir.parent)

    assert done.returncode == 1
    out = done.stderr
    typo_line = line_of(visit, "expected_reslt")
    assert f"checklists/standards/in-store-visit.yaml:{typo_line}: error: $.stages[0].expected_reslt: unknown key 'expected_reslt' (did you mean 'expected_result'?)" in out
    # Files are read in name order, so the Ferhadija file is the second to claim the id.
    assert f"checklists/stores/sarajevo-ferhadija.yaml:2: error: $.id: duplicate store id 'sarajevo-ferhadija' (also in checklists/stores/sarajevo-alta.yaml:{line_of(alta, 'id: sarajevo-ferhadija')})" in out
    assert f"checklists/stores/mostar-centar.yaml:{line_of(mostar, 'Sarajvo')}: error: $.timezone: unknown time zone 'Europe/Sarajvo'" in out
    # The misspelt key also leaves the real one missing: reported too, on the stage that lacks it.
    stage_line = line_of(visit, "- id: first-impression")
    assert f"checklists/standards/in-store-visit.yaml:{stage_line}: error: $.stages[0]: missing required key 'expected_result'" in out
    assert "4 error(s)" in done.stdout


def test_json_output_carries_file_path_and_line(book_dir: Path) -> None:
    edit(book_dir / "chain.yaml", "retention_days: 365", "retention_days: a year")
    done = audit("check", "--json", "--book", book_dir.name, cwd=book_dir.parent)
    assert done.returncode == 1
    [problem] = json.loads(done.stdout)
    assert problem["file"] == "checklists/chain.yaml"
    assert problem["path"] == "$.retention_days"
    assert problem["line"] == line_of(book_dir / "chain.yaml", "retention_days")
    assert problem["message"] == "write a whole number here, not the text 'a year'"


def test_a_file_with_a_typo_still_has_its_other_keys_checked(book_dir: Path) -> None:
    store = book_dir / "stores" / "kazan-baumana.yaml"
    edit(store, "email: kazan@lipa.example", "emial: kazan@lipa.example")
    edit(store, "city: Kazan", "city: Kazan\ncolour: green")
    found = messages(book_dir)
    assert any("$.emial: unknown key 'emial' (did you mean 'email'?)" in m for m in found)
    assert any("$.colour: unknown key 'colour'" in m for m in found)
    assert any("$: missing required key 'email'" in m for m in found)


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("stores/sarajevo-alta.yaml", '  mon: ["10:00-22:00"]', '  mon: ["10:00-22:00", "21:00-23:00"]', "$.hours.mon[1]: overlaps $.hours.mon[0]"),
        ("stores/sarajevo-alta.yaml", '  sun: ["10:00-20:00"]', '  sun: ["10:00-11:00"]\n  mon: ["00:30-02:00"]', "key 'mon' appears twice"),
        ("stores/sarajevo-alta.yaml", '  sat: ["10:00-01:00"]', '  sat: ["10:00-01:00"]\n  sun: ["00:30-20:00"]', "key 'sun' appears twice"),
        ("stores/sarajevo-alta.yaml", '  tue: ["10:00-22:00"]', '  tue: ["10:00-25:00"]', "$.hours.tue[0]: '10:00-25:00' is not an opening interval: 25:00 is not a time of day"),
        ("stores/sarajevo-alta.yaml", '  tue: ["10:00-22:00"]', '  tue: ["10:00-10:00"]', "opens and closes at the same time"),
        ("stores/sarajevo-alta.yaml", "    hours: [\"10:00-16:00\"]", "    closed: true\n    hours: [\"10:00-16:00\"]", "a closed day cannot have opening hours"),
        ("stores/sarajevo-alta.yaml", "languages: [bs, en]", "languages: [bs, de]", "$.languages[1]: 'de' is not one of the chain's languages"),
        ("faq.yaml", "    topic: privacy", "    topic: privacy-policy", "$.entries[10].topic: unknown topic 'privacy-policy'"),
        ("surveys/store-feedback.yaml", "  - question: recommend", "  - question: recomend", "$.follow_up[0].question: unknown question 'recomend'"),
        ("surveys/store-feedback.yaml", "  - question: recommend", "  - question: improve", "'improve' is not a scored question"),
        ("surveys/store-feedback.yaml", "    at_most: 6", "    at_most: 10", "$.follow_up[0].at_most: at_most must lie in 0..9"),
        ("standards/phone-call.yaml", "        kind: scale\n        min: 1\n        max: 5", "        kind: scale\n        min: 5\n        max: 5", "a scale needs min < max"),
        ("standards/phone-call.yaml", "        kind: number\n        target: 3", "        kind: number\n        target: 0", "$.stages[0].items[0].target: write a number of more than 0 here, not the number 0"),
        ("standards/phone-call.yaml", "      - id: clear-speech", "      - id: friendly-voice", "item id 'friendly-voice' is used twice"),
        ("standards/phone-call.yaml", "kind: yes_no\n        text:\n          en: Speaks", "kind: yesno\n        text:\n          en: Speaks", "$.stages[0].items[2].kind: unknown kind 'yesno': use one of yes_no, scale, number, choice (did you mean 'yes_no'?)"),
        ("chain.yaml", "  respond_within_hours: 10", "  respond_within_hours: 1", "the response target cannot come before the acknowledgement target"),
        ("chain.yaml", "default_language: en", "default_language: de", "'de' is not listed in languages"),
    ],
)
def test_rule_violations_are_located(book_dir: Path, file: str, old: str, new: str, expected: str) -> None:
    edit(book_dir / file, old, new)
    found = messages(book_dir)
    assert any(expected in m and f"checklists/{file}:" in m for m in found), found


def test_survey_over_fifteen_questions_is_refused(book_dir: Path) -> None:
    survey = book_dir / "surveys" / "store-feedback.yaml"
    count = len(read_source(survey).data["questions"])
    extra = "".join(f"  - id: extra-{n}\n    kind: rating\n    text: Extra {n}\n" for n in range(16 - count))
    edit(survey, "follow_up:\n", extra + "follow_up:\n")
    found = messages(book_dir)
    assert any("$.questions[15]: a survey has at most 15 questions (keep it short); this one has 16" in m for m in found), found


def test_checklist_that_cannot_be_scored_is_refused(book_dir: Path) -> None:
    phone = book_dir / "standards" / "phone-call.yaml"
    text = phone.read_text(encoding="utf-8")
    text = re.sub(r"(\n {4}weight: )\d+", r"\g<1>0", text)  # every stage weighs 0
    phone.write_text(text, encoding="utf-8")
    assert any("phone-call.yaml" in m and "cannot be scored" in m for m in messages(book_dir))


def test_yaml_1_1_traps_do_not_apply(book_dir: Path) -> None:
    """`no` stays Norway's language code and 10:00 stays a time, not the integer 600."""
    chain = book_dir / "chain.yaml"
    edit(chain, "languages: [en, bs, ru, es, sw, bg]", "languages: [en, bs, ru, es, sw, bg, no]")
    edit(book_dir / "stores/kazan-baumana.yaml", 'sat: ["10:00-20:00"]', "sat: [10:00-20:00]")
    result = check_book(book_dir)
    assert result.errors == []
    assert result.book.chain.languages[-1] == "no"
    assert result.book.stores_by_id["kazan-baumana"].hours.sat == ["10:00-20:00"]
    # No text is written in `no` yet: said once, on the chain, rather than once for every text of the book
    # (the product's own words in `no`, which it has no catalog for, are one more warning: tests/test_words.py).
    [warning] = [w for w in result.warnings if "the product's own" not in w.message]
    assert warning.file.endswith("chain.yaml") and "no text of the book is written in 'no'" in warning.message


def test_missing_translation_warns_and_falls_back(book_dir: Path) -> None:
    faq = book_dir / "faq.yaml"
    edit(faq, "      ru: Какие документы нужны для покупки в рассрочку?\n", "")
    result = check_book(book_dir)
    assert result.errors == []
    [warning] = result.warnings
    assert warning.path == "$.entries[0].question" and warning.line == line_of(faq, "Which documents")
    assert "no translation for ru: 'en' is shown instead" in warning.message
    entry = result.book.faq.entries[0]
    assert pick(entry.question, "ru", "en") == "Which documents do I need to bring to buy on instalments?"


def test_missing_default_language_is_an_error(book_dir: Path) -> None:
    edit(book_dir / "faq.yaml", "      en: Which documents do I need to bring to buy on instalments?\n", "")
    assert any("no text in the default language 'en'" in m for m in messages(book_dir))


def test_broken_yaml_and_stray_files_are_located(book_dir: Path) -> None:
    (book_dir / "stores" / "broken.yaml").write_text("id: x\nname: [unclosed\n", encoding="utf-8")
    (book_dir / "chian.yaml").write_text("name: typo\n", encoding="utf-8")
    found = [str(p) for p in check_book(book_dir).problems]
    # The line of the bracket left open (2), not the end of the file (3, past the last line).
    assert any("checklists/stores/broken.yaml:2: error: $: not valid YAML: a [ or { is not closed on its line" in m for m in found), found
    assert any("checklists/chian.yaml:1: warning: $: the book does not read this file: did you mean chain.yaml?" in m for m in found), found


def test_load_book_raises_with_every_error(book_dir: Path) -> None:
    edit(book_dir / "stores/kazan-baumana.yaml", "timezone: Europe/Moscow", "timezone: Mars/Olympus")
    edit(book_dir / "stores/moskva-arbat.yaml", "timezone: Europe/Moscow", "timezone: Mars/Olympus")
    with pytest.raises(BookInvalid) as caught:
        load_book(book_dir)
    assert len(caught.value.problems) == 2


# --- a first book: plain words, one error per cause, hints for local habits -------------------


def test_text_that_breaks_yaml_gets_the_line_back_in_quotes(book_dir: Path) -> None:
    survey = book_dir / "surveys" / "store-feedback.yaml"
    edit(survey, "      en: How satisfied are you with the service today?", "      en: How was it: good?")
    [problem] = check_book(book_dir).errors
    assert problem.line == line_of(survey, "How was it: good?")
    assert problem.message == (
        "not valid YAML: a ': ' inside a text makes YAML read a new key there. "
        'Put the text in quotes: en: "How was it: good?"'
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("name: Lipa Alta", "name: ? Lipa Alta", "a '?' at the start of a text makes YAML read a key. Put the text in quotes: name: \"? Lipa Alta\""),
        ("name: Lipa Alta", "name: @Lipa Alta", 'Put the text in quotes: name: "@Lipa Alta"'),
        ("note: {en: New Year's Eve,", "note: {en: Eve: the last day,", 'Put the text in quotes: note: {en: "Eve: the last day", bs: Doček Nove godine, ru: Канун Нового года, es: Víspera de Año Nuevo, sw: Mkesha wa Mwaka Mpya, bg: Навечерието на Нова година}'),
        ("note: {en: New Year's Eve,", "note: {en: Eve #1,", "a [ or { is not closed on its line; a ' #' starts a comment, which hides the rest of the line. Put the text in quotes: note: {en: \"Eve #1\", bs: Doček Nove godine, ru: Канун Нового года, es: Víspera de Año Nuevo, sw: Mkesha wa Mwaka Mpya, bg: Навечерието на Нова година}"),
    ],
)
def test_other_yaml_traps_get_the_quote_hint(book_dir: Path, old: str, new: str, expected: str) -> None:
    alta = book_dir / "stores" / "sarajevo-alta.yaml"
    edit(alta, old, new)
    [problem] = check_book(book_dir).errors
    assert problem.line == line_of(alta, new.split(":")[0] + ":") and expected in problem.message, problem


def test_a_hash_that_ends_a_text_early_is_a_warning_and_a_hash_that_empties_it_an_error(book_dir: Path) -> None:
    alta = book_dir / "stores" / "sarajevo-alta.yaml"
    edit(alta, "name: Lipa Alta", "name: Lipa Alta #2")
    edit(alta, "address: Franca Lehara 2, Alta Shopping Center", "address: #2 Franca Lehara")
    result = check_book(book_dir)
    [warning] = result.warnings
    assert warning.path == "$.name"
    assert warning.message == "the text ends at ' #': YAML reads '#2' as a comment. If it belongs to the text, put it in quotes: \"Lipa Alta #2\""
    [error] = result.errors
    assert error.path == "$.address" and "a ' #' starts a comment. Put the text in quotes: \"#2 Franca Lehara\"" in error.message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("default_language: en", "default_language: de", "$.default_language: 'de' is not listed in languages (en, bs, ru, es, sw, bg): the default language is one of them"),
        ("default_language: en", "default_language: EN", "$.default_language: 'EN' is not a language code"),
        ("languages: [en, bs, ru, es, sw, bg]", "languages: [en, bs, ru, es, sw, bg, fr]\ndefault_language: fr", "$.default_language: no text of the book is written in the default language 'fr' (the texts are in bg, bs, en, es, ru, sw)"),
    ],
)
def test_a_bad_default_language_is_one_error(book_dir: Path, old: str, new: str, expected: str) -> None:
    """Not one for every translated text of every file (over 200 in the demo book)."""
    chain = book_dir / "chain.yaml"
    if "\ndefault_language" in new:
        edit(chain, "default_language: en\n", "")
    edit(chain, old, new)
    result = check_book(book_dir)
    [error] = result.errors
    assert expected in str(error) and error.file.endswith("chain.yaml"), result.problems
    # (fr, which the product has no catalog for, also lacks the product's own words: one warning, tests/test_words.py)
    assert not [w for w in result.warnings if "language" in w.message and "the product's own" not in w.message], result.warnings


def test_a_mistyped_language_is_one_error_and_one_warning(book_dir: Path) -> None:
    edit(book_dir / "chain.yaml", "languages: [en, bs, ru, es, sw, bg]", "languages: [en, bs, rus, es, sw, bg]")
    result = check_book(book_dir)
    assert {w.file for w in result.warnings} == {result.errors[0].file.replace("stores/banja-luka-delta.yaml", "chain.yaml")}  # none per text
    assert any(
        w.path == "$.languages[2]" and w.message == "no text of the book is written in 'rus' (did you mean 'ru'?): translate the texts, or take it off the list"
        for w in result.warnings
    ), result.warnings
    [error] = result.errors
    assert error.file.endswith("stores/banja-luka-delta.yaml") and error.path == "$.languages[1]"
    assert "'ru' is not one of the chain's languages (en, bs, rus, es, sw, bg) (is 'rus' in chain.yaml a typo?); 3 stores list it and" in error.message


def test_a_file_without_a_language_is_one_warning(book_dir: Path) -> None:
    phone = book_dir / "standards" / "phone-call.yaml"
    phone.write_text(re.sub(r"(, ru: [^,}]+)|(\n +ru: [^\n]+)", "", phone.read_text(encoding="utf-8")), encoding="utf-8")
    [warning] = check_book(book_dir).warnings
    assert warning.path == "$.title" and re.search(r"no text of this file is translated into ru \(\d+ texts\): 'en' is shown instead", warning.message)


def test_a_survey_that_does_not_decode_is_one_error(book_dir: Path) -> None:
    """The stores' touchpoints that serve it do not each say it is missing."""
    edit(book_dir / "surveys" / "store-feedback.yaml", "id: store-feedback", "id: Store Feedback")
    [error] = check_book(book_dir).errors
    assert error.message == "'Store Feedback' is not an id (lower-case letters a-z, digits 0-9 and dashes, e.g. front-door): write store-feedback"


def test_a_file_in_the_wrong_folder_is_one_error(book_dir: Path) -> None:
    shutil.copy(book_dir / "chain.yaml", book_dir / "stores" / "lipa.yaml")
    [error] = check_book(book_dir).errors
    assert error.file.endswith("stores/lipa.yaml") and error.message == "this file holds the chain, not a store: is it in the wrong place?"


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("stores/sarajevo-alta.yaml", "id: sarajevo-alta", "id: Sarajevo_Alta"),
        ("stores/sarajevo-alta.yaml", "country: BA", "country: Bosnia"),
        ("stores/sarajevo-alta.yaml", "email: alta@lipa.example", "email: alta at lipa"),
        ("stores/sarajevo-alta.yaml", "languages: [bs, en]", "languages: [bs, EN]"),
        ("stores/sarajevo-alta.yaml", "  - date: 2026-12-31", "  - date: 31.12.2026"),
        ("stores/sarajevo-alta.yaml", "  - date: 2026-12-31", "  - date: 2026-02-30"),
        ("stores/sarajevo-alta.yaml", "    closed: true", "    closed: 1"),
        ("stores/sarajevo-alta.yaml", "coordinates: {lat: 43.8569", "coordinates: {lat: 143.8569"),
        ("stores/sarajevo-alta.yaml", '  mon: ["10:00-22:00"]', "  mon: 10:00-22:00"),
        ("stores/sarajevo-alta.yaml", "touchpoints:\n", "touchpoints: []\nx:\n"),
        ("chain.yaml", "retention_days: 365", "retention_days: a year"),
        ("chain.yaml", "name: Lipa", "name: 5"),
        ("chain.yaml", "name: Lipa", "name:"),
        ("chain.yaml", "retention_days: 365", "retention_days: 1.5"),
        ("standards/phone-call.yaml", "title: {en: Phone call,", "title: {en: 5,"),
        ("standards/phone-call.yaml", "id: phone-call", "id: " + "phone-call-" * 7),
        ("standards/phone-call.yaml", "        kind: yes_no\n", ""),
        ("standards/phone-call.yaml", "kind: yes_no\n", "kind: yes_no\n        min: 1\n"),
        ("surveys/store-feedback.yaml", "kind: nps", "kind: 10"),
    ],
)
def test_every_message_is_in_plain_words(book_dir: Path, file: str, old: str, new: str) -> None:
    """No regex, no RFC 3339, no msgspec (`Expected `str`, got `int``): words a first-time writer of a book reads."""
    edit(book_dir / file, old, new)
    found = [p.message for p in check_book(book_dir).problems]
    assert found
    for message in found:
        assert not re.search(r"RFC|regex|Expected|`(str|int|float|bool|object|array|null)`|\^|\(\?|\\[dsS]|\[[a-z]-[a-z]", message), message


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("standards/phone-call.yaml", "kind: yes_no\n", "kind: yesno\n", "$.stages[0].items[2].kind: unknown kind 'yesno': use one of yes_no, scale, number, choice (did you mean 'yes_no'?)"),
        ("standards/phone-call.yaml", "        kind: yes_no\n", "", "$.stages[0].items[2]: missing required key 'kind': use one of yes_no, scale, number, choice"),
        ("standards/phone-call.yaml", "kind: yes_no\n", "kind: yes_no\n        min: 1\n", "$.stages[0].items[2].min: unknown key 'min': kind yes_no has no 'min' (scale has it)"),
        ("standards/phone-call.yaml", "channel: call", "channel: phone", "$.channel: unknown channel 'phone': use one of visit, call"),
        ("standards/phone-call.yaml", "critical_cap: keep", "critical_cap: none", "$.critical_cap: unknown critical_cap 'none': use one of zero, keep"),
        ("surveys/store-feedback.yaml", "kind: nps", "kind: NPS", "$.questions[0].kind: unknown kind 'NPS': use one of nps, csat, ces, rating, single, multiple, text, consent (did you mean 'nps'?)"),
        ("surveys/store-feedback.yaml", "kind: nps", "kind: 10", "$.questions[0].kind: write one of nps, csat, ces, rating, single, multiple, text, consent here, not the number 10"),
        ("chain.yaml", "  - kind: phone", "  - kind: telephone", "$.contacts[0].kind: unknown kind 'telephone': use one of phone, email, chat, social, web, post (did you mean 'phone'?)"),
    ],
)
def test_an_invalid_value_lists_the_allowed_ones(book_dir: Path, file: str, old: str, new: str, expected: str) -> None:
    edit(book_dir / file, old, new)
    found = messages(book_dir)
    assert any(expected in m for m in found), found


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('  mon: ["10:00-22:00"]', '  mon: ["10.00-22.00"]', "$.hours.mon[0]: '10.00-22.00' is not opening hours as HH:MM-HH:MM, e.g. 09:00-20:00: write 10:00-22:00 (a colon, not a dot, between hours and minutes)"),
        ('  mon: ["10:00-22:00"]', "  mon: [10.00-22.00]", "write 10:00-22:00 (a colon, not a dot, between hours and minutes)"),
        ('  mon: ["10:00-22:00"]', '  mon: ["9:00-22:00"]', "$.hours.mon[0]: '9:00-22:00' is not opening hours as HH:MM-HH:MM, e.g. 09:00-20:00: write 09:00-22:00 (two digits each for hours and minutes)"),
        ('  mon: ["10:00-22:00"]', '  mon: ["١٠:٠٠-٢٢:٠٠"]', "write 10:00-22:00 (with the digits 0-9)"),
        ("  - date: 2026-12-31", "  - date: 31.12.2026", "$.exceptions[0].date: '31.12.2026' is not a date written year-month-day: write 2026-12-31"),
        ("  - date: 2026-12-31", "  - date: 31.12.2026.", "write 2026-12-31"),
        ("  - date: 2026-12-31", "  - date: 31/12/2026", "write 2026-12-31"),
        ("  - date: 2026-12-31", "  - date: 03/04/2026", "'03/04/2026' is not a date: write year-month-day, e.g. 2026-12-24"),
        ("    closed: true", "    closed: yes", "$.exceptions[1].closed: write true here: YAML 1.2 reads 'yes' as text, not as true (write true or false)"),
        ("    closed: true", "    closed: da", "write true here: YAML 1.2 reads 'da' as text"),
        ("    closed: true", "    closed: да", "write true here: YAML 1.2 reads 'да' as text"),
        ("    closed: true", "    closed: no", "write false here: YAML 1.2 reads 'no' as text, not as false"),
        ("    closed: true", "    closed: ne", "write false here: YAML 1.2 reads 'ne' as text"),
        ("    closed: true", "    closed: нет", "write false here: YAML 1.2 reads 'нет' as text"),
        (
            "note: {en: New Year's Day, bs: Nova godina",
            "note: {en: New Year's Day, closed, bs: Nova godina",
            "$.exceptions[1].note: the comma after 'New Year's Day' ends the text, so YAML reads 'closed' as a language of its own. "
            'Put the text in quotes (note: {en: "New Year\'s Day, closed", bs: Nova godina, ru: Новый год, es: Año Nuevo, sw: Siku ya Mwaka Mpya, bg: Нова година}), or write one language a line',
        ),
        ("id: sarajevo-alta", "id: |\n  sarajevo-alta", "$.id: 'sarajevo-alta\\n' is not an id (lower-case letters a-z, digits 0-9 and dashes, e.g. front-door): write sarajevo-alta (on the key's line: a | or > block keeps a line break at the end)"),
    ],
)
def test_local_habits_get_a_hint(book_dir: Path, old: str, new: str, expected: str) -> None:
    edit(book_dir / "stores" / "sarajevo-alta.yaml", old, new)
    found = messages(book_dir)
    assert any(expected in m for m in found), found


def test_a_comma_in_a_text_written_one_language_a_line_is_text(book_dir: Path) -> None:
    faq = book_dir / "faq.yaml"
    edit(faq, "      ru: Какие документы нужны для покупки в рассрочку?", "      ru: Добре, благодаря")
    assert check_book(book_dir).errors == []


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Europe/Sarajvo", "Europe/Sarajevo"),
        ("europe/sarajevo", "Europe/Sarajevo"),
        ("Moscow", "Europe/Moscow"),
        ("moskow", "Europe/Moscow"),
        ("Nairobi", "Africa/Nairobi"),
        ("Africa/Nairobbi", "Africa/Nairobi"),
        ("Europe/Kazan", ""),
    ],
)
def test_a_bad_time_zone_suggests_the_closest_real_one(book_dir: Path, typed: str, meant: str) -> None:
    edit(book_dir / "stores" / "mostar-centar.yaml", "timezone: Europe/Sarajevo", f"timezone: {typed}")
    [error] = check_book(book_dir).errors
    if typed == "Europe/Kazan":  # no zone is close: the form of one is shown instead
        assert error.message == "unknown time zone 'Europe/Kazan': write a zone of the tz database as Area/City, e.g. Europe/Sarajevo"
    else:
        assert error.message == f"unknown time zone '{typed}': did you mean {meant}?"


@pytest.mark.parametrize("given", ["./my-book", "my-book", "my-book/", "ABSOLUTE", "../here/my-book", "."])
def test_files_are_named_the_way_the_book_was_given(book_dir: Path, given: str, monkeypatch: pytest.MonkeyPatch) -> None:
    here = book_dir.parent / "here"
    here.mkdir()
    book = book_dir.rename(here / "my-book")
    edit(book / "stores" / "mostar-centar.yaml", "timezone: Europe/Sarajevo", "timezone: Europe/Sarajvo")
    edit(book / "stores" / "sarajevo-alta.yaml", "id: sarajevo-alta", "id: mostar-centar")
    monkeypatch.chdir(book if given == "." else here)
    given = str(book) if given == "ABSOLUTE" else given
    time_zone, duplicate = (str(p) for p in check_book(given).errors)
    start = given.rstrip("/")
    assert time_zone.startswith(f"{start}/stores/mostar-centar.yaml:{line_of(book / 'stores/mostar-centar.yaml', 'Sarajvo')}: error: $.timezone")
    assert duplicate.startswith(f"{start}/stores/sarajevo-alta.yaml:")
    assert f"(also in {start}/stores/mostar-centar.yaml:3)" in duplicate  # a message naming another file names it the same way


def test_the_cli_names_files_the_way_the_book_was_given(book_dir: Path) -> None:
    """`--book ./checklists` keeps its `./`, which a Path would drop."""
    edit(book_dir / "stores" / "mostar-centar.yaml", "timezone: Europe/Sarajevo", "timezone: Europe/Sarajvo")
    done = audit("check", "--book", "./checklists", cwd=book_dir.parent)
    assert done.stderr.startswith("./checklists/stores/mostar-centar.yaml:") and done.stdout.startswith("./checklists: 1 error(s)")


def test_files_the_book_does_not_read_are_warned_about(book_dir: Path) -> None:
    (book_dir / "stores" / "README.md").write_text("# Our stores\n", encoding="utf-8")  # notes beside the files: fine
    (book_dir / "stores" / "mostar-centar.yaml").rename(book_dir / "stores" / "mostar-centar.yml")  # read, as .yaml
    (book_dir / "stores" / "2027").mkdir()
    (book_dir / "stores" / "sarajevo-alta.yaml").rename(book_dir / "stores" / "2027" / "sarajevo-alta.yaml")
    (book_dir / "survey").mkdir()
    shutil.copy(book_dir / "surveys" / "store-feedback.yaml", book_dir / "survey" / "copy.yaml")
    (book_dir / "faq.yaml").rename(book_dir / "fqa.yaml")
    result = check_book(book_dir)
    found = {p.file.partition("checklists/")[2]: f"{p.severity}: {p.message}" for p in result.problems}
    assert found == {
        "stores/2027/sarajevo-alta.yaml": "warning: the book does not read this file: it holds a store; move it to stores/sarajevo-alta.yaml",
        "survey/copy.yaml": "warning: the book does not read this file: it holds a survey; move it to surveys/copy.yaml",
        "fqa.yaml": "warning: the book does not read this file: it holds the FAQ, which the book reads from faq.yaml",
        "faq.yaml": "error: missing file",
    }


@pytest.mark.parametrize(("folder", "one"), [("stores", "store"), ("standards", "checklist"), ("surveys", "survey")])
def test_a_book_without_a_store_a_checklist_or_a_survey_is_refused(book_dir: Path, folder: str, one: str) -> None:
    for file in (book_dir / folder).glob("*.yaml"):
        file.unlink()
    [error] = check_book(book_dir).errors
    assert error.file.endswith(f"checklists/{folder}/") and error.message.startswith(f"the book has no {one}: add a file for each {one} here")


def test_a_book_without_its_folders_says_what_is_missing(book_dir: Path) -> None:
    for folder in ("stores", "standards", "surveys"):
        shutil.rmtree(book_dir / folder)
    assert [e.message.split(":")[0] for e in check_book(book_dir).errors] == [
        "the book has no checklist", "the book has no store", "the book has no survey"
    ]


def test_an_invisible_control_character_is_located(book_dir: Path) -> None:
    edit(book_dir / "stores" / "sarajevo-alta.yaml", "city: Sarajevo", "city: Sara\x1cjevo")
    [error] = check_book(book_dir).errors
    assert error.line == line_of(book_dir / "stores" / "sarajevo-alta.yaml", "city:")
    assert error.message == "not valid YAML: an invisible control character (U+001C) in the text: delete it"


def test_libyaml_and_pyyaml_read_the_book_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader composes with libyaml for speed and falls back to PyYAML's parser for an error's words:
    both must give the same values, lines and hints."""
    files = [DEMO_BOOK / "chain.yaml", DEMO_BOOK / "faq.yaml", *sorted(DEMO_BOOK.glob("*/*.yaml"))]
    tricky = "id: |\n  x\nname: Lipa #2\nnote: {en: Yes, thanks}\ndays: 365.0\nflag: True\nempty:\nquoted: '1'\n"

    def read_all() -> list[tuple[object, ...]]:
        sources = [read_source(file) for file in files] + [read_source(Path("tricky.yaml"), tricky)]
        return [(s.data, s.value_lines, s.key_lines, s.splits, s.notes) for s in sources]

    fast = read_all()
    monkeypatch.delattr("yaml.CSafeLoader", raising=False)
    assert read_all() == fast
