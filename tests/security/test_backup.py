"""数据备份恢复: a backup taken by ``manage.py backup`` comes back whole through ``manage.py
restore`` into an empty installation — every row of every table and every document's bytes —
and a backup that was altered, or a target that is not empty, is refused."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from applications.models import ApplicationDocument, LibraryDocument
from tests.applications.factories import library_document
from tests.enterprises.factories import EnterpriseUserFactory
from tests.security.site import populate

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_dump and pg_restore need the database on a server; CI runs these there",
)

DOCUMENT_TABLES = (ApplicationDocument._meta.db_table, LibraryDocument._meta.db_table)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manage(*args, **environment) -> subprocess.CompletedProcess:
    """``manage.py`` in a process of its own, configured only by ``environment``."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *map(str, args)],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "policy_portal.settings.test", **environment},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _backup(directory: Path) -> Path:
    call_command("backup", output=str(directory))
    [backup] = directory.iterdir()
    return backup


# ── PostgreSQL: into a fresh database ─────────────────────────────────────────────────────────


def _server_parameters(name: str) -> dict:
    database = connection.settings_dict
    return {
        "dbname": name,
        "user": database["USER"],
        "password": database["PASSWORD"],
        "host": database["HOST"],
        "port": database["PORT"],
    }


def _database_url(name: str) -> str:
    database = connection.settings_dict
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    return (
        f"postgres://{quote(database['USER'], safe='')}{password}@{database['HOST']}:"
        f"{database['PORT']}/{name}"
    )


@pytest.fixture
def fresh_database():
    """An empty database on the test database's server, dropped after the test."""
    name = connection.settings_dict["NAME"].removeprefix("test_") + "_restore"
    with psycopg.connect(**_server_parameters("postgres"), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(**_server_parameters("postgres"), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _contents(cursor) -> dict[str, tuple]:
    """Every table's rows, as a digest of their text in order and their count; and every
    sequence's position, so that the restored site numbers its next rows as the original."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    tables = [row[0] for row in cursor.fetchall()]
    contents = {}
    for table in tables:
        cursor.execute(
            "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')), count(*) "
            f'FROM "{table}" t'
        )
        contents[table] = cursor.fetchone()
    cursor.execute(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()"
    )
    contents.update({f"sequence {name}": (value,) for name, value in cursor.fetchall()})
    return contents


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_row_and_document_into_a_fresh_database(
    committed_data, fresh_database, tmp_path
):
    populate()
    backup = _backup(tmp_path / "backups")
    restored_media = tmp_path / "restored-media"

    result = _manage(
        "restore",
        backup,
        "--yes",
        DATABASE_URL=_database_url(fresh_database),
        MEDIA_ROOT=restored_media,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "恢复完成" in result.stdout
    with (
        connection.cursor() as original,
        psycopg.connect(**_server_parameters(fresh_database)) as restored,
    ):
        expected = _contents(original)
        assert _contents(restored.cursor()) == expected
    assert expected[ApplicationDocument._meta.db_table][1] >= 5
    assert expected["disbursements_disbursementbatch"][1] == 1
    documents = [*ApplicationDocument.objects.all(), *LibraryDocument.objects.all()]
    for document in documents:
        assert _sha256(restored_media / document.file.name) == document.sha256
        assert _sha256(Path(settings.MEDIA_ROOT) / document.file.name) == document.sha256


# ── refusals ──────────────────────────────────────────────────────────────────────────────────
# A backup reads what is committed: the tests that take one commit their data.


@pytest.mark.parametrize("part", ["database", "media"])
@pytest.mark.django_db(transaction=True)
def test_an_altered_backup_is_refused_naming_the_file(part, committed_data, tmp_path):
    backup = _backup(tmp_path / "backups")
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    name = manifest["database"]["file"] if part == "database" else "media.tar"
    content = bytearray((backup / name).read_bytes())
    content[len(content) // 2] ^= 0xFF
    (backup / name).write_bytes(bytes(content))

    with pytest.raises(CommandError, match=f"备份文件 {name} 的校验值与清单不符"):
        call_command("restore", str(backup), yes=True)


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_restored_only_into_an_empty_installation(committed_data, tmp_path):
    backup = _backup(tmp_path / "backups")

    with pytest.raises(CommandError, match="只能恢复到空的安装"):
        call_command("restore", str(backup), yes=True)


def test_a_backup_inside_a_transaction_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="备份只能在事务之外进行"):
        call_command("backup", output=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_the_manifest_names_documents_missing_from_storage(committed_data, tmp_path):
    user = EnterpriseUserFactory()
    kept = library_document(user=user)
    lost = library_document(user=user, kind="年度财务报表", year=2025, name="报表.pdf")
    (Path(settings.MEDIA_ROOT) / lost.file.name).unlink()

    backup = _backup(tmp_path / "backups")

    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == 1
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"]["applications"].startswith("00")
    assert manifest["row_counts"][LibraryDocument._meta.db_table] == 2
    assert manifest["documents"]["missing"] == [
        {"table": LibraryDocument._meta.db_table, "id": lost.pk, "file": lost.file.name}
    ]
    assert manifest["media"] == {kept.file.name: kept.sha256}
    for name, digest in manifest["files"].items():
        assert _sha256(backup / name) == digest
    assert set(manifest["files"]) == {manifest["database"]["file"], "media.tar"}


# ── SQLite: the file copied back ──────────────────────────────────────────────────────────────

SQLITE_SITE = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from measures.services import policy_load
policy_load()
from tests.security.site import populate
populate()
call_command("backup", output={backups!r})
"""


def _sqlite_installation(directory: Path) -> dict:
    directory.mkdir()
    return {
        "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
        "MEDIA_ROOT": str(directory / "media"),
    }


def _sqlite_rows(path: str) -> dict[str, list]:
    with sqlite3.connect(path) as database:
        tables = [
            row[0]
            for row in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            table: sorted(database.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in tables
        }


def test_a_sqlite_site_round_trips(tmp_path):
    source = _sqlite_installation(tmp_path / "source")
    backups = tmp_path / "backups"
    built = _manage("shell", "-c", SQLITE_SITE.format(backups=str(backups)), **source)
    assert built.returncode == 0, built.stdout + built.stderr
    [backup] = backups.iterdir()
    target = _sqlite_installation(tmp_path / "target")
    stray = Path(target["MEDIA_ROOT"]) / "stray.pdf"
    stray.parent.mkdir()
    stray.write_bytes(b"%PDF-1.4")

    refused = _manage("restore", backup, "--yes", **target)
    assert refused.returncode != 0
    assert "只能恢复到空的安装" in refused.stderr
    stray.unlink()
    restored = _manage("restore", backup, "--yes", **target)

    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "恢复完成" in restored.stdout
    source_db = source["DATABASE_URL"].removeprefix("sqlite:///")
    target_db = target["DATABASE_URL"].removeprefix("sqlite:///")
    rows = _sqlite_rows(source_db)
    assert _sqlite_rows(target_db) == rows
    documents = [
        (file, sha256)
        for table in DOCUMENT_TABLES
        for file, sha256 in sqlite3.connect(target_db).execute(
            f'SELECT file, sha256 FROM "{table}"'
        )
    ]
    assert len(documents) >= 6
    for file, sha256 in documents:
        assert _sha256(Path(target["MEDIA_ROOT"]) / file) == sha256
        assert _sha256(Path(source["MEDIA_ROOT"]) / file) == sha256


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_with_the_documents_in_a_bucket_backup_and_restore_refuse_saying_what_protects_them(
    command, db, tmp_path
):
    from django.test import override_settings

    from policy_portal.storage_url import storage_from_url

    bucket = storage_from_url("s3://key:secret@127.0.0.1:9/documents?tls=false")
    arguments = {"output": str(tmp_path)} if command == "backup" else {"yes": True}
    positional = [str(tmp_path)] if command == "restore" else []

    with (
        override_settings(STORAGES={**settings.STORAGES, "default": bucket}),
        pytest.raises(CommandError, match="STORAGE_URL") as refused,
    ):
        call_command(command, *positional, **arguments)

    assert "版本控制" in str(refused.value) and "pg_dump" in str(refused.value)
    assert list(tmp_path.iterdir()) == []
