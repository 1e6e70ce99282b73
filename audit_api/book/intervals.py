"""Opening-hour intervals as minutes: the one parser of `HH:MM-HH:MM`, shared by the book's rules
and the opening-hours logic in `domain/hours.py`.

An interval is `(opens, closes)` in minutes after the local midnight of its day; `closes` may pass
1440 when the interval runs past midnight (`18:00-02:00` is `(1080, 1560)`). `00:00-24:00` is a
whole day. Not for: time zones (that is `domain/hours.py`).
"""

from __future__ import annotations

import functools

DAY = 24 * 60


@functools.lru_cache(maxsize=4096)  # a book has few distinct intervals; the API reads them per request
def parse_interval(text: str) -> tuple[int, int]:
    """`"09:30-18:00"` -> `(570, 1080)`; raises ValueError saying what is wrong."""
    try:
        start_text, end_text = text.split("-")
        opens, closes = _minutes(start_text, allow_24=False), _minutes(end_text, allow_24=True)
    except ValueError as exc:
        raise ValueError(f"'{text}' is not an opening interval: {exc}") from None
    if opens == closes:
        raise ValueError(f"'{text}' opens and closes at the same time")
    if closes < opens:
        closes += DAY
    return opens, closes


def _minutes(text: str, *, allow_24: bool) -> int:
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(hours) == 2 and len(minutes) == 2):
        raise ValueError("write times as HH:MM")
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and (m or not allow_24)):
        raise ValueError(f"{text} is not a time of day")
    return h * 60 + m


def format_minutes(minutes: int) -> str:
    """Minutes after midnight as HH:MM on a 24-hour clock (1440 is 24:00, 1560 is 02:00)."""
    if minutes == DAY:
        return "24:00"
    minutes %= DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
