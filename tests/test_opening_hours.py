"""Open now, in the store's own time zone: across daylight-saving changes, past midnight, on holidays.

Expected values are worked out by hand from the demo book's hours (Europe/Sarajevo is UTC+1 in
winter, UTC+2 in summer; clocks moved on 2026-03-29 01:00 UTC and 2026-10-25 01:00 UTC;
Europe/Moscow is UTC+3 all year).
"""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from audit_api.book import load_book
from audit_api.book.models import Store, WeekHours
from audit_api.domain.hours import status_at

from .conftest import DEMO_BOOK

BOOK = load_book(DEMO_BOOK)
FERHADIJA = BOOK.stores_by_id["sarajevo-ferhadija"]  # Mon-Fri 08-20, Sat 09-18, Sun closed
ALTA = BOOK.stores_by_id["sarajevo-alta"]  # Fri and Sat 10:00-01:00, Sun 10-20
MOSTAR = BOOK.stores_by_id["mostar-centar"]  # weekdays 08-13 and 14-20
ARBAT = BOOK.stores_by_id["moskva-arbat"]


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_first_morning_of_summer_time_uses_the_new_offset() -> None:
    # Monday 2026-03-30, 06:30 UTC is 08:30 in Sarajevo (UTC+2): open. A fixed UTC+1 would say 07:30, closed.
    status = status_at(FERHADIJA, utc(2026, 3, 30, 6, 30))
    assert status.open_now
    assert status.local_time.isoformat() == "2026-03-30T08:30:00+02:00"
    assert status.next_change == local("2026-03-30T20:00:00+02:00")
    before = status_at(FERHADIJA, utc(2026, 3, 30, 5, 30))
    assert not before.open_now and before.next_change == local("2026-03-30T08:00:00+02:00")


def test_on_the_night_the_clocks_go_forward() -> None:
    # Saturday's 10:00-01:00 runs into Sunday 2026-03-29 before the change at 02:00 local.
    late = status_at(ALTA, utc(2026, 3, 28, 23, 30))  # 00:30 UTC+1
    assert late.open_now and late.next_change == local("2026-03-29T01:00:00+01:00")
    # Sunday 08:30 UTC is 10:30 UTC+2: open (10:00-20:00); a stale UTC+1 would say 09:30, closed.
    assert status_at(ALTA, utc(2026, 3, 29, 8, 30)).open_now
    early = status_at(ALTA, utc(2026, 3, 29, 7, 30))  # 09:30 UTC+2
    assert not early.open_now and early.next_change == local("2026-03-29T10:00:00+02:00")


def test_on_the_day_the_clocks_go_back() -> None:
    # Sunday 2026-10-25, 08:30 UTC is 09:30 UTC+1: closed (opens 10:00). A stale UTC+2 would say open.
    status = status_at(ALTA, utc(2026, 10, 25, 8, 30))
    assert not status.open_now
    assert status.local_time.utcoffset() == dt.timedelta(hours=1)
    assert status.next_change == local("2026-10-25T10:00:00+01:00")
    assert status_at(ALTA, utc(2026, 10, 25, 9, 0)).open_now  # 10:00 UTC+1


@pytest.mark.parametrize(
    ("instant", "open_now", "next_change"),
    [
        (utc(2026, 11, 27, 23, 30), True, "2026-11-28T01:00:00+01:00"),  # Friday's interval, Saturday 00:30
        (utc(2026, 11, 28, 0, 0), False, "2026-11-28T10:00:00+01:00"),  # Saturday 01:00: just closed
        (utc(2026, 11, 28, 0, 30), False, "2026-11-28T10:00:00+01:00"),  # Saturday 01:30
        (utc(2026, 11, 28, 23, 59), True, "2026-11-29T01:00:00+01:00"),  # Sunday 00:59, Saturday's interval
        (utc(2026, 11, 29, 0, 30), False, "2026-11-29T10:00:00+01:00"),  # Sunday 01:30
        (utc(2026, 11, 29, 21, 30), False, "2026-11-30T10:00:00+01:00"),  # Sunday 22:30: Sunday ends at 20:00
    ],
)
def test_interval_past_midnight(instant: dt.datetime, open_now: bool, next_change: str) -> None:
    status = status_at(ALTA, instant)
    assert (status.open_now, status.next_change) == (open_now, local(next_change))


def test_lunch_break_between_two_intervals() -> None:
    lunch = status_at(MOSTAR, utc(2026, 11, 24, 12, 30))  # Tuesday 13:30
    assert not lunch.open_now and lunch.next_change == local("2026-11-24T14:00:00+01:00")
    morning = status_at(MOSTAR, utc(2026, 11, 24, 11, 0))  # 12:00
    assert morning.open_now and morning.next_change == local("2026-11-24T13:00:00+01:00")


def test_holiday_exception_closes_a_weekday() -> None:
    holiday = status_at(FERHADIJA, utc(2026, 11, 25, 11, 0))  # Wednesday 25 November, Statehood Day
    assert not holiday.open_now
    assert holiday.next_change == local("2026-11-26T08:00:00+01:00")


def test_short_day_then_closed_days_then_the_next_opening() -> None:
    status = status_at(FERHADIJA, utc(2026, 12, 31, 14, 30))  # 15:30 on a short day (08:00-15:00)
    assert not status.open_now
    # 1 and 2 January closed (exceptions), 3 January is a Sunday: the next opening is Monday 4 January.
    assert status.next_change == local("2027-01-04T08:00:00+01:00")
    assert status_at(FERHADIJA, utc(2026, 12, 31, 13, 30)).next_change == local("2026-12-31T15:00:00+01:00")


def test_moscow_has_no_daylight_saving() -> None:
    summer = status_at(ARBAT, utc(2026, 7, 6, 6, 30))  # Monday 09:30 UTC+3: closed
    winter = status_at(ARBAT, utc(2026, 12, 7, 7, 30))  # Monday 10:30 UTC+3: open
    assert not summer.open_now and summer.next_change == local("2026-07-06T10:00:00+03:00")
    assert winter.open_now and winter.next_change == local("2026-12-07T22:00:00+03:00")


def test_a_store_with_no_hours_has_no_next_opening() -> None:
    closed = Store(**{**{f: getattr(ARBAT, f) for f in ARBAT.__struct_fields__}, "hours": WeekHours()})
    status = status_at(closed, utc(2026, 11, 24, 12, 0))
    assert (status.open_now, status.next_change) == (False, None)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        status_at(ARBAT, dt.datetime(2026, 11, 24, 12, 0))


def test_a_store_republished_with_other_hours_is_answered_by_its_new_hours() -> None:
    # The spans around a day are kept per store (the store object of a published book), not per store id.
    monday_noon = utc(2026, 11, 23, 11, 0)  # 12:00 in Sarajevo
    assert status_at(FERHADIJA, monday_noon).open_now
    closed_mondays = msgspec.structs.replace(FERHADIJA, hours=msgspec.structs.replace(FERHADIJA.hours, mon=[]))
    assert not status_at(closed_mondays, monday_noon).open_now
    assert status_at(FERHADIJA, monday_noon).open_now
