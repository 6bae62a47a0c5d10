"""The application, its state machine, its documents and its append-only log.

Every change of ``state`` goes through a ``@transition`` below, called from a service in
``applications.services`` that locks the row, checks the permission and writes the log.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from enterprises.districts import District
from measures.fields import ExactDecimalField
from measures.models import MONEY, ApplicationWindow, Track
from measures.numbers import AMOUNT_CEILING
from measures.workdays import due_after_workdays, unknown_years, workdays_between
from policy_portal.logs import StateLog, state_fields

from .. import permissions


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    DISTRICT_REVIEW = "district_review", _("区县审核中")
    MUNICIPAL_REVIEW = "municipal_review", _("市级审核中")
    APPROVED = "approved", _("已批准")
    DISBURSED = "disbursed", _("已拨付")
    RETURNED = "returned", _("已退回修改")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    EXPIRED = "expired", _("已过期")


# What each transition is called where people read it: buttons, timelines, notifications.
TRANSITION_LABELS = {
    "submit": _("提交申报"),
    "resubmit": _("重新提交"),
    "withdraw": _("撤回"),
    "district_approve": _("区县审核通过"),
    "district_return": _("区县退回修改"),
    "district_reject": _("区县审核不通过"),
    "municipal_approve": _("市级审核通过"),
    "municipal_return": _("市级退回修改"),
    "municipal_reject": _("市级审核不通过"),
    "disburse": _("拨付"),
    "payment_failed": _("拨付失败，银行退回"),
    "expire": _("逾期未提交，自动过期"),
    "objection_upheld": _("公示异议成立，退回市级审核"),
}


def transition_label(name: str) -> str:
    """What a transition is called where people read it."""
    return str(TRANSITION_LABELS.get(name, name))


# States in which an application no longer blocks a new one for the same track and window.
CLOSED_STATES = (State.REJECTED, State.WITHDRAWN, State.EXPIRED)
# States whose approved amount counts against the window's budget.
BUDGETED_STATES = (State.APPROVED, State.DISBURSED)
EDITABLE_STATES = (State.DRAFT, State.RETURNED)
# Submitted and not paid yet, nor closed: the window's time limit to payment runs.
UNPAID_STATES = (State.DISTRICT_REVIEW, State.MUNICIPAL_REVIEW, State.APPROVED, State.RETURNED)


def reference_label(reference: str | None, created_at) -> str:
    """How an application is named where people read it: its reference, or for a draft that
    has none yet, 草稿 and when it was created, which is how an enterprise tells its drafts
    apart."""
    if reference:
        return reference
    return str(
        _("草稿 · 创建于 %(created)s")
        % {"created": timezone.localtime(created_at).strftime("%Y-%m-%d %H:%M")}
    )


@dataclass(frozen=True)
class PaymentLimit:
    """Where an application stands against its window's time limit to payment, in working
    days: ``used`` since the first submission, ``left`` until the limit, ``over`` past it."""

    due_at: datetime
    used: int
    left: int
    over: int
    running: bool
    # The clock stopped (or today is) after the limit's day.
    past: bool
    # Years up to the limit whose holidays are not entered yet: counted Monday to Friday.
    unknown_years: tuple[int, ...] = ()

    @property
    def finished(self) -> bool:
        """Paid: the clock has stopped for good."""
        return not self.running


class ReferenceCounter(models.Model):
    """The last sequence number used per measure and year, so references never repeat.

    A number is taken at an application's first submission, in the submission's transaction
    with this row locked: a draft left unsubmitted takes none, so the sequence has no gaps.
    """

    measure_number = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measure_number", "year"], name="reference_counter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.measure_number:02d}: {self.last}"


class Application(ConcurrentTransitionMixin, models.Model):
    # Given at the first submission (``applications.services.application_submit``) and kept
    # from then on, a return and a resubmission included; a draft has none. Drafts started
    # before references waited for submission kept the one they were given then.
    reference = models.CharField(
        _("申报编号"), max_length=32, unique=True, null=True, blank=True, editable=False
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # The enterprise's district when it applied: reviewers' scope must not move with a later
    # profile edit.
    district = models.CharField(_("所在区县"), max_length=8, choices=District.choices)
    track = models.ForeignKey(
        Track, verbose_name=_("申报类别"), on_delete=models.PROTECT, related_name="applications"
    )
    window = models.ForeignKey(
        ApplicationWindow,
        verbose_name=_("申报批次"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    declared = models.JSONField(_("申报数据"), default=dict, blank=True)
    # At most the figure it is computed from (a rate is at most 1): within FIGURE_CEILING.
    calculated_amount = ExactDecimalField(
        _("测算金额（元）"), **MONEY, minimum=0, null=True, blank=True
    )
    recommended_amount = ExactDecimalField(
        _("区县推荐金额（元）"),
        **MONEY,
        maximum=AMOUNT_CEILING,
        minimum=0,
        null=True,
        blank=True,
    )
    approved_amount = ExactDecimalField(
        _("核定金额（元）"), **MONEY, maximum=AMOUNT_CEILING, minimum=0, null=True, blank=True
    )
    state = FSMField(
        _("状态"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # 免申即享: prepared by the site from the enterprise's file, for the enterprise to confirm.
    proposed_at = models.DateTimeField(_("免申即享准备时间"), null=True, blank=True, editable=False)
    # When the application entered each stage (the latest time, for stages entered again).
    state_changed_at = models.DateTimeField(_("进入当前状态时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    municipal_review_at = models.DateTimeField(_("进入市级审核时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    disbursed_at = models.DateTimeField(_("拨付确认时间"), null=True, blank=True)
    # The day the bank paid, as its batch records it.
    disbursed_on = models.DateField(_("拨付日期"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # Each review stage's due date, fixed when the stage is entered; due_at is the current
    # stage's (empty outside review), kept apart for the changelist's index.
    district_due_at = models.DateTimeField(_("区县审核期限"), null=True, blank=True)
    municipal_due_at = models.DateTimeField(_("市级审核期限"), null=True, blank=True)
    due_at = models.DateTimeField(_("本环节办理期限"), null=True, blank=True)
    # The window's time limit from submission to payment (ApplicationWindow.processing_days),
    # fixed at the first submission and kept through returns and resubmissions: the limit is
    # the enterprise's, whatever happens on the way.
    first_submitted_at = models.DateTimeField(
        _("首次提交时间"), null=True, blank=True, editable=False
    )
    payment_due_at = models.DateTimeField(_("拨付时限"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "track", "window"],
                condition=~Q(state__in=CLOSED_STATES),
                name="application_one_live_per_track_window",
                violation_error_message=_("本企业在该批次已有该类别的申报，请勿重复申报。"),
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "-created_at"], name="application_enterprise_idx"),
            # The reviewers' changelists: a district's queue, a division's tracks, by due date.
            models.Index(fields=["district", "state", "due_at"], name="application_district_idx"),
            models.Index(fields=["track", "state", "due_at"], name="application_track_idx"),
            # Each role's queue (one state) in the changelist's order, read off the index.
            models.Index(
                "state",
                F("due_at").asc(),
                F("submitted_at").desc(),
                F("id").desc(),
                name="application_queue_idx",
            ),
            models.Index(fields=["-submitted_at"], name="application_submitted_idx"),
            # The changelist's default order, most urgent first, read straight off an index
            # (PostgreSQL puts NULLs last in an ascending index, as the changelist orders them).
            models.Index(
                F("due_at").asc(),
                F("submitted_at").desc(),
                F("id").desc(),
                name="application_worklist_idx",
            ),
            # Finance's whole scope in that order: approved and disbursed applications.
            models.Index(
                F("due_at").asc(),
                F("submitted_at").desc(),
                F("id").desc(),
                condition=Q(state__in=BUDGETED_STATES),
                name="application_budgeted_idx",
            ),
            # Budget sums per window.
            models.Index(fields=["window", "state"], name="application_window_idx"),
            # The time limit's filters and sweep: unpaid applications by their payment limit.
            models.Index(
                fields=["payment_due_at"],
                condition=Q(state__in=UNPAID_STATES),
                name="application_payment_due_idx",
            ),
            # A municipal reviewer's scope (what reached municipal review, on the tracks of the
            # reviewer's divisions) counted per state off the index alone: the changelist's
            # paginator counts it on every page.
            models.Index(
                fields=["state", "track"],
                condition=Q(municipal_review_at__isnull=False),
                name="application_municipal_idx",
            ),
        ]
        permissions = [
            ("review_district", _("可进行区县审核")),
            ("review_municipal", _("可进行市级审核")),
            ("disburse_application", _("可拨付")),
        ]

    def __str__(self) -> str:
        return self.reference_label

    @property
    def reference_label(self) -> str:
        return reference_label(self.reference, self.created_at)

    def get_state_display(self) -> str:
        # Django's own builds a dict of every choice, made hashable, on each call: lists of
        # applications call this once a row.
        try:
            return str(State(self.state).label)
        except ValueError:
            return self.state

    # ── questions the conditions and the portal ask ─────────────────────────────────────────

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    def window_is_open(self) -> bool:
        return self.window.is_open()

    def missing_fields(self) -> list[str]:
        return [
            f.label
            for f in self.track.fields.all()
            if f.required and self.declared.get(f.name) in (None, "")
        ]

    def missing_documents(self) -> list[str]:
        present = {doc.kind for doc in self.documents.all()}
        return [kind for kind in self.track.required_documents if kind not in present]

    def quote(self):
        from measures.calculator import quote

        return quote(self.track, self.declared_values())

    def declared_values(self) -> dict:
        """Declared figures with amounts as Decimal, as the calculator takes them."""
        from decimal import Decimal

        values = {}
        kinds = {f.name: f.field_type for f in self.track.fields.all()}
        for name, value in self.declared.items():
            if kinds.get(name) in ("decimal",) and value not in (None, ""):
                values[name] = Decimal(str(value))
            else:
                values[name] = value
        return values

    def submission_problems(self, *, require_open_window: bool = True) -> list[str]:
        """Why this application cannot be submitted now, in Chinese; empty when it can."""
        problems = []
        if require_open_window and not self.window_is_open():
            problems.append(
                _("申报批次“%(window)s”不在申报期内（%(opens)s 至 %(closes)s）。")
                % {
                    "window": self.window.name,
                    "opens": timezone.localtime(self.window.opens_at).strftime("%Y-%m-%d %H:%M"),
                    "closes": timezone.localtime(self.window.closes_at).strftime("%Y-%m-%d %H:%M"),
                }
            )
        missing = self.missing_fields()
        if missing:
            problems.append(_("请填写：%(fields)s。") % {"fields": "、".join(missing)})
        documents = self.missing_documents()
        if documents:
            problems.append(_("请上传：%(documents)s。") % {"documents": "、".join(documents)})
        if not missing:
            problems.extend(self.quote().reasons)
        return problems

    def _can_submit(self) -> bool:
        return not self.submission_problems()

    def _can_resubmit(self) -> bool:
        # A return may come after the window closed; the enterprise can still answer it.
        return not self.submission_problems(require_open_window=False)

    def _window_closed(self) -> bool:
        # A sweep run for a given moment (run_deadlines --now) sets `clock`; otherwise now.
        return self.window.closes_at <= (getattr(self, "clock", None) or timezone.now())

    # ── review deadlines ────────────────────────────────────────────────────────────────────

    def _enter_district_review(self) -> None:
        self.submitted_at = timezone.now()
        if self.first_submitted_at is None:
            self.first_submitted_at = self.submitted_at
            self.payment_due_at = due_after_workdays(self.submitted_at, self.window.processing_days)
        self.district_due_at = due_after_workdays(
            self.submitted_at, self.window.district_review_days
        )
        self.due_at = self.district_due_at

    @property
    def is_overdue(self) -> bool:
        return self.due_at is not None and self.due_at < timezone.now()

    # ── the time limit to payment ───────────────────────────────────────────────────────────

    @property
    def awaits_payment(self) -> bool:
        return self.payment_due_at is not None and self.state in UNPAID_STATES

    @property
    def is_past_payment_limit(self) -> bool:
        return self.awaits_payment and self.payment_due_at < timezone.now()

    def payment_limit(self, *, now=None) -> "PaymentLimit | None":
        """Working days used and left of the time limit to payment; None before submission and
        for an application closed without payment (rejected, withdrawn, expired): it has no
        limit left to keep. The clock stops on the day the bank paid."""
        if self.payment_due_at is None or self.first_submitted_at is None:
            return None
        if self.state not in (*UNPAID_STATES, State.DISBURSED):
            return None
        now = now or timezone.now()
        if self.state == State.DISBURSED:
            stopped = self.disbursed_on or timezone.localdate(self.disbursed_at or now)
        else:
            stopped = timezone.localdate(now)
        started = timezone.localdate(self.first_submitted_at)
        due_day = timezone.localdate(self.payment_due_at)
        return PaymentLimit(
            due_at=self.payment_due_at,
            used=workdays_between(started, stopped),
            left=workdays_between(stopped, due_day),
            over=workdays_between(due_day, stopped),
            running=self.state in UNPAID_STATES,
            past=stopped > due_day,
            unknown_years=tuple(unknown_years(started, max(stopped, due_day))),
        )

    # ── the state machine: one transition per arrow of the diagram ──────────────────────────

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.DISTRICT_REVIEW,
        permission=permissions.is_enterprise_member,
        conditions=[_can_submit],
    )
    def submit(self):
        self._enter_district_review()

    @transition(
        field=state,
        source=State.RETURNED,
        target=State.DISTRICT_REVIEW,
        permission=permissions.is_enterprise_member,
        conditions=[_can_resubmit],
    )
    def resubmit(self):
        self._enter_district_review()

    @transition(
        field=state,
        source=list(EDITABLE_STATES),
        target=State.WITHDRAWN,
        permission=permissions.is_enterprise_member,
    )
    def withdraw(self):
        self.closed_at = timezone.now()
        self.due_at = None

    @transition(
        field=state,
        source=State.DISTRICT_REVIEW,
        target=State.MUNICIPAL_REVIEW,
        permission=permissions.is_district_reviewer_for,
    )
    def district_approve(self):
        self.municipal_review_at = timezone.now()
        self.municipal_due_at = due_after_workdays(
            self.municipal_review_at, self.window.municipal_review_days
        )
        self.due_at = self.municipal_due_at

    @transition(
        field=state,
        source=State.DISTRICT_REVIEW,
        target=State.RETURNED,
        permission=permissions.is_district_reviewer_for,
    )
    def district_return(self):
        self.returned_at = timezone.now()
        self.due_at = None

    @transition(
        field=state,
        source=State.DISTRICT_REVIEW,
        target=State.REJECTED,
        permission=permissions.is_district_reviewer_for,
    )
    def district_reject(self):
        self.closed_at = timezone.now()
        self.due_at = None

    @transition(
        field=state,
        source=State.MUNICIPAL_REVIEW,
        target=State.APPROVED,
        permission=permissions.is_municipal_reviewer_for,
    )
    def municipal_approve(self):
        self.approved_at = timezone.now()
        self.due_at = None

    @transition(
        field=state,
        source=State.MUNICIPAL_REVIEW,
        target=State.RETURNED,
        permission=permissions.is_municipal_reviewer_for,
    )
    def municipal_return(self):
        self.returned_at = timezone.now()
        self.due_at = None

    @transition(
        field=state,
        source=State.MUNICIPAL_REVIEW,
        target=State.REJECTED,
        permission=permissions.is_municipal_reviewer_for,
    )
    def municipal_reject(self):
        self.closed_at = timezone.now()
        self.due_at = None

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.DISBURSED,
        permission=permissions.may_disburse,
    )
    def disburse(self, *, paid_on, at):
        """Taken for every paid line of a disbursement batch at once, with the same values."""
        self.disbursed_on = paid_on
        self.disbursed_at = at
        self.due_at = None

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.MUNICIPAL_REVIEW,
        permission=permissions.is_administrator,
    )
    def objection_upheld(self):
        """An objection to the 公示 was upheld: the approval is reviewed again."""
        self.municipal_review_at = timezone.now()
        self.municipal_due_at = due_after_workdays(
            self.municipal_review_at, self.window.municipal_review_days
        )
        self.due_at = self.municipal_due_at
        self.approved_at = None

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.EXPIRED,
        permission=permissions.is_system,
        conditions=[_window_closed],
    )
    def expire(self, *, at=None):
        self.closed_at = at or timezone.now()
        self.due_at = None


class WindowTotals(models.Model):
    """What is approved (not yet paid) and what is paid against a window's budget.

    Kept by the services in the transaction of every approval and payment, so that reading a
    budget never sums the applications: the windows' list takes the same time at any number of
    them. A window without a row has had nothing approved yet.
    ``applications.services.window_totals_recount`` recomputes them from the applications.
    """

    window = models.OneToOneField(
        ApplicationWindow,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="totals",
        verbose_name=_("申报批次"),
    )
    approved_amount = ExactDecimalField(_("已批准待拨付"), **MONEY, default=0)
    disbursed_amount = ExactDecimalField(_("已拨付"), **MONEY, default=0)

    class Meta:
        verbose_name = _("预算")
        verbose_name_plural = _("预算")

    def __str__(self) -> str:
        return f"{self.window_id}: {self.approved_amount} + {self.disbursed_amount}"


class TransitionLog(StateLog):
    """One entry per transition: who took it, from and to which state, why, with what amount."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="log_entries", verbose_name=_("申报")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("为空表示系统自动操作"),
    )
    # Choices so that the admin's list, filter and page show what people call each step.
    transition = models.CharField(_("操作"), max_length=32, choices=TRANSITION_LABELS.items())
    from_state, to_state = state_fields(State, max_length=20)
    comment = models.TextField(_("意见"), blank=True)
    comment_public = models.BooleanField(_("对企业公开"), default=True)
    amount = ExactDecimalField(
        _("金额（元）"), **MONEY, maximum=AMOUNT_CEILING, minimum=0, null=True, blank=True
    )

    class Meta(StateLog.Meta):
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        indexes = [models.Index(fields=["application", "created_at"], name="log_application_idx")]

    def __str__(self) -> str:
        # Without the application's reference: naming a log entry must not cost a query.
        moment = timezone.localtime(self.created_at)
        return f"{moment:%Y-%m-%d %H:%M} {self.action_label}（{self.from_state_label} → {self.to_state_label}）"

    @property
    def from_state_label(self) -> str:
        return State(self.from_state).label

    @property
    def to_state_label(self) -> str:
        return State(self.to_state).label

    @property
    def action_label(self) -> str:
        return str(TRANSITION_LABELS.get(self.transition, self.to_state_label))


def document_upload_to(instance: "ApplicationDocument", filename: str) -> str:
    # The stored name is random; the name the user gave is kept in original_name only.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"applications/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


# The kind of a document outside the track's list: stored as data, the same in every language.
OTHER_DOCUMENT_KIND = "其他材料"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="documents", verbose_name=_("申报")
    )
    kind = models.CharField(_("材料类型"), max_length=100)
    file = models.FileField(_("文件"), upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    # A copy of a document of the enterprise's library (``library_document_attach``): its own
    # file, so that the library's later changes never reach the application. The link goes
    # when the library's document is deleted; when that version was uploaded stays.
    library_document = models.ForeignKey(
        "LibraryDocument",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attached_copies",
        verbose_name=_("材料库来源"),
    )
    library_uploaded_at = models.DateTimeField(_("材料库版本上传时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind}：{self.original_name}"

    @property
    def from_library(self) -> bool:
        return self.library_uploaded_at is not None

    def was_seen_by_reviewers(self) -> bool:
        """Uploaded before the application was last submitted: part of what was reviewed."""
        submitted_at = self.application.submitted_at
        return submitted_at is not None and self.uploaded_at <= submitted_at


def library_upload_to(instance: "LibraryDocument", filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()
    return f"library/{instance.enterprise_id}/{uuid.uuid4().hex}{suffix}"


class LibraryDocument(models.Model):
    """A document of the enterprise rather than of one application (营业执照, a year's 年度财务报表):
    uploaded once into its library, then attached to applications, each of which keeps a copy
    of its own. Only the enterprise sees its library; officials see the copies."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="library_documents",
        verbose_name=_("企业"),
    )
    kind = models.CharField(_("材料类型"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    file = models.FileField(_("文件"), upload_to=library_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    # Of the current file: a replacement sets it again.
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("企业材料")
        verbose_name_plural = _("企业材料")
        ordering = ["kind", F("year").desc(nulls_last=True), "-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["enterprise", "kind"], name="library_enterprise_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind_label}：{self.original_name}"

    @property
    def kind_label(self) -> str:
        """The kind with its year where it has one: 年度财务报表（2024年度）."""
        if self.year is None:
            return self.kind
        return str(_("%(kind)s（%(year)s年度）") % {"kind": self.kind, "year": self.year})


class OutboxEvent(models.Model):
    """A log entry whose notifications are still to be delivered: written in the transaction of
    the transition, so that what commits is announced and what rolls back is not, whether or
    not the broker answers at that moment. Delivery marks it done; a periodic task hands on
    whatever is left undelivered."""

    log_entry = models.OneToOneField(
        TransitionLog,
        on_delete=models.PROTECT,
        related_name="outbox_event",
        verbose_name=_("办理记录"),
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    # Taken by a worker delivering it until then; a worker that dies leaves it to the next.
    claimed_until = models.DateTimeField(_("投递中至"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("投递次数"), default=0)

    class Meta:
        verbose_name = _("待发通知")
        verbose_name_plural = _("待发通知")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(delivered_at__isnull=True),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.log_entry_id}: {'done' if self.delivered_at else 'pending'}"


class ProposalRun(models.Model):
    """One preparation of 免申即享 drafts for a window, run by a Celery task: its progress."""

    window = models.ForeignKey(
        ApplicationWindow,
        verbose_name=_("申报批次"),
        on_delete=models.CASCADE,
        related_name="proposal_runs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    enterprises = models.PositiveIntegerField(_("待测算企业数"), default=0)
    done = models.PositiveIntegerField(_("已测算企业数"), default=0)
    proposed = models.PositiveIntegerField(_("新准备的申报"), default=0)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("免申即享准备")
        verbose_name_plural = _("免申即享准备")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.window} · {timezone.localtime(self.requested_at):%Y-%m-%d %H:%M}"
