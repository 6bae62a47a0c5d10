"""Rewriting the encrypted columns of a table in place, in batches of rows by primary key:
encrypting rows written in clear (the migrations that introduced encryption), decrypting them
back (their reverse), and re-encrypting under the current key and hash key
(``manage.py rotate_field_keys``).

Raw SQL on the table's columns, so that a migration can call it whatever its historical models
say. Each pass looks at every row and changes only those not yet as wanted: running it again
changes nothing, and a pass broken off is finished by the next one.

Below every app: imports Django and ``policy_portal.crypto`` only.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction

from . import crypto


@dataclass(frozen=True)
class EncryptedColumn:
    column: str
    purpose: str
    hash_column: str = ""


@dataclass(frozen=True)
class EncryptedTable:
    table: str
    columns: tuple[EncryptedColumn, ...]
    pk: str = "id"


def tables_of(models) -> list[EncryptedTable]:
    """The encrypted columns of ``models`` (those of the apps registry, or a migration's)."""
    from .encrypted import EncryptedCharField, KeyedHashField

    tables = []
    for model in models:
        fields = model._meta.concrete_fields
        hashes = {f.of: f.column for f in fields if isinstance(f, KeyedHashField)}
        columns = tuple(
            EncryptedColumn(f.column, f.purpose, hashes.get(f.name, ""))
            for f in fields
            if isinstance(f, EncryptedCharField)
        )
        if columns and not model._meta.proxy and model._meta.managed:
            tables.append(EncryptedTable(model._meta.db_table, columns, model._meta.pk.column))
    return tables


def _is_token(stored: str) -> bool:
    return stored.startswith(f"{crypto.VERSION}:")


def _encrypted(column: EncryptedColumn, row: dict, *, rotate: bool) -> dict:
    """The changes that make ``row``'s column encrypted (under the current key when
    ``rotate``) with its keyed hash current."""
    stored = row[column.column]
    if stored is None:
        return {}
    token = _is_token(stored)
    clear = crypto.decrypt(stored, purpose=column.purpose) if token else stored
    changes = {}
    if clear and (not token or (rotate and not crypto.is_current(stored))):
        changes[column.column] = crypto.encrypt(clear, purpose=column.purpose)
    if column.hash_column:
        wanted = crypto.keyed_hash(clear, purpose=column.purpose)
        if row[column.hash_column] != wanted:
            changes[column.hash_column] = wanted
    return changes


def encrypt_row(column: EncryptedColumn, row: dict) -> dict:
    return _encrypted(column, row, rotate=False)


def rotate_row(column: EncryptedColumn, row: dict) -> dict:
    return _encrypted(column, row, rotate=True)


def decrypt_row(column: EncryptedColumn, row: dict) -> dict:
    stored = row[column.column]
    changes = {}
    if stored and _is_token(stored):
        changes[column.column] = crypto.decrypt(stored, purpose=column.purpose)
    if column.hash_column and row[column.hash_column]:
        changes[column.hash_column] = ""
    return changes


def rewrite(
    connection,
    table: EncryptedTable,
    change: Callable[[EncryptedColumn, dict], dict],
    *,
    batch_size: int = 1000,
) -> Iterator[tuple[int, int]]:
    """Pass every row of ``table`` through ``change``, a batch at a time, each batch in its own
    transaction (inside the caller's, if any); yields (rows read, rows changed) per batch."""
    quote = connection.ops.quote_name
    pk = quote(table.pk)
    names = [table.pk]
    for column in table.columns:
        names += [column.column] + ([column.hash_column] if column.hash_column else [])
    # Names from the models' own metadata, quoted; the values are parameters.
    select = f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(table.table)}"  # noqa: S608
    order = f"ORDER BY {pk} LIMIT {int(batch_size)}"
    last = None
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if last is None:
                cursor.execute(f"{select} {order}")
            else:
                cursor.execute(f"{select} WHERE {pk} > %s {order}", [last])
            rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
            changed = 0
            for row in rows:
                changes = {}
                for column in table.columns:
                    changes.update(change(column, row))
                if changes:
                    assignments = ", ".join(f"{quote(name)} = %s" for name in changes)
                    cursor.execute(
                        f"UPDATE {quote(table.table)} SET {assignments} WHERE {pk} = %s",  # noqa: S608
                        [*changes.values(), row[table.pk]],
                    )
                    changed += 1
        if not rows:
            return
        last = rows[-1][table.pk]
        yield len(rows), changed
        if len(rows) < batch_size:
            return


def migration_functions(tables: list[EncryptedTable]):
    """The two functions of a migration's RunPython that encrypts ``tables``' rows written in
    clear, and decrypts them again when the migration is reversed."""

    def run(schema_editor, change) -> None:
        for table in tables:
            for _batch in rewrite(schema_editor.connection, table, change):
                pass

    def encrypt_rows(apps, schema_editor):
        run(schema_editor, encrypt_row)

    def decrypt_rows(apps, schema_editor):
        run(schema_editor, decrypt_row)

    return encrypt_rows, decrypt_rows
