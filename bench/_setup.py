"""What every benchmark does first: its own PostgreSQL database, settings fit for timing, and
Django set up on them. Not a benchmark itself (bench/run.py skips names starting with "_")."""

import os
import sys
from pathlib import Path

import psycopg
from psycopg import sql as pgsql
from psycopg.conninfo import conninfo_to_dict

ROOT = Path(__file__).resolve().parent.parent


def prepare(database: str) -> bool:
    """Point Django at ``database`` (or BENCH_DATABASE_URL), creating it if the server lacks it,
    and set Django up. Returns whether another benchmark had already set Django up in this
    process, on its own database: the caller then runs in a process of its own."""
    elsewhere = "django.conf" in sys.modules and sys.modules["django.conf"].settings.configured
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policy_portal.settings.local")
    os.environ["DEBUG"] = "false"
    # Tasks queued on commit (seed_demo's notifications) stay in this process: they name rows
    # of the benchmark's database, which no worker reads.
    os.environ["CELERY_BROKER_URL"] = "memory://"
    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    return elsewhere


def _ensure_database(url: str) -> None:
    params = conninfo_to_dict(url)
    name = params.get("dbname")
    if not name or not url.startswith(("postgres://", "postgresql://")):
        return
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            server.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))


def credit_code(rng) -> str:
    """A valid 统一社会信用代码 of a Chongqing enterprise, drawn from ``rng``."""
    from enterprises.validators import CHARSET, credit_code_check_character

    body = "91500000" + "".join(rng.choice(CHARSET) for _ in range(9))
    return body + credit_code_check_character(body)
