"""Two finance users at the same moment: money still leaves once.

These run on PostgreSQL (CI always does): SQLite has no row locks to test.
"""

import pytest
from django.db import connection
from django.utils import timezone

from applications.models import Application, State, TransitionLog
from disbursements import services
from disbursements.models import BatchLine, BatchState, DisbursementBatch, LineStatus
from tests.concurrency import run_together
from tests.disbursements.factories import approved_applications, finance, frozen_batch

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; CI runs these there"
)


def test_two_users_adding_one_application_to_two_batches_one_wins(committed_data):
    first_user, second_user = finance(), finance()
    application = approved_applications(1)[0]
    first = services.batch_create(by=first_user)
    second = services.batch_create(by=second_user)
    both = Application.objects.filter(pk=application.pk)

    outcomes = run_together(
        [
            lambda: services.batch_add_applications(batch=first, applications=both, by=first_user),
            lambda: services.batch_add_applications(
                batch=second, applications=both, by=second_user
            ),
        ]
    )

    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    results = [result[0] for _, result in outcomes]
    assert sorted(r.added for r in results) == [False, True]
    assert "已在拨付批次" in next(r.problem for r in results if not r.added)
    lines = BatchLine.objects.filter(application=application, status=LineStatus.IN_BATCH)
    assert lines.count() == 1
    loser = second if lines.get().batch_id == first.pk else first
    loser.refresh_from_db()
    winner = DisbursementBatch.objects.get(pk=lines.get().batch_id)
    assert (loser.line_count, winner.line_count) == (0, 1)


def test_two_confirmers_at_once_pay_once(committed_data):
    preparer, confirmer_a, confirmer_b = finance(), finance(), finance()
    applications = approved_applications(5)
    batch = frozen_batch(applications, by=preparer)

    outcomes = run_together(
        [
            lambda person=person: services.batch_mark_paid(
                batch=batch,
                by=person,
                payment_date=timezone.localdate(),
                bank_reference=f"REF-{person.pk}",
            )
            for person in (confirmer_a, confirmer_b)
        ]
    )

    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert sorted(result.changed for _, result in outcomes) == [False, True]
    batch.refresh_from_db()
    assert batch.state == BatchState.PAID
    assert set(
        Application.objects.filter(pk__in=[a.pk for a in applications]).values_list(
            "state", flat=True
        )
    ) == {State.DISBURSED}
    assert TransitionLog.objects.filter(transition="disburse").count() == 5


def test_cancelling_while_confirming_leaves_one_outcome(committed_data):
    preparer, confirmer, voider = finance(), finance(), finance()
    applications = approved_applications(3)
    batch = frozen_batch(applications, by=preparer)

    outcomes = run_together(
        [
            lambda: services.batch_mark_paid(
                batch=batch,
                by=confirmer,
                payment_date=timezone.localdate(),
                bank_reference="REF-1",
            ),
            # A frozen batch is voided by a second person, as it is paid by one.
            lambda: services.batch_cancel(batch=batch, by=voider, reason="同时作废"),
        ]
    )

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    batch.refresh_from_db()
    states = set(
        Application.objects.filter(pk__in=[a.pk for a in applications]).values_list(
            "state", flat=True
        )
    )
    if batch.state == BatchState.PAID:
        assert states == {State.DISBURSED}
    else:
        assert batch.state == BatchState.CANCELLED
        assert states == {State.APPROVED}
        assert not BatchLine.objects.filter(status=LineStatus.IN_BATCH).exists()
