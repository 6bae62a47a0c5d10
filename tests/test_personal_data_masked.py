"""Who reads bank accounts and phones whole: the enterprise its own, finance on a batch's page
and in its exports (the audit told each time); reviewers, administrators, the dashboard and
every message read them masked, or not at all."""

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from disbursements import services
from enterprises.districts import District
from notifications.models import Notification
from policy_portal.signals import security_event
from tests.disbursements.factories import approved_applications, frozen_batch
from tests.enterprises.factories import EnterpriseUserFactory, UserFactory

ACCOUNT = "6228480000000000005"
PHONE = "13800138005"
USER_PHONE = "13900139009"
OFFICIAL_PHONE = "13700137007"
WHOLE = (ACCOUNT, PHONE, USER_PHONE, OFFICIAL_PHONE)


@pytest.fixture
def world(policy, finance_user):
    applications = approved_applications(
        2, bank_account=ACCOUNT, contact_phone=PHONE, district=District.YUBEI
    )
    application = applications[0]
    enterprise_user = EnterpriseUserFactory(enterprise=application.enterprise, phone=USER_PHONE)
    official = UserFactory(is_staff=True, roles=["district_reviewer"], phone=OFFICIAL_PHONE)
    official.district = District.YUBEI
    official.save()
    batch = frozen_batch(applications, by=finance_user)
    return {
        "application": application,
        "enterprise": application.enterprise,
        "enterprise_user": enterprise_user,
        "official": official,
        "batch": batch,
    }


@pytest.fixture
def officials(policy, district_reviewer, municipal_reviewer):
    return {
        "district_reviewer": district_reviewer,
        "municipal_reviewer": municipal_reviewer,
        "administrator": UserFactory(is_staff=True, roles=["administrator"]),
    }


def _admin_pages(world) -> list[str]:
    """Every list of the admin, and the pages of each row that holds or leads to an account or
    a phone: its change page and its history."""
    urls = [reverse("admin:index"), reverse("dashboard:index")]
    rows = {
        "enterprises.enterprise": world["enterprise"].pk,
        "enterprises.user": world["enterprise_user"].pk,
        "enterprises.staffmember": world["official"].pk,
        "disbursements.disbursementbatch": world["batch"].pk,
        "applications.application": world["application"].pk,
    }
    for model in admin.site._registry:
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        try:
            urls.append(reverse(f"admin:{label}_changelist"))
        except NoReverseMatch:
            continue
        pk = rows.get(model._meta.label_lower)
        if pk is not None:
            urls.append(reverse(f"admin:{label}_change", args=[pk]))
            urls.append(reverse(f"admin:{label}_history", args=[pk]))
    return urls


@pytest.mark.parametrize("role", ["district_reviewer", "municipal_reviewer", "administrator"])
def test_officials_other_than_finance_never_read_an_account_or_a_phone_whole(
    client, world, officials, role
):
    client.force_login(officials[role])
    seen = []

    for url in _admin_pages(world):
        response = client.get(url)
        body = response.content.decode()
        seen.append((url, response.status_code))
        for whole in WHOLE:
            assert whole not in body, (url, whole)

    if role == "administrator":
        assert (
            reverse("admin:enterprises_enterprise_change", args=[world["enterprise"].pk]),
            200,
        ) in seen


def test_the_administrator_reads_them_masked(client, world, officials):
    client.force_login(officials["administrator"])

    enterprise = client.get(
        reverse("admin:enterprises_enterprise_change", args=[world["enterprise"].pk])
    ).content.decode()
    batch = client.get(
        reverse("admin:disbursements_disbursementbatch_change", args=[world["batch"].pk])
    ).content.decode()
    official = client.get(
        reverse("admin:enterprises_staffmember_change", args=[world["official"].pk])
    ).content.decode()

    assert "6228 **** **** 0005" in enterprise and "138****8005" in enterprise
    assert "6228 **** **** 0005" in batch
    assert "137****7007" in official and 'name="phone"' in official


def test_an_administrator_replaces_a_phone_without_reading_it(client, world, officials):
    from tests.enterprises.test_staff_admin import staff_form

    official = world["official"]
    client.force_login(officials["administrator"])
    url = reverse("admin:enterprises_staffmember_change", args=[official.pk])
    data = staff_form(username=official.username, phone="", password1=None, password2=None)

    assert client.post(url, data).status_code == 302
    official.refresh_from_db()
    assert official.phone == OFFICIAL_PHONE  # left empty: kept

    client.post(url, {**data, "phone": "13600136006"})
    official.refresh_from_db()
    assert official.phone == "13600136006"


def test_finance_reads_the_accounts_whole_on_the_batch_page_and_the_audit_is_told(
    client, world, finance_user
):
    events = []

    def receiver(sender, **kwargs):
        # The audit hears every event (the login too); this test is about the unmasked reads.
        if kwargs["kind"] == "unmasked":
            events.append(kwargs)

    security_event.connect(receiver)
    try:
        client.force_login(finance_user)
        body = client.get(
            reverse("admin:disbursements_disbursementbatch_change", args=[world["batch"].pk])
        ).content.decode()
        export = client.get(reverse("admin:disbursements_export", args=[world["batch"].pk, "csv"]))
        exported = b"".join(export.streaming_content).decode("utf-8-sig")
    finally:
        security_event.disconnect(receiver)

    assert ACCOUNT in body and ACCOUNT in exported
    assert [event["kind"] for event in events] == ["unmasked", "unmasked"]
    assert all(event["user"] == finance_user for event in events)
    assert events[0]["target"] == world["batch"] and events[0]["request"] is not None
    assert events[1]["detail"] == {
        "batch": world["batch"].number,
        "format": "csv",
        "lines": world["batch"].line_count,
    }


def test_the_enterprise_reads_its_own_whole(client, world):
    client.force_login(world["enterprise_user"])

    body = client.get(reverse("enterprises:profile")).content.decode()

    assert ACCOUNT in body and PHONE in body


def test_no_notification_or_email_holds_an_account(
    world, finance_user, django_capture_on_commit_callbacks
):
    confirmer = UserFactory(is_staff=True, roles=["finance"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.batch_mark_paid(
            batch=world["batch"],
            by=confirmer,
            payment_date=timezone.localdate(),
            bank_reference="CQ-001",
            failed={world["application"].reference: "户名与账号不符"},
        )

    texts = [f"{n.title} {n.body}" for n in Notification.objects.all()]
    texts += [f"{m.subject} {m.body}" for m in mail.outbox]
    assert texts
    for text in texts:
        for whole in WHOLE:
            assert whole not in text
        assert "0005" not in text


def test_an_administrator_finds_an_official_by_the_whole_phone_number(client, world, officials):
    client.force_login(officials["administrator"])
    url = reverse("admin:enterprises_staffmember_changelist")

    found = client.get(url, {"q": OFFICIAL_PHONE})
    partial = client.get(url, {"q": OFFICIAL_PHONE[:7]})

    assert [u.pk for u in found.context["cl"].result_list] == [world["official"].pk]
    assert partial.status_code == 200 and list(partial.context["cl"].result_list) == []
