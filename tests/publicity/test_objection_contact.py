"""An objection's contact (联系方式) is personal data: encrypted at rest, masked in the admin's
lists and pages, whole only on the page where an administrator decides it (and reported)."""

import importlib

import pytest
from django.db import connection
from django.urls import reverse

from policy_portal.masking import mask_contact
from publicity.models import Objection
from security.audit.records import AuditRecord
from tests.publicity.factories import published_with_objection

PHONE = "13912345678"


@pytest.mark.parametrize(
    ("contact", "masked"),
    [
        ("13912345678", "139****5678"),
        ("023-63890000", "023****0000"),
        ("liming@example.com", "l****@example.com"),
        ("微信 liming", "微****"),
        ("", ""),
    ],
)
def test_a_contact_is_masked_by_what_it_looks_like(contact, masked):
    assert mask_contact(contact) == masked


@pytest.fixture
def objection(administrator):
    return published_with_objection(administrator, contact=PHONE)[1]


def _stored(objection) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM publicity_objection WHERE id = %s", [objection.pk])
        return cursor.fetchone()[0]


def test_the_contact_is_stored_encrypted_and_read_back_whole(objection):
    stored = _stored(objection)

    assert stored.startswith("v1:") and PHONE not in stored and PHONE[-4:] not in stored
    assert Objection.objects.get(pk=objection.pk).contact == PHONE


def test_the_admin_shows_the_contact_masked_in_the_list_the_page_and_the_publicity(
    client, administrator, objection
):
    client.force_login(administrator)
    pages = [
        reverse("admin:publicity_objection_changelist"),
        reverse("admin:publicity_objection_change", args=[objection.pk]),
        reverse("admin:publicity_publicity_change", args=[objection.publicity_id]),
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert PHONE not in page, url
    change = client.get(pages[1]).content.decode()
    assert "139****5678" in change
    assert "139****5678" in client.get(pages[2]).content.decode()


def test_the_decision_page_shows_it_whole_and_tells_the_audit(client, administrator, objection):
    client.force_login(administrator)

    page = client.get(reverse("admin:publicity_objection_decide", args=[objection.pk]))

    assert PHONE in page.content.decode()
    (record,) = AuditRecord.objects.filter(kind="unmasked", object_id=str(objection.pk))
    assert record.actor_id == administrator.pk and record.detail["field"] == "contact"


def test_the_migration_encrypts_the_contacts_written_before_and_reverses(objection):
    migration = importlib.import_module(
        "publicity.migrations.0005_objection_contact_encrypted_rows"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE publicity_objection SET contact = %s WHERE id = %s", [PHONE, objection.pk]
        )

    migration.encrypt_rows(None, connection.schema_editor())

    assert _stored(objection).startswith("v1:")
    assert Objection.objects.get(pk=objection.pk).contact == PHONE
    migration.encrypt_rows(None, connection.schema_editor())  # again: nothing changes
    assert Objection.objects.get(pk=objection.pk).contact == PHONE

    migration.decrypt_rows(None, connection.schema_editor())

    assert _stored(objection) == PHONE
