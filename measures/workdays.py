"""Working days (工作日) of the mainland Chinese calendar: weekends off, public holidays off,
adjusted working days (调休) on, as the State Council announces them each year.

The one calculator of the site: every deadline, reminder and time limit counts with it. It reads
the calendar from the table ``CalendarDay``, which administrators keep in the admin (节假日安排)
and which is seeded from the ``chinesecalendar`` package for the years it knows
(``seed_calendar``). The State Council publishes the next year's schedule late in the year: until
it is entered, that year counts Monday to Friday as working days, is reported by
``unknown_years`` (the pages showing a time limit say so, and 工作台 warns the administrators),
and is logged once.

Each process keeps the years it has read; a change of the table replaces a token in the shared
cache, and each process rereads the token at most every ``LOCAL_TOKEN_SECONDS`` and drops its
years when it has changed (at once in the process that made the change).
"""

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as day_time
from functools import lru_cache
from uuid import uuid4

from django.core.cache import cache
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

logger = logging.getLogger(__name__)

TOKEN_KEY = "calendar:version"
LOCAL_TOKEN_SECONDS = 30.0


@dataclass(frozen=True)
class CalendarYear:
    holidays: frozenset[date]
    workdays: frozenset[date]  # 调休上班: weekend days worked
    known: bool  # the table has the year's schedule


_years: dict[int, CalendarYear] = {}
_token: list = [None, float("-inf")]  # the shared token, and when this process read it


def _shared_token():
    try:
        return cache.get(TOKEN_KEY)
    except Exception:
        logger.warning("cache unreachable: the calendar's token is not read", exc_info=True)
        return _token[0]


def _check_token() -> None:
    now = time.monotonic()
    if now - _token[1] < LOCAL_TOKEN_SECONDS:
        return
    token = _shared_token()
    if token != _token[0]:
        _years.clear()
    _token[0], _token[1] = token, now


def drop_local_calendar() -> None:
    """Forget the years this process has read (a test's rolled-back entries, for one)."""
    _years.clear()
    _token[1] = float("-inf")


# Sent once a change of the schedule of ``years`` has committed: deadlines counted before it
# are counted again (notifications.deadlines.deadlines_recount).
calendar_changed = Signal()


def forget_calendar(*, years=()) -> None:
    """Drop the years this process has read, and have every other process drop them: after a
    change of the table (of ``years``), at once and again once the change commits."""
    years = sorted(set(years))

    def replace_token():
        try:
            cache.set(TOKEN_KEY, uuid4().hex, None)
        except Exception:
            logger.warning("cache unreachable: other processes keep the old calendar for now")
        drop_local_calendar()
        if years:
            calendar_changed.send(sender=None, years=years)

    drop_local_calendar()
    transaction.on_commit(replace_token, robust=True)


_table_exists = [False]


def _table_ready() -> bool:
    # Migrations older than the table count working days too (applications/0014): they read
    # the package the table is seeded from.
    if not _table_exists[0]:
        from .models import CalendarDay

        tables = connection.introspection.table_names()
        _table_exists[0] = CalendarDay._meta.db_table in tables
    return _table_exists[0]


def _read(year: int) -> CalendarYear:
    from .models import CalendarDay

    if not _table_ready():
        return _from_package(year)
    holidays, workdays = set(), set()
    for day, kind in CalendarDay.objects.filter(date__year=year).values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(day)
    return CalendarYear(frozenset(holidays), frozenset(workdays), known=bool(holidays or workdays))


def _from_package(year: int) -> CalendarYear:
    import chinese_calendar

    holidays = frozenset(day for day in chinese_calendar.holidays if day.year == year)
    workdays = frozenset(day for day in chinese_calendar.workdays if day.year == year)
    return CalendarYear(holidays, workdays, known=bool(holidays))


def calendar_year(year: int) -> CalendarYear:
    _check_token()
    calendar = _years.get(year)
    if calendar is None:
        calendar = _years[year] = _read(year)
        if not calendar.known:
            _warn_unknown(year)
    return calendar


@lru_cache(maxsize=16)
def _warn_unknown(year: int) -> None:
    logger.warning(
        "no holidays entered for %d: counting Monday to Friday as working days (enter the "
        "State Council's schedule in the admin under 节假日安排)",
        year,
    )


def is_workday(day: date) -> bool:
    calendar = calendar_year(day.year)
    if day in calendar.workdays:
        return True
    return day.weekday() < 5 and day not in calendar.holidays


def year_is_known(year: int) -> bool:
    return calendar_year(year).known


def unknown_years(first: date, last: date) -> list[int]:
    """The years from ``first`` to ``last`` whose holidays are not entered yet."""
    return [year for year in range(first.year, last.year + 1) if not year_is_known(year)]


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
    return timezone.make_aware(datetime.combine(day, day_time.max))


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
