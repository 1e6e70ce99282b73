"""Pick the text for a language, with the chain's default language as the fallback.

Also chooses the language of a response from an explicit choice and an Accept-Language header.
Not for: finding missing translations (`rules.py` reports those as warnings).
"""

from __future__ import annotations

import functools

from babel import Locale, UnknownLocaleError

from .base import Text


@functools.lru_cache(maxsize=64)
def language_name(code: str) -> str:
    """How a language names itself, for language switchers (CLDR): "Bosanski", "Русский", "Українська";
    a code CLDR does not know (a chain may invent one) is shown as the code."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_")) or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:]


def every(text: Text) -> list[str]:
    """Every way the text is written, one per language (a store found by any of its names)."""
    return [text] if isinstance(text, str) else list(dict.fromkeys(text.values()))


def pick(text: Text, lang: str, default: str) -> str:
    """The text in `lang`, else in `default`, else "" (a plain string is language-neutral)."""
    if isinstance(text, str):
        return text
    return text.get(lang) or text.get(default) or ""


def negotiate(available: list[str], default: str, *, explicit: str | None = None, accept: str | None = None) -> str:
    """The language to answer in: an explicit choice if offered, else the best Accept-Language match."""
    if explicit in available:
        return explicit
    for tag in _ranked(accept or ""):
        if tag in available:
            return tag
        primary = tag.split("-")[0]
        if primary in available:
            return primary
    return default


def _ranked(header: str) -> list[str]:
    """Accept-Language tags, best first; q=0 excluded; malformed weights count as 0."""
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        if not tag or tag == "*":
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]
