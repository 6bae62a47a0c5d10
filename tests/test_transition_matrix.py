"""Every transition of the application and the batch, against every role, through every door
that takes it: who may, moves the object and writes its log; anyone else leaves both as they
were.

Doors per transition, from the state machines' declarations; where a door is missing the
table says so (``None``). No transition is exposed in the API (it only reads the catalogue
and quotes), and the one command that takes a transition is ``run_deadlines`` (expiry).
"""

from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Application, State, TransitionLog
from applications.permissions import may_take
from disbursements.models import BatchLog, BatchState, DisbursementBatch
from measures.models import ApplicationWindow
from tests.applications.factories import draft
from tests.authorization import AMOUNT, ROLES, build_world


@dataclass(frozen=True)
class Row:
    subject: str  # the world's object in the transition's source state
    allowed: tuple  # the roles that may take it
    transition: str | None = None  # where the row's name is not the transition's own
    portal: str | None = None  # the enterprise portal's URL name
    decide: bool = False  # the admin's decision page
    bulk: bool = False  # the admin's bulk action on the application list
    batch_page: str | None = None  # the batch admin's page taking it
    objection: bool = False  # the admin's page deciding an objection to the 公示
    command: bool = False  # run_deadlines
    api: None = None  # no transition is exposed in the API


REVIEW = {"decide": True, "bulk": True}
APPLICATION_ROWS = {
    "submit": Row("a_draft", ("enterprise_a",), portal="applications:submit"),
    "resubmit": Row("a_returned", ("enterprise_a",), portal="applications:resubmit"),
    "withdraw": Row("a_draft", ("enterprise_a",), portal="applications:withdraw"),
    "district_approve": Row("a_review", ("district_a",), **REVIEW),
    "district_return": Row("a_review", ("district_a",), **REVIEW),
    "district_reject": Row("a_review", ("district_a",), **REVIEW),
    "municipal_approve": Row("a_municipal", ("municipal_a",), **REVIEW),
    "municipal_return": Row("a_municipal", ("municipal_a",), **REVIEW),
    "municipal_reject": Row("a_municipal", ("municipal_a",), **REVIEW),
    # Taken for every line of a batch when its payment is confirmed, by the second person.
    "disburse": Row(
        "a_approved", ("finance_confirmer",), batch_page="admin:disbursements_mark_paid"
    ),
    # An objection to the 公示 upheld: the administrators' decision.
    "objection_upheld": Row("c_approved", ("administrator",), objection=True),
    # The scheduler's alone: no person, through any door.
    "expire": Row("a_expirable", (), command=True),
}
BATCH_ROWS = {
    "freeze": Row("draft_batch", ("finance_preparer",), batch_page="admin:disbursements_freeze"),
    "mark_paid": Row("batch", ("finance_confirmer",), batch_page="admin:disbursements_mark_paid"),
    # A draft is voided by its preparer or an administrator; a frozen batch, as grave as paying
    # it, by a second person: another finance user or an administrator, never the preparer.
    "cancel": Row(
        "draft_batch",
        ("finance_preparer", "administrator"),
        batch_page="admin:disbursements_cancel",
    ),
    "cancel_frozen": Row(
        "batch",
        ("finance_confirmer", "administrator"),
        batch_page="admin:disbursements_cancel",
        transition="cancel",
    ),
}


def _transition_names(model) -> set[str]:
    field = model._meta.get_field("state")
    return {t.name for t in field.get_all_transitions(model)}


def test_the_table_has_a_row_for_every_transition():
    assert _transition_names(Application) == set(APPLICATION_ROWS)
    assert _transition_names(DisbursementBatch) == {
        row.transition or name for name, row in BATCH_ROWS.items()
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The authorization world, and A's applications in the states it lacks: returned,
    awaiting municipal review, a draft whose window has closed."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        built = build_world()
        user_a = built.users["enterprise_a"]
        returned = services.application_submit(application=draft(user=user_a), by=user_a)
        returned = services.application_district_return(
            application=returned, by=built.users["district_a"], comment="请补充材料"
        )
        municipal = services.application_submit(application=draft(user=user_a), by=user_a)
        municipal = services.application_district_approve(
            application=municipal, by=built.users["district_a"], amount=AMOUNT
        )
        expirable = draft(user=user_a)
        ApplicationWindow.objects.filter(pk=expirable.window_id).update(
            opens_at=timezone.now() - timedelta(days=30),
            closes_at=timezone.now() - timedelta(days=1),
        )
        built.objects.update(
            a_returned=returned,
            a_municipal=municipal,
            a_expirable=expirable,
        )
        built.media = media
        yield built
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def client():
    return Client()


@pytest.fixture
def media_root(settings, request, tmp_path):
    """The world's files, for the tests that use the world; the table checks need none."""
    if "world" not in request.fixturenames:
        settings.MEDIA_ROOT = tmp_path / "media"
        return settings.MEDIA_ROOT
    world = request.getfixturevalue("world")
    settings.MEDIA_ROOT = world.media
    return world.media


def _doors(rows):
    for name, row in rows.items():
        for door in ("portal", "decide", "bulk", "batch_page", "objection"):
            if getattr(row, door):
                for role in ROLES:
                    yield pytest.param(name, door, role, id=f"{name}-{door}-{role}")


def _login(client, world, role):
    client.cookies.clear()
    if role != "anonymous":
        client.force_login(world.users[role])


def _post_through(client, world, name, row, door, subject):
    if door == "portal":
        return client.post(reverse(row.portal, args=[subject.pk]), {"comment": ""})
    if door == "decide":
        url = reverse("admin:applications_application_decide", args=[subject.pk, name])
        return client.post(url, {"comment": "意见", "comment_public": "on", "amount": str(AMOUNT)})
    if door == "objection":
        url = reverse("admin:publicity_objection_decide", args=[world.objection.pk])
        return client.post(url, {"outcome": "upheld", "comment": "意见"})
    if door == "bulk":
        return client.post(
            reverse("admin:applications_application_changelist") + "?queue=all",
            {
                "action": name,
                ACTION_CHECKBOX_NAME: [subject.pk],
                "apply": "1",
                "comment": "意见",
                "comment_public": "on",
            },
        )
    batch = subject if isinstance(subject, DisbursementBatch) else world.batch
    data = {
        "payment_date": timezone.localdate().isoformat(),
        "bank_reference": "BANK-0001",
        "failed_lines": "",
        "reason": "重新编制",
    }
    return client.post(reverse(row.batch_page, args=[batch.pk]), data)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "door", "role"), list(_doors(APPLICATION_ROWS)))
def test_each_application_transition_through_each_door(name, door, role, world, client, settings):
    settings.DISBURSEMENT_ADMINISTRATORS_MAY_CONFIRM = False
    row = APPLICATION_ROWS[name]
    subject = getattr(world, row.subject)
    before_state = Application.objects.get(pk=subject.pk).state
    before_log = TransitionLog.objects.filter(application=subject, transition=name).count()
    _login(client, world, role)

    response = _post_through(client, world, name, row, door, subject)

    assert response.status_code < 500
    after = Application.objects.get(pk=subject.pk)
    logged = TransitionLog.objects.filter(application=subject, transition=name).count()
    if role in row.allowed:
        assert after.state != before_state, (name, door, role, response.status_code)
        assert logged == before_log + 1
    else:
        assert after.state == before_state, (name, door, role)
        assert logged == before_log
        assert response.status_code in (302, 403, 404, 200), response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "door", "role"), list(_doors(BATCH_ROWS)))
def test_each_batch_transition_through_each_door(name, door, role, world, client, settings):
    settings.DISBURSEMENT_ADMINISTRATORS_MAY_CONFIRM = False
    row = BATCH_ROWS[name]
    batch = getattr(world, row.subject)
    _login(client, world, role)

    response = _post_through(client, world, name, row, door, batch)

    assert response.status_code < 500
    after = DisbursementBatch.objects.get(pk=batch.pk)
    logged = BatchLog.objects.filter(batch=batch, action=row.transition or name).count()
    if role in row.allowed:
        assert after.state != batch.state, (name, door, role, response.status_code)
        assert logged == 1
    else:
        assert after.state == batch.state, (name, door, role)
        assert logged == 0
        expected = 302 if role in ("anonymous", "enterprise_a", "enterprise_b") else 403
        assert response.status_code == expected, (name, role, response.status_code)


@pytest.mark.django_db
def test_administrators_confirm_payment_only_where_the_setting_allows(world, client, settings):
    settings.DISBURSEMENT_ADMINISTRATORS_MAY_CONFIRM = True
    _login(client, world, "administrator")

    _post_through(client, world, "mark_paid", BATCH_ROWS["mark_paid"], "batch_page", world.batch)

    assert DisbursementBatch.objects.get(pk=world.batch.pk).state == BatchState.PAID
    assert Application.objects.get(pk=world.a_approved.pk).state == State.DISBURSED


@pytest.mark.django_db
def test_only_the_scheduler_expires_a_draft(world):
    draft_ = Application.objects.get(pk=world.a_expirable.pk)
    assert not any(may_take(draft_.expire, user) for user in world.users.values())
    assert may_take(draft_.expire, None)

    call_command("run_deadlines", stdout=StringIO())

    assert Application.objects.get(pk=draft_.pk).state == State.EXPIRED
    entry = TransitionLog.objects.get(application=draft_, transition="expire")
    assert entry.actor is None
