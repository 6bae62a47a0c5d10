from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.errors import ApplicationError
from applications.models import Application, State, TransitionLog
from disbursements import services
from disbursements.errors import DisbursementError
from disbursements.models import BatchLine, BatchLog, BatchState, DisbursementBatch, LineStatus
from notifications.models import Notification
from reviews.selectors import windows_with_budget
from tests.disbursements.factories import approved_applications, finance, frozen_batch
from tests.enterprises.factories import EnterpriseUserFactory, UserFactory


def _all(applications):
    return Application.objects.filter(pk__in=[a.pk for a in applications])


@pytest.fixture
def confirmer(policy):
    """The second finance user: 复核."""
    return finance(first_name="复核")


def pay(batch, by, **kwargs):
    kwargs.setdefault("payment_date", timezone.localdate())
    kwargs.setdefault("bank_reference", "ICBC-20261125-001")
    return services.batch_mark_paid(batch=batch, by=by, **kwargs)


# ── numbers and building a batch ───────────────────────────────────────────────────────────


def test_batch_numbers_read_year_and_sequence_and_never_repeat(finance_user):
    first = services.batch_create(by=finance_user)
    second = services.batch_create(by=finance_user)
    year = timezone.localdate().year

    assert (first.number, second.number) == (f"BF-{year}-0001", f"BF-{year}-0002")
    services.batch_cancel(batch=first, by=finance_user, reason="编错了")
    assert services.batch_create(by=finance_user).number == f"BF-{year}-0003"


def test_only_finance_prepares_batches(
    district_reviewer, municipal_reviewer, enterprise_user, finance_user
):
    for person in (district_reviewer, municipal_reviewer, enterprise_user):
        with pytest.raises(PermissionDenied):
            services.batch_create(by=person)
    batch = services.batch_create(by=finance_user)
    with pytest.raises(PermissionDenied):
        services.batch_add_applications(
            batch=batch, applications=_all(approved_applications(1)), by=municipal_reviewer
        )


def test_only_approved_applications_with_a_bank_account_are_added_the_rest_reported(
    finance_user, enterprise_user, district_reviewer
):
    from tests.applications.factories import draft

    good = approved_applications(2)
    no_account = approved_applications(1, bank_account="")
    in_review = draft(user=enterprise_user)
    batch = services.batch_create(by=finance_user)

    outcomes = services.batch_add_applications(
        batch=batch, applications=_all([*good, *no_account, in_review]), by=finance_user
    )

    by_reference = {o.reference: o for o in outcomes}
    assert {r for r, o in by_reference.items() if o.added} == {a.reference for a in good}
    assert "开户银行和银行账号" in by_reference[no_account[0].reference].problem
    # A draft has no reference yet: it is reported as the lists name it.
    assert "草稿" in by_reference[in_review.reference_label].problem
    batch.refresh_from_db()
    assert batch.line_count == 2
    assert batch.total_amount == Decimal("246913.56")


def test_an_application_in_a_live_batch_is_refused_by_another(finance_user):
    application = approved_applications(1)
    first = services.batch_create(by=finance_user)
    second = services.batch_create(by=finance_user)
    services.batch_add_applications(batch=first, applications=_all(application), by=finance_user)

    again = services.batch_add_applications(
        batch=first, applications=_all(application), by=finance_user
    )
    other = services.batch_add_applications(
        batch=second, applications=_all(application), by=finance_user
    )

    assert again[0].problem == "已在本批次中。"
    assert not other[0].added and first.number in other[0].problem
    assert BatchLine.objects.filter(application=application[0]).count() == 1


def test_the_database_itself_refuses_a_second_live_line(finance_user):
    application = approved_applications(1)[0]
    first = services.batch_create(by=finance_user)
    second = services.batch_create(by=finance_user)
    services.batch_add_applications(batch=first, applications=_all([application]), by=finance_user)
    line = BatchLine.objects.get(application=application)

    with pytest.raises(IntegrityError), transaction.atomic():
        BatchLine.objects.create(
            batch=second,
            application=application,
            enterprise_id=line.enterprise_id,
            district=line.district,
            track_id=line.track_id,
            amount=line.amount,
            reference=line.reference,
        )


def test_a_cancelled_batch_frees_its_applications(finance_user, confirmer):
    applications = approved_applications(2)
    batch = frozen_batch(applications, by=finance_user)

    with pytest.raises(DisbursementError, match="原因"):
        services.batch_cancel(batch=batch, by=confirmer, reason="  ")
    services.batch_cancel(batch=batch, by=confirmer, reason="银行通知暂停")
    later = services.batch_create(by=finance_user)
    outcomes = services.batch_add_applications(
        batch=later, applications=_all(applications), by=finance_user
    )

    assert all(o.added for o in outcomes)
    assert set(batch.lines.values_list("status", flat=True)) == {LineStatus.RELEASED}
    assert DisbursementBatch.objects.get(pk=batch.pk).state == BatchState.CANCELLED


def test_a_draft_is_voided_by_its_preparer_or_an_administrator_only(finance_user, confirmer):
    administrator = UserFactory(is_staff=True, roles=["administrator"])
    first, second = services.batch_create(by=finance_user), services.batch_create(by=finance_user)

    with pytest.raises(PermissionDenied, match="只能由制单人或系统管理员作废"):
        services.batch_cancel(batch=first, by=confirmer, reason="不是我的批次")
    with pytest.raises(PermissionDenied, match="没有权限"):
        services.batch_cancel(
            batch=first, by=UserFactory(is_staff=True, roles=["municipal_reviewer"]), reason="x"
        )
    services.batch_cancel(batch=first, by=finance_user, reason="编错了")
    services.batch_cancel(batch=second, by=administrator, reason="清理")

    assert set(
        DisbursementBatch.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "state", flat=True
        )
    ) == {BatchState.CANCELLED}
    assert [e.actor for e in first.log_entries.filter(action="cancel")] == [finance_user]


def test_a_frozen_batch_is_voided_by_a_second_person_never_its_preparer(finance_user, confirmer):
    administrator = UserFactory(is_staff=True, roles=["administrator"])
    first = frozen_batch(approved_applications(1), by=finance_user)
    second = frozen_batch(approved_applications(1), by=finance_user)

    with pytest.raises(PermissionDenied, match="另一名财务人员"):
        services.batch_cancel(batch=first, by=finance_user, reason="我自己作废")
    assert DisbursementBatch.objects.get(pk=first.pk).state == BatchState.FROZEN
    services.batch_cancel(batch=first, by=confirmer, reason="银行通知暂停")
    services.batch_cancel(batch=second, by=administrator, reason="银行通知暂停")

    assert DisbursementBatch.objects.get(pk=first.pk).state == BatchState.CANCELLED
    assert DisbursementBatch.objects.get(pk=second.pk).state == BatchState.CANCELLED


def test_only_a_draft_gains_or_loses_applications(finance_user):
    applications = approved_applications(3)
    batch = services.batch_create(by=finance_user)
    services.batch_add_applications(
        batch=batch, applications=_all(applications[:2]), by=finance_user
    )
    removed = services.batch_remove_applications(
        batch=batch, applications=_all(applications[:1]), by=finance_user
    )
    assert removed == 1
    batch = services.batch_freeze(batch=batch, by=finance_user)

    with pytest.raises(DisbursementError, match="只有草稿批次"):
        services.batch_add_applications(
            batch=batch, applications=_all(applications[2:]), by=finance_user
        )
    with pytest.raises(DisbursementError, match="只有草稿批次"):
        services.batch_remove_applications(
            batch=batch, applications=_all(applications), by=finance_user
        )
    assert list(batch.lines.values_list("application_id", flat=True)) == [applications[1].pk]


def test_an_empty_batch_cannot_be_frozen(finance_user):
    batch = services.batch_create(by=finance_user)

    with pytest.raises(DisbursementError, match="没有申报"):
        services.batch_freeze(batch=batch, by=finance_user)


# ── freezing: where the money goes is fixed ────────────────────────────────────────────────


def test_freezing_copies_the_bank_details_a_later_edit_changes_nothing(finance_user):
    application = approved_applications(1, bank_name="中国银行重庆分行", bank_account="0012345678")[
        0
    ]
    batch = frozen_batch([application], by=finance_user)
    enterprise = application.enterprise
    enterprise.bank_name = "另一家银行"
    enterprise.bank_account = "99999999"
    enterprise.name = "改名后的公司"
    enterprise.save()

    line = batch.lines.get()

    assert (line.bank_name, line.bank_account) == ("中国银行重庆分行", "0012345678")
    assert line.enterprise_name != "改名后的公司"
    assert line.amount == application.approved_amount
    assert line.district_name == "渝北区"
    assert line.measure_label.startswith("第2条 ")
    assert line.track_name == application.track.name


def test_freezing_takes_the_account_as_it_stands_then(finance_user):
    application = approved_applications(1, bank_account="11112222")[0]
    batch = services.batch_create(by=finance_user)
    services.batch_add_applications(batch=batch, applications=_all([application]), by=finance_user)
    application.enterprise.bank_account = "33334444"
    application.enterprise.save()

    batch = services.batch_freeze(batch=batch, by=finance_user)

    assert batch.lines.get().bank_account == "33334444"


def test_freezing_refuses_an_enterprise_that_removed_its_account(finance_user):
    application = approved_applications(1)[0]
    batch = services.batch_create(by=finance_user)
    services.batch_add_applications(batch=batch, applications=_all([application]), by=finance_user)
    application.enterprise.bank_account = ""
    application.enterprise.save()

    with pytest.raises(DisbursementError, match=application.reference):
        services.batch_freeze(batch=batch, by=finance_user)
    assert DisbursementBatch.objects.get(pk=batch.pk).state == BatchState.DRAFT


# ── two people ─────────────────────────────────────────────────────────────────────────────


def test_the_preparer_cannot_mark_paid_a_second_finance_user_can(finance_user, confirmer):
    batch = frozen_batch(approved_applications(2), by=finance_user)

    with pytest.raises(PermissionDenied, match="制单人不能确认"):
        pay(batch, finance_user)
    outcome = pay(batch, confirmer)

    assert outcome.changed and outcome.paid == 2
    batch.refresh_from_db()
    assert (batch.state, batch.paid_confirmed_by, batch.prepared_by) == (
        BatchState.PAID,
        confirmer,
        finance_user,
    )


def test_administrators_confirm_only_where_the_setting_allows(finance_user, settings):
    administrator = UserFactory(is_staff=True, roles=["administrator"])
    batch = frozen_batch(approved_applications(1), by=finance_user)

    settings.DISBURSEMENT_ADMINISTRATORS_MAY_CONFIRM = False
    with pytest.raises(PermissionDenied):
        pay(batch, administrator)
    settings.DISBURSEMENT_ADMINISTRATORS_MAY_CONFIRM = True
    assert pay(batch, administrator).changed


def test_reviewers_and_enterprises_never_confirm_payment(
    finance_user, district_reviewer, municipal_reviewer, enterprise_user
):
    batch = frozen_batch(approved_applications(1), by=finance_user)

    for person in (district_reviewer, municipal_reviewer, enterprise_user):
        with pytest.raises(PermissionDenied):
            pay(batch, person)
    assert DisbursementBatch.objects.get(pk=batch.pk).state == BatchState.FROZEN


# ── marking paid ───────────────────────────────────────────────────────────────────────────


def test_marking_paid_disburses_every_line_and_failed_lines_stay_approved(
    finance_user, confirmer, django_capture_on_commit_callbacks
):
    applications = approved_applications(3)
    failed = applications[1]
    member = EnterpriseUserFactory(enterprise=failed.enterprise)
    paid_member = EnterpriseUserFactory(enterprise=applications[0].enterprise)
    batch = frozen_batch(applications, by=finance_user)
    paid_on = timezone.localdate()

    with django_capture_on_commit_callbacks(execute=True):
        outcome = pay(
            batch,
            confirmer,
            payment_date=paid_on,
            failed={failed.reference.lower(): "户名与账号不符"},
        )

    assert (outcome.paid, outcome.failed) == (2, 1)
    states = dict(_all(applications).values_list("pk", "state"))
    assert states == {
        applications[0].pk: State.DISBURSED,
        failed.pk: State.APPROVED,
        applications[2].pk: State.DISBURSED,
    }
    assert Application.objects.get(pk=applications[0].pk).disbursed_on == paid_on
    batch.refresh_from_db()
    assert (batch.line_count, batch.total_amount) == (2, Decimal("246913.56"))
    line = batch.lines.get(application=failed)
    assert (line.status, line.failure_reason) == (LineStatus.FAILED, "户名与账号不符")
    told = Notification.objects.get(recipient=member)
    assert "拨付失败" in told.title and "户名与账号不符" in told.body
    assert Notification.objects.filter(recipient=paid_member, title__contains="拨付").exists()
    entry = TransitionLog.objects.get(application=failed)
    assert (entry.transition, entry.from_state, entry.to_state) == (
        "payment_failed",
        State.APPROVED,
        State.APPROVED,
    )
    # Free again: a later batch can pay it once the enterprise corrects its account.
    later = services.batch_create(by=finance_user)
    assert services.batch_add_applications(
        batch=later, applications=_all([failed]), by=finance_user
    )[0].added


def test_marking_paid_twice_changes_nothing_the_second_time(finance_user, confirmer):
    applications = approved_applications(2)
    batch = frozen_batch(applications, by=finance_user)
    pay(batch, confirmer)
    logs = (TransitionLog.objects.count(), BatchLog.objects.count())

    again = pay(batch, confirmer, bank_reference="OTHER", failed={applications[0].reference: "x"})

    assert not again.changed
    assert (TransitionLog.objects.count(), BatchLog.objects.count()) == logs
    batch.refresh_from_db()
    assert batch.bank_reference == "ICBC-20261125-001"
    assert set(batch.lines.values_list("status", flat=True)) == {LineStatus.IN_BATCH}


def test_marking_paid_is_all_or_none(finance_user, confirmer):
    applications = approved_applications(3)
    batch = frozen_batch(applications, by=finance_user)
    # An application no longer approved (as if changed behind the batch's back): nothing is paid,
    # not even the failed line is recorded.
    Application.objects.filter(pk=applications[2].pk).update(state=State.WITHDRAWN)

    with pytest.raises(ApplicationError, match=applications[2].reference):
        pay(batch, confirmer, failed={applications[0].reference: "账号已销户"})

    assert set(_all(applications[:2]).values_list("state", flat=True)) == {State.APPROVED}
    assert not batch.lines.filter(status=LineStatus.FAILED).exists()
    assert not TransitionLog.objects.filter(application__in=applications).exists()
    assert DisbursementBatch.objects.get(pk=batch.pk).state == BatchState.FROZEN


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"bank_reference": "  "}, "银行流水号"),
        ({"payment_date": timezone.localdate() + timedelta(days=1)}, "不能晚于今天"),
        ({"payment_date": timezone.localdate() - timedelta(days=1)}, "不能早于批次锁定日期"),
        ({"failed": {"CQJX-2026-02-999999": "原因"}}, "不在本批次中"),
    ],
)
def test_marking_paid_refuses_incomplete_or_wrong_details(
    finance_user, confirmer, arguments, message
):
    batch = frozen_batch(approved_applications(1), by=finance_user)

    with pytest.raises(DisbursementError, match=message):
        pay(batch, confirmer, **arguments)


def test_all_lines_failed_is_a_cancellation_not_a_payment(finance_user, confirmer):
    application = approved_applications(1)[0]
    batch = frozen_batch([application], by=finance_user)

    with pytest.raises(DisbursementError, match="作废"):
        pay(batch, confirmer, failed={application.reference: "账号错误"})


def test_a_paid_batch_is_read_only_forever(finance_user, confirmer):
    applications = approved_applications(2)
    batch = frozen_batch(applications[:1], by=finance_user)
    pay(batch, confirmer)

    with pytest.raises(DisbursementError):
        services.batch_add_applications(
            batch=batch, applications=_all(applications[1:]), by=finance_user
        )
    with pytest.raises(DisbursementError):
        services.batch_remove_applications(
            batch=batch, applications=_all(applications), by=finance_user
        )
    with pytest.raises(DisbursementError):
        services.batch_cancel(batch=batch, by=finance_user, reason="想撤销")
    with pytest.raises(DisbursementError):
        services.batch_freeze(batch=batch, by=finance_user)
    with pytest.raises(PermissionError):
        BatchLog.objects.filter(batch=batch).delete()


def test_the_state_is_never_written_directly(finance_user):
    batch = services.batch_create(by=finance_user)

    with pytest.raises(AttributeError):
        batch.state = BatchState.PAID


def test_mark_paid_queries_do_not_grow_with_the_lines(finance_user, confirmer):
    """Beyond the inserts of the log rows and their outbox events (batched by the database's
    parameter limit), the queries of marking paid are the same for 10 lines and for 1,000."""
    from applications.models import OutboxEvent

    log_tables = (TransitionLog._meta.db_table, OutboxEvent._meta.db_table)

    def queries_for(count: int) -> tuple[int, int]:
        batch = frozen_batch(approved_applications(count), by=finance_user)
        batch = DisbursementBatch.objects.get(pk=batch.pk)
        person = type(confirmer).objects.get(pk=confirmer.pk)  # nothing cached from before
        with CaptureQueriesContext(connection) as context:
            pay(batch, person)
        assert (
            Application.objects.filter(
                disbursement_lines__batch=batch, state=State.DISBURSED
            ).count()
            == count
        )
        inserts = [
            q
            for q in context.captured_queries
            if any(f'INSERT INTO "{table}"' in q["sql"] for table in log_tables)
        ]
        return len(context.captured_queries) - len(inserts), len(inserts)

    few, few_inserts = queries_for(10)
    many, many_inserts = queries_for(1000)
    assert few == many
    assert few_inserts == 2  # the log rows and their outbox events
    if connection.vendor == "postgresql":
        assert many_inserts == 2


def test_every_step_of_a_batch_is_logged(finance_user, confirmer):
    applications = approved_applications(2)
    batch = services.batch_create(by=finance_user)
    services.batch_add_applications(batch=batch, applications=_all(applications), by=finance_user)
    services.batch_remove_applications(
        batch=batch, applications=_all(applications[:1]), by=finance_user
    )
    services.batch_freeze(batch=batch, by=finance_user)
    pay(batch, confirmer)

    log = list(batch.log_entries.values_list("action", "from_state", "to_state", "actor"))
    assert log == [
        ("create", "draft", "draft", finance_user.pk),
        ("add_lines", "draft", "draft", finance_user.pk),
        ("remove_lines", "draft", "draft", finance_user.pk),
        ("freeze", "draft", "frozen", finance_user.pk),
        ("mark_paid", "frozen", "paid", confirmer.pk),
    ]


def test_window_budgets_show_what_paid_batches_disbursed(finance_user, confirmer):
    applications = approved_applications(3)
    window = applications[0].window
    batch = frozen_batch(applications[:2], by=finance_user)
    pay(batch, confirmer)

    budget = windows_with_budget().get(pk=window.pk)

    assert budget.disbursed_total == Decimal("246913.56")
    assert budget.approved_total == Decimal("123456.78")


def test_payable_applications_leave_out_those_in_live_batches(finance_user):
    applications = approved_applications(3)
    frozen_batch(applications[:1], by=finance_user)

    payable = services.payable_applications(window=applications[0].window)

    assert set(payable) == set(applications[1:])


def test_only_the_preparer_changes_or_freezes_a_draft_so_the_confirmer_put_nothing_in(
    finance_user, confirmer
):
    applications = approved_applications(2)
    batch = services.batch_create(by=finance_user)

    with pytest.raises(PermissionDenied, match="只有制单人"):
        services.batch_add_applications(batch=batch, applications=_all(applications), by=confirmer)
    services.batch_add_applications(batch=batch, applications=_all(applications), by=finance_user)
    with pytest.raises(PermissionDenied, match="只有制单人"):
        services.batch_remove_applications(
            batch=batch, applications=_all(applications), by=confirmer
        )
    with pytest.raises(PermissionDenied):
        services.batch_freeze(batch=batch, by=confirmer)
    assert batch.lines.count() == 2


def test_a_batch_built_for_a_window_or_a_measure_takes_only_theirs(finance_user):
    from tests.applications.factories import WindowFactory

    in_window = approved_applications(1)[0]
    other_window = approved_applications(1, window=WindowFactory(measure=in_window.track.measure))[
        0
    ]
    for_window = services.batch_create(by=finance_user, window=in_window.window)

    outcomes = services.batch_add_applications(
        batch=for_window, applications=_all([in_window, other_window]), by=finance_user
    )

    assert [o.added for o in outcomes] == [True, False]
    assert "申报批次" in outcomes[1].problem
    from measures.models import Measure

    for_measure = services.batch_create(by=finance_user, measure=Measure.objects.get(number=10))
    refused = services.batch_add_applications(
        batch=for_measure, applications=_all([other_window]), by=finance_user
    )
    assert "政策条款" in refused[0].problem


def test_a_bank_reason_longer_than_the_record_keeps_is_refused(finance_user, confirmer):
    application = approved_applications(2)[0]
    batch = frozen_batch([application, *approved_applications(1)], by=finance_user)

    with pytest.raises(DisbursementError, match="最多200个字"):
        pay(batch, confirmer, failed={application.reference: "账" * 201})
