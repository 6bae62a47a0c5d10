"""A small site as it is used, for the backup tests: enterprises, applications in several states
with their uploaded documents, a library document attached to an application, and a frozen
disbursement batch. Built in the test's process on PostgreSQL, and in a ``manage.py shell``
process on a temporary SQLite file."""

from decimal import Decimal

from applications import services
from enterprises.districts import District
from tests.applications.factories import draft, library_document
from tests.disbursements.factories import approved_applications, finance, frozen_batch
from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory


def populate() -> None:
    yubei = EnterpriseUserFactory(enterprise=EnterpriseFactory(district=District.YUBEI))
    jiangbei = EnterpriseUserFactory(enterprise=EnterpriseFactory(district=District.JIANGBEI))
    reviewer = UserFactory(district=District.YUBEI, is_staff=True, roles=["district_reviewer"])

    draft(user=yubei)
    services.application_submit(application=draft(user=jiangbei, code="ic-design"), by=jiangbei)
    services.application_district_approve(
        application=services.application_submit(application=draft(user=yubei), by=yubei),
        by=reviewer,
        amount=Decimal("2000000"),
        comment="材料齐全",
    )
    licence = library_document(user=yubei)
    services.library_document_attach(
        application=draft(user=yubei, documents=False), library_document=licence, by=yubei
    )
    frozen_batch(approved_applications(3), by=finance())
