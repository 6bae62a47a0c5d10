"""One beat across the cluster (policy_portal/beat.py): two schedulers against the real Redis,
the second sending nothing while the first holds the lock and taking over once it stops or
its lock expires; and the file lock of an installation without Redis."""

import os
import time
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from policy_portal.beat import FileBeatLock, RedisBeatLock, SingleBeatScheduler
from policy_portal.celery import app

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")


@pytest.fixture
def due_task(transactional_db):
    """A periodic task due now (it last ran an hour ago, every minute); the others disabled,
    so that each tick's sending is this one's."""
    PeriodicTask.objects.update(enabled=False)
    every_minute, _created = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    return PeriodicTask.objects.create(
        name="beat test",
        task="notifications.tasks.redeliver_outbox",
        interval=every_minute,
        last_run_at=timezone.now() - timedelta(hours=1),
    )


def fall_due(task) -> None:
    """Make ``task`` due again, as an administrator's change in the admin would."""
    PeriodicTask.objects.filter(pk=task.pk).update(last_run_at=timezone.now() - timedelta(hours=1))
    PeriodicTasks.update_changed()


class Recording(SingleBeatScheduler):
    """The scheduler, with what it would send to the broker recorded instead."""

    def __init__(self, *args, **kwargs):
        self.sent = []
        super().__init__(*args, **kwargs)

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        self.sent.append(entry.name)


def ticks(scheduler, count=5) -> list[str]:
    before = len(scheduler.sent)
    for _ in range(count):
        scheduler.tick()
    return scheduler.sent[before:]


def redis_lock(key, seconds=30.0):
    return RedisBeatLock(os.environ["REDIS_URL"], key=key, seconds=seconds)


@pytest.fixture
def lock_key():
    key = f"policy-portal:beat-test-{uuid.uuid4().hex[:8]}"
    yield key
    redis_lock(key).client.delete(key)


@needs_redis
def test_a_second_beat_sends_nothing_while_the_first_holds_the_lock_and_takes_over_after_it(
    due_task, lock_key
):
    first = Recording(app=app, lock=redis_lock(lock_key))
    second = Recording(app=app, lock=redis_lock(lock_key))

    assert ticks(first) == ["beat test"]
    # Due in the schedule the second read at its start: the lock alone keeps it from sending.
    assert ticks(second) == []
    assert not second.leading

    first.close()
    # The second takes over, reading afresh what the first sent: not sent twice…
    assert ticks(second) == []
    assert second.leading
    # …and sends what falls due next.
    fall_due(due_task)
    assert ticks(second) == ["beat test"]
    second.close()


@needs_redis
def test_a_second_beat_takes_over_when_the_first_dies_and_its_lock_expires(due_task, lock_key):
    first = Recording(app=app, lock=redis_lock(lock_key, seconds=1))
    second = Recording(app=app, lock=redis_lock(lock_key, seconds=1))
    assert ticks(first) == ["beat test"]
    assert ticks(second) == []

    # The first stops ticking without releasing (its process was killed).
    time.sleep(1.3)
    assert ticks(second) == ["beat test"]
    # Back, the first finds the lock taken and sends nothing.
    fall_due(due_task)
    assert ticks(first) == []
    assert not first.leading
    second.close()
    first.close()


@needs_redis
def test_a_beat_renews_its_lock_at_each_tick(due_task, lock_key):
    first = Recording(app=app, lock=redis_lock(lock_key, seconds=1))
    second = Recording(app=app, lock=redis_lock(lock_key, seconds=1))
    for _ in range(4):
        ticks(first, count=1)
        time.sleep(0.4)
        assert not second.lock.acquire()
    first.close()
    assert second.lock.acquire()
    second.close()


def test_without_redis_a_file_lock_lets_one_beat_run(due_task, tmp_path):
    first = Recording(app=app, lock=FileBeatLock(tmp_path / "beat.lock"))
    second = Recording(app=app, lock=FileBeatLock(tmp_path / "beat.lock"))

    assert ticks(first) == ["beat test"]
    assert ticks(second) == []
    first.close()
    assert ticks(second) == []
    fall_due(due_task)
    assert ticks(second) == ["beat test"]
    second.close()


def test_without_redis_the_settings_choose_the_file_lock(settings, tmp_path):
    from policy_portal.beat import beat_lock

    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.VAR_DIR = tmp_path
    lock = beat_lock()
    assert isinstance(lock, FileBeatLock)
    assert lock.path == tmp_path / "celery" / "beat.lock"


def test_beat_uses_the_single_beat_scheduler(settings):
    assert settings.CELERY_BEAT_SCHEDULER == "policy_portal.beat:SingleBeatScheduler"
    assert app.conf.beat_scheduler == "policy_portal.beat:SingleBeatScheduler"


@needs_redis
def test_a_beat_that_could_not_reach_redis_for_a_tick_keeps_its_lock(due_task, lock_key):
    import redis

    first = Recording(app=app, lock=redis_lock(lock_key))
    second = Recording(app=app, lock=redis_lock(lock_key))
    assert ticks(first) == ["beat test"]

    with mock.patch.object(first.lock.client, "eval", side_effect=redis.ConnectionError):
        fall_due(due_task)
        # Whether it still holds the lock is unknown: it sends nothing.
        assert ticks(first) == []
    assert not first.leading

    assert ticks(second) == []
    assert first.lock.acquire() and first.leading is False
    ticks(first, count=1)
    assert first.leading
    first.close()
    second.close()
