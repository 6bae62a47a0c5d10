"""Security events are on the audit trail: logins and their failures, lockouts, logouts,
password changes, refusals, and every download of a document and export of a list."""

import pytest
from django.urls import reverse

from policy_portal.signals import SECURITY_EVENT_KINDS, security_event
from security.models import AuditRecord
from tests.applications.factories import draft
from tests.disbursements.factories import approved_applications, finance, frozen_batch
from tests.enterprises.factories import UserFactory

from .audit import ADDRESS

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
CHART = "by-state"


def events(kind, **filters):
    return list(AuditRecord.objects.filter(kind=kind, **filters).order_by("id"))


@pytest.mark.parametrize("kind", SECURITY_EVENT_KINDS)
def test_each_kind_sent_is_recorded_with_who_where_and_what(kind, rf, enterprise_user):
    request = rf.get("/", REMOTE_ADDR=ADDRESS)
    target = enterprise_user.enterprise

    security_event.send(
        sender=__name__,
        kind=kind,
        user=enterprise_user,
        request=request,
        target=target,
        detail={"name": "营业执照.pdf"},
    )

    (record,) = events(kind, actor=enterprise_user)
    assert record.address == ADDRESS
    assert (record.object_type, record.object_id) == ("enterprises.enterprise", str(target.pk))
    assert record.detail == {"name": "营业执照.pdf"}
    assert record.action == kind


def test_an_event_without_person_request_or_target_is_recorded_as_the_system_s():
    security_event.send(sender=__name__, kind="export", user=None, request=None, target=None)

    (record,) = events("export")
    assert (record.actor, record.address, record.object_type) == (None, "", "")


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        security_event.send(sender=__name__, kind="coffee", user=None, request=None, target=None)


def test_login_failed_login_and_logout_are_recorded(client, enterprise_user):
    login = reverse("login")
    client.post(
        login, {"username": enterprise_user.username, "password": "wrong"}, REMOTE_ADDR=ADDRESS
    )
    client.post(
        login, {"username": enterprise_user.username, "password": PASSWORD}, REMOTE_ADDR=ADDRESS
    )
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)

    (failed,) = events("login_failed")
    assert failed.detail == {"username": enterprise_user.username}
    assert (failed.actor, failed.address) == (None, ADDRESS)
    assert "wrong" not in str(failed.detail)
    (login_record,) = events("login", actor=enterprise_user)
    assert login_record.address == ADDRESS
    (logout,) = events("logout", actor=enterprise_user)
    assert logout.address == ADDRESS


def test_a_lockout_is_recorded(client, enterprise_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _attempt in range(3):
        client.post(
            reverse("login"),
            {"username": enterprise_user.username, "password": "wrong"},
            REMOTE_ADDR=ADDRESS,
        )

    lockout = events("lockout")[0]
    assert lockout.detail["username"] == enterprise_user.username
    assert lockout.address == ADDRESS


def test_a_password_change_is_recorded(client, enterprise_user):
    client.force_login(enterprise_user)
    client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Qx7-mountain-river",
            "new_password2": "Qx7-mountain-river",
        },
        REMOTE_ADDR=ADDRESS,
    )

    (record,) = events("password_changed", address=ADDRESS)
    assert record.actor == enterprise_user
    assert record.object_id == str(enterprise_user.pk)
    assert "Qx7" not in str(record.detail)


def test_a_refusal_is_recorded(client, district_reviewer):
    client.force_login(district_reviewer)
    response = client.get(reverse("admin:measures_calendarday_changelist"), REMOTE_ADDR=ADDRESS)

    assert response.status_code == 403
    (record,) = events("permission_denied")
    assert (record.actor, record.address) == (district_reviewer, ADDRESS)
    assert record.detail == {"method": "GET", "path": "/admin/measures/calendarday/"}


def test_a_document_download_is_recorded(client, enterprise_user):
    document = draft(user=enterprise_user).documents.first()
    client.force_login(enterprise_user)

    response = client.get(
        reverse("applications:document-download", args=[document.pk]), REMOTE_ADDR=ADDRESS
    )

    assert response.status_code == 200
    (record,) = events("download")
    assert (record.actor, record.address) == (enterprise_user, ADDRESS)
    assert record.object_type == "applications.applicationdocument"
    assert record.object_id == str(document.pk)
    assert record.detail["name"] == document.original_name


def test_a_batch_export_is_recorded(client, policy):
    preparer = finance()
    batch = frozen_batch(approved_applications(2), by=preparer)
    client.force_login(preparer)

    response = client.get(
        reverse("admin:disbursements_export", args=[batch.pk, "csv"]), REMOTE_ADDR=ADDRESS
    )
    b"".join(response.streaming_content)

    (record,) = events("export")
    assert (record.actor, record.address) == (preparer, ADDRESS)
    assert (record.object_type, record.object_id) == (
        "disbursements.disbursementbatch",
        str(batch.pk),
    )
    assert record.detail["format"] == "csv"


def test_a_dashboard_download_is_recorded(client, policy):
    administrator = UserFactory(is_staff=True, is_superuser=True, roles=["administrator"])
    client.force_login(administrator)

    response = client.get(reverse("dashboard:xlsx", args=[CHART]), REMOTE_ADDR=ADDRESS)

    assert response.status_code == 200
    (record,) = events("export")
    assert (record.actor, record.address) == (administrator, ADDRESS)
    assert record.detail["chart"] == CHART
