"""Every change of the data that decides money or access is recorded: who made it, when, from
which address, what it was and what it became (GB/T 22239-2019 第三级 安全审计)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from applications import services
from applications.models import Application, State
from departments.models import DepartmentRecognition
from disbursements import services as disbursement_services
from disbursements.models import BatchLine
from enterprises import services as enterprise_services
from measures.models import (
    ApplicationWindow,
    CalendarDay,
    Division,
    EligibilityThreshold,
    Measure,
    Track,
    TrackField,
)
from policy_portal.crypto import decrypt
from tests.applications.factories import WindowFactory, draft
from tests.departments.factories import csv_bytes, run, statistics_bureau
from tests.disbursements.factories import approved_applications, finance, frozen_batch
from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory

from .audit import ADDRESS, ON_POSTGRESQL, changes_of, in_request, mark

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(policy):
    return UserFactory(is_staff=True, is_superuser=True, roles=["administrator"])


def _update(model, field, value, **lookup):
    def change():
        obj = model.objects.get(**lookup)
        setattr(obj, field, value)
        obj.save()
        return obj

    return change


# (what, the change, the attribute recorded, its value after)
UPDATES = [
    ("measure", _update(Measure, "title", "改名后的措施", number=2), "title", "改名后的措施"),
    ("track", _update(Track, "cap", Decimal("1500000"), code="supply-chain"), "cap", "1500000.00"),
    (
        "track field",
        _update(
            TrackField,
            "maximum",
            Decimal("900000000"),
            name="new_purchase_amount",
            track__code="supply-chain",
        ),
        "maximum",
        "900000000.00",
    ),
    (
        "threshold",
        _update(
            EligibilityThreshold,
            "value",
            Decimal("200000000"),
            field_name="annual_purchase_amount",
            track__code="supply-chain",
        ),
        "value",
        "200000000.00",
    ),
]


@pytest.mark.parametrize("what, change, attribute, after", UPDATES, ids=[u[0] for u in UPDATES])
def test_a_change_of_the_policy_data_is_recorded_with_who_where_before_and_after(
    administrator, what, change, attribute, after
):
    obj = in_request(administrator, change)

    (record,) = changes_of(obj, action="update")
    assert record.actor == administrator
    assert record.address == ADDRESS
    assert record.after[attribute] == after
    assert record.before[attribute] != after
    assert record.created_at <= timezone.now()


def test_a_window_and_its_budget_are_recorded_from_creation(administrator):
    window = in_request(administrator, lambda: WindowFactory(total_budget=Decimal("30000000")))
    in_request(
        administrator,
        _update(ApplicationWindow, "total_budget", Decimal("45000000.50"), pk=window.pk),
    )

    created, changed = changes_of(window)
    assert (created.action, created.before) == ("insert", None)
    assert created.after["total_budget"] == "30000000.00"
    assert (changed.before["total_budget"], changed.after["total_budget"]) == (
        "30000000.00",
        "45000000.50",
    )
    assert {created.actor, changed.actor} == {administrator}


def test_the_holiday_calendar_is_recorded_added_and_removed(administrator):
    day = in_request(
        administrator,
        lambda: CalendarDay.objects.create(date=date(2031, 10, 1), kind="holiday", name="国庆节"),
    )
    pk = day.pk
    in_request(administrator, day.delete)

    added, removed = changes_of(("measures.calendarday", pk))
    assert added.action == "insert" and added.after["date"] == "2031-10-01"
    assert removed.action == "delete" and removed.before["name"] == "国庆节"
    assert removed.after is None and removed.address == ADDRESS


def test_an_enterprise_bank_account_change_is_recorded(administrator):
    enterprise = EnterpriseFactory(bank_account="6222020000000000001")
    in_request(
        administrator,
        _update(
            EnterpriseFactory._meta.model, "bank_account", "6222020000000000999", pk=enterprise.pk
        ),
    )

    record = changes_of(enterprise, action="update")[-1]
    # Recorded as the database keeps it, encrypted: the trail holds no account in clear.
    assert decrypt(record.before["bank_account"], purpose="bank_account") == "6222020000000000001"
    assert decrypt(record.after["bank_account"], purpose="bank_account") == "6222020000000000999"
    assert "6222020000000000999" not in str(record.after)
    assert record.actor == administrator


def test_an_official_s_account_and_scope_are_recorded_never_the_password(administrator):
    official = UserFactory(is_staff=True, roles=["municipal_reviewer"])
    division = Division.objects.get(code="automotive")

    def change():
        official.is_active = False
        official.district = ""
        official.first_name = "芳"
        official.save()
        official.divisions.add(division)
        official.groups.add(Group.objects.get(name="finance"))
        official.divisions.remove(division)

    since = mark()
    in_request(administrator, change)

    records = changes_of(official, since=since)
    update = next(r for r in records if r.action == "update")
    assert (update.before["is_active"], update.after["is_active"]) == (True, False)
    assert update.after["first_name"] == "芳"
    assert "password" not in update.after and "last_login" not in update.after
    links = [(r.action, r.after or r.before) for r in records if r.action in ("add", "remove")]
    assert any(
        a == "add" and v["user_id"] == official.pk and v.get("division_id") == division.pk
        for a, v in links
    )
    assert any(a == "add" and v.get("group_id") for a, v in links)
    assert any(a == "remove" and v["division_id"] == division.pk for a, v in links)
    assert {r.actor for r in records} == {administrator}
    assert {r.address for r in records} == {ADDRESS}


def test_a_group_s_permissions_are_recorded(administrator):
    group = Group.objects.get(name="finance")
    permission = Permission.objects.get(codename="delete_application")

    in_request(administrator, lambda: group.permissions.add(permission))
    in_request(administrator, lambda: group.permissions.remove(permission))

    added, removed = changes_of(group, action__in=["add", "remove"])[-2:]
    assert added.after["permission_id"] == permission.pk and added.action == "add"
    assert removed.before["permission_id"] == permission.pk and removed.action == "remove"


def test_beat_s_schedule_is_recorded_but_not_each_run(administrator):
    interval = in_request(
        administrator, lambda: IntervalSchedule.objects.create(every=7, period="minutes")
    )
    crontab = in_request(
        administrator, lambda: CrontabSchedule.objects.create(minute="5", hour="4")
    )
    task = in_request(
        administrator,
        lambda: PeriodicTask.objects.create(name="测试任务", task="x.y", interval=interval),
    )
    in_request(administrator, _update(PeriodicTask, "enabled", False, pk=task.pk))
    # What beat itself writes after each run is not a change of the schedule.
    PeriodicTask.objects.filter(pk=task.pk).update(last_run_at=timezone.now(), total_run_count=3)

    assert [r.action for r in changes_of(interval)] == ["insert"]
    assert changes_of(crontab)[0].after["hour"] == "4"
    assert [r.action for r in changes_of(task)] == ["insert", "update"]
    assert changes_of(task)[1].after["enabled"] is False


def test_an_application_s_state_and_amounts_are_recorded_through_the_services(
    enterprise_user, district_reviewer
):
    application = draft(user=enterprise_user)
    in_request(
        enterprise_user,
        lambda: services.application_submit(application=application, by=enterprise_user),
        address="203.0.113.5",
    )
    in_request(
        district_reviewer,
        lambda: services.application_district_approve(
            application=Application.objects.get(pk=application.pk),
            by=district_reviewer,
            amount=Decimal("1800000"),
        ),
    )

    updates = changes_of(application, action="update")
    submitted, approved = updates[-2:]
    assert (submitted.before["state"], submitted.after["state"]) == (
        State.DRAFT,
        State.DISTRICT_REVIEW,
    )
    assert (submitted.actor, submitted.address) == (enterprise_user, "203.0.113.5")
    assert approved.after["state"] == State.MUNICIPAL_REVIEW
    assert approved.after["recommended_amount"] == "1800000.00"
    assert (approved.actor, approved.address) == (district_reviewer, ADDRESS)


@pytest.mark.skipif(
    not ON_POSTGRESQL, reason="lines are written with bulk_create, seen by triggers"
)
def test_batch_lines_are_recorded_as_finance_adds_them(policy):
    preparer = finance()
    application = approved_applications(1)[0]

    def add():
        batch = disbursement_services.batch_create(by=preparer)
        disbursement_services.batch_add_applications(
            batch=batch, applications=Application.objects.filter(pk=application.pk), by=preparer
        )
        return batch

    batch = in_request(preparer, add)

    line = BatchLine.objects.get(batch=batch)
    (record,) = changes_of(line)
    assert record.action == "insert" and record.actor == preparer
    assert record.after["amount"] == "123456.78"
    assert decrypt(record.after["bank_account"], purpose="bank_account") == line.bank_account
    assert changes_of(batch)[0].after["state"] == "draft"


@pytest.mark.skipif(not ON_POSTGRESQL, reason="set-based updates are seen by PostgreSQL's triggers")
def test_mark_paid_records_every_application_it_updates_in_one_statement(policy):
    preparer, confirmer = finance(), finance()
    applications = approved_applications(4)
    batch = frozen_batch(applications, by=preparer)

    in_request(
        confirmer,
        lambda: disbursement_services.batch_mark_paid(
            batch=batch, by=confirmer, payment_date=timezone.localdate(), bank_reference="B-1"
        ),
    )

    for application in applications:
        (paid,) = changes_of(application, action="update")
        assert (paid.before["state"], paid.after["state"]) == (State.APPROVED, State.DISBURSED)
        assert paid.after["disbursed_on"] == timezone.localdate().isoformat()
        assert (paid.actor, paid.address) == (confirmer, ADDRESS)
        assert paid.event_model == "security.applicationevent" and paid.event_id


@pytest.mark.skipif(not ON_POSTGRESQL, reason="set-based updates are seen by PostgreSQL's triggers")
def test_the_expiry_sweep_s_update_is_recorded_row_by_row_with_no_person(enterprise_user):
    window = WindowFactory()
    drafts = [draft(user=enterprise_user, window=window, documents=False)]
    other = UserFactory(enterprise=EnterpriseFactory(), roles=["enterprise"])
    drafts.append(draft(user=other, window=window, documents=False))

    assert services.applications_expire_closed_drafts(now=window.closes_at + timedelta(days=1)) == 2

    for application in drafts:
        expired = changes_of(application, action="update")[-1]
        assert expired.after["state"] == State.EXPIRED
        assert (expired.actor, expired.address) == (None, "")


def test_a_disagreement_and_its_answer_are_recorded(policy):
    """对部门数据有异议: who reported it, and who answered what."""
    user = EnterpriseUserFactory()
    administrator = UserFactory(is_staff=True, roles=["administrator"])
    batch = run(statistics_bureau(), csv_bytes([[user.enterprise.credit_code, 2024, "", "", "是"]]))
    recognition = DepartmentRecognition.objects.get(batch=batch.batch)
    disagreement = in_request(
        user,
        lambda: enterprise_services.disagreement_report(
            enterprise=user.enterprise,
            recognition=recognition,
            value=False,
            reason="认定为子公司所获",
            by=user,
        ),
        address="203.0.113.9",
    )
    in_request(
        administrator,
        lambda: enterprise_services.disagreement_answer(
            disagreement=disagreement, answer="已转工信部门核实。", by=administrator
        ),
    )

    reported, answered = changes_of(disagreement)
    assert (reported.action, reported.actor, reported.address) == ("insert", user, "203.0.113.9")
    assert reported.after["recognition_id"] == recognition.pk
    assert reported.after["claimed_boolean"] is False
    assert (answered.action, answered.actor, answered.address) == (
        "update",
        administrator,
        ADDRESS,
    )
    assert (answered.before["state"], answered.after["state"]) == ("pending", "answered")
    assert answered.before["answer"] == "" and answered.after["answer"] == "已转工信部门核实。"
    assert answered.after["answered_by_id"] == administrator.pk
