"""The demo's enterprises, the demo enterprise's library of documents and its file (一企一档)."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import services as application_services
from applications.models import LibraryDocument
from enterprises import services as enterprise_services
from enterprises.districts import District
from enterprises.models import Enterprise, EnterpriseFigure, EnterpriseRecognition, User
from enterprises.validators import credit_code_check_character

from .common import DEMO_PDF, DemoReport


def _credit_code(body17: str) -> str:
    return body17 + credit_code_check_character(body17)


DEMO_ENTERPRISES = [
    # (name, first 17 characters of the credit code, district, industry, scale, bank account)
    (
        "重庆示范智能装备有限公司",
        "91500112MA5U00001",
        District.YUBEI,
        "equipment",
        "medium",
        "6228480000000000001",
    ),
    (
        "重庆江北精密电子有限公司",
        "91500105MA5U00002",
        District.JIANGBEI,
        "electronics",
        "small",
        "6228480000000000002",
    ),
    (
        "重庆九龙坡新材料股份有限公司",
        "91500107MA5U00003",
        District.JIULONGPO,
        "materials",
        "large",
        "6228480000000000003",
    ),
    (
        "重庆两江新能源汽车有限公司",
        "91500000MA5U00004",
        District.LIANGJIANG,
        "automotive",
        "large",
        "6228480000000000004",
    ),
    (
        "重庆渝北精工机械有限公司",
        "91500112MA5U00005",
        District.YUBEI,
        "equipment",
        "small",
        "6228480000000000005",
    ),
    # An account number with a leading zero, as some banks issue: the exports must keep it.
    (
        "重庆空港智联电子有限公司",
        "91500112MA5U00006",
        District.YUBEI,
        "electronics",
        "small",
        "0310012345678901",
    ),
]
# The demo enterprise's own entries in its file (一企一档), by years before the current one (0:
# the current year, the demo windows' year). What the departments hold of it (its 工业增加值,
# investment, recognitions, first units and their insurance) comes from their imports
# (``demo.services.departments``): the file shows both, each with its source.
DEMO_FILE_FIGURES = {
    0: {
        # 第2条: 1.8亿 purchases meet its threshold; 1% of 4500万 new purchases is 45万元
        # once the enterprise confirms what the file cannot tell (a 重点骨干企业…).
        "annual_purchase_amount": "180000000",
        "new_purchase_amount": "45000000",
    },
    1: {
        "annual_purchase_amount": "120000000",
        "new_purchase_amount": "30000000",
        # Its own 工业增加值 of last year, 7亿, against 统计局's 7.2亿: marked as differing.
        "industrial_added_value": "700000000",
    },
}
DEMO_FILE_RECOGNITIONS = ()
DEMO_FILE_CLASSIFICATION = {"industry_section": "C", "industry_division": "35"}


def _enterprise(name, body, district, industry, scale, account, report) -> Enterprise:
    enterprise, created = Enterprise.objects.get_or_create(
        credit_code=_credit_code(body),
        defaults={
            "name": name,
            "district": district,
            "industry": industry,
            "scale": scale,
            "contact_name": "王经理",
            "contact_phone": "023-67880000",
            "bank_name": "重庆农村商业银行",
            "bank_account": account,
        },
    )
    if created:
        report.created.append(f"enterprise {name}")
    return enterprise


def _library(enterprise_user: User, report: DemoReport) -> None:
    """demo-enterprise's library: its licence, last year's financial statements, this year's
    summary of purchase contracts and invoices, and this year's insurance papers of its first
    unit, ready to be attached to a new application (all four that measure 11 asks for: its
    免申即享 draft is confirmed in one click)."""
    this_year = timezone.localdate().year
    last_year = this_year - 1
    for kind, year, name in (
        ("营业执照", None, "营业执照（副本）.pdf"),
        ("年度财务报表", last_year, f"{last_year}年度财务报表.pdf"),
        ("采购合同及发票汇总表", this_year, f"{this_year}年采购合同及发票汇总表.pdf"),
        ("保险合同", this_year, f"{this_year}年首台（套）保险合同.pdf"),
        ("保费支付凭证", this_year, f"{this_year}年保费支付凭证.pdf"),
        ("首台（套）或首批次认定证明", this_year, "首台（套）重大技术装备认定证明.pdf"),
    ):
        if LibraryDocument.objects.filter(
            enterprise=enterprise_user.enterprise, kind=kind, year=year
        ).exists():
            continue
        application_services.library_document_add(
            enterprise=enterprise_user.enterprise,
            by=enterprise_user,
            kind=kind,
            year=year,
            upload=SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf"),
        )
        report.created.append(f"library document {kind} of {enterprise_user.enterprise.name}")


def _demo_file(user: User, report: DemoReport) -> None:
    """The demo enterprise's file, once: what the enterprise changes later is left as it is."""
    enterprise = user.enterprise
    if not enterprise.industry_section:
        enterprise_services.enterprise_update_profile(
            enterprise=enterprise, by=user, data=DEMO_FILE_CLASSIFICATION
        )
    if (
        EnterpriseFigure.objects.filter(enterprise=enterprise).exists()
        or EnterpriseRecognition.objects.filter(enterprise=enterprise).exists()
    ):
        return
    year = timezone.localdate().year
    for years_before, figures in DEMO_FILE_FIGURES.items():
        enterprise_services.enterprise_figures_set(
            enterprise=enterprise,
            by=user,
            year=year - years_before,
            values={
                name: value if isinstance(value, bool) else Decimal(value)
                for name, value in figures.items()
            },
        )
    for kind, years_before in DEMO_FILE_RECOGNITIONS:
        enterprise_services.enterprise_recognition_add(
            enterprise=enterprise, by=user, kind=kind, year=year - years_before
        )
    report.created.append(f"file of {enterprise.name}")
