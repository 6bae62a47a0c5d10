"""Django's admin in the site's own Chinese: no spaces around names, 工作台 as the first step of
every breadcrumb, one mark (—) for an empty value."""

import json
import re

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


def _admin_js_catalogue(client) -> dict:
    """The phrases /admin/jsi18n/ gives the admin's widgets (SelectFilter, calendar, clock)."""
    response = _administrator(client).get(reverse("admin:jsi18n"))
    assert response.status_code == 200
    source = response.content.decode()
    start = source.index("const newcatalog = ") + len("const newcatalog = ")
    catalogue, _ = json.JSONDecoder().raw_decode(source[start:])
    return catalogue


def test_the_admins_widgets_speak_without_spaced_names(client, policy):
    """The project's djangojs catalogue (LOCALE_PATHS) wins over Django's zh_Hans one."""
    catalogue = _admin_js_catalogue(client)

    assert catalogue["Available %s"] == "可选%s"
    assert catalogue["Chosen %s"] == "已选%s"
    assert catalogue["Choose all %s"] == "选择全部%s"
    assert catalogue["Remove selected %s"] == "移除选中的%s"
    assert catalogue["Choose a Date"] == "选择日期"
    assert catalogue["Filter"] == "筛选"
    assert catalogue["%(sel)s of %(cnt)s selected"] == ["已选中%(sel)s项，共%(cnt)s项"]
    # The calendar's one-letter day names, in Chinese too.
    assert catalogue["one letter Monday\x04M"] == "一"
    for msgid, msgstr in catalogue.items():
        for text in [msgstr] if isinstance(msgstr, str) else msgstr:
            assert not re.search(r"\s%|s\s|\)s\s|\s%\(", text), f"{msgid}: {text!r}"
            assert not re.search(
                r"[A-Za-z]{2,}", text.replace("%(sel)s", "").replace("%(cnt)s", "")
            ), f"{msgid}: English left in {text!r}"
