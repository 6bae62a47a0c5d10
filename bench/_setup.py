"""What every benchmark does first: its own PostgreSQL database, settings fit for timing, and
Django set up on them; and what the benchmarks share besides: filling their data and timing.
Not a benchmark itself (bench/run.py skips names starting with "_").

Each benchmark is one module on purpose, however long (some are over 400 lines): a benchmark is one
experiment read from top to bottom (its data, its rounds, its ratios); what they share is here.
"""

import io
import math
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

import psycopg
from psycopg import sql as pgsql
from psycopg.conninfo import conninfo_to_dict

ROOT = Path(__file__).resolve().parent.parent
# Rows a benchmark inserts at a time.
BATCH_SIZE = 5000


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


def run(main, elsewhere: bool, script: str) -> None:
    """Run ``main``; or, when another benchmark had set Django up in this process
    (``prepare`` said so), ``script`` anew in a process of its own, with the same arguments."""
    if elsewhere:
        subprocess.run([sys.executable, script, *sys.argv[1:]], check=True)
    else:
        main()


# ── the data (call these after prepare(): they read the models) ───────────────────────────────


def seed(*, quiet: bool = True) -> None:
    """Migrate, load the notice and the demo accounts; each finds what is there already."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_policy", verbosity=0)
    if quiet:
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    else:
        call_command("seed_demo", verbosity=0)


def credit_code(rng) -> str:
    """A valid 统一社会信用代码 of a Chongqing enterprise, drawn from ``rng``."""
    from enterprises.validators import CHARSET, credit_code_check_character

    body = "91500000" + "".join(rng.choice(CHARSET) for _ in range(9))
    return body + credit_code_check_character(body)


def unique_credit_code(rng, codes: set) -> str:
    """A credit code from ``rng`` none of ``codes`` has, added to them."""
    code = credit_code(rng)
    while code in codes:
        code = credit_code(rng)
    codes.add(code)
    return code


def add_enterprises(
    rng, *, prefix: str, total: int, batch_size: int = BATCH_SIZE, order: str = "name", extra=None
) -> list[tuple[int, str]]:
    """The benchmark's ``total`` enterprises, named ``prefix`` and a number, the ones not there
    yet added in one bulk insert, each in a district drawn from ``rng`` (and with the fields
    ``extra(rng)`` gives, drawn after it). Returns all of them, (pk, district), by ``order``."""
    from enterprises.districts import District
    from enterprises.models import Enterprise

    districts = [d.value for d in District]
    existing = Enterprise.objects.filter(name__startswith=prefix).count()
    codes = set(Enterprise.objects.values_list("credit_code", flat=True))
    new = []
    for index in range(existing, total):
        new.append(
            Enterprise(
                name=f"{prefix}{index:05d}有限公司",
                credit_code=unique_credit_code(rng, codes),
                district=rng.choice(districts),
                industry="equipment",
                scale="medium",
                contact_name="测试",
                contact_phone="13800138000",
                **(extra(rng) if extra else {}),
            )
        )
    Enterprise.objects.bulk_create(new, batch_size=batch_size)
    return list(
        Enterprise.objects.filter(name__startswith=prefix)
        .order_by(order)
        .values_list("pk", "district")
    )


def funding_tracks(at_least: int = 0) -> list:
    """The active tracks of the funding measures, in their order, their measures read along;
    exits when there are fewer than ``at_least``."""
    from measures.models import Track

    tracks = list(
        Track.objects.filter(is_active=True, measure__kind="funding")
        .select_related("measure")
        .order_by("measure__number", "order", "pk")
    )
    if len(tracks) < at_least:
        sys.exit(f"need {at_least} funding tracks, found {len(tracks)}")
    return tracks


def windows_by_track(tracks: list, windows) -> dict[int, list]:
    """{track pk: the windows of ``windows`` (a queryset) the track's applications may go to,
    by pk}: those of the track's measure that are for every track, or for this one."""
    return {
        track.pk: [
            window
            for window in windows.filter(measure=track.measure).order_by("pk")
            if window.track_id in (None, track.pk)
        ]
        for track in tracks
    }


def placement(index: int, enterprises: list, tracks: list, windows: dict) -> dict:
    """Where the benchmark's application number ``index`` goes, as Application fields: its
    enterprise (of ``enterprises``, (pk, district) pairs) and district, its track and its window
    (of the track's ``windows``). Each enterprise applies on distinct tracks, so at most one live
    application per (enterprise, track, window)."""
    enterprise_index = index % len(enterprises)
    enterprise_id, district = enterprises[enterprise_index]
    track = tracks[(index // len(enterprises) + enterprise_index) % len(tracks)]
    track_windows = windows[track.pk]
    return {
        "enterprise_id": enterprise_id,
        "district": district,
        "track": track,
        "window": track_windows[enterprise_index % len(track_windows)],
    }


def bulk_create_in_batches(model, objects, batch_size: int = BATCH_SIZE) -> None:
    """Insert ``objects``, an iterable made as it is read, ``batch_size`` rows at a time, so that
    a benchmark's hundred thousand rows are never all in memory at once."""
    objects = iter(objects)
    while batch := list(islice(objects, batch_size)):
        model.objects.bulk_create(batch)


def analyze() -> None:
    """Renew the planner's statistics of every table, once the data is filled."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# ── the timing ───────────────────────────────────────────────────────────────────────────────


def vacuum_analyze(*models) -> float:
    """VACUUM (ANALYZE) the tables of ``models``: clears the dead row versions a step leaves and
    renews the planner's statistics, so each step reads them in the same state whether or not
    autovacuum has come by. Returns its seconds."""
    from django.db import connection

    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")
    return time.perf_counter() - start


class _RolledBack(Exception):
    pass


@contextmanager
def rolled_back_transaction():
    """A transaction rolled back at the end of the block: the rows are as before for the next
    round, and what the block queued for the commit is never sent."""
    from django.db import transaction

    try:
        with transaction.atomic():
            yield
            raise _RolledBack
    except _RolledBack:
        pass


def median_ms(client, url: str, params: dict | None = None, *, runs: int) -> float:
    """The median milliseconds of ``runs`` GET requests of ``url`` by the test ``client``, each
    answered 200."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, params or {})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def percentile(values, share: float) -> float:
    """The value ``share`` of ``values`` are at or below (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]
