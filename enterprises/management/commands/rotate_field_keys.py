"""Re-encrypt every encrypted value under the current key, and re-hash the keyed hashes under
the current hash key, after a key was added in front of FIELD_ENCRYPTION_KEYS or FIELD_HASH_KEY
was replaced (README, Personal data and encryption).

Every model with an encrypted field is covered, found through the apps registry (the enterprises'
accounts and phones, the users' phones, the batch lines' accounts). Batches of rows, each
committed on its own: a run broken off is finished by the next, and a run over rows already
current changes nothing."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection

from policy_portal import crypto
from policy_portal.encrypted_rows import rewrite, rotate_row, tables_of


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value under the first key of FIELD_ENCRYPTION_KEYS and "
        "re-hash under FIELD_HASH_KEY, in batches; resumable, and running it again changes "
        "nothing. Keep the old keys in FIELD_ENCRYPTION_KEYS until it has finished."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=500, help="rows per transaction (500)"
        )

    def handle(self, *args, batch_size: int, **options):
        key_id, _keys = crypto.encryption_keys()
        hash_key_id, _key = crypto.hash_key()
        self.stdout.write(
            f"current key {key_id} ({crypto.current_algorithm()}-gcm), "
            f"hash key {hash_key_id} (hmac-{crypto.hash_algorithm()})"
        )
        for table in tables_of(apps.get_models()):
            read = changed = 0
            for batch_read, batch_changed in rewrite(
                connection, table, rotate_row, batch_size=batch_size
            ):
                read += batch_read
                changed += batch_changed
            self.stdout.write(f"{table.table}: {read} rows read, {changed} rewritten")
