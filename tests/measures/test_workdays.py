"""Working days of the mainland Chinese calendar, holidays and 调休 included."""

import logging
from datetime import date, datetime

from django.utils import timezone

from measures.workdays import (
    due_after_workdays,
    is_workday,
    nth_workday_after,
    workdays_between,
)


def test_national_day_2026_is_off_and_its_adjusted_saturday_is_on():
    assert not is_workday(date(2026, 10, 1))
    assert not is_workday(date(2026, 10, 7))
    assert is_workday(date(2026, 10, 10))  # a Saturday worked in exchange (调休)
    assert not is_workday(date(2026, 10, 11))


def test_counting_working_days_skips_the_holiday_week():
    # From 30 September: 8 and 9 October, then the adjusted Saturday the 10th.
    assert nth_workday_after(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert nth_workday_after(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert nth_workday_after(date(2026, 9, 30), 4) == date(2026, 10, 12)
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 12)) == 4
    assert workdays_between(date(2026, 10, 12), date(2026, 9, 30)) == 0


def test_a_deadline_ends_with_its_last_working_day_in_shanghai_time():
    submitted = timezone.make_aware(datetime(2026, 9, 30, 16, 30))

    due = due_after_workdays(submitted, 2)

    local = timezone.localtime(due)
    assert (local.date(), local.hour, local.minute) == (date(2026, 10, 9), 23, 59)


def test_a_year_the_calendar_does_not_cover_counts_monday_to_friday(caplog):
    with caplog.at_level(logging.WARNING):
        friday = date(2031, 1, 3)
        assert is_workday(friday)
        assert not is_workday(date(2031, 1, 4))
        assert nth_workday_after(friday, 1) == date(2031, 1, 6)
    assert "2031" in caplog.text
