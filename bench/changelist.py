"""How quick the reviewers' changelist stays with 100,000 applications in PostgreSQL.

Run by hand (`make bench`). It fills a database of its own (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/policy_portal_bench) once, then requests each role's changelist
and a trivial admin page (the admin index) in turns, and prints the median of each and the ratio.
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/policy_portal_bench"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policy_portal.settings.local")
os.environ["DEBUG"] = "false"
# Tasks queued on commit (seed_demo's notifications) stay in this process: they name rows of
# the benchmark's database, which no worker reads.
os.environ["CELERY_BROKER_URL"] = "memory://"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.models import Application, State  # noqa: E402
from applications.services import window_totals_recount  # noqa: E402
from enterprises.districts import District  # noqa: E402
from enterprises.models import Enterprise, User  # noqa: E402
from enterprises.validators import CHARSET, credit_code_check_character  # noqa: E402
from measures.models import ApplicationWindow, Division, Track  # noqa: E402

APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", "100000"))
ENTERPRISES = 5000
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
STATES = [
    (State.DRAFT, 10),
    (State.DISTRICT_REVIEW, 25),
    (State.MUNICIPAL_REVIEW, 15),
    (State.APPROVED, 15),
    (State.DISBURSED, 15),
    (State.RETURNED, 5),
    (State.REJECTED, 10),
    (State.WITHDRAWN, 5),
]


def credit_code(rng) -> str:
    body = "91500000" + "".join(rng.choice(CHARSET) for _ in range(9))
    return body + credit_code_check_character(body)


def fill() -> None:
    rng = random.Random(2023)
    call_command("migrate", verbosity=0)
    call_command("load_policy", verbosity=0)
    call_command("seed_demo", verbosity=0)
    if Application.objects.count() >= APPLICATIONS:
        return
    # seed_demo above ran on an empty database, so the demo's own applications exist already.
    print(f"filling {APPLICATIONS:,} applications (once)...", flush=True)
    districts = [d.value for d in District]
    codes = set(Enterprise.objects.values_list("credit_code", flat=True))
    new = []
    while len(new) < ENTERPRISES:
        code = credit_code(rng)
        if code in codes:
            continue
        codes.add(code)
        new.append(
            Enterprise(
                name=f"重庆基准测试企业{len(new):05d}有限公司",
                credit_code=code,
                district=rng.choice(districts),
                industry="equipment",
                scale="medium",
                contact_name="测试",
                contact_phone="13800138000",
            )
        )
    Enterprise.objects.bulk_create(new, batch_size=2000)
    # Only the benchmark's own enterprises: the demo ones already have applications.
    enterprises = list(
        Enterprise.objects.filter(name__startswith="重庆基准测试企业").values_list("pk", "district")
    )
    tracks = list(
        Track.objects.filter(is_active=True, measure__kind="funding").select_related("measure")
    )
    creator = User.objects.get(username="demo-enterprise")
    now = timezone.now()
    windows = {}
    for track in tracks:
        if track.measure_id not in windows:
            windows[track.measure_id] = ApplicationWindow.objects.filter(
                measure=track.measure
            ).first()
    states, weights = zip(*STATES, strict=True)
    existing = Application.objects.filter(enterprise__name__startswith="重庆基准测试企业").count()
    batch = []
    for index in range(existing, APPLICATIONS):
        # Each enterprise applies to distinct tracks: one live application per track and window.
        enterprise_index = index % len(enterprises)
        enterprise_id, district = enterprises[enterprise_index]
        track = tracks[(index // len(enterprises) + enterprise_index) % len(tracks)]
        state = rng.choices(states, weights)[0]
        submitted = (
            None
            if state == State.DRAFT
            else now - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1440))
        )
        in_review = state in (State.DISTRICT_REVIEW, State.MUNICIPAL_REVIEW)
        municipal_at = (
            submitted + timedelta(days=5)
            if state not in (State.DRAFT, State.DISTRICT_REVIEW, State.RETURNED) and submitted
            else None
        )
        amount = Decimal(rng.randint(10, 200) * 10_000)
        batch.append(
            Application(
                # Sequence numbers above the demo's, which count from 1.
                reference=f"CQJX-2026-{track.measure.number:02d}-{index + 100_001:06d}",
                enterprise_id=enterprise_id,
                district=district,
                track=track,
                window=windows[track.measure_id],
                declared={},
                calculated_amount=amount,
                recommended_amount=amount if municipal_at else None,
                approved_amount=amount if state in (State.APPROVED, State.DISBURSED) else None,
                state=state,
                created_by=creator,
                submitted_at=submitted,
                municipal_review_at=municipal_at,
                due_at=(submitted + timedelta(days=15)) if in_review else None,
            )
        )
        if len(batch) == 5000:
            Application.objects.bulk_create(batch)
            batch = []
    Application.objects.bulk_create(batch)
    # Written past the services: the windows' budget totals are counted from the rows.
    window_totals_recount()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def median_ms(client: Client, url: str, params: dict | None = None) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, params or {})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("the benchmark runs on PostgreSQL: set BENCH_DATABASE_URL")
    settings.ALLOWED_HOSTS = ["testserver"]
    fill()
    users = {
        "district reviewer (渝北区)": User.objects.get(username="demo-district"),
        "municipal reviewer": User.objects.get(username="demo-municipal"),
        "finance": User.objects.get(username="demo-finance"),
        "administrator": User.objects.get(username="demo-admin"),
    }
    municipal = users["municipal reviewer"]
    municipal.divisions.set(Division.objects.all())
    changelist = "/admin/applications/application/"
    cases = [
        ("default queue", {}),
        ("all in scope", {"queue": "all"}),
        ("overdue", {"queue": "all", "due": "overdue"}),
        ("by due date", {"queue": "all", "o": "10"}),
        ("search name", {"queue": "all", "q": "基准测试企业01234"}),
        ("search reference", {"queue": "all", "q": "CQJX-2026-02-000123"}),
    ]
    print(f"{Application.objects.count():,} applications; median of {RUNS} requests each\n")
    print(f"{'role':<28}{'changelist':<20}{'ms':>8}{'index ms':>10}{'ratio':>8}")
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        client.get("/admin/")  # warm up
        for name, params in cases:
            client.get(changelist, params)
            changelist_ms = median_ms(client, changelist, params)
            index_ms = median_ms(client, "/admin/")
            print(
                f"{role:<28}{name:<20}{changelist_ms:>8.1f}{index_ms:>10.1f}{changelist_ms / index_ms:>8.1f}"
            )


if __name__ == "__main__":
    main()
