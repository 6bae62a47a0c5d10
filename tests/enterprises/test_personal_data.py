"""个人信息保护: a person downloads their own data (查阅、复制), an administrator downloads an
official's, and a person no work needs any longer is anonymised (删除、匿名化) while the
financial record stays."""

import json
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.urls import reverse

from applications.models import Application, State
from disbursements.models import BatchLine
from enterprises.models import User
from enterprises.personal_data import (
    anonymise_refusals,
    is_anonymised,
    personal_data_of,
    user_anonymise,
)
from notifications.models import Notification
from security.audit.records import AuditRecord
from tests.applications.factories import draft
from tests.disbursements.factories import approved_applications, finance, frozen_batch
from tests.enterprises.factories import EnterpriseUserFactory, UserFactory
from tests.zh_hans import english_on_page

PASSWORD = "correct-horse-battery"


@pytest.fixture
def administrator(policy):
    return UserFactory(is_staff=True, roles=["administrator"])


def _download(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content.decode("utf-8"))


# ── 查阅、复制 ────────────────────────────────────────────────────────────────────────────────


def test_an_enterprise_user_downloads_their_own_data_and_their_enterprises_contact(
    client, enterprise_user, other_enterprise_user
):
    enterprise_user.phone = "13912345678"
    enterprise_user.first_name = "王五"
    enterprise_user.save()
    client.force_login(enterprise_user)

    data = _download(client.get(reverse("enterprises:profile-export")))

    text = json.dumps(data, ensure_ascii=False)
    account = data["账号信息"]
    assert account["登录账号"] == enterprise_user.username
    assert account["电子邮箱"] == enterprise_user.email
    assert account["手机号"] == "13912345678" and account["姓名"] == "王五"
    contact = data["所属企业联系信息"]
    assert contact["联系人"] == enterprise_user.enterprise.contact_name
    assert contact["联系电话"] == enterprise_user.enterprise.contact_phone
    assert contact["企业名称"] == enterprise_user.enterprise.name
    # Nobody else's: the other enterprise's user and name are not in it.
    assert other_enterprise_user.username not in text
    assert other_enterprise_user.enterprise.name not in text
    assert "password" not in text and "pbkdf2" not in text


def test_the_download_is_an_export_on_the_audit(client, enterprise_user):
    client.force_login(enterprise_user)
    client.get(reverse("enterprises:profile-export"))

    (record,) = AuditRecord.objects.filter(kind="export", object_id=str(enterprise_user.pk))
    assert record.actor_id == enterprise_user.pk
    assert record.detail["export"] == "personal_data" and record.detail["self"] is True


def test_the_profile_page_links_to_the_download(client, enterprise_user):
    client.force_login(enterprise_user)

    page = client.get(reverse("enterprises:profile")).content.decode()

    assert reverse("enterprises:profile-export") in page and "下载我的个人信息" in page


def test_officials_and_visitors_have_no_download_of_their_own_on_the_portal(
    client, district_reviewer
):
    url = reverse("enterprises:profile-export")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(district_reviewer)
    response = client.get(url)
    assert response.status_code == 302 and "attachment" not in response.get(
        "Content-Disposition", ""
    )


def test_an_administrator_exports_an_officials_data_from_the_admin(
    client, administrator, district_reviewer
):
    district_reviewer.phone = "13700137000"
    district_reviewer.save()
    client.force_login(administrator)

    response = client.post(
        reverse("admin:enterprises_staffmember_changelist"),
        {"action": "export_personal_data", ACTION_CHECKBOX_NAME: [district_reviewer.pk]},
    )

    data = _download(response)
    assert data["账号信息"]["登录账号"] == district_reviewer.username
    assert data["账号信息"]["手机号"] == "13700137000"
    assert data["账号信息"]["负责区县"] == district_reviewer.get_district_display()
    assert administrator.username not in json.dumps(data, ensure_ascii=False)
    (record,) = AuditRecord.objects.filter(kind="export", object_id=str(district_reviewer.pk))
    assert record.actor_id == administrator.pk and record.detail["self"] is False


def test_the_admin_exports_one_person_at_a_time(
    client, administrator, district_reviewer, finance_user
):
    client.force_login(administrator)

    response = client.post(
        reverse("admin:enterprises_staffmember_changelist"),
        {
            "action": "export_personal_data",
            ACTION_CHECKBOX_NAME: [district_reviewer.pk, finance_user.pk],
        },
        follow=True,
    )

    assert "请只选择一个账号导出其个人信息" in response.content.decode()
    assert not AuditRecord.objects.filter(kind="export").exists()


def test_only_holders_of_the_permissions_are_offered_the_actions(client, policy):
    reviewer = UserFactory(is_staff=True, roles=["finance"])
    # A finance user who may view staff (as a role might allow) is still offered neither.
    from django.contrib.auth.models import Permission

    reviewer.user_permissions.add(Permission.objects.get(codename="view_staffmember"))
    client.force_login(reviewer)

    page = client.get(reverse("admin:enterprises_staffmember_changelist"))

    assert page.status_code == 200
    body = page.content.decode()
    assert "export_personal_data" not in body and "anonymise_people" not in body
    response = client.post(
        reverse("admin:enterprises_staffmember_changelist"),
        {"action": "export_personal_data", ACTION_CHECKBOX_NAME: [reviewer.pk]},
    )
    assert "attachment" not in response.get("Content-Disposition", "")


@pytest.mark.django_db
def test_administrators_and_security_administrators_hold_the_permissions():
    for name in ("administrator", "security_administrator"):
        codenames = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        assert {"export_personal_data", "anonymise_user"} <= codenames, name


def test_an_officials_export_names_their_role_and_nothing_of_an_enterprise(district_reviewer):
    data = personal_data_of(district_reviewer)

    assert data["账号信息"]["角色"] == "区县审核员"
    assert "所属企业联系信息" not in data


# ── 删除、匿名化 ──────────────────────────────────────────────────────────────────────────────


def _signed_in_session(client, user) -> str:
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return client.session.session_key


def test_anonymising_replaces_the_person_and_ends_every_trace_but_the_record(
    client, enterprise_user, administrator
):
    enterprise_user.first_name = "王五"
    enterprise_user.phone = "13912345678"
    enterprise_user.save()
    old_username = enterprise_user.username
    session_key = _signed_in_session(client, enterprise_user)
    AccessAttempt.objects.create(
        username=old_username, ip_address="10.0.0.1", user_agent="x", failures_since_start=1
    )
    Notification.objects.create(recipient=enterprise_user, key="log:1", title="已提交")
    application = draft(user=enterprise_user)
    Application.objects.filter(pk=application.pk).update(state=State.WITHDRAWN)

    user_anonymise(user=enterprise_user, by=administrator)

    user = User.objects.get(pk=enterprise_user.pk)
    assert is_anonymised(user)
    assert user.username == f"anonymised-{user.pk}" and user.first_name == "已匿名用户"
    assert user.email == "" and user.phone == "" and not user.is_active
    assert not user.has_usable_password()
    assert not Session.objects.filter(session_key=session_key).exists()
    assert not AccessAttempt.objects.filter(username=old_username).exists()
    assert not Notification.objects.filter(recipient=user).exists()
    # The record stays, pointing at the anonymised account.
    assert Application.objects.get(pk=application.pk).created_by_id == user.pk
    # The old session no longer signs anyone in.
    assert client.get(reverse("enterprises:profile")).status_code == 302
    (event,) = AuditRecord.objects.filter(kind="anonymise", object_id=str(user.pk))
    assert event.actor_id == administrator.pk


def test_the_payout_record_keeps_its_amounts_and_bank_data(administrator, policy):
    applications = approved_applications(1, bank_account="6228480000000000005")
    batch = frozen_batch(applications, by=finance())
    person = EnterpriseUserFactory(enterprise=applications[0].enterprise)
    # Paid: nothing in flight needs the person any more (payout itself is tested elsewhere).
    Application.objects.filter(pk=applications[0].pk).update(state=State.DISBURSED)

    user_anonymise(user=person, by=administrator)

    line = BatchLine.objects.get(batch=batch)
    assert line.bank_account == "6228480000000000005"
    assert line.amount == Decimal("123456.78")
    assert Application.objects.get(pk=applications[0].pk).approved_amount == Decimal("123456.78")


def test_refused_while_the_enterprise_has_an_application_in_flight_and_no_one_else(
    enterprise_user, administrator
):
    application = draft(user=enterprise_user)

    with pytest.raises(ValidationError) as refused:
        user_anonymise(user=enterprise_user, by=administrator)

    (message,) = refused.value.messages
    assert "办理中的申报" in message and "其他有效账号" in message
    assert application.reference_label in message
    assert User.objects.get(pk=enterprise_user.pk).is_active
    assert not AuditRecord.objects.filter(kind="anonymise").exists()


def test_allowed_while_another_active_user_carries_the_application_on(
    enterprise_user, administrator
):
    draft(user=enterprise_user)
    EnterpriseUserFactory(enterprise=enterprise_user.enterprise)

    assert anonymise_refusals(user=enterprise_user, by=administrator) == []
    user_anonymise(user=enterprise_user, by=administrator)


def test_nobody_anonymises_themselves_and_no_one_twice(administrator, district_reviewer):
    assert anonymise_refusals(user=administrator, by=administrator) == [
        "不能匿名化当前登录的账号。"
    ]
    user_anonymise(user=district_reviewer, by=administrator)
    district_reviewer.refresh_from_db()
    assert anonymise_refusals(user=district_reviewer, by=administrator) == ["该账号已匿名化。"]
    with pytest.raises(ValidationError):
        user_anonymise(user=district_reviewer, by=administrator)


def test_the_command_anonymises_by_username_and_refuses_in_chinese(
    enterprise_user, district_reviewer, capsys
):
    call_command("anonymise_person", district_reviewer.username)
    assert is_anonymised(User.objects.get(pk=district_reviewer.pk))
    assert "已匿名化" in capsys.readouterr().out

    draft(user=enterprise_user)
    with pytest.raises(CommandError, match="办理中的申报"):
        call_command("anonymise_person", enterprise_user.username)
    with pytest.raises(CommandError, match="没有登录账号为"):
        call_command("anonymise_person", "nobody-by-that-name")


def test_the_admin_action_asks_first_then_anonymises(client, administrator, enterprise_user):
    client.force_login(administrator)
    url = reverse("admin:enterprises_user_changelist")
    chosen = {"action": "anonymise_people", ACTION_CHECKBOX_NAME: [enterprise_user.pk]}

    confirm = client.post(url, chosen)

    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "确认匿名化" in page and "可以匿名化" in page
    assert english_on_page(page, allowed={enterprise_user.username}) == []
    assert User.objects.get(pk=enterprise_user.pk).is_active

    done = client.post(url, {**chosen, "confirmed": "1"}, follow=True)

    assert "已匿名化 1 个账号" in done.content.decode()
    assert is_anonymised(User.objects.get(pk=enterprise_user.pk))


def test_the_admin_action_names_the_reason_it_refuses(client, administrator, enterprise_user):
    draft(user=enterprise_user)
    client.force_login(administrator)
    url = reverse("admin:enterprises_user_changelist")
    chosen = {"action": "anonymise_people", ACTION_CHECKBOX_NAME: [enterprise_user.pk]}

    assert "办理中的申报" in client.post(url, chosen).content.decode()
    done = client.post(url, {**chosen, "confirmed": "1"}, follow=True)

    assert "未匿名化" in done.content.decode()
    assert User.objects.get(pk=enterprise_user.pk).is_active


def test_the_audit_keeps_the_change_with_the_old_values(administrator, district_reviewer):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the triggers record data changes on PostgreSQL")
    old = district_reviewer.username
    user_anonymise(user=district_reviewer, by=administrator)

    (change,) = AuditRecord.objects.filter(
        kind="change", object_id=str(district_reviewer.pk), action="update"
    )
    assert change.before["username"] == old
    assert change.after["username"] == f"anonymised-{district_reviewer.pk}"
