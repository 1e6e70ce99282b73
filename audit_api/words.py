"""The product's own words in the reader's language: gettext catalogs, under the chain's own words.

One set of catalogs (`audit_api/locale/<lang>/LC_MESSAGES/messages.po`, compiled to `.mo` by
`make catalogs`) serves every page the product writes: customers' pages, error pages, audit reports,
posters (`render/`) and the public site with its theme (`site/`). The source strings are English and
are the message ids: `_("Opening hours")` in Python, `{{ _("Send") }}` or `{% trans %}` in templates;
`make extract` collects them into `locale/messages.pot`, `make update` merges that into every catalog.

A word is looked up in this order:

    1. the chain's own word for it in this language (`words:` in chain.yaml, keyed by the English id);
    2. the product's catalog for the language;
    3. for a language the product has no catalog for: the chain's default language (1, then 2);
    4. the English id itself.

A counted word (`ngettext`) takes the chain's word for its singular id where the language says "one"
and for its plural id otherwise (either alone serves every count). The chain's word for an id serves
every context that id is used in (`pgettext`). Catalogs are read once per process; `words()` is cheap.

Not for: the chain's own texts (store names, FAQ, questions: `book.i18n.pick`), choosing the
reader's language (`book.i18n.negotiate`), dates and times (`render/when.py`).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

if TYPE_CHECKING:
    from .book.base import Text
    from .book.models import Chain

LOCALE = Path(__file__).parent / "locale"
DOMAIN = "messages"
TEMPLATE = LOCALE / f"{DOMAIN}.pot"


def N_(message: str) -> str:
    """Marks an English id for `make extract` where the word is looked up later (a table of keys)."""
    return message


def NP_(context: str, message: str) -> str:
    """`N_` for an id in a context (`make extract` reads both): the word is looked up later, with `pgettext(context, message)`."""
    return message


class _Catalog:
    """One language's compiled catalog, and the ids it translates."""

    def __init__(self, compiled: bytes):
        self.translations = Translations(io.BytesIO(compiled), domain=DOMAIN)
        self.translated = frozenset(
            msgid for message in read_mo(io.BytesIO(compiled)) for msgid in ([message.id] if isinstance(message.id, str) else message.id) if msgid
        )


@functools.cache
def _catalog(lang: str) -> _Catalog | None:
    po = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return None
    mo = po.with_suffix(".mo")
    if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
        return _Catalog(mo.read_bytes())
    # Not compiled yet, or edited since (`make catalogs` compiles): compile in memory, never show stale words.
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    return _Catalog(compiled.getvalue())


def catalog_languages() -> list[str]:
    """The languages the product has a catalog for."""
    return sorted(po.parent.parent.name for po in LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


@functools.cache
def messages() -> tuple[tuple[str, ...], ...]:
    """The product's words as `messages.pot` lists them, each by its English ids: (id,), or (singular, plural) for a counted word."""
    with TEMPLATE.open("rb") as source:
        template = read_po(source, domain=DOMAIN)
    found: dict[tuple[str, ...], None] = {}
    for message in template:
        if message.id:
            found[(message.id,) if isinstance(message.id, str) else tuple(message.id)] = None
    return tuple(found)


def msgids() -> set[str]:
    """Every English id a chain may give its own word for."""
    return {msgid for ids in messages() for msgid in ids}


@functools.cache
def _plural_form(lang: str) -> Callable[[int], str]:
    try:
        rule: Callable[[int], str] = Locale.parse(lang.replace("-", "_")).plural_form
        return rule
    except (UnknownLocaleError, ValueError):
        return lambda n: "one" if n == 1 else "other"


class Words:
    """The product's words in one language for one chain: `gettext`, `ngettext`, `pgettext`, as Jinja calls them."""

    def __init__(self, lang: str, own: Mapping[str, Text], fallback: Words | None):
        self.lang = lang
        self._own = own
        self._catalog = _catalog(lang)
        self._fallback = fallback if self._catalog is None else None

    @property
    def has_catalog(self) -> bool:
        return self._catalog is not None

    def own(self, msgid: str) -> str | None:
        """The chain's own word for `msgid` in this language, if its book gives one."""
        text = self._own.get(msgid)
        if text is None:
            return None
        return (text if isinstance(text, str) else text.get(self.lang)) or None

    def knows(self, msgid: str) -> bool:
        """Whether this language has a word for `msgid` of its own (the book's or the catalog's), not a fallback."""
        return self.own(msgid) is not None or (self._catalog is not None and msgid in self._catalog.translated)

    def gettext(self, message: str, **variables: Any) -> str:
        return _filled(self._word(message, None), variables)

    def pgettext(self, context: str, message: str, **variables: Any) -> str:
        return _filled(self._word(message, context), variables)

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        return _filled(self._counted(singular, plural, num, None), variables)

    def npgettext(self, context: str, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        return _filled(self._counted(singular, plural, num, context), variables)

    def _word(self, message: str, context: str | None) -> str:
        own = self.own(message)
        if own is not None:
            return own
        if self._catalog is not None:
            translations = self._catalog.translations
            return str(translations.pgettext(context, message)) if context else translations.gettext(message)
        return self._fallback._word(message, context) if self._fallback else message

    def _counted(self, singular: str, plural: str, num: int, context: str | None) -> str:
        one, other = self.own(singular), self.own(plural)
        if one or other:
            return (one or other or "") if _plural_form(self.lang)(num) == "one" else (other or one or "")
        if self._catalog is not None:
            translations = self._catalog.translations
            return str(translations.npgettext(context, singular, plural, num)) if context else translations.ngettext(singular, plural, num)
        if self._fallback:
            return self._fallback._counted(singular, plural, num, context)
        return singular if num == 1 else plural


def _filled(text: str, variables: dict[str, Any]) -> str:
    """`%(name)s` placeholders filled, as Jinja's new-style gettext does (`%%` is a percent sign then)."""
    return text % variables if variables else text


def words(lang: str, chain: Chain | None = None) -> Words:
    """The product's words in `lang`, with the chain's own words over them (none without a chain)."""
    own: Mapping[str, Text] = chain.words if chain is not None else {}
    default = chain.default_language if chain is not None else "en"
    fallback = Words(default, own, None) if default != lang else None
    return Words(lang, own, fallback)


def missing(lang: str, chain: Chain) -> list[str]:
    """The ids `lang` has no word for, neither in the chain's book nor in a catalog: they are shown in the fallback."""
    found = words(lang, chain)
    return [ids[0] for ids in messages() if not any(found.knows(msgid) for msgid in ids)]
