"""The demo's applications through their states: submitted, reviewed, approved, and last
year's paid through a batch and rated."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import services as application_services
from applications.models import Application, State
from enterprises.models import User
from measures.forms import declared_form_class
from measures.models import ApplicationWindow, Track
from reviews.services import review_decide

from .common import DEMO_PDF, DEMO_WINDOW_BUDGET, DemoReport
from .publicity import _publicised

# Applications of the other Yubei enterprises, so that each reviewer has work on a first run
# and finance has approved applications for a batch, by enterprise user: (track code, declared
# figures, how far it has gone).
DEMO_APPLICATIONS = {
    "demo-enterprise-2": [
        (
            "supply-chain",
            {"annual_purchase_amount": "180000000", "new_purchase_amount": "45000000"},
            "district",
        ),
        ("ic-design", {"actual_investment": "30000000"}, "municipal"),
        (
            "first-unit-insurance",
            {
                "insured_amount": "50000000",
                "annual_premium": "1200000",
                "first_units_or_batch": True,
            },
            "approved",
        ),
        ("data-platform", {"project_investment": "8000000"}, "approved"),
        (
            "financing-interest",
            {"financing_amount": "80000000", "interest_paid": "1250000.50"},
            "approved",
        ),
    ],
    "demo-enterprise-3": [
        (
            "supply-chain",
            {"annual_purchase_amount": "150000000", "new_purchase_amount": "12345678.90"},
            "approved",
        ),
        ("ic-design", {"actual_investment": "25000000"}, "approved"),
        (
            "financing-interest",
            {"financing_amount": "200000000", "interest_paid": "3600000"},
            "approved",
        ),
    ],
}


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


def _approved(application: Application, district: User, municipal: User | None) -> None:
    """The district recommends the amount the rule calculates; then, given ``municipal``, the
    municipal reviewer approves it."""
    review_decide(
        application=application,
        by=district,
        transition="district_approve",
        amount=application.calculated_amount,
        comment="材料齐全，数据属实，同意推荐。",
    )
    if municipal is not None:
        review_decide(
            application=application,
            by=municipal,
            transition="municipal_approve",
            amount=application.calculated_amount,
            comment="同意。",
        )


def _demo_applications(
    enterprise_user: User, rows, district: User, municipal: User, report: DemoReport
) -> None:
    now = timezone.now()
    for code, figures, stage in rows:
        track = Track.objects.select_related("measure").get(code=code)
        window = ApplicationWindow.objects.open_at(now).filter(measure=track.measure).first()
        application = _submitted(enterprise_user, track, window, figures)
        if stage in ("municipal", "approved"):
            _approved(application, district, municipal if stage == "approved" else None)
        report.created.append(f"application {application.reference_label}")


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
            _approved(application, district, municipal)
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
