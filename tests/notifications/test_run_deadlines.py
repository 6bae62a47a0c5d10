"""run_deadlines runs every periodic task that depends on the time, at the clock it is given."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications.deadlines import SWEEPS
from notifications.schedule import PERIODIC_TASKS, REAL_CLOCK_TASKS
from publicity import services as publicity_services
from publicity.models import PublicityState
from tests.disbursements.factories import approved_applications
from tests.enterprises.factories import UserFactory


@pytest.fixture
def administrator(policy):
    return UserFactory(is_staff=True, roles=["administrator"])


def test_every_periodic_task_is_a_sweep_of_run_deadlines_or_runs_on_the_real_clock():
    scheduled = {task for task, _seconds, _crontab in PERIODIC_TASKS.values()}

    assert scheduled == {sweep.task for sweep in SWEEPS} | set(REAL_CLOCK_TASKS)
    assert not {sweep.task for sweep in SWEEPS} & set(REAL_CLOCK_TASKS)


def test_beat_has_a_row_for_every_sweep(db):
    from django_celery_beat.models import PeriodicTask

    rows = set(PeriodicTask.objects.filter(enabled=True).values_list("task", flat=True))

    assert {sweep.task for sweep in SWEEPS} <= rows


@pytest.mark.parametrize("sweep", SWEEPS, ids=lambda sweep: sweep.task)
def test_beat_and_run_deadlines_run_the_same_sweep_and_run_deadlines_at_its_clock(db, sweep):
    module, name = sweep.service.rsplit(".", 1)
    result = (0,) * len(sweep.counts) if len(sweep.counts) > 1 else 0
    clock = timezone.make_aware(timezone.datetime(2026, 12, 31, 18, 0))
    with mock.patch(f"{module}.{name}", return_value=result) as service:
        import_string(sweep.task).delay()
        assert service.call_count == 1
        call_command("run_deadlines", now="2026-12-31T18:00")
    assert service.call_count == 2
    assert service.call_args.kwargs["now"] == clock


def test_run_deadlines_closes_a_publicity_whose_period_is_over(administrator, capsys):
    applications = approved_applications(2, publicised=False)
    publicity = publicity_services.publicity_create(
        window=applications[0].window, measure=applications[0].track.measure, by=administrator
    )
    publicity = publicity_services.publicity_publish(publicity=publicity, by=administrator)

    before_end = timezone.localtime(publicity.ends_at - timedelta(hours=1))
    call_command("run_deadlines", now=before_end.isoformat())
    publicity.refresh_from_db()
    assert publicity.state == PublicityState.PUBLISHED

    after_end = timezone.localtime(publicity.ends_at + timedelta(hours=1))
    call_command("run_deadlines", now=after_end.isoformat())

    publicity.refresh_from_db()
    assert publicity.state == PublicityState.CLOSED
    assert publicity.closed_at == after_end
    assert publicity.log_entries.last().actor is None
    assert "1 公示 closed" in capsys.readouterr().out
