"""Working days (工作日) of the mainland Chinese calendar: weekends off, public holidays off,
adjusted working days (调休) on, as the State Council announces them each year.

The calendar comes from the maintained `chinesecalendar` package. A year it does not cover yet
(the State Council publishes the next year's schedule late in the year) counts Monday to Friday
as working days, and says so in the log, once per year: deadlines must still be computed.
"""

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar
from django.utils import timezone

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_uncovered(day.year)
        return day.weekday() < 5


@lru_cache(maxsize=16)
def _warn_uncovered(year: int) -> None:
    logger.warning(
        "chinesecalendar has no holidays for %d yet: counting Monday to Friday as working days "
        "(upgrade the package once the State Council has published the year's schedule)",
        year,
    )


def nth_workday_after(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself not counted)."""
    current = day
    counted = 0
    while counted < count:
        current += timedelta(days=1)
        if is_workday(current):
            counted += 1
    return current


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.max))


def due_after_workdays(start: datetime, count: int) -> datetime:
    """A deadline of ``count`` working days from ``start``: the end of the ``count``-th working
    day after the day of ``start`` (the day something arrives is not counted)."""
    return end_of_day(nth_workday_after(timezone.localdate(start), count))


def workdays_between(first: date, last: date) -> int:
    """Working days after ``first`` up to and including ``last``; 0 when ``last`` is not later."""
    counted = 0
    current = first
    while current < last:
        current += timedelta(days=1)
        if is_workday(current):
            counted += 1
    return counted
