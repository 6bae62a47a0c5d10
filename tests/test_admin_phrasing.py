"""Django's admin in the site's own Chinese: no spaces around names, 工作台 as the first step of
every breadcrumb, one mark (—) for an empty value."""

from django.contrib import admin
from django.urls import reverse

from policy_portal import roles
from tests.enterprises.factories import UserFactory
from tests.zh_hans import readable_text


def _administrator(client):
    client.force_login(UserFactory(is_staff=True, roles=[roles.ADMINISTRATOR]))
    return client


def test_the_officials_list_reads_without_spaced_names(client, policy):
    text = readable_text(
        _administrator(client)
        .get(reverse("admin:enterprises_staffmember_changelist"))
        .content.decode()
    )

    assert "选择要修改的工作人员" in text or "选择要查看的工作人员" in text
    assert "新增工作人员" in text
    assert "按角色" in text
    for spaced in ("以 ", "选择 工作人员", "增加 工作人员", "来修改"):
        assert spaced not in text


def test_my_notifications_start_at_the_workbench(client, policy):
    page = _administrator(client).get(reverse("notifications:list"))

    text = readable_text(page.content.decode())
    assert "工作台 › 我的通知" in " ".join(text.split())
    assert "首页" not in text


def test_an_empty_value_is_one_mark_everywhere():
    assert admin.site.empty_value_display == "—"
