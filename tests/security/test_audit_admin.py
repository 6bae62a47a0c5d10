"""审计记录 in the admin: read by administrators, the auditor and the security administrator,
filtered by person, object, kind and time; changed or deleted by nobody, a superuser
included. Every admin page of a record links to that record's history."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from policy_portal.signals import security_event
from security.audit.chain import seal
from security.models import AuditRecord
from tests.enterprises.factories import EnterpriseFactory, UserFactory

from .audit import in_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(policy):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="auditor"))
    return user


@pytest.fixture
def superuser(policy):
    return UserFactory(is_staff=True, is_superuser=True, roles=["administrator"])


@pytest.fixture
def trail(superuser):
    enterprise = EnterpriseFactory()

    def change():
        enterprise.bank_account = "6222020000000000777"
        enterprise.save()

    in_request(superuser, change)
    security_event.send(
        sender=__name__, kind="download", user=superuser, request=None, target=enterprise
    )
    seal()
    return enterprise


@pytest.mark.parametrize("group", ["administrator", "auditor", "security_administrator"])
def test_the_three_reading_roles_hold_the_view_permission_and_no_other(group):
    codenames = set(
        Group.objects.get(name=group)
        .permissions.filter(content_type__app_label="security")
        .values_list("codename", flat=True)
    )
    # The security administrator also resets a person's second factor.
    extra = {"reset_second_factor"} if group == "security_administrator" else set()
    assert codenames == {"view_auditrecord", *extra}


def test_the_auditor_reads_the_list_and_a_record_read_only(client, auditor, trail):
    client.force_login(auditor)
    listing = client.get(reverse("admin:security_auditrecord_changelist"))
    record = AuditRecord.objects.get(
        kind="change",
        object_type="enterprises.enterprise",
        object_id=str(trail.pk),
        action="update",
    )
    page = client.get(reverse("admin:security_auditrecord_change", args=[record.pk]))

    assert listing.status_code == 200
    assert "审计记录" in listing.content.decode()
    assert 'name="_save"' not in page.content.decode()
    text = page.content.decode()
    # The change of the account is recorded, as the database keeps it: encrypted, never in clear.
    assert "银行账号" in text and record.hash in text
    assert "6222020000000000777" not in text
    assert "delete_selected" not in listing.content.decode()


def test_the_list_names_the_person_who_acted(client, auditor, superuser, trail):
    superuser.first_name = "张敏"
    superuser.save(update_fields=["first_name"])
    client.force_login(auditor)

    listing = client.get(reverse("admin:security_auditrecord_changelist"), {"actor": superuser.pk})

    rows = listing.content.decode().split('id="result_list"')[1].split("</table>")[0]
    assert '<td class="field-actor nowrap">张敏</td>' in rows


def test_officials_without_the_role_do_not_see_it(client, district_reviewer):
    client.force_login(district_reviewer)
    assert client.get(reverse("admin:security_auditrecord_changelist")).status_code == 403


def test_nobody_adds_changes_or_deletes_a_record_not_even_a_superuser(client, superuser, trail):
    record = AuditRecord.objects.order_by("seq").last()
    client.force_login(superuser)

    assert client.get(reverse("admin:security_auditrecord_add")).status_code == 403
    assert (
        client.get(reverse("admin:security_auditrecord_delete", args=[record.pk])).status_code
        == 403
    )
    client.post(reverse("admin:security_auditrecord_delete", args=[record.pk]), {"post": "yes"})
    client.post(
        reverse("admin:security_auditrecord_change", args=[record.pk]),
        {"address": "10.0.0.1", "kind": "login"},
    )
    client.post(
        reverse("admin:security_auditrecord_changelist"),
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )

    after = AuditRecord.objects.get(pk=record.pk)
    assert (after.address, after.kind, after.hash) == (record.address, record.kind, record.hash)


@pytest.mark.parametrize(
    "query",
    [
        "kind__exact=download",
        "object_type=enterprises.enterprise",
        "actor={superuser}",
        "q={enterprise}",
        "created_at__year=2000",
    ],
)
def test_the_list_filters_by_kind_object_person_and_time(client, auditor, superuser, trail, query):
    client.force_login(auditor)
    query = query.format(superuser=superuser.pk, enterprise=trail.pk)

    response = client.get(reverse("admin:security_auditrecord_changelist") + "?" + query)

    assert response.status_code == 200
    shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
    if query.startswith("created_at"):
        assert not shown
    else:
        assert shown and all(
            query.split("=")[1] in (r.kind, r.object_type, str(r.actor_id), r.object_id)
            for r in AuditRecord.objects.filter(pk__in=shown)
        )


def test_an_admin_page_links_to_its_record_s_history(client, superuser, trail):
    client.force_login(superuser)

    page = client.get(
        reverse("admin:enterprises_enterprise_change", args=[trail.pk])
    ).content.decode()

    link = reverse("admin:security_auditrecord_changelist") + (
        f"?object_type=enterprises.enterprise&amp;object_id={trail.pk}"
    )
    assert link in page and "审计记录" in page
    history = client.get(
        reverse("admin:security_auditrecord_changelist"),
        {"object_type": "enterprises.enterprise", "object_id": trail.pk},
    )
    records = history.context["cl"].queryset
    assert records.exists()
    assert {(r.object_type, r.object_id) for r in records} == {
        ("enterprises.enterprise", str(trail.pk))
    }


def test_an_official_s_page_links_to_the_user_s_history(client, superuser, district_reviewer):
    client.force_login(superuser)

    page = client.get(
        reverse("admin:enterprises_staffmember_change", args=[district_reviewer.pk])
    ).content.decode()

    assert f"object_type=enterprises.user&amp;object_id={district_reviewer.pk}" in page


def test_who_may_not_read_the_trail_sees_no_link(client, finance_user):
    from tests.disbursements.factories import approved_applications, frozen_batch

    batch = frozen_batch(approved_applications(1), by=finance_user)
    client.force_login(finance_user)

    page = client.get(reverse("admin:disbursements_disbursementbatch_change", args=[batch.pk]))

    assert page.status_code == 200
    assert "security/auditrecord" not in page.content.decode()


def test_a_recorded_amount_reads_as_the_site_writes_amounts():
    from decimal import Decimal

    from measures.models import ApplicationWindow, Track
    from security.admin import _shown

    budget = ApplicationWindow._meta.get_field("total_budget")
    assert _shown("50000000.00", budget) == "5000万元（50,000,000.00元）"
    assert _shown("1234.50", budget) == "1,234.50元"
    assert _shown(None, budget) == "—"
    assert _shown("formula", Track._meta.get_field("award_kind")) == str(
        Track.AwardKind.FORMULA.label
    )
    assert _shown(Decimal("3"), None) == "3"
