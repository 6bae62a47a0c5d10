"""`manage.py rotate_field_keys`: every encrypted value under the current key, every keyed hash
under the current hash key; in batches, resumable, and changing nothing when run again."""

import base64
import io

import pytest
from django.core.management import call_command
from django.db import connection

from enterprises.models import Enterprise, User
from policy_portal import crypto, encrypted_rows
from tests.disbursements.factories import approved_applications, finance, frozen_batch
from tests.enterprises.factories import UserFactory

OLD = "old:" + base64.b64encode(bytes(range(32))).decode()
NEW = "new:" + base64.b64encode(bytes(range(1, 33))).decode()
NEW_HASH = "h2:" + base64.b64encode(bytes(range(2, 34))).decode()
COLUMNS = [
    ("enterprises_enterprise", "bank_account"),
    ("enterprises_enterprise", "contact_phone"),
    ("enterprises_user", "phone"),
    ("disbursements_batchline", "bank_account"),
]


def stored(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> '' ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def rotate(**options) -> str:
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def written_under_the_old_key(policy, settings):
    settings.FIELD_ENCRYPTION_KEYS = OLD
    applications = approved_applications(3, bank_account="6228480000000000005")
    frozen_batch(applications, by=finance())
    UserFactory(phone="13900139009")
    settings.FIELD_ENCRYPTION_KEYS = f"{NEW},{OLD}"
    settings.FIELD_HASH_KEY = NEW_HASH


def test_every_value_is_rewritten_under_the_current_keys(written_under_the_old_key):
    assert all(
        value.split(":")[2] == "old" for table, column in COLUMNS for value in stored(table, column)
    )

    output = rotate(batch_size=2)

    for table, column in COLUMNS:
        values = stored(table, column)
        assert values and all(crypto.is_current(value) for value in values), (table, column)
    hashes = stored("enterprises_enterprise", "bank_account_hash")
    assert hashes and all(crypto.hash_is_current(value) for value in hashes)
    assert Enterprise.objects.filter(bank_account="6228480000000000005").count() == 3
    assert User.objects.filter(phone="13900139009").count() == 1
    assert "enterprises_enterprise" in output and "disbursements_batchline" in output


def test_running_it_again_changes_nothing(written_under_the_old_key):
    rotate()
    before = {key: stored(*key) for key in COLUMNS}

    output = rotate()

    assert {key: stored(*key) for key in COLUMNS} == before
    assert "0 rewritten" in output and all(
        line.endswith(" 0 rewritten") for line in output.splitlines()[1:]
    )


def test_a_run_broken_off_is_finished_by_the_next(written_under_the_old_key, monkeypatch):
    calls = []

    def failing(column, row):
        calls.append(row)
        if len(calls) > 2:
            raise RuntimeError("connection lost")
        return encrypted_rows.rotate_row(column, row)

    monkeypatch.setattr("enterprises.management.commands.rotate_field_keys.rotate_row", failing)
    with pytest.raises(RuntimeError):
        rotate(batch_size=1)
    done = stored("enterprises_enterprise", "bank_account")
    assert sum(crypto.is_current(value) for value in done) == 1  # the first batch committed
    monkeypatch.undo()

    rotate(batch_size=1)

    after = stored("enterprises_enterprise", "bank_account")
    assert all(crypto.is_current(value) for value in after)
    assert [v for v in done if crypto.is_current(v)][0] in after  # not rewritten twice


def test_a_value_under_a_key_no_longer_configured_stops_the_run_loudly(
    written_under_the_old_key, settings
):
    settings.FIELD_ENCRYPTION_KEYS = NEW

    with pytest.raises(crypto.FieldDecryptionError, match="old"):
        rotate()
