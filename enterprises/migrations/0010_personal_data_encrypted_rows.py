"""Personal data encrypted at rest: enterprises' contact phones and accounts, users' phones.
The rows written before are encrypted here, in batches; the reverse decrypts them before the
columns become plain text again."""

from django.db import migrations

from policy_portal.encrypted_rows import EncryptedColumn, EncryptedTable, migration_functions

TABLES = [
    EncryptedTable(
        "enterprises_enterprise",
        (
            EncryptedColumn("contact_phone", "phone"),
            EncryptedColumn("bank_account", "bank_account", "bank_account_hash"),
        ),
    ),
    EncryptedTable("enterprises_user", (EncryptedColumn("phone", "phone", "phone_hash"),)),
]


encrypt_rows, decrypt_rows = migration_functions(TABLES)


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0009_personal_data_encrypted")]

    operations = [migrations.RunPython(encrypt_rows, decrypt_rows)]
