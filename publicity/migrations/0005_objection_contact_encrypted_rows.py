"""An objection's contact encrypted at rest: the rows written before are encrypted here, in
batches; the reverse decrypts them before the column becomes plain text again."""

from django.db import migrations

from policy_portal.encrypted_rows import EncryptedColumn, EncryptedTable, migration_functions

TABLES = [EncryptedTable("publicity_objection", (EncryptedColumn("contact", "contact"),))]


encrypt_rows, decrypt_rows = migration_functions(TABLES)


class Migration(migrations.Migration):
    dependencies = [("publicity", "0004_objection_contact_encrypted")]

    operations = [migrations.RunPython(encrypt_rows, decrypt_rows)]
