"""Tasks go to a queue by their kind (settings.TASK_QUEUES): mail, sweeps, exports, 免申即享
preparations (proposals) and the default queue for the rest; every task has its queue decided,
and a long preparation never shares a queue with a submission's notice."""

from pathlib import Path
from unittest.mock import MagicMock

from django.conf import settings

from policy_portal.celery import app

QUEUES = {"mail", "sweeps", "exports", "proposals", "celery"}
ROOT = Path(settings.BASE_DIR)


def registered_tasks() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.")}


def queue_of(task: str) -> str:
    return app.amqp.router.route({}, task)["queue"].name


def test_every_task_has_its_queue_decided():
    decided = {task for tasks in settings.TASK_QUEUES.values() for task in tasks}
    assert registered_tasks() - decided == set(), (
        "give each new task its queue in settings.TASK_QUEUES"
    )
    assert decided - registered_tasks() == set(), "TASK_QUEUES names a task that is no more"


def test_the_queues_are_the_five_kinds():
    assert set(settings.TASK_QUEUES) == QUEUES
    assert app.conf.task_default_queue == "celery"


def test_each_task_is_routed_to_its_kinds_queue():
    for queue, tasks in settings.TASK_QUEUES.items():
        for task in tasks:
            assert queue_of(task) == queue, task


def test_a_submissions_notice_never_waits_behind_a_preparation_or_an_import():
    registered_tasks()
    assert queue_of("notifications.tasks.deliver_events") == "mail"
    assert queue_of("notifications.tasks.email_pending_notifications") == "mail"
    assert queue_of("applications.tasks.prepare_proposals") == "proposals"
    assert queue_of("departments.tasks.apply_import_job") == "exports"
    assert queue_of("notifications.tasks.remind_window_closing") == "sweeps"


def test_a_task_sent_is_published_to_its_queue(monkeypatch):
    """What .delay() hands the broker, not only what the router says."""
    from notifications.tasks import deliver_events

    published = []

    def send_task_message(producer, name, message, **options):
        published.append((name, options["queue"].name))

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app.amqp, "send_task_message", send_task_message)
    deliver_events.apply_async(([1],), producer=MagicMock())

    assert published == [("notifications.tasks.deliver_events", "mail")]


def test_make_run_has_one_worker_consume_every_queue():
    procfile = (ROOT / "Procfile").read_text()
    [worker] = [line for line in procfile.splitlines() if line.startswith("worker:")]
    consumed = worker.split(" -Q ")[1].split()[0].split(",")
    assert set(consumed) == QUEUES
