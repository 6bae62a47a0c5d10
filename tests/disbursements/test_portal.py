"""What the enterprise sees of its payment on the portal."""

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
