"""`audit check`: the demo book is valid; broken books are named by file, path and line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from audit_api.book import check_book, load_book, pick
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

    done = audit("check", "--book", str(book_dir), cwd=book_dir.parent)

    assert done.returncode == 1
    out = done.stderr
    typo_line = line_of(visit, "expected_reslt")
    assert f"checklists/standards/in-store-visit.yaml:{typo_line}: error: $.stages[0].expected_reslt: unknown key 'expected_reslt' (did you mean 'expected_result'?)" in out
    # Files are read in name order, so the Ferhadija file is the second to claim the id.
    assert f"checklists/stores/sarajevo-ferhadija.yaml:2: error: $.id: duplicate store id 'sarajevo-ferhadija' (also in checklists/stores/sarajevo-alta.yaml:{line_of(alta, 'id: sarajevo-ferhadija')})" in out
    assert f"checklists/stores/mostar-centar.yaml:{line_of(mostar, 'Sarajvo')}: error: $.timezone: unknown time zone 'Europe/Sarajvo'" in out
    # The misspelt key also leaves the real one missing: reported too, on the stage that lacks it.
    stage_line = line_of(visit, "- id: first-impression")
    assert f"checklists/standards/in-store-visit.yaml:{stage_line}: error: $.stages[0]: missing required key `expected_result`" in out
    assert "4 error(s)" in done.stdout


def test_json_output_carries_file_path_and_line(book_dir: Path) -> None:
    edit(book_dir / "chain.yaml", "retention_days: 365", "retention_days: a year")
    done = audit("check", "--json", "--book", str(book_dir), cwd=book_dir.parent)
    assert done.returncode == 1
    [problem] = json.loads(done.stdout)
    assert problem["file"] == "checklists/chain.yaml"
    assert problem["path"] == "$.retention_days"
    assert problem["line"] == line_of(book_dir / "chain.yaml", "retention_days")
    assert problem["message"] == "expected `int`, got `str`"


def test_a_file_with_a_typo_still_has_its_other_keys_checked(book_dir: Path) -> None:
    store = book_dir / "stores" / "kazan-baumana.yaml"
    edit(store, "email: kazan@lipa.example", "emial: kazan@lipa.example")
    edit(store, "city: Kazan", "city: Kazan\ncolour: green")
    found = messages(book_dir)
    assert any("$.emial: unknown key 'emial' (did you mean 'email'?)" in m for m in found)
    assert any("$.colour: unknown key 'colour'" in m for m in found)
    assert any("$: missing required key `email`" in m for m in found)


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
        ("standards/phone-call.yaml", "        kind: number\n        target: 3", "        kind: number\n        target: 0", "$.stages[0].items[0].target: expected `float` > 0"),
        ("standards/phone-call.yaml", "      - id: clear-speech", "      - id: friendly-voice", "item id 'friendly-voice' is used twice"),
        ("standards/phone-call.yaml", "kind: yes_no\n        text:\n          en: Speaks", "kind: yesno\n        text:\n          en: Speaks", "$.stages[0].items[2].kind: invalid value 'yesno'"),
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
    extra = "".join(f"  - id: extra-{n}\n    kind: rating\n    text: Extra {n}\n" for n in range(7))
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
    edit(chain, "languages: [en, bs, ru]", "languages: [en, bs, ru, no]")
    edit(book_dir / "stores/kazan-baumana.yaml", 'sat: ["10:00-20:00"]', "sat: [10:00-20:00]")
    result = check_book(book_dir)
    assert result.errors == []
    assert result.book.chain.languages[-1] == "no"
    assert result.book.stores_by_id["kazan-baumana"].hours.sat == ["10:00-20:00"]
    assert any("no translation for no" in str(w) for w in result.warnings)


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
    found = messages(book_dir)
    assert any(m.startswith("checklists/stores/broken.yaml:3: error: $: not valid YAML") for m in found), found
    assert any(m.startswith("checklists/chian.yaml:1: error: $: unexpected file") for m in found), found


def test_load_book_raises_with_every_error(book_dir: Path) -> None:
    edit(book_dir / "stores/kazan-baumana.yaml", "timezone: Europe/Moscow", "timezone: Mars/Olympus")
    edit(book_dir / "stores/moskva-arbat.yaml", "timezone: Europe/Moscow", "timezone: Mars/Olympus")
    with pytest.raises(BookInvalid) as caught:
        load_book(book_dir)
    assert len(caught.value.problems) == 2
