"""Personal data in the database: encrypted columns, the keyed hash beside those the site
finds by value, and the migration that encrypted the rows written before."""

import importlib

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.db import connection

from disbursements.models import BatchLine
from enterprises.models import Enterprise, User
from tests.disbursements.factories import approved_applications, finance, frozen_batch
from tests.enterprises.factories import EnterpriseFactory, UserFactory

ACCOUNT = "6228480000000000005"
PHONE = "13800138005"


def raw(table: str, columns: str, pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.mark.django_db
def test_the_columns_hold_no_clear_digits():
    enterprise = EnterpriseFactory(bank_account=ACCOUNT, contact_phone=PHONE)
    user = UserFactory(phone="13900139009")

    account, account_hash, phone = raw(
        "enterprises_enterprise", "bank_account, bank_account_hash, contact_phone", enterprise.pk
    )
    (user_phone,) = raw("enterprises_user", "phone", user.pk)

    for stored, clear in ((account, ACCOUNT), (phone, PHONE), (user_phone, "13900139009")):
        assert stored.startswith("v1:")
        assert clear not in stored and clear[-8:] not in stored
    assert account_hash and ACCOUNT not in account_hash
    assert Enterprise.objects.get(pk=enterprise.pk).bank_account == ACCOUNT
    assert User.objects.get(pk=user.pk).phone == "13900139009"


@pytest.mark.django_db
def test_a_batch_lines_snapshot_is_encrypted_too(policy):
    batch = frozen_batch(approved_applications(1, bank_account=ACCOUNT), by=finance())
    line = batch.lines.get()

    account, account_hash = raw(
        "disbursements_batchline", "bank_account, bank_account_hash", line.pk
    )

    assert account.startswith("v1:") and ACCOUNT not in account
    assert account_hash == Enterprise.objects.get(pk=line.enterprise_id).bank_account_hash
    assert BatchLine.objects.get(pk=line.pk).bank_account == ACCOUNT


@pytest.mark.django_db
def test_a_value_is_found_by_its_keyed_hash_and_the_empty_one_by_its_column():
    with_account = EnterpriseFactory(bank_account=ACCOUNT)
    without = EnterpriseFactory(bank_account="", bank_name="")

    assert list(Enterprise.objects.filter(bank_account=ACCOUNT)) == [with_account]
    assert list(Enterprise.objects.filter(bank_account="")) == [without]
    assert list(Enterprise.objects.filter(bank_account="6228480000000000006")) == []


@pytest.mark.django_db
def test_what_the_database_cannot_read_is_refused_not_answered_wrong():
    EnterpriseFactory(bank_account=ACCOUNT)

    with pytest.raises(FieldError):
        list(Enterprise.objects.filter(bank_account__contains="6228"))
    with pytest.raises(FieldError):
        list(Enterprise.objects.filter(contact_phone=PHONE))  # no keyed hash beside it


@pytest.mark.django_db
def test_a_save_of_the_account_alone_writes_its_hash():
    enterprise = EnterpriseFactory(bank_account=ACCOUNT)
    enterprise.bank_account = "6222000011112222"
    enterprise.save(update_fields=["bank_account"])

    assert list(Enterprise.objects.filter(bank_account="6222000011112222")) == [enterprise]
    assert not Enterprise.objects.filter(bank_account=ACCOUNT).exists()


@pytest.mark.django_db
def test_validation_reads_the_clear_value_with_the_same_messages():
    enterprise = EnterpriseFactory.build(bank_account="6228-4800", contact_phone="12345")

    with pytest.raises(ValidationError) as caught:
        enterprise.full_clean()

    assert caught.value.message_dict["bank_account"] == ["银行账号应为8至32位数字。"]
    assert caught.value.message_dict["contact_phone"] == [
        "请输入11位手机号或带区号的固定电话，例如 023-63890000。"
    ]


@pytest.mark.django_db
def test_the_migration_encrypts_the_rows_written_before_and_reverses(policy):
    migration = importlib.import_module("enterprises.migrations.0010_personal_data_encrypted_rows")
    enterprise = EnterpriseFactory(bank_account=ACCOUNT, contact_phone=PHONE)
    user = UserFactory(phone="13900139009")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE enterprises_enterprise SET bank_account = %s, bank_account_hash = '', "
            "contact_phone = %s WHERE id = %s",
            [ACCOUNT, PHONE, enterprise.pk],
        )
        cursor.execute("UPDATE enterprises_user SET phone = %s WHERE id = %s", ["139", user.pk])

    migration.encrypt_rows(None, connection.schema_editor())

    assert Enterprise.objects.get(bank_account=ACCOUNT).contact_phone == PHONE
    assert User.objects.get(pk=user.pk).phone == "139"
    assert raw("enterprises_enterprise", "bank_account", enterprise.pk)[0].startswith("v1:")
    migration.encrypt_rows(None, connection.schema_editor())  # again: nothing changes
    assert Enterprise.objects.get(bank_account=ACCOUNT).pk == enterprise.pk

    migration.decrypt_rows(None, connection.schema_editor())

    assert raw(
        "enterprises_enterprise", "bank_account, bank_account_hash, contact_phone", enterprise.pk
    ) == (ACCOUNT, "", PHONE)
    assert raw("enterprises_user", "phone", user.pk) == ("139",)
