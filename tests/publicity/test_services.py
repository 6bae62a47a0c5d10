from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from applications.models import Application, State, TransitionLog, WindowTotals
from disbursements import services as disbursement_services
from notifications.models import Notification
from publicity import services
from publicity.errors import PublicityError
from publicity.models import Objection, PublicityLog, PublicityState
from publicity.selectors import applications_to_publicise
from tests.disbursements.factories import approved_applications, finance
from tests.enterprises.factories import EnterpriseUserFactory


def _create(applications, by, **kwargs):
    first = applications[0]
    return services.publicity_create(
        window=first.window, measure=first.track.measure, by=by, **kwargs
    )


def _published(applications, by, *, days_ago=0):
    publicity = _create(applications, by)
    at = timezone.now() - timedelta(days=days_ago)
    return services.publicity_publish(publicity=publicity, by=by, at=at)


def _objection(publicity, application):
    entry = publicity.entries.get(application=application)
    return services.objection_lodge(
        publicity=publicity, entry_id=entry.pk, name="李明", contact="13800000000", text="虚报"
    )


def test_a_publicity_holds_the_window_and_measures_approved_applications_not_yet_publicised(
    administrator,
):
    applications = approved_applications(3, publicised=False)
    publicity = _create(applications, administrator, period_workdays=7)

    assert publicity.state == PublicityState.DRAFT
    assert publicity.period_workdays == 7
    assert set(publicity.entries.values_list("application_id", flat=True)) == {
        a.pk for a in applications
    }
    entry = publicity.entries.first()
    assert entry.enterprise_name and entry.approved_amount == Decimal("123456.78")
    assert not applications_to_publicise(
        window=applications[0].window, measure=applications[0].track.measure
    ).exists()
    with pytest.raises(PublicityError):
        _create(applications, administrator)
    assert list(publicity.log_entries.values_list("action", flat=True)) == ["create"]


def test_only_administrators_create_publish_and_close(administrator, finance_user):
    applications = approved_applications(1, publicised=False)
    with pytest.raises(PermissionDenied):
        _create(applications, finance_user)
    publicity = _create(applications, administrator)
    with pytest.raises(PermissionDenied):
        services.publicity_publish(publicity=publicity, by=finance_user)
    publicity.refresh_from_db()
    assert publicity.state == PublicityState.DRAFT
    assert publicity.log_entries.count() == 1


def test_publishing_sets_the_period_in_working_days_and_closing_waits_for_its_end(
    administrator,
):
    applications = approved_applications(1, publicised=False)
    publicity = _published(applications, administrator)

    assert publicity.state == PublicityState.PUBLISHED
    assert publicity.ends_at > publicity.published_at + timedelta(days=4)
    with pytest.raises(PublicityError, match="公示期尚未结束"):
        services.publicity_close(publicity=publicity, by=administrator)

    closed = services.publicity_close(
        publicity=publicity, by=administrator, at=publicity.ends_at + timedelta(seconds=1)
    )

    assert closed.state == PublicityState.CLOSED
    assert list(
        PublicityLog.objects.filter(publicity=publicity).values_list(
            "action", "from_state", "to_state"
        )
    ) == [
        ("create", "draft", "draft"),
        ("publish", "draft", "published"),
        ("close", "published", "closed"),
    ]
    with pytest.raises(PublicityError):
        services.publicity_publish(publicity=closed, by=administrator)


def test_a_publicity_does_not_close_with_an_objection_undecided(administrator):
    applications = approved_applications(1, publicised=False)
    publicity = _published(applications, administrator, days_ago=30)
    # Lodged within the period, decided after it.
    Objection.objects.create(
        publicity=publicity, entry=publicity.entries.get(), name="李明", contact="x", text="y"
    )

    with pytest.raises(PublicityError, match="未处理的异议"):
        services.publicity_close(publicity=publicity, by=administrator)


def test_objections_are_taken_only_during_the_period(administrator):
    applications = approved_applications(1, publicised=False)
    draft = _create(applications, administrator)
    with pytest.raises(PublicityError):
        _objection(draft, applications[0])
    over = services.publicity_publish(
        publicity=draft, by=administrator, at=timezone.now() - timedelta(days=30)
    )
    with pytest.raises(PublicityError, match="不在公示期内"):
        _objection(over, applications[0])


def test_a_dismissed_objection_leaves_the_application_approved(administrator):
    applications = approved_applications(1, publicised=False)
    publicity = _published(applications, administrator)
    objection = _objection(publicity, applications[0])

    services.objection_decide(
        objection=objection, by=administrator, outcome="dismissed", comment="经核实，材料属实"
    )

    objection.refresh_from_db()
    assert (objection.outcome, objection.decided_by) == ("dismissed", administrator)
    assert Application.objects.get(pk=applications[0].pk).state == State.APPROVED
    assert publicity.log_entries.last().action == "objection_dismissed"
    with pytest.raises(PublicityError, match="已处理"):
        services.objection_decide(
            objection=objection, by=administrator, outcome="upheld", comment="再议"
        )


def test_an_upheld_objection_sends_the_application_back_to_municipal_review(
    administrator, municipal_reviewer, django_capture_on_commit_callbacks
):
    applications = approved_applications(2, publicised=False)
    window = applications[0].window
    assert WindowTotals.objects.get(window=window).approved_amount == Decimal("246913.56")
    publicity = _published(applications, administrator)
    objection = _objection(publicity, applications[0])
    user = EnterpriseUserFactory(enterprise=applications[0].enterprise)

    with django_capture_on_commit_callbacks(execute=True):
        services.objection_decide(
            objection=objection, by=administrator, outcome="upheld", comment="销售额虚报"
        )

    application = Application.objects.get(pk=applications[0].pk)
    assert application.state == State.MUNICIPAL_REVIEW
    assert application.due_at is not None and application.approved_at is None
    entry = TransitionLog.objects.get(application=application, transition="objection_upheld")
    assert (entry.actor, entry.from_state, entry.comment) == (
        administrator,
        State.APPROVED,
        "销售额虚报",
    )
    assert WindowTotals.objects.get(window=window).approved_amount == Decimal("123456.78")
    recipients = set(
        Notification.objects.filter(log_entry=entry).values_list("recipient", flat=True)
    )
    assert {user.pk, municipal_reviewer.pk} <= recipients
    assert publicity.entries.get(application=application).objection_upheld
    # Approved again, it goes through a new 公示.
    assert applications_to_publicise(window=window, measure=application.track.measure).count() == 0


def test_only_administrators_decide_objections(administrator, finance_user):
    applications = approved_applications(1, publicised=False)
    publicity = _published(applications, administrator)
    objection = _objection(publicity, applications[0])

    with pytest.raises(PermissionDenied):
        services.objection_decide(
            objection=objection, by=finance_user, outcome="upheld", comment="成立"
        )
    assert Application.objects.get(pk=applications[0].pk).state == State.APPROVED
    assert not application_may_be_upheld_by(applications[0], finance_user)
    assert application_may_be_upheld_by(applications[0], administrator)


def application_may_be_upheld_by(application, user):
    from applications.permissions import may_take

    application = Application.objects.get(pk=application.pk)
    return may_take(application.objection_upheld, user)


# ── the condition on paying ─────────────────────────────────────────────────────────────────


def _add(applications, by):
    batch = disbursement_services.batch_create(by=by)
    return disbursement_services.batch_add_applications(
        batch=batch,
        applications=Application.objects.filter(pk__in=[a.pk for a in applications]),
        by=by,
    )


def test_finance_cannot_batch_an_application_before_its_publicity_closed(administrator):
    preparer = finance()
    unpublicised = approved_applications(1, publicised=False)
    outcomes = _add(unpublicised, preparer)
    assert not outcomes[0].added and "尚未完成公示" in outcomes[0].problem

    publicity = _published(unpublicised, administrator)
    outcomes = _add(unpublicised, preparer)
    assert not outcomes[0].added and "尚未完成公示" in outcomes[0].problem

    services.publicity_close(
        publicity=publicity, by=administrator, at=publicity.ends_at + timedelta(seconds=1)
    )
    assert _add(unpublicised, preparer)[0].added


def test_an_application_with_an_upheld_objection_is_not_cleared_even_when_approved_again(
    administrator,
):
    preparer = finance()
    applications = approved_applications(1, publicised=False)
    publicity = _published(applications, administrator)
    services.objection_decide(
        objection=_objection(publicity, applications[0]),
        by=administrator,
        outcome="upheld",
        comment="成立",
    )
    services.publicity_close(
        publicity=publicity, by=administrator, at=publicity.ends_at + timedelta(seconds=1)
    )
    # Approved again outside the services: still no 公示 clears it.
    Application.objects.filter(pk=applications[0].pk).update(state=State.APPROVED)

    outcomes = _add(applications, preparer)

    assert not outcomes[0].added and "尚未完成公示" in outcomes[0].problem


def test_the_scheduler_closes_publicities_whose_period_is_over_and_objections_decided(
    administrator,
):
    over = _published(approved_applications(1, publicised=False), administrator, days_ago=30)
    disputed_applications = approved_applications(1, publicised=False)
    disputed = _published(disputed_applications, administrator, days_ago=30)
    Objection.objects.create(
        publicity=disputed, entry=disputed.entries.get(), name="李明", contact="x", text="y"
    )
    running = _published(approved_applications(1, publicised=False), administrator)

    assert services.publicities_close_due() == (1, 1)

    over.refresh_from_db()
    disputed.refresh_from_db()
    running.refresh_from_db()
    assert over.state == PublicityState.CLOSED
    assert (disputed.state, running.state) == (PublicityState.PUBLISHED,) * 2
    last = over.log_entries.last()
    assert (last.action, last.actor, last.to_state) == ("close", None, "closed")
    assert "自动结束" in last.comment
    # Nothing left to do: a second run changes nothing.
    assert services.publicities_close_due() == (0, 1)


def test_no_person_may_close_as_the_scheduler_does_before_the_period_ends(administrator):
    publicity = _published(approved_applications(1, publicised=False), administrator)

    assert services.publicities_close_due(now=publicity.ends_at - timedelta(minutes=1)) == (0, 0)
    with pytest.raises(PublicityError, match="公示期尚未结束"):
        services.publicity_close(publicity=publicity, by=None)
    publicity.refresh_from_db()
    assert publicity.state == PublicityState.PUBLISHED
