"""How quick the dashboard (/admin/dashboard/) is with 100,000 applications, beside the changelist.

Run by hand (`make bench`). It fills the database bench/changelist.py uses (BENCH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/policy_portal_bench, filled once), gives its approved
and paid applications the moments of each stage and its paid ones ratings (once), then requests,
for the administrator and the district reviewer, the applications' changelist and the dashboard
in turns: the dashboard with its figures read afresh (DASHBOARD_CACHE_SECONDS=0) and kept in
the cache (Redis BENCH_REDIS_URL, default redis://127.0.0.1:6379/10). It prints the median of
each and its ratio to the changelist's, then

  dashboard: admin_uncached=<r> admin_cached=<r> district_uncached=<r> district_cached=<r>

each the dashboard's median over the changelist's for that role (the goal: ≤ 1.5).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
from _setup import median_ms, prepare, run  # noqa: E402

ELSEWHERE = prepare("policy_portal_bench")

from _data import fill  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from applications.models import Application, State  # noqa: E402
from dashboard.charts import CHARTS  # noqa: E402
from dashboard.permissions import dashboard_scope  # noqa: E402
from enterprises.models import User  # noqa: E402
from ratings.models import Rating, RatingStage  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
ROLES = {"administrator": "demo-admin", "district": "demo-district"}
GOAL = 1.5


def complete_the_moments() -> None:
    """The benchmark's applications carry submission and municipal review only: give the
    approved and paid ones the later moments, the submitted ones their time limit, and a
    fifth of the paid ones a rating, so that every chart has figures to compute (once)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE applications_application SET
              first_submitted_at = submitted_at,
              payment_due_at = submitted_at + interval '84 days'
            WHERE submitted_at IS NOT NULL AND first_submitted_at IS NULL;
            UPDATE applications_application SET
              approved_at = municipal_review_at + (id % 20 + 3) * interval '1 day'
            WHERE state IN ('approved', 'disbursed') AND approved_at IS NULL
              AND municipal_review_at IS NOT NULL;
            UPDATE applications_application SET
              disbursed_at = approved_at + (id % 90 + 5) * interval '1 day'
            WHERE state = 'disbursed' AND disbursed_at IS NULL AND approved_at IS NOT NULL;
            """
        )
    if not Rating.objects.exists():
        paid = Application.objects.filter(state=State.DISBURSED).values_list("pk", "created_by")
        Rating.objects.bulk_create(
            [
                Rating(
                    application_id=pk,
                    score=pk % 5 + 1,
                    stage=RatingStage.DISBURSED,
                    rated_by_id=creator,
                )
                for pk, creator in paid
                if pk % 5 == 0
            ],
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        # As autovacuum leaves them: statistics, and the visibility map index-only scans read.
        cursor.execute("VACUUM ANALYZE applications_application")
        cursor.execute("VACUUM ANALYZE ratings_rating")


def chart_ms(user) -> dict[str, float]:
    """Each chart's query alone, median of RUNS, for the report."""
    scope = dashboard_scope(user)
    timings = {}
    for chart in CHARTS:
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            chart.query(scope)
            times.append((time.perf_counter() - start) * 1000)
        timings[chart.key] = statistics.median(times)
    return timings


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("the benchmark runs on PostgreSQL: set BENCH_DATABASE_URL")
    settings.ALLOWED_HOSTS = ["testserver"]
    fill()
    complete_the_moments()
    changelist, dashboard = "/admin/applications/application/", "/admin/dashboard/"
    print(f"{Application.objects.count():,} applications; median of {RUNS} requests each\n")
    print(f"{'role':<16}{'page':<22}{'ms':>8}{'ratio':>8}")
    ratios = {}
    for role, username in ROLES.items():
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        client.get(changelist)  # warm up
        settings.DASHBOARD_CACHE_SECONDS = 0
        client.get(dashboard)
        baseline = median_ms(client, changelist, runs=RUNS)
        uncached = median_ms(client, dashboard, runs=RUNS)
        settings.DASHBOARD_CACHE_SECONDS = 60
        cache.delete_many(
            [f"dashboard:{chart.key}:{dashboard_scope(user).key}" for chart in CHARTS]
        )
        client.get(dashboard)
        cached = median_ms(client, dashboard, runs=RUNS)
        ratios[f"{role}_uncached"] = uncached / baseline
        ratios[f"{role}_cached"] = cached / baseline
        print(f"{role:<16}{'changelist':<22}{baseline:>8.1f}")
        print(f"{role:<16}{'dashboard (afresh)':<22}{uncached:>8.1f}{uncached / baseline:>8.2f}")
        print(f"{role:<16}{'dashboard (kept)':<22}{cached:>8.1f}{cached / baseline:>8.2f}")
        charts = chart_ms(user)
        print("  queries (ms): " + ", ".join(f"{key} {ms:.1f}" for key, ms in charts.items()))
    names = {"administrator": "admin", "district": "district"}
    line = " ".join(
        f"{names[role]}_{kind}={ratios[f'{role}_{kind}']:.2f}"
        for role in ROLES
        for kind in ("uncached", "cached")
    )
    print(f"\ndashboard: {line}")
    print(
        f"goal ≤ {GOAL} (kept figures): "
        + ("met" if max(ratios[f"{role}_cached"] for role in ROLES) <= GOAL else "not met")
    )


if __name__ == "__main__":
    run(main, ELSEWHERE, __file__)
