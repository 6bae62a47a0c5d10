"""What the enterprise sees of its payment on the portal."""

import contextlib

from django.urls import reverse
from django.utils import timezone

from disbursements import services
from tests.disbursements.factories import approved_applications, finance, frozen_batch
from tests.enterprises.factories import EnterpriseUserFactory


def test_the_portal_shows_disbursed_with_the_date_and_a_returned_payment_with_its_reason(
    client, finance_user
):
    paid, returned = approved_applications(2)
    member = EnterpriseUserFactory(enterprise=paid.enterprise)
    other_member = EnterpriseUserFactory(enterprise=returned.enterprise)
    batch = frozen_batch([paid, returned], by=finance_user)
    services.batch_mark_paid(
        batch=batch,
        by=finance(),
        payment_date=timezone.localdate(),
        bank_reference="B-20261125",
        failed={returned.reference: "账户已冻结"},
    )
    today = timezone.localdate().isoformat()

    client.force_login(member)
    detail = client.get(reverse("applications:detail", args=[paid.pk])).content.decode()
    home = client.get(reverse("applications:home")).content.decode()
    assert "已拨付" in detail and f"拨付日期 {today}" in detail
    assert "已拨付" in home and today in home

    client.force_login(other_member)
    page = client.get(reverse("applications:detail", args=[returned.pk])).content.decode()
    assert "拨付失败，银行退回" in page and "账户已冻结" in page
    assert "拨付日期" not in page
    # One enterprise never sees the other's application.
    assert client.get(reverse("applications:detail", args=[paid.pk])).status_code == 404


def _returned(finance_user, capture=None, reason="户名与账号不符"):
    paid, returned = approved_applications(2)
    member = EnterpriseUserFactory(enterprise=returned.enterprise)
    batch = frozen_batch([paid, returned], by=finance_user)
    with capture(execute=True) if capture else contextlib.nullcontext():
        services.batch_mark_paid(
            batch=batch,
            by=finance(),
            payment_date=timezone.localdate(),
            bank_reference="B-20261125",
            failed={returned.reference: reason},
        )
    return returned, member, batch


def test_a_returned_payment_reads_at_the_top_with_its_reason_and_where_to_correct_it(
    client, finance_user
):
    returned, member, batch = _returned(finance_user)
    client.force_login(member)

    page = client.get(reverse("applications:detail", args=[returned.pk])).content.decode()

    top = page[: page.index("申报数据")]
    assert 'id="payment-returned"' in top
    assert "银行退回" in top and "户名与账号不符" in top and batch.number in top
    assert reverse("enterprises:profile") in top
    home = client.get(reverse("applications:home")).content.decode()
    assert "银行退回" in home and "户名与账号不符" in home


def test_a_corrected_account_reads_as_waiting_for_the_next_batch(client, finance_user):
    returned, member, _batch = _returned(finance_user)
    returned.enterprise.bank_account = "6222000011112222"
    returned.enterprise.save()
    client.force_login(member)

    page = client.get(reverse("applications:detail", args=[returned.pk])).content.decode()

    assert "银行退回" in page and "已更正" in page


def test_a_returned_payment_paid_again_no_longer_reads_as_returned(client, finance_user):
    returned, member, _batch = _returned(finance_user)
    frozen_batch([returned], by=finance_user)
    client.force_login(member)

    page = client.get(reverse("applications:detail", args=[returned.pk])).content.decode()

    assert 'id="payment-returned"' not in page


def test_the_notice_of_a_returned_payment_says_where_to_correct_the_account(
    finance_user, django_capture_on_commit_callbacks
):
    from notifications.models import Notification

    returned, member, _batch = _returned(finance_user, django_capture_on_commit_callbacks)

    notice = Notification.objects.get(recipient=member)
    assert "户名与账号不符" in notice.body
    assert reverse("enterprises:profile") in notice.body and "更正" in notice.body
