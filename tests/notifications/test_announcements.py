"""Windows that open are announced to the enterprises their tracks match: one digest per
enterprise user and sweep, never twice for the same window."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enterprises.models import EnterpriseFigure, EnterpriseRecognition
from measures.models import Measure
from measures.recognitions import Recognition
from notifications.announcements import announce_opened_windows
from notifications.models import Notification, WindowAnnouncement
from tests.applications.factories import WindowFactory
from tests.departments.factories import department_figures
from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory

NOW = timezone.now()


def enterprise_with(
    figures: dict | None = None, recognitions=(), users: int = 1, *, department: bool = False
):
    """An enterprise with ``figures`` and ``recognitions`` of 2026: its own entries, or with
    ``department`` a department's (a track qualifies only on those)."""
    enterprise = EnterpriseFactory()
    people = [EnterpriseUserFactory(enterprise=enterprise) for _ in range(users)]
    if department:
        department_figures(
            enterprise.credit_code, figures or {}, year=2026, recognitions=recognitions
        )
        return enterprise, people
    for name, value in (figures or {}).items():
        column = "boolean_value" if isinstance(value, bool) else "decimal_value"
        EnterpriseFigure.objects.create(
            enterprise=enterprise, name=name, year=2026, **{column: value}
        )
    for kind in recognitions:
        EnterpriseRecognition.objects.create(enterprise=enterprise, kind=kind, year=2026)
    return enterprise, people


# 第11条: every condition is in the file (figures and the yes/no of the first units).
QUALIFIES_11 = {
    "insured_amount": Decimal("1e7"),
    "annual_premium": Decimal("2e5"),
    "first_units_or_batch": True,
}
FAILS_11 = {**QUALIFIES_11, "first_units_or_batch": False}


def measure(number: int) -> Measure:
    return Measure.objects.get(number=number)


def window_opening(number: int, *, at=NOW, **kwargs):
    """A window created in advance, opening at ``at``."""
    return WindowFactory(
        measure=measure(number), opens_at=at, closes_at=at + timedelta(days=30), **kwargs
    )


def test_a_window_is_announced_once_it_opens_to_the_enterprises_it_matches(
    policy, django_capture_on_commit_callbacks
):
    window = window_opening(11, at=NOW + timedelta(days=3))
    qualifies, (qualifying_user, colleague) = enterprise_with(
        QUALIFIES_11, users=2, department=True
    )
    _may, (may_user,) = enterprise_with({"insured_amount": Decimal("1e7")})
    _fails, (failing_user,) = enterprise_with(FAILS_11)

    with django_capture_on_commit_callbacks(execute=True):
        assert announce_opened_windows(now=NOW) == 0
    assert not Notification.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert announce_opened_windows(now=NOW + timedelta(days=3, minutes=1)) == 3

    told = {n.recipient_id: n for n in Notification.objects.all()}
    assert set(told) == {qualifying_user.pk, colleague.pk, may_user.pk}
    assert failing_user.pk not in told
    notification = told[qualifying_user.pk]
    assert notification.key == f"window-opened:{window.pk}"
    assert notification.kind == Notification.Kind.WINDOW_OPENED
    assert notification.title == f"新批次开放：第11条 首台（套）首批次保险补偿 · {window.name}"
    assert "符合申报条件：首台（套）、首批次保费补贴" in notification.body
    assert "可能符合" in told[may_user.pk].body
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (qualifying_user, colleague, may_user)
    )
    announcement = WindowAnnouncement.objects.get(window=window)
    assert (announcement.enterprises, announcement.notifications) == (2, 3)


def test_a_window_is_announced_once_however_often_the_sweep_runs(
    policy, django_capture_on_commit_callbacks
):
    window_opening(11, at=NOW - timedelta(hours=1))
    enterprise_with(QUALIFIES_11)

    with django_capture_on_commit_callbacks(execute=True):
        assert announce_opened_windows(now=NOW) == 1
    # An enterprise that matches later is not told of a window already announced.
    enterprise_with(QUALIFIES_11)
    with django_capture_on_commit_callbacks(execute=True):
        assert announce_opened_windows(now=NOW + timedelta(minutes=15)) == 0

    assert Notification.objects.count() == 1
    assert WindowAnnouncement.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_notification_keys_hold_even_without_the_announcement_record(policy):
    window = window_opening(11, at=NOW - timedelta(hours=1))
    enterprise_with(QUALIFIES_11)
    announce_opened_windows(now=NOW)
    WindowAnnouncement.objects.filter(window=window).delete()

    assert announce_opened_windows(now=NOW) == 0
    assert Notification.objects.count() == 1


def test_a_recognition_track_is_announced_only_to_holders(policy):
    champion = measure(3).tracks.get(code="single-champion")
    window_opening(3, track=champion)
    _holder, (holder,) = enterprise_with(recognitions=[Recognition.SINGLE_CHAMPION])
    _other, (other,) = enterprise_with(recognitions=[Recognition.KEY_BRAND])

    assert announce_opened_windows(now=NOW + timedelta(minutes=1)) == 1

    assert list(Notification.objects.values_list("recipient", flat=True)) == [holder.pk]


def test_closed_windows_and_programmes_are_not_announced(policy):
    WindowFactory(
        measure=measure(11),
        opens_at=NOW - timedelta(days=60),
        closes_at=NOW - timedelta(days=30),
    )
    enterprise_with(QUALIFIES_11)

    assert announce_opened_windows(now=NOW) == 0
    assert not WindowAnnouncement.objects.exists()


def test_inactive_users_and_officials_are_not_told(policy):
    window_opening(11, at=NOW - timedelta(minutes=5))
    _enterprise, (user,) = enterprise_with(QUALIFIES_11)
    user.is_active = False
    user.save()

    assert announce_opened_windows(now=NOW) == 0


def test_the_sweep_s_queries_do_not_grow_with_windows_and_enterprises(policy):
    def queries(windows: int, enterprises: int) -> int:
        Notification.objects.all().delete()
        WindowAnnouncement.objects.all().delete()
        for number in (11, 10, 3, 2, 6)[:windows]:
            window_opening(number, at=NOW - timedelta(minutes=1))
        for _ in range(enterprises):
            enterprise_with(QUALIFIES_11, recognitions=[Recognition.SINGLE_CHAMPION])
        with CaptureQueriesContext(connection) as context:
            assert announce_opened_windows(now=NOW) > 0
        return len(context.captured_queries)

    assert queries(1, 1) == queries(5, 6)


def test_run_deadlines_announces_the_windows_opened(policy, capsys):
    window_opening(11, at=NOW - timedelta(minutes=1))
    enterprise_with(QUALIFIES_11)

    call_command("run_deadlines")

    assert "1 window announcements" in capsys.readouterr().out
    assert Notification.objects.filter(kind=Notification.Kind.WINDOW_OPENED).count() == 1


def test_beat_runs_the_announcement(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="新批次开放推送")
    assert task.task == "notifications.tasks.announce_opened_windows"
    assert task.interval.every == 15 * 60


@pytest.mark.parametrize("via", ["list", "open", "email"])
def test_the_announcement_leads_to_the_matching_page(policy, client, via):
    window_opening(11, at=NOW - timedelta(minutes=1))
    _enterprise, (user,) = enterprise_with(QUALIFIES_11)
    announce_opened_windows(now=NOW)
    notification = Notification.objects.get()
    client.force_login(user)

    if via == "list":
        page = client.get(reverse("notifications:list")).content.decode()
        assert reverse("notifications:open", args=[notification.pk]) in page
        assert "政策推送" in page
    elif via == "open":
        response = client.get(reverse("notifications:open", args=[notification.pk]))
        assert response.url == reverse("matches")
    else:
        from notifications.emails import notification_email_message

        message = notification_email_message(notification)
        assert reverse("matches") in message.body
        assert "查看可申报政策" in message.body


def test_an_empty_file_is_told_only_of_the_measures_addressing_its_industry_or_scale(policy):
    # 第7条 (三、汽车) addresses automotive enterprises; 第2条 (一、龙头骨干企业) large ones.
    automotive = window_opening(7, at=NOW - timedelta(minutes=1))
    window_opening(2, at=NOW - timedelta(minutes=1))
    _enterprise, (user,) = enterprise_with()
    _enterprise.industry, _enterprise.scale = "automotive", "small"
    _enterprise.save()
    _other, (other,) = enterprise_with()
    _other.industry, _other.scale = "biomedicine", "small"
    _other.save()

    announce_opened_windows(now=NOW)

    told = list(Notification.objects.values_list("recipient", "key"))
    assert (user.pk, f"window-opened:{automotive.pk}") in told
    assert all(recipient != other.pk for recipient, _key in told)
    assert f"window-opened:{automotive.pk}" not in {
        key for recipient, key in told if recipient != user.pk
    }


def test_an_enterprise_gets_one_digest_of_every_window_a_sweep_opens(
    policy, django_capture_on_commit_callbacks
):
    windows = [window_opening(number, at=NOW - timedelta(minutes=1)) for number in (2, 3, 11, 16)]
    _enterprise, people = enterprise_with(
        {**QUALIFIES_11, "annual_purchase_amount": Decimal("2e8")},
        recognitions=[Recognition.SINGLE_CHAMPION, Recognition.QUALITY_BENCHMARK],
        users=2,
        department=True,
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert announce_opened_windows(now=NOW) == 2

    for person in people:
        (digest,) = Notification.objects.filter(recipient=person)
        assert digest.title == "新批次开放：4个申报批次与贵企业相关"
        for window in windows:
            assert f"{window.measure} · {window.name}" in digest.body
        assert "符合申报条件：首台（套）、首批次保费补贴" in digest.body
        assert "符合申报条件：制造业单项冠军" in digest.body
        # 第2条's 重点骨干企业 and 成效显著 are the enterprise's to confirm.
        assert "可能符合（须补充档案数据或确认通知规定的条件）：开放供应链" in digest.body
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert all((a.enterprises, a.notifications) == (1, 2) for a in WindowAnnouncement.objects.all())


def test_a_later_sweep_digests_only_the_windows_opened_since(
    policy, django_capture_on_commit_callbacks
):
    first = window_opening(11, at=NOW - timedelta(minutes=1))
    later = window_opening(3, at=NOW + timedelta(minutes=10))
    _enterprise, (user,) = enterprise_with(QUALIFIES_11, recognitions=[Recognition.SINGLE_CHAMPION])

    with django_capture_on_commit_callbacks(execute=True):
        assert announce_opened_windows(now=NOW) == 1
        assert announce_opened_windows(now=NOW + timedelta(minutes=15)) == 1
        assert announce_opened_windows(now=NOW + timedelta(minutes=30)) == 0

    digests = list(Notification.objects.filter(recipient=user).order_by("pk"))
    assert [d.key for d in digests] == [f"window-opened:{first.pk}", f"window-opened:{later.pk}"]
    assert first.name not in digests[1].body and later.name in digests[1].body
    assert len(mail.outbox) == 2
