"""The people and objects the authorization matrices are run against: two enterprises in two
districts with applications at each stage, the officials of either side, a batch."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from applications import services
from applications.models import Application, ProposalRun
from departments.models import DepartmentFigure, DepartmentRecognition
from disbursements import services as disbursement_services
from enterprises import services as enterprise_services
from enterprises.districts import District
from enterprises.models import EnterpriseRecognition
from measures.models import CalendarDay, Division
from measures.recognitions import Recognition
from publicity import services as publicity_services
from ratings.services import rating_create
from tests.applications.factories import draft, library_document
from tests.departments.factories import csv_bytes, previewed_job, statistics_bureau
from tests.departments.factories import run as department_import
from tests.disbursements.factories import approved_applications, frozen_batch
from tests.enterprises.factories import (
    EnterpriseFactory,
    EnterpriseUserFactory,
    UserFactory,
    make_credit_code,
)
from tests.notifications.factories import NotificationFactory
from tests.publicity.factories import closed_publicity

ROLES = (
    "anonymous",
    "enterprise_a",
    "enterprise_b",
    "district_a",
    "district_other",
    "municipal_a",
    "municipal_other",
    "finance_preparer",
    "finance_confirmer",
    "administrator",
    "security_administrator",
    "auditor",
)
NOT_STAFF = ("anonymous", "enterprise_a", "enterprise_b")
ENTERPRISES = ("enterprise_a", "enterprise_b")
STAFF = tuple(role for role in ROLES if role not in NOT_STAFF)
REVIEWERS = ("district_a", "district_other", "municipal_a", "municipal_other")
FINANCE = ("finance_preparer", "finance_confirmer")
SIGNED_IN = tuple(role for role in ROLES if role != "anonymous")
# 三员分立: the security administrator and the auditor, who do none of the business's work.
SECURITY_AND_AUDIT = ("security_administrator", "auditor")

# Names no page shows by accident, so that finding one in a body means the data leaked.
NAME_A = "甲标记精密制造有限公司"
NAME_B = "乙标记新材料有限公司"
# Each enterprise's library document: no one but its enterprise ever sees the library.
LIBRARY_A = "甲标记材料库营业执照.pdf"
LIBRARY_B = "乙标记材料库营业执照.pdf"
AMOUNT = Decimal("2000000")
# Enterprise A's rating of its rejected application.
RATING_A = "甲标记评价意见"


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    # Per role: strings that must never appear in a body that role receives.
    forbidden: dict = field(default_factory=dict)
    ascii_names: set = field(default_factory=set)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def _approved(application, *, district_reviewer, municipal_reviewer):
    application = services.application_submit(application=application, by=application.created_by)
    application = services.application_district_approve(
        application=application, by=district_reviewer, amount=AMOUNT
    )
    return services.application_municipal_approve(
        application=application, by=municipal_reviewer, amount=AMOUNT
    )


def _audit_record(*, by, batch):
    """A record of the audit trail: the preparer's export of the batch's list."""
    from policy_portal.signals import security_event
    from security.models import AuditRecord

    security_event.send(
        sender=__name__, kind="export", user=by, request=None, target=batch, detail={}
    )
    return AuditRecord.objects.filter(kind="export").latest("id")


def _login_records(username: str) -> dict:
    """What django-axes keeps of a failed login: an attempt, a failure log and an access log."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    seen = {"username": username, "ip_address": "203.0.113.9", "user_agent": "test"}
    return {
        "accessattempt": AccessAttempt.objects.create(
            **seen,
            get_data="",
            post_data="",
            http_accept="*/*",
            path_info="/accounts/login/",
            failures_since_start=1,
        ),
        "accessfailurelog": AccessFailureLog.objects.create(
            **seen, http_accept="*/*", path_info="/accounts/login/", locked_out=False
        ),
        "accesslog": AccessLog.objects.create(
            **seen, http_accept="*/*", path_info="/accounts/login/"
        ),
    }


def _source_key():
    """A department's API key (部门数据 by API), of a source of its own."""
    from departments.api_models import SourceKey
    from departments.models import DataSource

    source = DataSource.objects.create(name="接口部门", code="api-department", first_year=2020)
    return SourceKey.issue(source=source, by=None)[0]


def build_world() -> World:
    """A (渝北) and B (江北) each with an application awaiting district review and an approved
    one; A also with a draft. Both approved ones are in a frozen batch. Measure 2 belongs to
    the economic-operation division, which municipal_a holds and municipal_other does not."""
    enterprise_a = EnterpriseFactory(
        name=NAME_A, credit_code=make_credit_code(9001), district=District.YUBEI
    )
    enterprise_b = EnterpriseFactory(
        name=NAME_B, credit_code=make_credit_code(9002), district=District.JIANGBEI
    )
    user_a = EnterpriseUserFactory(enterprise=enterprise_a)
    user_b = EnterpriseUserFactory(enterprise=enterprise_b)
    district_a = UserFactory(district=District.YUBEI, is_staff=True, roles=["district_reviewer"])
    district_other = UserFactory(
        district=District.JIANGBEI, is_staff=True, roles=["district_reviewer"]
    )
    municipal_a = UserFactory(is_staff=True, roles=["municipal_reviewer"])
    municipal_a.divisions.add(Division.objects.get(code="economic-operation"))
    municipal_other = UserFactory(is_staff=True, roles=["municipal_reviewer"])
    municipal_other.divisions.add(Division.objects.get(code="automotive"))
    preparer = UserFactory(is_staff=True, roles=["finance"])
    confirmer = UserFactory(is_staff=True, roles=["finance"])
    # The administrators by their roles alone: a superuser signs in only for the installation.
    administrator = UserFactory(is_staff=True, roles=["administrator"])
    security_administrator = UserFactory(is_staff=True, roles=["security_administrator"])
    auditor = UserFactory(is_staff=True, roles=["auditor"])

    a_draft = draft(user=user_a)
    a_review = services.application_submit(application=draft(user=user_a), by=user_a)
    b_review = services.application_submit(application=draft(user=user_b), by=user_b)
    a_approved = _approved(
        draft(user=user_a), district_reviewer=district_a, municipal_reviewer=municipal_a
    )
    b_approved = _approved(
        draft(user=user_b), district_reviewer=district_other, municipal_reviewer=municipal_a
    )
    # Rejected at the district and rated by its enterprise: the rating is read by
    # administrators alone.
    a_rejected = services.application_district_reject(
        application=services.application_submit(application=draft(user=user_a), by=user_a),
        by=district_a,
        comment="不符合申报条件。",
    )
    a_rating = rating_create(application=a_rejected, by=user_a, score=4, comment=RATING_A)
    closed_publicity([a_approved, b_approved], by=administrator)
    batch = frozen_batch([a_approved, b_approved], by=preparer)
    # A draft of the same preparer, with a third enterprise's approved application.
    draft_batch = disbursement_services.batch_create(by=preparer)
    disbursement_services.batch_add_applications(
        batch=draft_batch,
        applications=Application.objects.filter(pk__in=[a.pk for a in approved_applications(1)]),
        by=preparer,
    )
    # A third enterprise's approved application under a published 公示, with an objection.
    c_approved = approved_applications(1, publicised=False)[0]
    publicity = publicity_services.publicity_publish(
        publicity=publicity_services.publicity_create(
            window=c_approved.window, measure=c_approved.track.measure, by=administrator
        ),
        by=administrator,
    )
    objection = publicity_services.objection_lodge(
        publicity=publicity,
        entry_id=publicity.entries.get().pk,
        name="李明",
        contact="13800000000",
        text="采购额与实际不符",
    )

    # 统计局's data about enterprise A: a figure and a recognition, read with their source.
    data_source = statistics_bureau()
    import_batch = department_import(
        data_source,
        csv_bytes([[enterprise_a.credit_code, 2025, "1200000000", "是", "是"]]),
        by=administrator,
    ).batch
    # A file of 统计局's the administrator uploaded, previewed and not yet confirmed.
    import_job = previewed_job(
        data_source,
        csv_bytes([[enterprise_b.credit_code, 2025, "800000000", "否", ""]]),
        by=administrator,
    )
    department_figure = DepartmentFigure.objects.filter(batch=import_batch).first()
    department_recognition = DepartmentRecognition.objects.get(batch=import_batch)
    # Enterprise A's report against 统计局's amount about it (对部门数据有异议).
    department_amount = DepartmentFigure.objects.get(
        batch=import_batch, decimal_value__isnull=False
    )
    department_yes_no = DepartmentFigure.objects.get(
        batch=import_batch, boolean_value__isnull=False
    )
    a_disagreement = enterprise_services.disagreement_report(
        enterprise=enterprise_a,
        figure=department_amount,
        value="1000000000",
        reason="统计口径有误",
        by=user_a,
    )

    world = World(
        users={
            "enterprise_a": user_a,
            "enterprise_b": user_b,
            "district_a": district_a,
            "district_other": district_other,
            "municipal_a": municipal_a,
            "municipal_other": municipal_other,
            "finance_preparer": preparer,
            "finance_confirmer": confirmer,
            "administrator": administrator,
            "security_administrator": security_administrator,
            "auditor": auditor,
        },
        objects={
            "enterprise_a": enterprise_a,
            "enterprise_b": enterprise_b,
            "a_draft": a_draft,
            "a_review": a_review,
            "b_review": b_review,
            "a_approved": a_approved,
            "a_rejected": a_rejected,
            "a_rating": a_rating,
            "b_approved": b_approved,
            "batch": batch,
            "draft_batch": draft_batch,
            "c_approved": c_approved,
            "publicity": publicity,
            "objection": objection,
            "a_draft_document": a_draft.documents.first(),
            "a_review_document": a_review.documents.first(),
            "a_approved_document": a_approved.documents.first(),
            "a_library": library_document(user=user_a, name=LIBRARY_A),
            "b_library": library_document(user=user_b, name=LIBRARY_B),
            "a_notification": NotificationFactory(
                recipient=user_a, application=a_review, title=f"【{a_review.reference}】提交申报"
            ),
            "b_notification": NotificationFactory(
                recipient=user_b, application=b_review, title=f"【{b_review.reference}】提交申报"
            ),
            "a_log": a_approved.log_entries.last(),
            "proposal_run": ProposalRun.objects.create(window=a_approved.window),
            "calendar_day": CalendarDay.objects.create(
                date=date(2031, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦"
            ),
            "a_recognition": EnterpriseRecognition.objects.create(
                enterprise=enterprise_a, kind=Recognition.SINGLE_CHAMPION, year=2026
            ),
            "a_review_record": a_approved.reviews.last(),
            "periodictask": PeriodicTask.objects.order_by("pk").first(),
            "clockedschedule": ClockedSchedule.objects.create(clocked_time=timezone.now()),
            "crontabschedule": CrontabSchedule.objects.create(minute="0", hour="9"),
            "solarschedule": SolarSchedule.objects.create(
                event="sunrise", latitude=Decimal("29.56"), longitude=Decimal("106.55")
            ),
            "intervalschedule": IntervalSchedule.objects.create(every=7, period="days"),
            "audit_record": _audit_record(by=preparer, batch=batch),
            "batch_log": batch.log_entries.order_by("pk").first(),
            "publicity_log": publicity.log_entries.order_by("pk").first(),
            **_login_records(user_a.username),
            "data_source": data_source,
            "import_batch": import_batch,
            "import_job": import_job,
            "department_figure": department_figure,
            "department_recognition": department_recognition,
            "department_amount": department_amount,
            "department_yes_no": department_yes_no,
            "a_disagreement": a_disagreement,
            "source_key": _source_key(),
        },
    )
    # What the people and files of the world are called: ASCII, and no English to translate.
    world.ascii_names = {user.username for user in world.users.values()}
    world.ascii_names.add(world.source_key.key_id)
    # A draft has no reference: it is named by when it was created ("草稿 · 创建于 …"), a
    # minute no other application of the world was made in.
    Application.objects.filter(pk=a_draft.pk).update(
        created_at=timezone.make_aware(datetime(2021, 3, 4, 5, 6))
    )
    a_draft.refresh_from_db()
    a_draft_marks = {a_draft.reference_label}
    a_all = {NAME_A, enterprise_a.credit_code, *a_draft_marks, a_review.reference}
    a_all.add(a_approved.reference)
    a_all.add(a_rejected.reference)
    b_all = {NAME_B, enterprise_b.credit_code, b_review.reference, b_approved.reference}
    not_submitted = a_draft_marks
    before_municipal = not_submitted | {a_review.reference, b_review.reference}
    # Rejected at the district: never before the municipal reviewers or finance.
    before_municipal.add(a_rejected.reference)
    world.forbidden = {
        "anonymous": a_all | b_all,
        "enterprise_a": b_all,
        "enterprise_b": a_all,
        "district_a": b_all | not_submitted,
        "district_other": a_all,
        "municipal_a": before_municipal,
        "municipal_other": a_all | b_all,
        "finance_preparer": before_municipal,
        "finance_confirmer": before_municipal,
        "administrator": set(),
        # Accounts and login records show enterprises' names, never their applications.
        "security_administrator": (a_all | b_all) - {NAME_A, NAME_B},
        # The logs name every application: the auditor reads them all.
        "auditor": set(),
    }
    # The rating's comment: its enterprise and the administrators read it, nobody else.
    for role in world.forbidden:
        if role not in ("enterprise_a", "administrator"):
            world.forbidden[role] = world.forbidden[role] | {RATING_A}
    own_library = {"enterprise_a": LIBRARY_A, "enterprise_b": LIBRARY_B}
    world.forbidden = {
        role: forbidden | ({LIBRARY_A, LIBRARY_B} - {own_library.get(role)})
        for role, forbidden in world.forbidden.items()
    }
    return world
