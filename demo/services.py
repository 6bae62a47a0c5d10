"""Demo data for a first run: one account per role, a few enterprises, open windows."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from applications import services as application_services
from applications.models import Application, LibraryDocument, State
from enterprises import roles
from enterprises import services as enterprise_services
from enterprises.districts import District
from enterprises.models import Enterprise, EnterpriseFigure, EnterpriseRecognition, User
from enterprises.recognitions import Recognition
from enterprises.validators import credit_code_check_character
from measures.forms import declared_form_class
from measures.models import ApplicationWindow, Division, Measure, Track
from publicity import services as publicity_services
from publicity.selectors import applications_to_publicise
from reviews.services import review_decide

DEMO_DISTRICT = District.YUBEI
DEMO_WINDOW_BUDGET = Decimal("50000000")  # 5000万元 per measure
DEMO_WINDOW_DAYS = 90
DEMO_MUNICIPAL_DIVISIONS = ("economic-operation", "automotive", "electronics", "equipment")
# DEMO DATA, invented: not the commission's numbers or rooms. The divisions' contacts are shown
# in every measure's guide; a real deployment enters them in the admin (处室), and leaves them
# blank ("联系方式待公布") until they are published. Each value says it is a demo's.
DEMO_CONTACT_PHONE = "023-6000 {number:04d}（演示号码）"
DEMO_CONTACT_ADDRESS = "重庆市渝北区示范大道1号 市经济信息委{room}室（演示地址）"
DEMO_OFFICE_HOURS = "工作日 9:00—12:00，14:00—17:30"


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

# Applications of the other Yubei enterprises, so that each reviewer has work on a first run
# and finance has approved applications for a batch: (enterprise user, track code, declared
# figures, how far it has gone).
DEMO_APPLICATIONS = [
    (
        "demo-enterprise-2",
        "supply-chain",
        {"annual_purchase_amount": "180000000", "new_purchase_amount": "45000000"},
        "district",
    ),
    ("demo-enterprise-2", "ic-design", {"actual_investment": "30000000"}, "municipal"),
    (
        "demo-enterprise-2",
        "first-unit-insurance",
        {"insured_amount": "50000000", "annual_premium": "1200000", "first_units_or_batch": True},
        "approved",
    ),
    ("demo-enterprise-2", "data-platform", {"project_investment": "8000000"}, "approved"),
    (
        "demo-enterprise-3",
        "supply-chain",
        {"annual_purchase_amount": "150000000", "new_purchase_amount": "12345678.90"},
        "approved",
    ),
    ("demo-enterprise-3", "ic-design", {"actual_investment": "25000000"}, "approved"),
    (
        "demo-enterprise-3",
        "financing-interest",
        {"financing_amount": "200000000", "interest_paid": "3600000"},
        "approved",
    ),
    (
        "demo-enterprise-2",
        "financing-interest",
        {"financing_amount": "80000000", "interest_paid": "1250000.50"},
        "approved",
    ),
]
# Where the demo's approved applications stand in their 公示 (by applicant and track): under
# one still open to objections, or not publicised yet for an administrator to publicise; the
# others passed a 公示 that closed without objection, so that finance has a batch to build.
DEMO_OPEN_PUBLICITY = {("demo-enterprise-3", "financing-interest")}
DEMO_UNPUBLICISED = {("demo-enterprise-2", "financing-interest")}
# The demo enterprise's file (一企一档), so that 可申报政策 shows every group on a first run: by
# years before the current one (0: the current year, the demo windows' year).
DEMO_FILE_FIGURES = {
    0: {
        # 第2条: 1.8亿 purchases meet its threshold; 1% of 4500万 new purchases is 45万元
        # once the enterprise confirms what the file cannot tell (a 重点骨干企业…).
        "annual_purchase_amount": "180000000",
        "new_purchase_amount": "45000000",
        # 第11条: 80% of the 120万元 premium, under 3% of the insured 5000万元: 96万元.
        "insured_amount": "50000000",
        "annual_premium": "1200000",
        "first_units_or_batch": True,
        # 第10条: 1.5亿 is not enough for manufacturing (≥ 5亿) nor equipment and materials
        # (≥ 2亿); IC design (≥ 2000万) is for 软件和信息技术服务业, not this 专用设备 maker.
        "actual_investment": "150000000",
        # 第1条: 8亿 does not reach 10亿.
        "industrial_added_value": "800000000",
        "first_breakthrough": True,
    },
    1: {"annual_purchase_amount": "120000000", "new_purchase_amount": "30000000"},
}
DEMO_FILE_RECOGNITIONS = (
    (Recognition.SINGLE_CHAMPION, 0),
    (Recognition.MUNICIPAL_INNOVATION_DEMO, 1),
)
DEMO_FILE_CLASSIFICATION = {"industry_section": "C", "industry_division": "35"}

DEMO_PDF = b"%PDF-1.4\n% demo document\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, scope


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


def _account(username, role, report, *, password, scope="", **attrs) -> User:
    user, created = User.objects.get_or_create(username=username, defaults=attrs)
    changed = created
    if not user.check_password(password):
        user.set_password(password)
        changed = True
    if changed:
        user.save()
    if created:
        report.created.append(f"user {username}")
    user.groups.add(Group.objects.get(name=role))
    report.accounts.append((username, str(roles.ROLE_LABELS[role]), scope))
    return user


@transaction.atomic
def demo_seed(*, password: str) -> DemoReport:
    """Create what a first run needs to try every role; running it again changes nothing."""
    if not Measure.objects.exists():
        raise LookupError("load the policy first (manage.py load_policy)")
    report = DemoReport()
    enterprises = [_enterprise(*row, report) for row in DEMO_ENTERPRISES]
    demo_enterprise = enterprises[0]

    enterprise_user = _account(
        "demo-enterprise",
        roles.ENTERPRISE,
        report,
        password=password,
        scope=demo_enterprise.name,
        enterprise=demo_enterprise,
        email="enterprise@example.com",
        first_name="刘洋",
    )
    _account(
        "demo-district",
        roles.DISTRICT_REVIEWER,
        report,
        password=password,
        scope=demo_enterprise.get_district_display(),
        district=DEMO_DISTRICT,
        is_staff=True,
        email="district@example.com",
        first_name="张敏",
    )
    municipal = _account(
        "demo-municipal",
        roles.MUNICIPAL_REVIEWER,
        report,
        password=password,
        scope="、".join(
            Division.objects.filter(code__in=DEMO_MUNICIPAL_DIVISIONS).values_list(
                "name", flat=True
            )
        ),
        is_staff=True,
        email="municipal@example.com",
        first_name="王磊",
    )
    municipal.divisions.add(*Division.objects.filter(code__in=DEMO_MUNICIPAL_DIVISIONS))
    _account(
        "demo-finance",
        roles.FINANCE,
        report,
        password=password,
        scope="制单 (prepares batches)",
        is_staff=True,
        email="finance@example.com",
        first_name="陈静",
    )
    _account(
        "demo-finance-2",
        roles.FINANCE,
        report,
        password=password,
        scope="复核 (confirms the payment of demo-finance's batches)",
        is_staff=True,
        email="finance2@example.com",
        first_name="赵强",
    )

    _account(
        "demo-admin",
        roles.ADMINISTRATOR,
        report,
        password=password,
        is_staff=True,
        is_superuser=True,
        email="admin@example.com",
        first_name="孙丽",
    )

    _library(enterprise_user, report)
    _windows(report)
    _demo_file(User.objects.get(username="demo-enterprise"), report)
    _demo_proposal(report)
    _division_contacts(report)
    applicants = {
        username: _account(
            username,
            roles.ENTERPRISE,
            report,
            password=password,
            scope=enterprise.name,
            enterprise=enterprise,
            email=f"{username.removeprefix('demo-')}@example.com",
            first_name=name,
        )
        for username, enterprise, name in (
            ("demo-enterprise-2", enterprises[4], "周杰"),
            ("demo-enterprise-3", enterprises[5], "吴芳"),
        )
    }
    district = User.objects.get(username="demo-district")
    for username, user in applicants.items():
        if not Application.objects.filter(enterprise=user.enterprise).exists():
            rows = [row[1:] for row in DEMO_APPLICATIONS if row[0] == username]
            _demo_applications(user, rows, district, municipal, report)
    _demo_publicity(User.objects.get(username="demo-admin"), report)
    _demo_finished_applications(enterprise_user, district, municipal, report)
    return report


def _demo_publicity(administrator: User, report: DemoReport) -> None:
    """The demo's approved applications through their 公示 as DEMO_OPEN_PUBLICITY and
    DEMO_UNPUBLICISED say: closed (published a month ago, without objection), open since today,
    or none yet. Running the demo again publicises nothing twice."""
    approved = Application.objects.filter(state=State.APPROVED).select_related("track__measure")
    pairs = {(a.window, a.track.measure) for a in approved}
    for window, measure in sorted(pairs, key=lambda pair: (pair[0].pk, pair[1].number)):
        fates = {"closed": [], "open": []}
        candidates = applications_to_publicise(window=window, measure=measure)
        for application in candidates.prefetch_related("enterprise__users"):
            usernames = {u.username for u in application.enterprise.users.all()}
            keys = {(username, application.track.code) for username in usernames}
            if keys & DEMO_UNPUBLICISED:
                continue
            fates["open" if keys & DEMO_OPEN_PUBLICITY else "closed"].append(application.pk)
        for fate, ids in fates.items():
            if not ids:
                continue
            publicity = _publicised(
                window, measure, administrator, Application.objects.filter(pk__in=ids), fate
            )
            report.created.append(f"publicity {publicity.pk} ({fate}): {publicity.title}")


def _publicised(window, measure, administrator: User, applications, fate: str):
    """A 公示 of ``applications``: open since today, or ("closed") published a month ago and
    closed without objection, so that finance may pay what it holds."""
    publicity = publicity_services.publicity_create(
        window=window, measure=measure, by=administrator, applications=applications
    )
    opened = timezone.now() - timedelta(days=30 if fate == "closed" else 0)
    publicity = publicity_services.publicity_publish(
        publicity=publicity, by=administrator, at=opened
    )
    if fate == "closed":
        publicity = publicity_services.publicity_close(publicity=publicity, by=administrator)
    return publicity


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


def _windows(report: DemoReport) -> None:
    now = timezone.now()
    for measure in Measure.objects.filter(kind=Measure.Kind.FUNDING):
        if ApplicationWindow.objects.open_at(now).filter(measure=measure).exists():
            continue
        opens = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        ApplicationWindow.objects.create(
            measure=measure,
            year=opens.year,
            name=f"{opens.year}年第一批",
            opens_at=opens,
            closes_at=opens + timedelta(days=DEMO_WINDOW_DAYS),
            total_budget=DEMO_WINDOW_BUDGET,
        )
        report.created.append(f"window for measure {measure.number}")


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


def _division_contacts(report: DemoReport) -> None:
    """Demo contacts for the divisions that have none; what an administrator entered is kept."""
    for index, division in enumerate(Division.objects.order_by("pk"), start=1):
        if division.has_contact:
            continue
        division.contact_phone = DEMO_CONTACT_PHONE.format(number=100 + index)
        division.contact_address = DEMO_CONTACT_ADDRESS.format(room=500 + index)
        division.office_hours = DEMO_OFFICE_HOURS
        division.save(update_fields=["contact_phone", "contact_address", "office_hours"])
        report.created.append(f"demo contact for division {division.code}")


def _submitted(enterprise_user: User, track: Track, window, figures: dict) -> Application:
    """A demo application of ``enterprise_user``'s enterprise, its figures declared and every
    required document attached, submitted through the services."""
    application = application_services.application_create(
        enterprise=enterprise_user.enterprise, track=track, window=window, by=enterprise_user
    )
    form = declared_form_class(track)(data={k: str(v) for k, v in figures.items()})
    form.is_valid()
    application_services.application_update_declared(
        application=application, by=enterprise_user, declared=form.declared()
    )
    for kind in track.required_documents:
        application_services.document_add(
            application=application,
            by=enterprise_user,
            kind=kind,
            upload=SimpleUploadedFile(f"{kind}.pdf", DEMO_PDF, content_type="application/pdf"),
        )
    return application_services.application_submit(application=application, by=enterprise_user)


def _demo_applications(
    enterprise_user: User, rows, district: User, municipal: User, report: DemoReport
) -> None:
    now = timezone.now()
    for code, figures, stage in rows:
        track = Track.objects.select_related("measure").get(code=code)
        window = ApplicationWindow.objects.open_at(now).filter(measure=track.measure).first()
        application = _submitted(enterprise_user, track, window, figures)
        if stage in ("municipal", "approved"):
            review_decide(
                application=application,
                by=district,
                transition="district_approve",
                amount=application.calculated_amount,
                comment="材料齐全，数据属实，同意推荐。",
            )
        if stage == "approved":
            review_decide(
                application=application,
                by=municipal,
                transition="municipal_approve",
                amount=application.calculated_amount,
                comment="同意。",
            )
        report.created.append(f"application {application.reference_label}")


def _demo_proposal(report: DemoReport) -> None:
    """免申即享 for measure 11 (first unit insurance) from the demo enterprise's file, for it to
    confirm: prepared as an administrator would from the windows' list, without the worker.
    Measure 11 is a formula track whose every condition the file establishes. Running the demo
    again proposes nothing twice."""
    from applications.proposals import proposals_prepare

    for window in ApplicationWindow.objects.open_at(timezone.now()).filter(measure__number=11):
        if proposals_prepare(window=window):
            report.created.append(f"免申即享 proposals for {window}")


# The demo enterprise's applications of last year's windows, handled to the end, so that it
# is invited to rate the service and administrators find ratings: (track code, figures, how it
# ended, its rating or None while it waits to be rated).
DEMO_FINISHED_APPLICATIONS = [
    (
        "first-unit-insurance",
        {"insured_amount": "50000000", "annual_premium": "1200000", "first_units_or_batch": True},
        "paid",
        (4, "审核进度在平台上一目了然，拨付及时；希望申报材料清单能更早公布。"),
    ),
    ("ic-design", {"actual_investment": "150000000"}, "paid", None),
    (
        "supply-chain",
        {"annual_purchase_amount": "120000000", "new_purchase_amount": "30000000"},
        "district_rejected",
        None,
    ),
]


def _demo_finished_applications(
    enterprise_user: User, district: User, municipal: User, report: DemoReport
) -> None:
    """Last year's applications of the demo enterprise: two paid through a batch (one rated
    already), one rejected at the district. Their windows are open while the applications go
    through the services, then closed as last year's, so that this year's stay free for the
    enterprise to apply. Running the demo again adds nothing."""
    from disbursements import services as disbursement_services
    from ratings.services import rating_create

    enterprise = enterprise_user.enterprise
    if Application.objects.filter(
        enterprise=enterprise, state__in=(State.DISBURSED, State.REJECTED)
    ).exists():
        return
    now = timezone.now()
    administrator = User.objects.get(username="demo-admin")
    preparer = User.objects.get(username="demo-finance")
    confirmer = User.objects.get(username="demo-finance-2")
    year = timezone.localtime(now).year - 1
    windows, paid, ratings = [], [], []
    for code, figures, outcome, rating in DEMO_FINISHED_APPLICATIONS:
        track = Track.objects.select_related("measure").get(code=code)
        window = ApplicationWindow.objects.create(
            measure=track.measure,
            year=year,
            name=f"{year}年第一批",
            opens_at=now - timedelta(days=400),
            closes_at=now + timedelta(days=1),
            total_budget=DEMO_WINDOW_BUDGET,
        )
        windows.append(window)
        application = _submitted(enterprise_user, track, window, figures)
        if outcome == "district_rejected":
            review_decide(
                application=application,
                by=district,
                transition="district_reject",
                comment="经核查，申报的新增采购额与采购发票合计不符，不予支持。",
            )
        else:
            review_decide(
                application=application,
                by=district,
                transition="district_approve",
                amount=application.calculated_amount,
                comment="材料齐全，数据属实，同意推荐。",
            )
            review_decide(
                application=application,
                by=municipal,
                transition="municipal_approve",
                amount=application.calculated_amount,
                comment="同意。",
            )
            _publicised(
                window,
                track.measure,
                administrator,
                Application.objects.filter(pk=application.pk),
                "closed",
            )
            paid.append(application)
        ratings.append((application, rating))
        report.created.append(f"application {application.reference_label} ({outcome})")
    batch = disbursement_services.batch_create(by=preparer)
    disbursement_services.batch_add_applications(
        batch=batch,
        applications=Application.objects.filter(pk__in=[a.pk for a in paid]),
        by=preparer,
    )
    batch = disbursement_services.batch_freeze(batch=batch, by=preparer)
    disbursement_services.batch_mark_paid(
        batch=batch,
        by=confirmer,
        payment_date=timezone.localdate(now),
        bank_reference="DEMO-PAID-0001",
    )
    report.created.append(f"paid batch {batch.number}")
    for application, rating in ratings:
        if rating is not None:
            score, comment = rating
            rating_create(application=application, by=enterprise_user, score=score, comment=comment)
            report.created.append(f"rating of {application.reference_label}")
    # Last year's windows, closed long ago.
    ApplicationWindow.objects.filter(pk__in=[w.pk for w in windows]).update(
        opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=300)
    )
