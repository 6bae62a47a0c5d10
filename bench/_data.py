"""The benchmark database the reviewers' pages are measured on: the notice, the demo accounts
and 100,000 applications of 5,000 enterprises, filled once and kept (bench/changelist.py,
bench/web.py). Import it after _setup.prepare(): it reads the models."""

import os
import random
from datetime import timedelta
from decimal import Decimal

from _setup import (
    add_enterprises,
    analyze,
    bulk_create_in_batches,
    funding_tracks,
    placement,
    seed,
)
from django.utils import timezone

from applications.models import Application, State
from applications.services import window_totals_recount
from enterprises.models import User
from measures.models import ApplicationWindow, Division

APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", "100000"))
ENTERPRISES = 5000
PREFIX = "重庆基准测试企业"
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
# The demo's officials, one per role that reads the applications' changelist.
OFFICIALS = {
    "district reviewer (渝北区)": "demo-district",
    "municipal reviewer": "demo-municipal",
    "finance": "demo-finance",
    "administrator": "demo-admin",
}


def fill() -> None:
    """Migrate, load the notice and the demo, then add the benchmark's enterprises and
    applications up to APPLICATIONS; a second run finds them and adds nothing."""
    rng = random.Random(2023)
    seed()
    # The municipal reviewer sees every division's applications: the largest scope of the role.
    User.objects.get(username=OFFICIALS["municipal reviewer"]).divisions.set(Division.objects.all())
    if Application.objects.count() >= APPLICATIONS:
        return
    # seed_demo above ran on an empty database, so the demo's own applications exist already.
    print(f"filling {APPLICATIONS:,} applications (once)...", flush=True)
    # Only the benchmark's own enterprises: the demo ones already have applications.
    enterprises = add_enterprises(
        rng, prefix=PREFIX, total=ENTERPRISES, batch_size=2000, order="pk"
    )
    tracks = funding_tracks()
    bulk_create_in_batches(Application, _applications(rng, enterprises, tracks))
    # Written past the services: the windows' budget totals are counted from the rows.
    window_totals_recount()
    analyze()


def _applications(rng, enterprises: list, tracks: list):
    """The benchmark's applications not there yet, in the states of STATES, each on its
    measure's first window."""
    creator = User.objects.get(username="demo-enterprise")
    now = timezone.now()
    first_windows = {}
    for track in tracks:
        if track.measure_id not in first_windows:
            first_windows[track.measure_id] = ApplicationWindow.objects.filter(
                measure=track.measure
            ).first()
    windows = {track.pk: [first_windows[track.measure_id]] for track in tracks}
    states, weights = zip(*STATES, strict=True)
    existing = Application.objects.filter(enterprise__name__startswith=PREFIX).count()
    for index in range(existing, APPLICATIONS):
        where = placement(index, enterprises, tracks, windows)
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
        yield Application(
            # Sequence numbers above the demo's, which count from 1; a draft has none yet.
            reference=None
            if state == State.DRAFT
            else f"CQJX-2026-{where['track'].measure.number:02d}-{index + 100_001:06d}",
            **where,
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
