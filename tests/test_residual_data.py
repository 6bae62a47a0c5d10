"""剩余信息保护 (GB/T 22239-2019 第三级): nothing a signed-in person saw stays in a cache, signing
out clears the browser and the session, expired sessions are deleted, and the files of an
export or a backup leave nothing behind in temporary storage."""

import tempfile
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from policy_portal.residual_data import CLEAR_SITE_DATA

PASSWORD = "correct-horse-battery"


@pytest.fixture
def administrator(policy):
    from tests.enterprises.factories import UserFactory

    return UserFactory(is_staff=True, roles=["administrator"])


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


# ── Cache-Control ──────────────────────────────────────────────────────────────────────────


def test_every_page_of_a_signed_in_person_says_no_store(client, enterprise_user, administrator):
    client.force_login(enterprise_user)
    for url in (reverse("enterprises:profile"), reverse("measures:catalogue")):
        response = client.get(url)
        assert response.status_code == 200 and _no_store(response), url
        assert "private" in response["Cache-Control"]
    client.force_login(administrator)
    assert _no_store(client.get(reverse("admin:index")))


def test_the_cached_public_pages_and_the_static_files_keep_their_caching(client, policy):
    catalogue = client.get(reverse("measures:catalogue"))
    assert catalogue.status_code == 200 and not _no_store(catalogue)

    static = client.get(settings.STATIC_URL + "css/admin.css")
    assert static.status_code == 200 and not _no_store(static)


def test_the_middleware_runs_after_whitenoise_and_the_session_user():
    middleware = settings.MIDDLEWARE
    ours = middleware.index("policy_portal.residual_data.NoStoreMiddleware")
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < ours
    assert middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") < ours
    assert ours < middleware.index("enterprises.sessions.OfficialIdleTimeoutMiddleware")


def test_a_download_says_no_store_whoever_asks(rf):
    from django.http import HttpResponse

    from policy_portal.residual_data import NoStoreMiddleware

    def attachment(request):
        response = HttpResponse(b"x")
        response["Content-Disposition"] = 'attachment; filename="a.csv"'
        return response

    request = rf.get("/")
    assert _no_store(NoStoreMiddleware(attachment)(request))
    assert not _no_store(NoStoreMiddleware(lambda request: HttpResponse(b"x"))(request))


def test_the_login_response_says_no_store(client, enterprise_user):
    response = client.post(
        reverse("login"), {"username": enterprise_user.username, "password": PASSWORD}
    )
    assert response.status_code == 302 and _no_store(response)


# ── logout ─────────────────────────────────────────────────────────────────────────────────


def test_logout_deletes_the_session_and_clears_the_browser_but_not_its_cookies(
    client, enterprise_user
):
    assert client.login(request=HttpRequest(), username=enterprise_user.username, password=PASSWORD)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()

    response = client.post(reverse("logout"))

    assert not Session.objects.filter(session_key=key).exists()
    assert response["Clear-Site-Data"] == CLEAR_SITE_DATA == '"cache", "storage"'
    assert "cookies" not in response["Clear-Site-Data"]
    assert _no_store(response)


def test_an_officials_idle_time_out_clears_the_browser_too(client, district_reviewer):
    import time

    from enterprises.sessions import LAST_SEEN

    assert client.login(
        request=HttpRequest(), username=district_reviewer.username, password=PASSWORD
    )
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()

    response = client.get(reverse("admin:index"))

    assert response["Clear-Site-Data"] == CLEAR_SITE_DATA


def test_after_logout_the_next_login_passes_the_csrf_check(enterprise_user):
    """The CSRF cookie survives logout (no "cookies" in Clear-Site-Data): a login form already
    open, or opened next, is accepted."""
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    token = page.context["csrf_token"]
    client.post(
        reverse("login"),
        {"username": enterprise_user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert "_auth_user_id" in client.session
    profile = client.get(reverse("enterprises:profile"))
    client.post(reverse("logout"), {"csrfmiddlewaretoken": profile.context["csrf_token"]})
    assert "_auth_user_id" not in client.session

    again = client.get(reverse("login"))
    response = client.post(
        reverse("login"),
        {
            "username": enterprise_user.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": again.context["csrf_token"],
        },
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_pages_without_a_session_send_no_clear_site_data(client, policy):
    assert "Clear-Site-Data" not in client.get(reverse("measures:catalogue"))


# ── expired sessions ───────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_beat_deletes_expired_sessions_every_night():
    from django_celery_beat.models import PeriodicTask

    (task,) = PeriodicTask.objects.filter(task="enterprises.tasks.clear_expired_sessions")
    assert task.enabled and task.crontab is not None and task.name == "清理过期会话"


def test_the_task_deletes_the_expired_sessions_and_keeps_the_live_ones(client, enterprise_user):
    from enterprises.tasks import clear_expired_sessions

    assert client.login(request=HttpRequest(), username=enterprise_user.username, password=PASSWORD)
    live = client.session.session_key
    expired = Session.objects.create(
        session_key="expired-session-key-0000000000000",
        session_data="x",
        expire_date=timezone.now() - timezone.timedelta(minutes=1),
    )

    clear_expired_sessions.delay()

    assert not Session.objects.filter(pk=expired.pk).exists()
    assert Session.objects.filter(session_key=live).exists()


def test_the_migration_keeps_a_row_an_administrator_already_made(db):
    import importlib

    from django.apps import apps
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    migration = importlib.import_module("enterprises.migrations.0013_expired_sessions_cleared")
    PeriodicTask.objects.filter(task=migration.TASK).delete()
    every, _created = IntervalSchedule.objects.get_or_create(every=3600, period="seconds")
    PeriodicTask.objects.create(name="会话清理（手工）", task=migration.TASK, interval=every)

    migration.forwards(apps, None)

    assert list(
        PeriodicTask.objects.filter(task=migration.TASK).values_list("name", flat=True)
    ) == ["会话清理（手工）"]


# ── temporary files ────────────────────────────────────────────────────────────────────────


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Every temporary file of the test in a directory of its own, to see what is left."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def test_the_batch_workbook_leaves_no_temporary_file(private_tmp, policy):
    from disbursements.exports import xlsx_bytes
    from tests.disbursements.factories import approved_applications, finance, frozen_batch

    batch = frozen_batch(approved_applications(2), by=finance())

    content = b"".join(xlsx_bytes(batch))

    assert content.startswith(b"PK")
    assert list(private_tmp.iterdir()) == []


def test_a_batch_workbook_that_fails_or_is_abandoned_leaves_no_temporary_file(private_tmp, policy):
    from disbursements import exports
    from tests.disbursements.factories import approved_applications, finance, frozen_batch

    batch = frozen_batch(approved_applications(2), by=finance())
    real_chunks = exports._chunks

    def a_chunk_then_failure(rows):
        yield next(real_chunks(rows))[:1]
        raise OSError("disk full")

    with mock.patch.object(exports, "_chunks", a_chunk_then_failure), pytest.raises(OSError):
        b"".join(exports.xlsx_bytes(batch))
    assert list(private_tmp.iterdir()) == []

    abandoned = exports.xlsx_bytes(batch)
    next(abandoned)
    abandoned.close()  # the client went away mid-download
    assert list(private_tmp.iterdir()) == []


def test_the_dashboard_workbook_is_written_in_memory(private_tmp):
    from decimal import Decimal

    from dashboard.charts import MONEY, TEXT, Chart, Column, Table
    from dashboard.exports import table_xlsx

    chart = Chart(key="k", title="按名称", query=lambda scope: None, build=None)
    table = Table(
        chart=chart,
        columns=[Column("名称", TEXT), Column("金额", MONEY)],
        rows=[["甲", Decimal("1.50")]],
        summary=[],
    )

    assert table_xlsx(table, scope_label="全市").startswith(b"PK")
    assert list(private_tmp.iterdir()) == []


def test_a_backup_that_fails_leaves_no_partial_directory(tmp_path):
    from security import backup

    @contextmanager
    def snapshot(target: Path):
        target.write_bytes(b"dump holding bank accounts")
        yield None

    output = tmp_path / "backups"
    with (
        mock.patch.object(backup, "database_snapshot", snapshot),
        mock.patch.object(backup, "contents_read", return_value=None),
        mock.patch.object(backup, "media_archive", side_effect=OSError("disk full")),
        pytest.raises(OSError),
    ):
        backup.backup_create(output=output)

    assert list(output.iterdir()) == []
