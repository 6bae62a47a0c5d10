"""Personal data encrypted at rest: the batch lines' snapshot of the payees' accounts.
The rows written before are encrypted here, in batches; the reverse decrypts them before the
columns become plain text again."""

from django.db import migrations

from policy_portal.encrypted_rows import (
    EncryptedColumn,
    EncryptedTable,
    decrypt_row,
    encrypt_row,
    rewrite,
)

TABLES = [
    EncryptedTable(
        "disbursements_batchline",
        (EncryptedColumn("bank_account", "bank_account", "bank_account_hash"),),
    ),
]


def encrypt_rows(apps, schema_editor):
    for table in TABLES:
        for _batch in rewrite(schema_editor.connection, table, encrypt_row):
            pass


def decrypt_rows(apps, schema_editor):
    for table in TABLES:
        for _batch in rewrite(schema_editor.connection, table, decrypt_row):
            pass


class Migration(migrations.Migration):
    dependencies = [("disbursements", "0005_personal_data_encrypted")]

    operations = [migrations.RunPython(encrypt_rows, decrypt_rows)]
