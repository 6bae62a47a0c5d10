"""The database's side of a backup: a copy taken as of one moment, and that copy put into an
empty database. PostgreSQL: ``pg_dump --format=custom`` in a snapshot the backup exports, so
that the manifest's counts and the documents it archives are read from the very same moment,
and ``pg_restore``. SQLite: the sqlite3 online backup API, both ways. The PostgreSQL tools are
given the connection of ``DATABASES['default']`` through libpq's environment variables, the
password in ``PGPASSWORD``, never on their command line."""

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import environ
import psycopg
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from .errors import BackupError

# The database's file in a backup, by vendor.
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}

# libpq's environment variable for each connection option Django may be given in OPTIONS.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def database_file() -> str:
    """The name of the configured database's file in a backup."""
    try:
        return DATABASE_FILES[connection.vendor]
    except KeyError:
        raise BackupError(
            _("不支持备份此类数据库：%(vendor)s（支持 PostgreSQL 和 SQLite）。")
            % {"vendor": connection.vendor}
        ) from None


@contextmanager
def database_snapshot(target: Path) -> Iterator:
    """Write the configured database to ``target`` as of one moment, and yield a cursor that
    reads that same moment. Only what is committed is backed up: inside a transaction of the
    caller's, its own writes would be left out (and SQLite's backup would wait for it forever),
    so a backup is refused there."""
    database_file()
    if connection.in_atomic_block:
        raise BackupError(_("备份只能在事务之外进行：事务中未提交的数据不会进入备份。"))
    if connection.vendor == "postgresql":
        with _postgresql_snapshot(target) as cursor:
            yield cursor
    else:
        with _sqlite_snapshot(target) as cursor:
            yield cursor


def database_restore(source: Path) -> None:
    """Put the backup's database file ``source`` into the configured (empty) database."""
    connection.close()
    if connection.vendor == "postgresql":
        _run(
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(source),
        )
    else:
        with (
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as copy,
            closing(sqlite3.connect(connection.settings_dict["NAME"])) as database,
        ):
            copy.backup(database)


@contextmanager
def _postgresql_snapshot(target: Path) -> Iterator:
    # A session of its own, so that the backup reads what is committed whatever the caller's
    # connection is doing; pg_dump joins its snapshot, which stays while the session's
    # transaction is open.
    with psycopg.connect(**connection.get_connection_params()) as session:
        session.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        session.read_only = True
        with session.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            [snapshot] = cursor.fetchone()
            _run("pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}")
            yield cursor
        session.rollback()


@contextmanager
def _sqlite_snapshot(target: Path) -> Iterator:
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        # One step: the whole database is read in one read transaction.
        connection.connection.backup(copy)
        # A copy that reads without leaving a write-ahead log beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        yield copy.cursor()


def _environment() -> dict[str, str]:
    database = dict(connection.settings_dict)
    if settings.DATABASE_DIRECT_URL:
        # Not through a pooler (settings.DATABASE_DIRECT_URL): the tools set session state.
        direct = environ.Env.db_url_config(settings.DATABASE_DIRECT_URL)
        database.update({key: direct[key] for key in ("HOST", "PORT", "USER", "PASSWORD")})
    environment = dict(os.environ)
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if database.get(key):
            environment[variable] = str(database[key])
    for option, variable in _LIBPQ_OPTIONS.items():
        if database.get("OPTIONS", {}).get(option):
            environment[variable] = str(database["OPTIONS"][option])
    return environment


def _run(tool: str, *arguments: str) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            _("找不到 %(tool)s：请安装与数据库服务器同一主版本的 PostgreSQL 客户端工具。")
            % {"tool": tool}
        )
    result = subprocess.run(  # noqa: S603 (a fixed tool; its arguments are ours)
        [executable, "--no-password", *arguments],
        env=_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s 失败（退出码 %(code)s）：%(error)s")
            % {"tool": tool, "code": result.returncode, "error": result.stderr.strip()}
        )
