"""The site behind PgBouncer in transaction pooling (DATABASE_POOLING=transaction): the
settings that keep nothing on a server connection between transactions, the exports that
still stream by COPY, and (when `.ci/run` asks for it) proof that the PostgreSQL tests really
go through the pooler."""

import json
import os

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.test_settings import FIELD_KEYS, _run

SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "d = s.DATABASES['default']; print(json.dumps({'cursors': "
    "d.get('DISABLE_SERVER_SIDE_CURSORS', False), 'options': d.get('OPTIONS', {}), "
    "'age': d['CONN_MAX_AGE']}))"
)


def _settings_with(**variables) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_POOLING", "CONN_MAX_AGE"}
    }
    environment.update(
        {
            **FIELD_KEYS,
            "DJANGO_SETTINGS_MODULE": "policy_portal.settings.production",
            "SECRET_KEY": "k" * 50,
            "EMAIL_URL": "smtp://localhost:25",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:6432/policy_portal",
            **variables,
        }
    )
    return json.loads(_run("-c", SETTINGS, env=environment, check=True).stdout)


def test_behind_a_transaction_pooler_no_statement_is_prepared_and_no_cursor_kept_on_the_server():
    pooled = _settings_with(DATABASE_POOLING="transaction", CONN_MAX_AGE="120")

    assert pooled["cursors"] is True
    assert (
        "prepare_threshold" in pooled["options"] and pooled["options"]["prepare_threshold"] is None
    )
    assert pooled["age"] == 120


def test_without_a_pooler_the_database_settings_are_as_before():
    direct = _settings_with()

    assert direct["cursors"] is False
    assert "prepare_threshold" not in direct["options"]


def test_an_unknown_pooling_mode_is_refused():
    environment = {**os.environ, "DATABASE_POOLING": "session", **FIELD_KEYS}
    result = _run("-c", "import django; django.setup()", env=environment)

    assert result.returncode != 0
    assert "DATABASE_POOLING" in result.stderr


@pytest.mark.skipif(
    os.environ.get("EXPECT_PGBOUNCER") != "1",
    reason="`.ci/run` sets EXPECT_PGBOUNCER=1 when it runs the tests through PgBouncer",
)
def test_the_postgresql_tests_go_through_pgbouncer_in_transaction_pooling(db):
    """Fails if `.ci/run`'s wiring breaks and the tests reach PostgreSQL directly."""
    database = connection.settings_dict
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT inet_server_port()")
        [server_port] = cursor.fetchone()
    assert int(database["PORT"]) != server_port, "the tests connect to PostgreSQL itself"

    console = psycopg.connect(
        host=database["HOST"],
        port=database["PORT"],
        user=database["USER"],
        dbname="pgbouncer",
        autocommit=True,
    )
    with console:
        pools = console.execute("SHOW POOLS").fetchall()
        columns = [column.name for column in console.cursor().execute("SHOW POOLS").description]
    modes = {row[columns.index("database")]: row[columns.index("pool_mode")] for row in pools}
    assert modes.get(database["NAME"]) == "transaction", modes
    assert settings.DATABASE_POOLING == "transaction"
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert database["OPTIONS"]["prepare_threshold"] is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_the_csv_export_streams_by_copy_within_one_transaction(committed_data, monkeypatch):
    """Behind PgBouncer (as `.ci/run` runs this) as directly: the COPY's rows reach the
    download block by block while its transaction holds one server connection, and the file
    is the one the csv module writes."""
    from disbursements import exports
    from disbursements.models import BatchExport
    from tests.disbursements.factories import approved_applications, frozen_batch
    from tests.enterprises.factories import UserFactory

    finance = UserFactory(is_staff=True, roles=["finance"])
    batch = frozen_batch(approved_applications(6), by=finance)
    monkeypatch.setattr(exports, "BLOCK_SIZE", 100)

    stream = exports.batch_export(batch=batch, export_format="csv", by=finance)
    blocks = [next(stream), next(stream)]

    assert connection.in_atomic_block
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"],
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname=database["NAME"],
        autocommit=True,
    ) as other:
        copying = other.execute(
            "SELECT state FROM pg_stat_activity WHERE datname = current_database() "
            "AND query LIKE 'COPY (%%' AND xact_start IS NOT NULL AND pid <> pg_backend_pid()"
        ).fetchall()
    assert copying and copying[0][0] in {"active", "idle in transaction"}, copying

    blocks.extend(stream)
    assert not connection.in_atomic_block
    # The header, the COPY's rows in more than one block, the total.
    assert len(blocks) >= 4
    assert b"".join(blocks) == b"".join(exports.csv_bytes(batch, use_copy=False))
    assert BatchExport.objects.get().completed_at is not None
