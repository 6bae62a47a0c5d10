"""What a database holds, read through any DB-API cursor (the backup's PostgreSQL snapshot, a
SQLite copy, Django's own connection after a restore): each table's row count, the latest
migration of each app, and every row that names a stored file, with the SHA-256 the row keeps.

Files are found from the models, not from a list: every ``FileField`` of an installed model is a
stored document, and a model's ``sha256`` field is the checksum of its file."""

from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models


@dataclass(frozen=True)
class StoredFile:
    table: str
    id: int | str
    file: str
    sha256: str | None


@dataclass(frozen=True)
class Contents:
    row_counts: dict[str, int]
    migrations: dict[str, str]
    documents: list[StoredFile]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _file_columns():
    """(table, primary key, file column, sha256 column or None) of every stored file."""
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        sha256 = next((f.column for f in meta.concrete_fields if f.name == "sha256"), None)
        for field in meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield meta.db_table, meta.pk.column, field.column, sha256


def _documents(cursor, tables: set[str]) -> list[StoredFile]:
    documents = []
    for table, pk, column, sha256 in _file_columns():
        if table not in tables:
            continue
        # Names from the models, quoted; no value of a user's.
        cursor.execute(
            f"SELECT {_quoted(pk)}, {_quoted(column)}, "  # noqa: S608
            f"{_quoted(sha256) if sha256 else 'NULL'} FROM {_quoted(table)} "
            f"WHERE {_quoted(column)} <> '' ORDER BY {_quoted(pk)}"
        )
        documents += [StoredFile(table, *row) for row in cursor.fetchall()]
    return documents


def _latest_migrations(cursor, tables: set[str]) -> dict[str, str]:
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations")
    latest: dict[str, str] = {}
    for app, name in cursor.fetchall():
        # Migrations are numbered (0007_…): the greatest name is the latest.
        latest[app] = max(name, latest.get(app, name))
    return dict(sorted(latest.items()))


def contents_read(cursor) -> Contents:
    """What the database behind ``cursor`` holds; ``cursor`` is of the configured vendor."""
    tables = connection.introspection.table_names(cursor)
    row_counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quoted(table)}")  # noqa: S608 (the database's own names)
        row_counts[table] = cursor.fetchone()[0]
    return Contents(
        row_counts=row_counts,
        migrations=_latest_migrations(cursor, set(tables)),
        documents=_documents(cursor, set(tables)),
    )
