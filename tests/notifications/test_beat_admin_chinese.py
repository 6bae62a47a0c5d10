"""Beat's periodic tasks read in Chinese: no Python path, no attribute name, no False/None."""

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from tests.enterprises.factories import UserFactory
from tests.zh_hans import english_on_page, readable_text

PATHS = ("applications.tasks.expire_closed_drafts", "celery.backend_cleanup", "SCHEDULER")


@pytest.fixture
def administrator(client, policy):
    client.force_login(UserFactory(is_staff=True, roles=["administrator"]))
    every, _ = IntervalSchedule.objects.get_or_create(every=1, period="days")
    PeriodicTask.objects.get_or_create(
        name="celery.backend_cleanup",
        defaults={"task": "celery.backend_cleanup", "interval": every},
    )
    return client


def test_the_list_names_each_task_in_chinese(administrator):
    page = administrator.get("/admin/django_celery_beat/periodictask/")

    html = page.content.decode()
    assert page.status_code == 200
    text = readable_text(html)
    for path in PATHS:
        assert path not in text
    assert "草稿过期" in html and "清理过期任务结果" in html and "执行计划" in html


def test_the_list_shows_no_path_outside_links(administrator):
    page = administrator.get("/admin/django_celery_beat/periodictask/")

    assert english_on_page(page.content.decode()) == []


def test_the_task_filter_finds_the_task_by_its_chinese_name(administrator):
    page = administrator.get(
        "/admin/django_celery_beat/periodictask/?task=applications.tasks.expire_closed_drafts"
    )

    assert page.status_code == 200
    assert list(page.context["cl"].queryset.values_list("task", flat=True)) == [
        "applications.tasks.expire_closed_drafts"
    ]


def test_the_change_form_offers_tasks_by_name_and_keeps_the_path(administrator):
    task = PeriodicTask.objects.get(task="applications.tasks.expire_closed_drafts")

    page = administrator.get(f"/admin/django_celery_beat/periodictask/{task.pk}/change/")
    html = page.content.decode()

    assert page.status_code == 200
    assert (
        '<option value="applications.tasks.expire_closed_drafts" selected>草稿过期</option>' in html
    )
    assert "设置为False" not in html and "重置为None" not in html
    assert "取消勾选即停用此周期任务" in html
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "regtask"}
    data.update(
        regtask="applications.tasks.sweep_orphan_documents",
        name=task.name,
        interval=task.interval_id,
        args="[]",
        kwargs="{}",
        headers="{}",
        enabled="on",
        priority="",
        description="",
    )
    data.pop("crontab", None)
    data.pop("last_run_at", None)
    data.pop("start_time", None)
    data.pop("expires", None)
    answer = administrator.post(f"/admin/django_celery_beat/periodictask/{task.pk}/change/", data)
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    task.refresh_from_db()
    assert task.task == "applications.tasks.sweep_orphan_documents"


def test_the_schedule_page_names_its_tasks_in_chinese(administrator):
    task = PeriodicTask.objects.get(task="applications.tasks.expire_closed_drafts")

    page = administrator.get(
        f"/admin/django_celery_beat/intervalschedule/{task.interval_id}/change/"
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert "草稿过期" in html and "applications.tasks.expire_closed_drafts" not in html


def test_an_interval_reads_without_a_space_inside_chinese(administrator):
    IntervalSchedule.objects.get_or_create(every=2, period="hours")
    page = administrator.get("/admin/django_celery_beat/intervalschedule/")

    text = readable_text(page.content.decode())
    assert "每天" in text and "每 2 小时" in text
    assert "每 天" not in text
