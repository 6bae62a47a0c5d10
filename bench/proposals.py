"""How quick 免申即享 is: 20,000 enterprises' proposals prepared from the departments' data.

Run by hand (`make bench`). It fills a database of its own (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/policy_portal_bench_proposals, created when missing) once
with 20,000 enterprises, one enterprise account each, and what a department holds of each for
this year: the three figures of 第11条 (保险金额, 实际投保年度保费, 首台（套）或首批次), 60,000
department figures of one import batch, every one qualifying for a positive amount. A window
of measure 11 of its own is open. Then it times, in interleaved rounds, each in a transaction
rolled back so that the next round finds the same rows:

  (a) the preparation, proposals_prepare: the enterprises with department data of the
      window's year, matched in chunks against the departments' data, the drafts with their
      figures, sources and amounts written in bulk, one invitation per enterprise user;
  (b) its floor: one SQL INSERT … SELECT of the same drafts (the same columns: the figures and
      their sources as JSON, the amount computed in SQL as the notice states it), joined from
      the enterprises, their first account and the department figures, leaving out an
      enterprise that has an application for the track in the window, as the preparation does.

The demo enterprise, which the demo's 经信委认定 list qualifies for measure 11, gets its draft in
the benchmark's window too: 20,001 drafts. It checks that both wrote the same drafts with the same amounts, and prints the ratio (a)/(b)
against the target of 5. BENCH_RUNS sets the rounds (3).
"""

import io
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import (  # noqa: E402
    add_enterprises,
    bulk_create_in_batches,
    prepare,
    rolled_back_transaction,
    run,
    seed,
    vacuum_analyze,
)

ELSEWHERE = prepare("policy_portal_bench_proposals")

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.models import Application  # noqa: E402
from applications.proposals import proposals_prepare  # noqa: E402
from departments.models import (  # noqa: E402
    DataSource,
    DepartmentFigure,
    ImportBatch,
    SourceField,
)
from enterprises.models import Enterprise, User  # noqa: E402
from measures.models import ApplicationWindow, Measure, Track  # noqa: E402
from notifications.models import Notification  # noqa: E402
from policy_portal import roles  # noqa: E402

ENTERPRISES = 20_000
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PREFIX = "重庆免申基准企业"
SOURCE = "免申基准部门"
WINDOW = "免申即享基准批次"
TARGET = 5.0
FIELDS = ("insured_amount", "annual_premium", "first_units_or_batch")


def bench_drafts():
    return Application.objects.filter(window__name=WINDOW)


# ── the data ─────────────────────────────────────────────────────────────────────────────────


def _users(enterprises: list[tuple[int, str]]) -> None:
    have = set(
        User.objects.filter(enterprise__name__startswith=PREFIX).values_list(
            "enterprise_id", flat=True
        )
    )
    password = make_password(None)
    users = [
        User(username=f"bench-proposals-{pk}", enterprise_id=pk, password=password)
        for pk, _district in enterprises
        if pk not in have
    ]
    bulk_create_in_batches(User, users)
    group = Group.objects.get(name=roles.ENTERPRISE)
    created = User.objects.filter(username__in=[u.username for u in users]).values_list(
        "pk", flat=True
    )
    bulk_create_in_batches(
        User.groups.through, [User.groups.through(user_id=pk, group_id=group.pk) for pk in created]
    )


def _department_data(rng, year: int) -> None:
    source, created = DataSource.objects.get_or_create(
        name=SOURCE, defaults={"code": "bench-proposals", "first_year": 2000}
    )
    if created:
        for name in FIELDS:
            SourceField.objects.create(source=source, header=name, figure_name=name)
    if DepartmentFigure.objects.filter(source=source, year=year).exists():
        return
    batch = ImportBatch.objects.create(
        source=source, channel=ImportBatch.Channel.API, sha256="0" * 64, external_id="bench"
    )
    codes = Enterprise.objects.filter(name__startswith=PREFIX).values_list("credit_code", flat=True)
    figures = []
    for row, code in enumerate(codes, start=1):
        insured = Decimal(rng.randrange(1_000_000, 200_000_000))
        premium = (insured * Decimal(rng.randrange(5, 50)) / 1000).quantize(Decimal("0.01"))
        common = {"batch": batch, "source": source, "credit_code": code, "year": year, "row": row}
        figures += [
            DepartmentFigure(name="insured_amount", decimal_value=insured, **common),
            DepartmentFigure(name="annual_premium", decimal_value=premium, **common),
            DepartmentFigure(name="first_units_or_batch", boolean_value=True, **common),
        ]
    bulk_create_in_batches(DepartmentFigure, figures)
    ImportBatch.objects.filter(pk=batch.pk).update(rows=len(figures) // 3, new_count=len(figures))


def _retire_windows(now) -> None:
    """Close the windows of earlier runs (and rename them), so that seed_demo, which prepares
    measure 11's open windows, leaves them alone and each run starts with a window of its own."""
    ApplicationWindow.objects.filter(name=WINDOW).update(
        name=f"{WINDOW}（已结束）",
        opens_at=now - timedelta(days=2),
        closes_at=now - timedelta(days=1),
    )


def _window(now) -> ApplicationWindow:
    return ApplicationWindow.objects.create(
        measure=Measure.objects.get(number=11),
        year=timezone.localtime(now).year,
        name=WINDOW,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=60),
        total_budget=Decimal("100000000000"),
    )


def fill() -> float:
    from django.core.management import call_command

    start = time.perf_counter()
    call_command("migrate", verbosity=0, stdout=io.StringIO())  # a new database has no table yet
    _retire_windows(timezone.now())
    seed()
    rng = random.Random(11)
    enterprises = add_enterprises(rng, prefix=PREFIX, total=ENTERPRISES)
    _users(enterprises)
    now = timezone.now()
    _department_data(rng, timezone.localtime(now).year)
    _window(now)
    vacuum_analyze(Enterprise, User, DepartmentFigure, Application, Notification)
    return time.perf_counter() - start


# ── the two steps ─────────────────────────────────────────────────────────────────────────────

FLOOR = """
INSERT INTO applications_application (
    district, declared, declared_sources, calculated_amount, state, created_at, updated_at,
    state_changed_at, proposed_at, created_by_id, enterprise_id, track_id, window_id
)
SELECT e.district,
       jsonb_build_object(
           'insured_amount', insured.decimal_value::text,
           'annual_premium', premium.decimal_value::text,
           'first_units_or_batch', first_units.boolean_value),
       jsonb_build_object(
           'insured_amount', jsonb_build_object('source', 'department', 'source_name', s.name,
               'batch', insured.batch_id, 'date', b.created_at::date::text),
           'annual_premium', jsonb_build_object('source', 'department', 'source_name', s.name,
               'batch', premium.batch_id, 'date', b.created_at::date::text),
           'first_units_or_batch', jsonb_build_object('source', 'department',
               'source_name', s.name, 'batch', first_units.batch_id,
               'date', b.created_at::date::text)),
       LEAST(%(cap)s, TRUNC(LEAST(premium.decimal_value, insured.decimal_value * %(limit)s)
                            * %(rate)s, 2)),
       'draft', now(), now(), now(), now(), u.id, e.id, %(track)s, %(window)s
FROM enterprises_enterprise e
JOIN (SELECT DISTINCT ON (enterprise_id) id, enterprise_id FROM enterprises_user
      WHERE is_active AND enterprise_id IS NOT NULL ORDER BY enterprise_id, id) u
  ON u.enterprise_id = e.id
JOIN departments_departmentfigure insured
  ON insured.credit_code = e.credit_code AND insured.name = 'insured_amount'
 AND insured.year = %(year)s AND insured.current
JOIN departments_departmentfigure premium
  ON premium.credit_code = e.credit_code AND premium.name = 'annual_premium'
 AND premium.year = %(year)s AND premium.current
JOIN departments_departmentfigure first_units
  ON first_units.credit_code = e.credit_code AND first_units.name = 'first_units_or_batch'
 AND first_units.year = %(year)s AND first_units.current AND first_units.boolean_value
JOIN departments_datasource s ON s.id = insured.source_id
JOIN departments_importbatch b ON b.id = insured.batch_id
WHERE NOT EXISTS (SELECT 1 FROM applications_application a
                  WHERE a.enterprise_id = e.id AND a.track_id = %(track)s
                    AND a.window_id = %(window)s)
"""


def prepare_step(window) -> int:
    return proposals_prepare(window=window)


def floor_step(window, track) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            FLOOR,
            {
                "cap": track.cap,
                "limit": track.base_limit_rate,
                "rate": track.rate,
                "track": track.pk,
                "window": window.pk,
                "year": window.year,
            },
        )
        return cursor.rowcount


def rolled_back(step, *, check=None):
    """Seconds ``step`` takes in a transaction rolled back afterwards, and what it returned."""
    with rolled_back_transaction():
        start = time.perf_counter()
        result = step()
        seconds = time.perf_counter() - start
        if check is not None:
            check()
    return seconds, result


def _amounts(before: set[int]) -> dict[int, Decimal]:
    """The amounts of the drafts a step wrote, by enterprise (not those ``before`` it)."""
    return {
        enterprise: amount
        for pk, enterprise, amount in bench_drafts().values_list(
            "pk", "enterprise_id", "calculated_amount"
        )
        if pk not in before
    }


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("the benchmark runs on PostgreSQL: set BENCH_DATABASE_URL")
    fill_s = fill()
    window = ApplicationWindow.objects.get(name=WINDOW)
    track = Track.objects.get(measure__number=11, code="first-unit-insurance")
    print(
        f"{'filled' if fill_s else 'reusing the data filled earlier'}: "
        f"{Enterprise.objects.filter(name__startswith=PREFIX).count():,} enterprises, "
        f"{DepartmentFigure.objects.filter(source__name=SOURCE).count():,} department figures",
        flush=True,
    )

    # Once, untimed: both write the same drafts with the same amounts (and warm the caches).
    seen = {}
    before = set(bench_drafts().values_list("pk", flat=True))
    rolled_back(lambda: prepare_step(window), check=lambda: seen.update(prepared=_amounts(before)))
    rolled_back(
        lambda: floor_step(window, track), check=lambda: seen.update(floor=_amounts(before))
    )
    expected = len(seen["prepared"])
    # The benchmark's enterprises and the demo enterprise, which 经信委认定 qualifies too.
    if expected < ENTERPRISES or seen["prepared"] != seen["floor"]:
        sys.exit(
            f"the steps disagree: {len(seen['prepared']):,} prepared, "
            f"{len(seen['floor']):,} by the floor"
        )

    prepared, floor = [], []
    for _round in range(RUNS):
        seconds, count = rolled_back(lambda: prepare_step(window))
        assert count == expected, count
        prepared.append(seconds)
        seconds, count = rolled_back(lambda: floor_step(window, track))
        assert count == expected, count
        floor.append(seconds)
    a, b = statistics.median(prepared), statistics.median(floor)
    ratio = a / b
    print(
        f"proposals: prepare_s={a:.2f} insert_select_s={b:.2f} ratio={ratio:.1f} "
        f"target<={TARGET:g} {'met' if ratio <= TARGET else 'NOT met'} "
        f"(medians of {RUNS} rounds, {expected:,} drafts each)"
    )


if __name__ == "__main__":
    run(main, ELSEWHERE, __file__)
