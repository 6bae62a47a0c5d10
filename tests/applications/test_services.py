import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications import services
from applications.errors import ApplicationError
from applications.models import Application, ReferenceCounter, State, TransitionLog
from applications.permissions import may_take
from measures.models import Track
from tests.applications.factories import WindowFactory, draft, pdf_upload


def submitted(enterprise_user, **kwargs):
    application = draft(user=enterprise_user, **kwargs)
    return services.application_submit(application=application, by=enterprise_user)


def at_municipal(enterprise_user, district_reviewer, amount="2000000", **kwargs):
    application = submitted(enterprise_user, **kwargs)
    return services.application_district_approve(
        application=application, by=district_reviewer, amount=Decimal(amount), comment="材料齐全"
    )


# ── references and drafts ─────────────────────────────────────────────────────────────────


def test_reference_reads_measure_year_and_sequence_and_never_repeats(
    enterprise_user, other_enterprise_user
):
    first = submitted(enterprise_user)
    second = submitted(other_enterprise_user, window=first.window)
    design = submitted(enterprise_user, code="ic-design")

    assert first.reference == "CQJX-2026-02-000001"
    assert second.reference == "CQJX-2026-02-000002"
    assert design.reference == "CQJX-2026-10-000001"
    again = submitted(
        enterprise_user, code="ic-design", window=WindowFactory(measure=design.track.measure)
    )
    assert again.reference == "CQJX-2026-10-000002"
    assert re.fullmatch(r"CQJX-\d{4}-\d{2}-\d{6}", again.reference)


def test_a_draft_has_no_reference_and_is_named_by_when_it_was_created(enterprise_user):
    application = draft(user=enterprise_user, documents=False)
    created = timezone.localtime(application.created_at).strftime("%Y-%m-%d %H:%M")

    assert application.reference is None
    assert str(application) == application.reference_label == f"草稿 · 创建于 {created}"


def test_drafts_left_unsubmitted_leave_no_gap_in_the_references(
    enterprise_user, other_enterprise_user
):
    abandoned = draft(user=enterprise_user)
    withdrawn = draft(user=enterprise_user, code="ic-design")
    services.application_withdraw(application=withdrawn, by=enterprise_user)

    later = submitted(other_enterprise_user, window=abandoned.window)

    assert later.reference == "CQJX-2026-02-000001"
    abandoned.refresh_from_db()
    withdrawn.refresh_from_db()
    assert abandoned.reference is None and withdrawn.reference is None


def test_a_refused_submission_takes_no_reference(enterprise_user, other_enterprise_user):
    incomplete = draft(user=enterprise_user, documents=False)

    with pytest.raises(ApplicationError, match="请上传"):
        services.application_submit(application=incomplete, by=enterprise_user)

    incomplete.refresh_from_db()
    assert incomplete.reference is None and incomplete.state == State.DRAFT
    assert submitted(other_enterprise_user, window=incomplete.window).reference == (
        "CQJX-2026-02-000001"
    )


def test_a_returned_application_keeps_its_reference_when_resubmitted(
    enterprise_user, district_reviewer
):
    application = submitted(enterprise_user)
    reference = application.reference
    services.application_district_return(
        application=application, by=district_reviewer, comment="请补充采购合同"
    )

    again = services.application_resubmit(application=application, by=enterprise_user)

    assert again.reference == reference
    assert ReferenceCounter.objects.get(measure_number=2, year=2026).last == 1


def test_a_draft_given_its_reference_before_keeps_it_when_submitted(enterprise_user):
    """Drafts from before references waited for submission were given one at creation."""
    application = draft(user=enterprise_user)
    Application.objects.filter(pk=application.pk).update(reference="CQJX-2026-02-000007")

    application = services.application_submit(application=application, by=enterprise_user)

    assert application.reference == "CQJX-2026-02-000007"
    assert not ReferenceCounter.objects.filter(measure_number=2, year=2026, last__gt=0).exists()


def test_one_live_application_per_enterprise_track_and_window(enterprise_user):
    application = draft(user=enterprise_user, documents=False)

    with pytest.raises(ApplicationError, match="请勿重复申报"):
        services.application_create(
            enterprise=enterprise_user.enterprise,
            track=application.track,
            window=application.window,
            by=enterprise_user,
        )


def test_the_database_refuses_a_second_live_application(enterprise_user):
    application = draft(user=enterprise_user, documents=False)

    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            reference="CQJX-2026-02-999999",
            enterprise=application.enterprise,
            district=application.district,
            track=application.track,
            window=application.window,
            created_by=enterprise_user,
        )


def test_a_withdrawn_application_frees_the_track_and_window(enterprise_user):
    application = draft(user=enterprise_user, documents=False)
    services.application_withdraw(application=application, by=enterprise_user)

    again = draft(user=enterprise_user, documents=False, window=application.window)

    assert again.state == State.DRAFT


def test_a_draft_cannot_start_in_a_closed_window(enterprise_user):
    track = Track.objects.get(code="supply-chain")
    closed = WindowFactory(
        measure=track.measure,
        opens_at=timezone.now() - timedelta(days=10),
        closes_at=timezone.now() - timedelta(days=1),
    )

    with pytest.raises(ApplicationError, match="不在申报期内"):
        services.application_create(
            enterprise=enterprise_user.enterprise, track=track, window=closed, by=enterprise_user
        )


def test_updating_figures_recomputes_the_calculated_amount(enterprise_user):
    application = draft(user=enterprise_user, documents=False)
    assert application.calculated_amount == Decimal("2000000.00")

    services.application_update_declared(
        application=application,
        by=enterprise_user,
        declared={
            "annual_purchase_amount": Decimal("150000000"),
            "new_purchase_amount": Decimal("12345678.90"),
        },
    )

    application.refresh_from_db()
    assert application.calculated_amount == Decimal("123456.79")
    assert application.declared["new_purchase_amount"] == "12345678.90"


def test_another_enterprise_cannot_edit_a_draft(enterprise_user, other_enterprise_user):
    application = draft(user=enterprise_user, documents=False)

    with pytest.raises(PermissionDenied):
        services.application_update_declared(
            application=application, by=other_enterprise_user, declared={}
        )


# ── submit ─────────────────────────────────────────────────────────────────────────────────


def test_submit_moves_to_district_review_logs_and_queues_notifications(
    enterprise_user, django_capture_on_commit_callbacks
):
    application = draft(user=enterprise_user)

    with django_capture_on_commit_callbacks() as callbacks:
        application = services.application_submit(application=application, by=enterprise_user)

    assert application.state == State.DISTRICT_REVIEW
    assert application.submitted_at is not None
    assert application.calculated_amount == Decimal("2000000.00")
    entry = TransitionLog.objects.get(application=application)
    assert (entry.actor, entry.from_state, entry.to_state, entry.transition) == (
        enterprise_user,
        State.DRAFT,
        State.DISTRICT_REVIEW,
        "submit",
    )
    assert len(callbacks) == 1


def test_submit_refuses_missing_documents_naming_them(enterprise_user):
    application = draft(user=enterprise_user, documents=False)

    with pytest.raises(ApplicationError) as error:
        services.application_submit(application=application, by=enterprise_user)

    assert any("营业执照" in m for m in error.value.messages)
    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert not TransitionLog.objects.filter(application=application).exists()


def test_submit_refuses_missing_required_figures(enterprise_user):
    track = Track.objects.get(code="supply-chain")
    application = services.application_create(
        enterprise=enterprise_user.enterprise,
        track=track,
        window=WindowFactory(measure=track.measure),
        by=enterprise_user,
    )
    for kind in track.required_documents:
        services.document_add(
            application=application, by=enterprise_user, kind=kind, upload=pdf_upload()
        )

    with pytest.raises(ApplicationError) as error:
        services.application_submit(application=application, by=enterprise_user)

    assert any("新增采购额" in m for m in error.value.messages)


def test_submit_refuses_figures_below_the_threshold_with_the_notice_reason(enterprise_user):
    application = draft(
        user=enterprise_user, code="ic-design", declared={"actual_investment": Decimal("19990000")}
    )

    with pytest.raises(ApplicationError) as error:
        services.application_submit(application=application, by=enterprise_user)

    assert any("2000万元" in m for m in error.value.messages)


def test_submit_refuses_once_the_window_has_closed(enterprise_user):
    application = draft(user=enterprise_user)
    window = application.window
    window.closes_at = timezone.now() - timedelta(minutes=1)
    window.save()

    with pytest.raises(ApplicationError, match="不在申报期内"):
        services.application_submit(application=application, by=enterprise_user)


def test_only_the_enterprise_may_submit(enterprise_user, other_enterprise_user, district_reviewer):
    application = draft(user=enterprise_user)

    for outsider in (other_enterprise_user, district_reviewer):
        with pytest.raises(PermissionDenied):
            services.application_submit(application=application, by=outsider)


def test_submitting_twice_gives_a_clear_message(enterprise_user):
    application = submitted(enterprise_user)

    with pytest.raises(ApplicationError, match="区县审核中"):
        services.application_submit(application=application, by=enterprise_user)


def test_state_cannot_be_written_directly(enterprise_user):
    application = draft(user=enterprise_user, documents=False)

    with pytest.raises(AttributeError):
        application.state = State.APPROVED


def test_a_submitted_application_can_no_longer_be_edited(enterprise_user):
    application = submitted(enterprise_user)

    with pytest.raises(ApplicationError, match="不能修改"):
        services.application_update_declared(
            application=application, by=enterprise_user, declared={}
        )


# ── withdraw, return, resubmit ─────────────────────────────────────────────────────────────


def test_withdraw_from_draft_but_not_once_under_review(enterprise_user):
    application = draft(user=enterprise_user)
    assert (
        services.application_withdraw(application=application, by=enterprise_user).state
        == State.WITHDRAWN
    )

    under_review = submitted(enterprise_user, window=application.window)
    with pytest.raises(ApplicationError):
        services.application_withdraw(application=under_review, by=enterprise_user)


def test_district_return_needs_a_comment_and_the_enterprise_can_resubmit(
    enterprise_user, district_reviewer
):
    application = submitted(enterprise_user)

    with pytest.raises(ApplicationError, match="须填写意见"):
        services.application_district_return(
            application=application, by=district_reviewer, comment="  "
        )
    returned = services.application_district_return(
        application=application, by=district_reviewer, comment="请补充采购合同", comment_public=True
    )
    assert returned.state == State.RETURNED
    assert returned.returned_at is not None

    services.application_update_declared(
        application=returned,
        by=enterprise_user,
        declared={
            "annual_purchase_amount": Decimal("300000000"),
            "new_purchase_amount": Decimal("100000000"),
        },
    )
    again = services.application_resubmit(
        application=returned, by=enterprise_user, comment="已补充"
    )
    assert again.state == State.DISTRICT_REVIEW
    assert again.calculated_amount == Decimal("1000000.00")


def test_a_returned_application_can_be_resubmitted_after_the_window_closed(
    enterprise_user, district_reviewer
):
    application = submitted(enterprise_user)
    services.application_district_return(
        application=application, by=district_reviewer, comment="补充材料"
    )
    window = application.window
    window.closes_at = timezone.now() - timedelta(minutes=1)
    window.save()

    assert (
        services.application_resubmit(application=application, by=enterprise_user).state
        == State.DISTRICT_REVIEW
    )


def test_a_returned_application_can_be_withdrawn(enterprise_user, district_reviewer):
    application = submitted(enterprise_user)
    services.application_district_return(
        application=application, by=district_reviewer, comment="补充材料"
    )

    assert (
        services.application_withdraw(application=application, by=enterprise_user).state
        == State.WITHDRAWN
    )


# ── district and municipal review ──────────────────────────────────────────────────────────


def test_only_the_district_reviewer_of_the_enterprises_district_decides(
    enterprise_user, district_reviewer, other_district_reviewer, municipal_reviewer, finance_user
):
    application = submitted(enterprise_user)

    for outsider in (other_district_reviewer, municipal_reviewer, finance_user, enterprise_user):
        with pytest.raises(PermissionDenied):
            services.application_district_approve(
                application=application, by=outsider, amount=Decimal("1")
            )
    approved = services.application_district_approve(
        application=application, by=district_reviewer, amount=Decimal("1500000"), comment="同意"
    )
    assert approved.state == State.MUNICIPAL_REVIEW
    assert approved.recommended_amount == Decimal("1500000")
    assert TransitionLog.objects.filter(application=approved).last().amount == Decimal("1500000")


@pytest.mark.parametrize(
    ("amount", "fragment"),
    [("1000000.01", "测算的100万元"), ("0", "大于0"), ("-1", "大于0"), ("1.001", "分")],
)
def test_a_recommended_amount_must_fit_the_rule(
    enterprise_user, district_reviewer, amount, fragment
):
    # 1% of 1亿 new purchases: the rule gives 100万, below the 200万 cap.
    application = submitted(
        enterprise_user,
        declared={
            "annual_purchase_amount": Decimal("300000000"),
            "new_purchase_amount": Decimal("100000000"),
        },
    )

    with pytest.raises(ApplicationError, match=fragment):
        services.application_district_approve(
            application=application, by=district_reviewer, amount=Decimal(amount)
        )
    application.refresh_from_db()
    assert application.state == State.DISTRICT_REVIEW


def test_a_range_track_amount_must_lie_between_floor_and_cap(enterprise_user, district_reviewer):
    application = submitted(enterprise_user, code="single-champion")

    for amount, fragment in (("499999.99", "50万元"), ("2000000.01", "200万元")):
        with pytest.raises(ApplicationError, match=fragment):
            services.application_district_approve(
                application=application, by=district_reviewer, amount=Decimal(amount)
            )
    assert (
        services.application_district_approve(
            application=application, by=district_reviewer, amount=Decimal("500000")
        ).state
        == State.MUNICIPAL_REVIEW
    )


def test_district_reject_closes_the_application(enterprise_user, district_reviewer):
    application = submitted(enterprise_user)

    rejected = services.application_district_reject(
        application=application, by=district_reviewer, comment="不符合条件"
    )

    assert rejected.state == State.REJECTED
    assert rejected.closed_at is not None


def test_only_a_municipal_reviewer_of_the_measures_division_approves(
    enterprise_user, district_reviewer, municipal_reviewer, other_municipal_reviewer, finance_user
):
    application = at_municipal(enterprise_user, district_reviewer)

    for outsider in (other_municipal_reviewer, district_reviewer, finance_user):
        with pytest.raises(PermissionDenied):
            services.application_municipal_approve(
                application=application, by=outsider, amount=Decimal("1")
            )
    approved = services.application_municipal_approve(
        application=application, by=municipal_reviewer, amount=Decimal("1800000")
    )
    assert approved.state == State.APPROVED
    assert approved.approved_amount == Decimal("1800000")


def test_municipal_approval_never_exceeds_the_window_budget(
    enterprise_user,
    other_enterprise_user,
    district_reviewer,
    municipal_reviewer,
    other_district_reviewer,
):
    track = Track.objects.get(code="supply-chain")
    window = WindowFactory(measure=track.measure, total_budget=Decimal("3000000"))
    first = at_municipal(enterprise_user, district_reviewer, window=window)
    second = at_municipal(other_enterprise_user, other_district_reviewer, window=window)
    services.application_municipal_approve(
        application=first, by=municipal_reviewer, amount=Decimal("2000000")
    )

    with pytest.raises(ApplicationError, match="超出批次预算"):
        services.application_municipal_approve(
            application=second, by=municipal_reviewer, amount=Decimal("1000000.01")
        )
    assert services.application_municipal_approve(
        application=second, by=municipal_reviewer, amount=Decimal("1000000")
    ).approved_amount == Decimal("1000000")


def test_municipal_return_and_reject(enterprise_user, district_reviewer, municipal_reviewer):
    application = at_municipal(enterprise_user, district_reviewer)
    assert (
        services.application_municipal_return(
            application=application, by=municipal_reviewer, comment="请核实采购额"
        ).state
        == State.RETURNED
    )
    services.application_resubmit(application=application, by=enterprise_user)
    services.application_district_approve(
        application=application, by=district_reviewer, amount=Decimal("2000000")
    )

    rejected = services.application_municipal_reject(
        application=application, by=municipal_reviewer, comment="成效不显著", comment_public=False
    )

    assert rejected.state == State.REJECTED
    assert TransitionLog.objects.filter(application=application).last().comment_public is False


def test_finance_disburses_but_cannot_approve(
    enterprise_user, district_reviewer, municipal_reviewer, finance_user
):
    application = at_municipal(enterprise_user, district_reviewer)
    with pytest.raises(PermissionDenied):
        services.application_municipal_approve(
            application=application, by=finance_user, amount=Decimal("1")
        )
    services.application_municipal_approve(
        application=application, by=municipal_reviewer, amount=Decimal("2000000")
    )

    one = Application.objects.filter(pk=application.pk)
    with pytest.raises(PermissionDenied):
        services.applications_disburse(
            applications=one, by=municipal_reviewer, paid_on=timezone.localdate()
        )
    entries = services.applications_disburse(
        applications=one, by=finance_user, paid_on=timezone.localdate()
    )

    paid = Application.objects.get(pk=application.pk)
    assert paid.state == State.DISBURSED
    assert paid.disbursed_at is not None and paid.disbursed_on == timezone.localdate()
    assert [(e.transition, e.from_state, e.to_state) for e in entries] == [
        ("disburse", State.APPROVED, State.DISBURSED)
    ]
    with pytest.raises(ApplicationError):
        services.applications_disburse(
            applications=one, by=finance_user, paid_on=timezone.localdate()
        )


def test_a_disbursement_of_many_is_all_or_none(
    enterprise_user, other_enterprise_user, district_reviewer, municipal_reviewer, finance_user
):
    approved = at_municipal(enterprise_user, district_reviewer)
    services.application_municipal_approve(
        application=approved, by=municipal_reviewer, amount=Decimal("2000000")
    )
    still_in_review = at_municipal(enterprise_user, district_reviewer, code="ic-design")

    with pytest.raises(ApplicationError, match=still_in_review.reference):
        services.applications_disburse(
            applications=Application.objects.filter(pk__in=[approved.pk, still_in_review.pk]),
            by=finance_user,
            paid_on=timezone.localdate(),
        )

    approved.refresh_from_db()
    assert approved.state == State.APPROVED
    assert not TransitionLog.objects.filter(transition="disburse").exists()


# ── expiry ─────────────────────────────────────────────────────────────────────────────────


def test_a_draft_expires_only_after_its_window_closed(enterprise_user):
    application = draft(user=enterprise_user, documents=False)
    with pytest.raises(ApplicationError):
        services.application_expire(application=application)

    window = application.window
    window.closes_at = timezone.now() - timedelta(seconds=1)
    window.save()
    expired = services.application_expire(application=application)

    assert expired.state == State.EXPIRED
    assert TransitionLog.objects.get(application=application).actor is None


def test_no_person_can_take_the_expiry(enterprise_user):
    application = draft(user=enterprise_user, documents=False)
    window = application.window
    window.closes_at = timezone.now() - timedelta(seconds=1)
    window.save()

    assert not may_take(application.expire, enterprise_user)


# ── the log is append-only ─────────────────────────────────────────────────────────────────


def test_the_transition_log_cannot_be_changed_or_deleted(enterprise_user):
    application = submitted(enterprise_user)
    entry = TransitionLog.objects.get(application=application)

    with pytest.raises(PermissionError):
        entry.comment = "篡改"
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        TransitionLog.objects.filter(pk=entry.pk).update(comment="篡改")
    with pytest.raises(PermissionError):
        TransitionLog.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionError):
        TransitionLog.objects.bulk_update([entry], ["comment"])
    entry.refresh_from_db()
    assert entry.comment == ""


def test_the_service_validates_figures_whoever_calls_it(enterprise_user):
    application = draft(user=enterprise_user, documents=False)

    for figures, fragment in (
        ({"annual_purchase_amount": "abc", "new_purchase_amount": "1"}, "年累计采购额"),
        (
            {"annual_purchase_amount": Decimal("-1"), "new_purchase_amount": Decimal("1")},
            "年累计采购额",
        ),
        (
            {"annual_purchase_amount": Decimal("1.001"), "new_purchase_amount": Decimal("1")},
            "年累计采购额",
        ),
        ({"annual_purchase_amount": Decimal("100000000")}, "新增采购额"),
    ):
        with pytest.raises(ApplicationError) as error:
            services.application_update_declared(
                application=application, by=enterprise_user, declared=figures
            )
        assert any(fragment in m for m in error.value.messages), (figures, error.value.messages)
    application.refresh_from_db()
    assert application.calculated_amount == Decimal("2000000.00")


def test_documents_the_reviewers_saw_cannot_be_deleted_after_a_return(
    enterprise_user, district_reviewer
):
    application = draft(user=enterprise_user)
    services.application_submit(application=application, by=enterprise_user)
    services.application_district_return(
        application=application, by=district_reviewer, comment="补充"
    )
    seen = application.documents.first()

    with pytest.raises(ApplicationError, match="不能删除"):
        services.document_remove(document=seen, by=enterprise_user)
    added = services.document_add(
        application=application, by=enterprise_user, kind="其他材料", upload=pdf_upload()
    )
    services.document_remove(document=added, by=enterprise_user)

    assert application.documents.filter(pk=seen.pk).exists()
    assert not application.documents.filter(pk=added.pk).exists()


def test_a_cap_per_year_holds_across_the_years_windows(
    enterprise_user, district_reviewer, municipal_reviewer
):
    from measures.models import Division

    municipal_reviewer.divisions.add(Division.objects.get(code="industrial-parks"))
    park = Track.objects.get(code="key-industrial-park")
    figures = {"park_name": "西部（重庆）科学城集成电路产业园", "annual_targets_met": True}
    approved = []
    for _ in range(2):
        window = WindowFactory(measure=park.measure)
        application = draft(
            user=enterprise_user, code="key-industrial-park", window=window, declared=figures
        )
        services.application_submit(application=application, by=enterprise_user)
        services.application_district_approve(
            application=application, by=district_reviewer, amount=Decimal("6000000")
        )
        approved.append(application)

    services.application_municipal_approve(
        application=approved[0], by=municipal_reviewer, amount=Decimal("6000000")
    )
    with pytest.raises(ApplicationError, match="超出年度上限"):
        services.application_municipal_approve(
            application=approved[1], by=municipal_reviewer, amount=Decimal("6000000")
        )
    # What is left of the year's 1000万 can still be approved.
    assert (
        services.application_municipal_approve(
            application=approved[1], by=municipal_reviewer, amount=Decimal("4000000")
        ).state
        == State.APPROVED
    )
