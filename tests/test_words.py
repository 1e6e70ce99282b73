"""The product's own words: complete catalogs in every language, the same placeholders, every plural form,
a catalog template that matches the code, and the chain's own words over the catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest
from babel.messages.catalog import Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from audit_api.book import check_book, load_book
from audit_api.book.i18n import language_name
from audit_api.site.build import theme_language
from audit_api.store import Database, publish
from audit_api.words import LOCALE, TEMPLATE, catalog_languages, messages, words

from .conftest import DEMO_BOOK, ROOT, make_client
from .test_book_check import audit, edit, line_of
from .test_survey_pages import link

LANGUAGES = ["en", "es", "bs", "sw", "ru", "bg"]
PLURALS = {"en": 2, "es": 2, "bs": 3, "sw": 2, "ru": 3, "bg": 2}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|#")  # ours, and the count in Material's search results
BOOK = load_book(DEMO_BOOK)


def catalog(lang: str) -> list[Message]:
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return [m for m in read_po(source, locale=lang) if m.id]


def template() -> list[Message]:
    with TEMPLATE.open("rb") as source:
        return [m for m in read_po(source) if m.id]


def forms(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def test_the_six_catalogs_are_there() -> None:
    assert catalog_languages() == sorted(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_word_is_translated(lang: str) -> None:
    wanted = {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in template()}
    found = catalog(lang)
    assert {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in found} == wanted, "`make update` brings a catalog in line"
    untranslated = [m.id for m in found if not all(form.strip() for form in forms(m.string))]
    fuzzy = [m.id for m in found if m.fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_kept(lang: str) -> None:
    changed = {}
    for m in catalog(lang):
        # Every form of a counted word keeps the plural's placeholders (the singular's, in English, may spell the one out).
        expected = placeholders(forms(m.id)[-1])
        for form in forms(m.string):
            if placeholders(form) != expected:
                changed[forms(m.id)[0]] = form
    assert changed == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_are_complete(lang: str) -> None:
    counted = [m for m in catalog(lang) if m.pluralizable]
    assert len(counted) >= 3
    for m in counted:
        assert len(forms(m.string)) == PLURALS[lang], m.id


@pytest.mark.parametrize(
    ("lang", "counts"),
    [
        ("ru", {1: "1 часа", 3: "3 часов", 5: "5 часов", 21: "21 часа", 22: "22 часов", 11: "11 часов"}),
        ("bs", {1: "1 sata", 3: "3 sata", 5: "5 sati", 21: "21 sata", 12: "12 sati"}),
        ("bg", {1: "1 час", 10: "10 часа"}),
        ("es", {1: "1 hora.", 10: "10 horas."}),
        ("sw", {1: "saa 1.", 10: "saa 10."}),
    ],
)
def test_a_counted_word_agrees_with_its_number(lang: str, counts: dict[int, str]) -> None:
    found = words(lang)
    for count, expected in counts.items():
        assert expected in found.ngettext("We answer every complaint within %(num)s hour.", "We answer every complaint within %(num)s hours.", count)


def test_the_template_lists_every_word_the_code_uses() -> None:
    """`make extract` has been run: a word added to the code or a template is in messages.pot (and so, by the
    tests above, translated in every catalog)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "NP_": ((1, "c"), 2)}  # as the Makefile's `--keyword`s
    used = {
        (context, msgid if isinstance(msgid, str) else tuple(msgid))
        for _, _, msgid, _, context in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)
    }
    listed = {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in template()}
    assert used == listed


def test_words_in_a_language_without_a_catalog_fall_back_to_the_default_language() -> None:
    chain = msgspec.structs.replace(BOOK.chain, default_language="bs", languages=["bs", "en", "fr"], words={"Send": {"fr": "Envoyer"}})
    french = words("fr", chain)
    assert not french.has_catalog
    assert french.gettext("Send") == "Envoyer"  # the book's own word
    assert french.gettext("Stores") == "Prodavnice"  # none: the default language's catalog
    assert words("de").gettext("Stores") == "Stores"  # no chain, no catalog: the English id


def test_the_books_word_wins_over_the_catalog_and_counts_by_the_languages_rule() -> None:
    singular, plural = "We answer every complaint within %(num)s hour.", "We answer every complaint within %(num)s hours."
    own = {
        "Send": {"bs": "Pošaljite odgovore"},
        "Closed": {"ru": "Не работает"},
        singular: {"fr": "Nous répondons sous %(num)s heure."},
        plural: {"fr": "Nous répondons sous %(num)s heures."},
    }
    chain = msgspec.structs.replace(BOOK.chain, languages=["en", "bs", "ru", "fr"], words=own)
    assert words("bs", chain).gettext("Send") == "Pošaljite odgovore" and words("ru", chain).gettext("Send") == "Отправить"
    assert words("ru", chain).gettext("Closed") == "Не работает"
    assert words("ru", chain).pgettext("complaint", "Closed") == "Не работает", "a chain's word serves every context of its id"
    french = words("fr", chain)
    # French says "one" for 0 and 1 (CLDR), English only for 1.
    assert [french.ngettext(singular, plural, n) for n in (0, 1, 2)] == [
        "Nous répondons sous 0 heure.", "Nous répondons sous 1 heure.", "Nous répondons sous 2 heures."
    ]


def test_a_chains_word_reaches_the_customers_page(book_dir: Path, loaded: Database) -> None:
    chain_file = book_dir / "chain.yaml"
    chain_file.write_text(chain_file.read_text(encoding="utf-8") + "words:\n  Send: {bs: Pošaljite odgovore}\n", encoding="utf-8")
    publish(loaded, load_book(book_dir))
    with make_client(loaded) as client:
        bosnian = client.get(link(loaded) + "?lang=bs").text
        english = client.get(link(loaded) + "?lang=en").text
    assert '<button type="submit">Pošaljite odgovore</button>' in bosnian
    assert '<button type="submit">Send</button>' in english


def test_a_language_the_product_has_no_catalog_for_speaks_the_books_words(book_dir: Path, loaded: Database) -> None:
    edit(book_dir / "chain.yaml", "languages: [en, bs, ru, es, sw, bg]", "languages: [en, bs, ru, es, sw, bg, fr]")
    edit(book_dir / "stores/sarajevo-ferhadija.yaml", "languages: [bs, en]", "languages: [bs, en, fr]")
    chain_file = book_dir / "chain.yaml"
    chain_file.write_text(
        chain_file.read_text(encoding="utf-8") + "words:\n  Send: {fr: Envoyer}\n  Language: {fr: Langue}\n", encoding="utf-8"
    )
    publish(loaded, load_book(book_dir))
    with make_client(loaded) as client:
        page = client.get(link(loaded) + "?lang=fr").text
    assert '<html lang="fr">' in page
    assert '<button type="submit">Envoyer</button>' in page and 'aria-label="Langue"' in page
    assert "Leave this field empty" in page, "a word the book does not give: the default language's"


def test_audit_check_lists_the_words_a_language_lacks(book_dir: Path) -> None:
    chain_file = book_dir / "chain.yaml"
    edit(chain_file, "languages: [en, bs, ru, es, sw, bg]", "languages: [en, bs, ru, es, sw, bg, fr]")
    chain_file.write_text(chain_file.read_text(encoding="utf-8") + "words:\n  Send: {fr: Envoyer}\n  Stors: {fr: Magasins}\n", encoding="utf-8")
    result = check_book(book_dir)
    assert result.errors == []
    [missing] = [w for w in result.warnings if "the product's own" in w.message]
    assert missing.file.endswith("chain.yaml") and missing.path == "$.languages[6]" and missing.line == line_of(chain_file, "languages:")
    assert "'fr' has no word of the product's own" in missing.message
    total = len(messages())
    assert f"for {total - 1} of {total} words" in missing.message
    assert "'Opening hours'" in missing.message and "'Send'" not in missing.message
    [unknown] = [w for w in result.warnings if "Stors" in w.message]
    assert unknown.path == "$.words.Stors" and "did you mean 'Stores'?" in unknown.message
    strict = audit("check", "--strict", "--book", str(book_dir), cwd=ROOT)
    assert strict.returncode == 1 and "'fr' has no word of the product's own" in strict.stdout + strict.stderr


def test_the_demo_book_lacks_no_word() -> None:
    assert [w for w in check_book(DEMO_BOOK).warnings if "the product's own" in w.message] == []


def test_the_sites_theme_speaks_every_language_from_the_catalogs() -> None:
    bosnian = theme_language(BOOK, "bs")
    assert '"action.skip": "Preskočite na sadržaj"' in bosnian and '"search.result.placeholder": "Počnite kucati za pretragu"' in bosnian
    assert 'import "partials/languages/sh.html" as fallback' in bosnian  # for the keys no catalog has (search settings)
    swahili = theme_language(msgspec.structs.replace(BOOK, chain=msgspec.structs.replace(BOOK.chain, languages=["en", "sw"])), "sw")
    assert '"search.placeholder": "Tafuta"' in swahili and '"top": "Rudi juu"' in swahili
    # A language Material translates and the product does not: Material's own words, unless the chain gives its own.
    french_chain = msgspec.structs.replace(BOOK.chain, languages=["en", "fr"], words={"Search": {"fr": "Chercher"}})
    french = theme_language(msgspec.structs.replace(BOOK, chain=french_chain), "fr")
    assert '"search": "Chercher"' in french and "action.skip" not in french and 'partials/languages/fr.html' in french


def test_a_language_is_named_in_its_own_words_even_one_the_product_has_no_catalog_for() -> None:
    assert [language_name(code) for code in ("bs", "ru", "sw", "es")] == ["Bosanski", "Русский", "Kiswahili", "Español"]
    assert language_name("uk") == "Українська"  # a chain may add Ukrainian: its switcher still reads well (CLDR)
    assert language_name("tlh") == "tlh"  # a code CLDR does not know is shown as written
