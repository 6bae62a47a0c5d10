"""The periodic tasks beat runs, as the data migration creates them in django-celery-beat's
tables; administrators may change them in the admin afterwards."""

# name: (task, every so many seconds | None, crontab fields | None), in Asia/Shanghai time.
PERIODIC_TASKS = {
    "送达遗漏的通知": ("notifications.tasks.redeliver_outbox", 60, None),
    "补发邮件": ("notifications.tasks.email_pending_notifications", 5 * 60, None),
    "草稿过期": ("applications.tasks.expire_closed_drafts", 15 * 60, None),
    # Often enough that a window created in advance is announced soon after it opens.
    "新批次开放推送": ("notifications.tasks.announce_opened_windows", 15 * 60, None),
    "申报截止提醒": (
        "notifications.tasks.remind_window_closing",
        None,
        {"minute": "0", "hour": "9"},
    ),
    "审核期限提醒与逾期督办": (
        "notifications.tasks.remind_review_deadlines",
        None,
        {"minute": "30", "hour": "9"},
    ),
    "拨付时限预警与超期督办": (
        "notifications.tasks.remind_payment_limits",
        None,
        {"minute": "40", "hour": "9"},
    ),
    # A 公示 ends at the close of a working day; what it held may be paid from the next hour.
    "公示期满自动结束": (
        "publicity.tasks.close_due_publicities",
        None,
        {"minute": "10", "hour": "*"},
    ),
    "清理无主文件": (
        "applications.tasks.sweep_orphan_documents",
        None,
        {"minute": "0", "hour": "3"},
    ),
}

# The periodic tasks that do not depend on the business clock: they look after deliveries and
# stored files by the real one, so run_deadlines --now leaves them out. Every other task is a
# sweep of notifications.deadlines.SWEEPS.
REAL_CLOCK_TASKS = frozenset(
    {
        # Events still pending a minute after they were recorded, by the time they were recorded.
        "notifications.tasks.redeliver_outbox",
        # Emails not yet sent, retried with backoff.
        "notifications.tasks.email_pending_notifications",
        # Files no row refers to, by their modification time on disk: a clock in the future would
        # delete an upload whose transaction is still open.
        "applications.tasks.sweep_orphan_documents",
    }
)


def install(apps) -> None:
    """Create (or update) every periodic task of PERIODIC_TASKS; takes the migration's models."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, seconds, crontab) in PERIODIC_TASKS.items():
        schedule = {"interval": None, "crontab": None}
        if seconds is not None:
            schedule["interval"], _created = IntervalSchedule.objects.get_or_create(
                every=seconds, period="seconds"
            )
        else:
            schedule["crontab"], _created = CrontabSchedule.objects.get_or_create(
                timezone="Asia/Shanghai",
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                **crontab,
            )
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "enabled": True, **schedule}
        )
