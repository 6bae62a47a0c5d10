"""An official who has handled anything is deactivated, not deleted (停用后不能登录，办理记录保留);
what the deletion of one who has not would remove reads in Chinese."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from enterprises.handling import has_handled
from enterprises.models import StaffMember, User
from measures.models import Division
from notifications.models import Notification
from policy_portal import roles

from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator_client():
    client = Client()
    client.force_login(UserFactory(roles=[roles.ADMINISTRATOR], is_staff=True))
    return client


@pytest.fixture
def official():
    official = UserFactory(roles=[roles.MUNICIPAL_REVIEWER], is_staff=True, first_name="王审核")
    division = Division.objects.order_by("pk").first() or Division.objects.create(
        code="industry", name="产业处"
    )
    official.divisions.add(division)
    return official


def _handle_something(official):
    LogEntry.objects.create(
        user=official,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(official.pk),
        object_repr=str(official),
        action_flag=CHANGE,
    )


def test_an_official_who_handled_nothing_may_be_deleted_and_the_page_reads_in_chinese(
    administrator_client, official
):
    Notification.objects.filter(recipient=official).delete()
    url = reverse("admin:enterprises_staffmember_delete", args=[official.pk])

    page = administrator_client.get(url)

    html = page.content.decode()
    assert page.status_code == 200
    assert not has_handled(official)
    assert "所属处室: " in html and "角色: " in html
    assert "User_divisions" not in html and "User-division" not in html
    assert "object (" not in html
    answer = administrator_client.post(url, {"post": "yes"})
    assert answer.status_code == 302
    assert not User.objects.filter(pk=official.pk).exists()


def test_an_official_who_handled_anything_is_only_deactivated(administrator_client, official):
    _handle_something(official)
    url = reverse("admin:enterprises_staffmember_delete", args=[official.pk])

    page = administrator_client.get(url)
    answer = administrator_client.post(url, {"post": "yes"})

    assert has_handled(official)
    assert page.status_code == 200
    html = page.content.decode()
    assert "王审核已有办理记录，不能删除" in html and 'name="post"' not in html
    assert answer.status_code == 302
    assert User.objects.filter(pk=official.pk).exists()
    change = administrator_client.get(
        reverse("admin:enterprises_staffmember_change", args=[official.pk])
    )
    assert url not in change.content.decode()


def test_deleting_selected_officials_refuses_those_who_handled_anything(
    administrator_client, official
):
    _handle_something(official)

    answer = administrator_client.post(
        reverse("admin:enterprises_staffmember_changelist"),
        {"action": "delete_selected", "_selected_action": [official.pk], "post": "yes"},
        follow=True,
    )

    assert StaffMember.objects.filter(pk=official.pk).exists()
    assert "王审核已有办理记录，不能删除" in answer.content.decode()
