"""The application and its state machine.

Over ~400 lines for a reason: this is the one model class, with its fields, its indexes, the
questions its conditions ask and one transition per arrow of the diagram. Splitting a model
class across modules would scatter its state machine; everything else lives next door.

Every change of ``state`` goes through a ``@transition`` below, called from a service in
``applications.services`` that locks the row, checks the permission and writes the log.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from enterprises.districts import District
from measures.fields import ExactDecimalField
from measures.models import MONEY
from measures.numbers import AMOUNT_CEILING
from measures.workdays import due_after_workdays, unknown_years, workdays_between
from policy_portal.fields import enterprise_fk, track_fk, who_and_when, window_fk

from .. import rules as permissions
from .states import (
    BUDGETED_STATES,
    CLOSED_STATES,
    EDITABLE_STATES,
    UNPAID_STATES,
    PaymentLimit,
    State,
    reference_label,
)


class Application(ConcurrentTransitionMixin, models.Model):
    # Given at the first submission (``applications.services.application_submit``) and kept
    # from then on, a return and a resubmission included; a draft has none. Drafts started
    # before references waited for submission kept the one they were given then.
    reference = models.CharField(
        _("申报编号"), max_length=32, unique=True, null=True, blank=True, editable=False
    )
    enterprise = enterprise_fk("applications")
    # The enterprise's district when it applied: reviewers' scope must not move with a later
    # profile edit.
    district = models.CharField(_("所在区县"), max_length=8, choices=District.choices)
    track = track_fk("applications")
    window = window_fk("applications")
    declared = models.JSONField(_("申报数据"), default=dict, blank=True)
    # Each declared figure's source as the enterprise's file gave it at the latest submission
    # (``applications.provenance``): a later import of a department's data does not change it.
    declared_sources = models.JSONField(_("申报数据来源"), default=dict, blank=True, editable=False)
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
    created_by, created_at = who_and_when(_("创建人"), _("创建时间"))
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
        verbose_name = verbose_name_plural = _("申报")
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

    def _enter_municipal_review(self) -> None:
        self.municipal_review_at = timezone.now()
        self.municipal_due_at = due_after_workdays(
            self.municipal_review_at, self.window.municipal_review_days
        )
        self.due_at = self.municipal_due_at

    def _return(self) -> None:
        """Back to the enterprise, out of review until it resubmits."""
        self.returned_at = timezone.now()
        self.due_at = None

    def _close(self, at=None) -> None:
        """Closed without payment (withdrawn, rejected, expired): no stage is due any more."""
        self.closed_at = at or timezone.now()
        self.due_at = None

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
        self._close()

    @transition(
        field=state,
        source=State.DISTRICT_REVIEW,
        target=State.MUNICIPAL_REVIEW,
        permission=permissions.is_district_reviewer_for,
    )
    def district_approve(self):
        self._enter_municipal_review()

    @transition(
        field=state,
        source=State.DISTRICT_REVIEW,
        target=State.RETURNED,
        permission=permissions.is_district_reviewer_for,
    )
    def district_return(self):
        self._return()

    @transition(
        field=state,
        source=State.DISTRICT_REVIEW,
        target=State.REJECTED,
        permission=permissions.is_district_reviewer_for,
    )
    def district_reject(self):
        self._close()

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
        self._return()

    @transition(
        field=state,
        source=State.MUNICIPAL_REVIEW,
        target=State.REJECTED,
        permission=permissions.is_municipal_reviewer_for,
    )
    def municipal_reject(self):
        self._close()

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
        self._enter_municipal_review()
        self.approved_at = None

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.EXPIRED,
        permission=permissions.is_system,
        conditions=[_window_closed],
    )
    def expire(self, *, at=None):
        self._close(at)
