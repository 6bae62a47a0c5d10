import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from enterprises.models import Enterprise, User
from measures.models import ApplicationWindow, Measure

ACCOUNTS = ["demo-enterprise", "demo-district", "demo-municipal", "demo-finance", "demo-admin"]


def test_seed_demo_creates_one_account_per_role_and_open_windows(policy, settings, capsys):
    settings.DEMO_PASSWORD = "pass-for-test-1"

    call_command("seed_demo")

    out = capsys.readouterr().out
    assert "pass-for-test-1" in out
    for username in ACCOUNTS:
        user = User.objects.get(username=username)
        assert user.check_password("pass-for-test-1")
        assert username in out
    enterprise_user = User.objects.get(username="demo-enterprise")
    district_user = User.objects.get(username="demo-district")
    assert enterprise_user.enterprise.district == district_user.district
    assert enterprise_user.groups.filter(name="enterprise").exists()
    assert district_user.groups.filter(name="district_reviewer").exists()
    assert User.objects.get(username="demo-municipal").divisions.exists()
    assert Enterprise.objects.values("district").distinct().count() >= 3
    funding = Measure.objects.filter(kind=Measure.Kind.FUNDING)
    for measure in funding:
        window = ApplicationWindow.objects.open_now().get(measure=measure)
        assert window.total_budget > 0
    assert not ApplicationWindow.objects.filter(measure__kind=Measure.Kind.PROGRAMME).exists()


def test_seed_demo_twice_changes_nothing(policy):
    call_command("seed_demo")
    counts = (User.objects.count(), Enterprise.objects.count(), ApplicationWindow.objects.count())
    passwords = dict(User.objects.values_list("username", "password"))

    call_command("seed_demo")

    assert (
        User.objects.count(),
        Enterprise.objects.count(),
        ApplicationWindow.objects.count(),
    ) == counts
    assert dict(User.objects.values_list("username", "password")) == passwords


def test_demo_accounts_can_log_in(policy, settings):
    call_command("seed_demo")

    for username in ACCOUNTS:
        assert Client().login(username=username, password=settings.DEMO_PASSWORD), username


def test_seed_demo_needs_the_policy_loaded_first(db, monkeypatch):
    monkeypatch.setattr(Measure.objects, "exists", lambda: False)

    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_seed_demo_gives_each_reviewer_work_to_decide(policy, settings, tmp_path):
    from applications.models import Application, State
    from applications.selectors import applications_in_scope, work_queue_states

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    call_command("seed_demo")

    assert Application.objects.count() == 3
    for username, state in (
        ("demo-district", State.DISTRICT_REVIEW),
        ("demo-municipal", State.MUNICIPAL_REVIEW),
        ("demo-finance", State.APPROVED),
    ):
        user = User.objects.get(username=username)
        queue = applications_in_scope(user=user).filter(state__in=work_queue_states(user=user))
        assert list(queue.values_list("state", flat=True)) == [state], username
    # The demo enterprise itself starts with nothing, free to apply for any measure.
    assert not Application.objects.filter(enterprise__users__username="demo-enterprise").exists()
