"""Dates, times and money as a person reads them: in the store's time zone, formatted by CLDR (Babel) for the
reader's language. Every date or time the product shows a person goes through here.

    moment(received, "Europe/Moscow", "ru")   -> "вторник, 24 ноября 2026 г., 12:38"
    day(date(2026, 12, 24), "bs")             -> "četvrtak, 24. decembar 2026."

A language CLDR does not know (a chain may add its own) is formatted as English.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_currency, format_decimal, format_percent


@functools.lru_cache(maxsize=64)
def locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def moment(instant: dt.datetime | str, timezone: str, lang: str) -> str:
    """An instant (aware, or its ISO text) as the store's local date and time, without seconds."""
    when = dt.datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    local = when.astimezone(ZoneInfo(timezone))
    where = locale(lang)
    pattern = str(get_datetime_format("full", locale=where))
    date_text = format_date(local.date(), "full", locale=where)
    time_text = format_time(local.replace(tzinfo=None), "short", locale=where)
    return pattern.replace("{1}", date_text).replace("{0}", time_text)


def day(date: dt.date, lang: str, length: str = "full") -> str:
    """A calendar day (already local to its store), e.g. the day a complaint's visit happened."""
    return format_date(date, length, locale=locale(lang))


def worth(amount: float | None, currency: str | None, percent: float | None, lang: str) -> str:
    """What a prize or coupon is worth, as the reader writes money or a share: "100,00 KM", "10 %"."""
    if amount is not None and currency:
        return format_currency(amount, currency, locale=locale(lang))
    if percent is not None:
        return format_percent(percent / 100, locale=locale(lang))
    return ""


def score(percent: float, lang: str, digits: int = 1) -> str:
    """A score out of 100 as the reader writes a share: "83.3%" in en, "83,3 %" in ru and bs."""
    rounded = Decimal(str(round(percent, digits))) / 100  # exact: 83.3 stays 83.3, not 83.29999...
    return format_percent(rounded, locale=locale(lang), decimal_quantization=False)


def number(value: float, lang: str) -> str:
    """A plain number as the reader writes it: "1,250" in en, "1.250" in bs, "1 250" in ru."""
    return format_decimal(value, locale=locale(lang))


def clock(minutes: int, lang: str) -> str:
    """A time of day given in minutes after midnight (opening hours), in the reader's habit."""
    return format_time(dt.time((minutes // 60) % 24, minutes % 60), "short", locale=locale(lang))


def span(opens: int, closes: int, lang: str) -> str:
    """An opening interval (minutes after midnight; past 1440 is the next morning) as the reader writes one:
    "9:00 AM – 8:00 PM" in en, "09:00–20:00" in bs, "22:00 – 02:00" in ru (CLDR's interval pattern)."""
    pattern = str(locale(lang).interval_formats.get(None) or "{0}–{1}")
    return pattern.replace("{0}", clock(opens, lang)).replace("{1}", clock(closes, lang))
