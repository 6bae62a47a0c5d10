from django.urls import reverse

from applications import services
from applications.models import TransitionLog
from tests.applications.factories import draft
from tests.enterprises.factories import UserFactory


def test_the_log_cannot_be_added_changed_or_deleted_in_the_admin(enterprise_user, client):
    application = draft(user=enterprise_user)
    services.application_submit(application=application, by=enterprise_user)
    entry = TransitionLog.objects.get()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert client.get(reverse("admin:applications_transitionlog_changelist")).status_code == 200
    change_url = reverse("admin:applications_transitionlog_change", args=[entry.pk])
    response = client.post(change_url, {"comment": "篡改"})
    assert response.status_code == 403
    assert (
        client.post(
            reverse("admin:applications_transitionlog_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert client.post(reverse("admin:applications_transitionlog_add"), {}).status_code == 403
    entry.refresh_from_db()
    assert entry.comment == ""


def test_applications_cannot_be_deleted_or_edited_in_the_admin(enterprise_user, client):
    application = draft(user=enterprise_user)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    assert page.status_code == 200
    assert application.reference_label in page.content.decode()
    delete = client.post(
        reverse("admin:applications_application_delete", args=[application.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    application.refresh_from_db()
