"""Personal data encrypted at rest: the batch lines' snapshot of the payees' accounts.
The rows written before are encrypted here, in batches; the reverse decrypts them before the
columns become plain text again."""

from django.db import migrations

from policy_portal.encrypted_rows import EncryptedColumn, EncryptedTable, migration_functions

TABLES = [
    EncryptedTable(
        "disbursements_batchline",
        (EncryptedColumn("bank_account", "bank_account", "bank_account_hash"),),
    ),
]


encrypt_rows, decrypt_rows = migration_functions(TABLES)


class Migration(migrations.Migration):
    dependencies = [("disbursements", "0005_personal_data_encrypted")]

    operations = [migrations.RunPython(encrypt_rows, decrypt_rows)]
