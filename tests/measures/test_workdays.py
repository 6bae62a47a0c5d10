"""Working days of the mainland Chinese calendar, holidays and 调休 included."""

import logging
from datetime import date, datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from measures.models import CalendarDay
from measures.services import calendar_seed
from measures.workdays import (
    due_after_workdays,
    forget_calendar,
    is_workday,
    nth_workday_after,
    unknown_years,
    workdays_between,
)
from tests.enterprises.factories import UserFactory


def test_national_day_2026_is_off_and_its_adjusted_saturday_is_on(db):
    assert not is_workday(date(2026, 10, 1))
    assert not is_workday(date(2026, 10, 7))
    assert is_workday(date(2026, 10, 10))  # a Saturday worked in exchange (调休)
    assert not is_workday(date(2026, 10, 11))


def test_counting_working_days_skips_the_holiday_week(db):
    # From 30 September: 8 and 9 October, then the adjusted Saturday the 10th.
    assert nth_workday_after(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert nth_workday_after(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert nth_workday_after(date(2026, 9, 30), 4) == date(2026, 10, 12)
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 12)) == 4
    assert workdays_between(date(2026, 10, 12), date(2026, 9, 30)) == 0


def test_a_deadline_ends_with_its_last_working_day_in_shanghai_time(db):
    submitted = timezone.make_aware(datetime(2026, 9, 30, 16, 30))

    due = due_after_workdays(submitted, 2)

    local = timezone.localtime(due)
    assert (local.date(), local.hour, local.minute) == (date(2026, 10, 9), 23, 59)


def test_a_year_the_calendar_does_not_cover_counts_monday_to_friday(db, caplog):
    with caplog.at_level(logging.WARNING):
        friday = date(2031, 1, 3)
        assert is_workday(friday)
        assert not is_workday(date(2031, 1, 4))
        assert nth_workday_after(friday, 1) == date(2031, 1, 6)
    assert "2031" in caplog.text


# ── the holiday schedule administrators keep (节假日安排) ─────────────────────────────────

# An illustrative schedule for 2027, for the tests only: not the State Council's. 元旦 on
# Friday 1 January; 春节 from Saturday 6 to Sunday 14 February, Saturday 20 February worked.
HOLIDAYS_2027 = [
    *((date(2027, 1, day), "元旦") for day in (1, 2, 3)),
    *((date(2027, 2, day), "春节") for day in range(6, 15)),
]
WORKED_2027 = [(date(2027, 2, 20), "春节")]


def enter_2027() -> None:
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, kind=CalendarDay.Kind.HOLIDAY, name=n) for d, n in HOLIDAYS_2027]
        + [CalendarDay(date=d, kind=CalendarDay.Kind.WORKDAY, name=n) for d, n in WORKED_2027]
    )
    forget_calendar()


def test_the_calendar_is_seeded_from_the_package_for_the_years_it_knows(db):
    national_day = CalendarDay.objects.get(date=date(2026, 10, 1))
    worked = CalendarDay.objects.get(date=date(2026, 10, 10))

    assert (national_day.kind, national_day.name) == (CalendarDay.Kind.HOLIDAY, "国庆节")
    assert (worked.kind, worked.name) == (CalendarDay.Kind.WORKDAY, "国庆节")
    assert CalendarDay.objects.filter(date__year=2004).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_working_days_are_counted_from_the_table_not_the_package(db):
    CalendarDay.objects.filter(date=date(2026, 10, 8)).delete()  # made a working day

    assert is_workday(date(2026, 10, 8))
    CalendarDay.objects.create(date=date(2026, 11, 18), kind=CalendarDay.Kind.HOLIDAY, name="x")
    assert not is_workday(date(2026, 11, 18))


def test_a_60_working_day_limit_from_2026_12_07_counts_the_2027_holidays_once_entered(db):
    start = date(2026, 12, 7)
    # Unknown, 2027 counts Monday to Friday: 元旦 and 春节 would be working days.
    assert nth_workday_after(start, 60) == date(2027, 3, 1)
    assert unknown_years(start, date(2027, 3, 1)) == [2027]

    enter_2027()

    # 元旦 (1 weekday) and 春节 (5 weekdays) off, one Saturday worked: 5 working days later.
    assert nth_workday_after(start, 60) == date(2027, 3, 8)
    assert unknown_years(start, date(2027, 3, 8)) == []


def test_a_submission_takes_the_entered_holidays_into_its_time_limit(enterprise_user, monkeypatch):
    from applications import services
    from tests.applications.factories import draft

    monday = timezone.make_aware(datetime(2026, 12, 7, 10, 0))
    monkeypatch.setattr("applications.models.timezone.now", lambda: monday)
    enter_2027()
    application = draft(user=enterprise_user)
    application.window.processing_days = 60
    application.window.save()

    application = services.application_submit(application=application, by=enterprise_user)

    assert timezone.localdate(application.payment_due_at) == date(2027, 3, 8)


def test_a_change_in_the_admin_is_counted_at_once(client, policy):
    administrator = UserFactory(is_staff=True, roles=["administrator"])
    client.force_login(administrator)
    assert is_workday(date(2027, 1, 1))

    response = client.post(
        reverse("admin:measures_calendarday_add"),
        {"date": "2027-01-01", "kind": CalendarDay.Kind.HOLIDAY, "name": "元旦"},
    )

    assert response.status_code == 302
    assert not is_workday(date(2027, 1, 1))
    CalendarDay.objects.get(date=date(2027, 1, 1)).delete()
    assert is_workday(date(2027, 1, 1))


def test_another_process_drops_its_years_when_the_shared_token_changes(db, monkeypatch):
    from measures import workdays

    assert is_workday(date(2027, 1, 1))
    # Written by another process: this one has no signal of it, only the shared token.
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=date(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")]
    )
    assert is_workday(date(2027, 1, 1))  # its kept year, until it rereads the token

    cache.set(workdays.TOKEN_KEY, "changed elsewhere", None)
    monkeypatch.setattr(workdays, "LOCAL_TOKEN_SECONDS", 0.0)

    assert not is_workday(date(2027, 1, 1))


def test_an_adjusted_working_day_must_be_a_weekend_day(db):
    day = CalendarDay(date=date(2027, 2, 22), kind=CalendarDay.Kind.WORKDAY, name="春节")

    with pytest.raises(ValidationError):
        day.full_clean()


def test_seeding_again_leaves_a_year_entered_by_administrators_as_it_is(db):
    CalendarDay.objects.filter(date__year=2026).delete()
    CalendarDay.objects.create(date=date(2026, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    CalendarDay.objects.filter(date__year=2025).delete()

    added = calendar_seed()

    assert CalendarDay.objects.filter(date__year=2026).count() == 1
    assert added == CalendarDay.objects.filter(date__year=2025).count() > 0


# ── the warning on 工作台 ──────────────────────────────────────────────────────────────────

WARNING = 'id="calendar-warning"'


def _index(client, user, today: date) -> str:
    client.force_login(user)
    with mock.patch("measures.templatetags.workdays.localdate", return_value=today):
        return client.get(reverse("admin:index")).content.decode()


def test_administrators_are_warned_from_november_while_next_year_has_no_holidays(client, policy):
    administrator = UserFactory(is_staff=True, roles=["administrator"])

    page = _index(client, administrator, date(2026, 12, 7))
    assert WARNING in page and "2027年的法定节假日和调休安排尚未录入" in page
    assert reverse("admin:measures_calendarday_changelist") in page

    assert WARNING not in _index(client, administrator, date(2026, 10, 20))
    enter_2027()
    assert WARNING not in _index(client, administrator, date(2026, 12, 7))


def test_other_officials_are_not_warned(client, district_reviewer):
    assert WARNING not in _index(client, district_reviewer, date(2026, 12, 7))


def test_the_time_limit_says_when_it_counts_a_year_without_holidays(client, enterprise_user):
    from applications import services
    from tests.applications.factories import draft

    application = services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    Application.objects.filter(pk=application.pk).update(
        payment_due_at=timezone.make_aware(datetime(2031, 3, 3, 23, 59))
    )
    client.force_login(enterprise_user)

    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()

    assert "2031年节假日尚未录入" in page


def test_entering_a_holiday_counts_the_deadlines_through_it_again(
    client, enterprise_user, district_reviewer, django_capture_on_commit_callbacks, monkeypatch
):
    from applications import services
    from publicity import services as publicity_services
    from publicity.models import Publicity
    from tests.applications.factories import draft
    from tests.disbursements.factories import approved_applications

    administrator = UserFactory(is_staff=True, roles=["administrator"])
    monday = timezone.make_aware(datetime(2026, 12, 7, 10, 0))
    monkeypatch.setattr("applications.models.timezone.now", lambda: monday)
    application = draft(user=enterprise_user)
    application.window.processing_days = 60
    application.window.district_review_days = 20
    application.window.save()
    application = services.application_submit(application=application, by=enterprise_user)
    assert timezone.localdate(application.payment_due_at) == date(2027, 3, 1)
    assert timezone.localdate(application.due_at) == date(2027, 1, 4)
    approved = approved_applications(1, publicised=False)[0]
    publicity = publicity_services.publicity_create(
        window=approved.window, measure=approved.track.measure, by=administrator
    )
    publicity = publicity_services.publicity_publish(
        publicity=publicity, by=administrator, at=timezone.make_aware(datetime(2026, 12, 28, 9))
    )
    assert timezone.localdate(publicity.ends_at) == date(2027, 1, 4)
    client.force_login(administrator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:measures_calendarday_add"),
            {"date": "2027-01-01", "kind": CalendarDay.Kind.HOLIDAY, "name": "元旦"},
        )

    assert response.status_code == 302
    application.refresh_from_db()
    assert timezone.localdate(application.payment_due_at) == date(2027, 3, 2)
    assert timezone.localdate(application.due_at) == date(2027, 1, 5)
    assert application.district_due_at == application.due_at
    assert timezone.localdate(Publicity.objects.get(pk=publicity.pk).ends_at) == date(2027, 1, 5)
