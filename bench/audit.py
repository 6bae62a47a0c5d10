"""What the audit trail's triggers cost a set-based write, and what sealing costs.

Run by hand (`make bench`). On a database of its own (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/policy_portal_bench_audit, created when missing) with
10,000 approved applications in one frozen batch, it times, each in a transaction rolled back
afterwards so that every round starts from the same rows, with the tracked tables' triggers on
and off (ALTER TABLE … DISABLE TRIGGER USER, inside the transaction):

  (a) one UPDATE of the 10,000 applications (what the expiry sweep and payout issue);
  (b) batch_mark_paid of the whole batch (finance's 确认拨付);
  (c) sealing the records (a) wrote into the chain.

Medians of BENCH_RUNS rounds (3).
"""

import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import prepare, run  # noqa: E402

elsewhere = prepare("policy_portal_bench_audit")

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

ROWS = 10_000
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
TRACKED_TABLES = (
    "applications_application",
    "disbursements_batchline",
    "disbursements_disbursementbatch",
)


class Rollback(Exception):
    pass


def _build():
    from applications.models import Application, State
    from disbursements import services
    from disbursements.models import DisbursementBatch
    from enterprises.models import Enterprise, User
    from measures.models import ApplicationWindow, Track
    from measures.services import policy_load
    from tests.enterprises.factories import make_credit_code
    from tests.publicity.factories import closed_publicity

    call_command("migrate", verbosity=0)
    batch = DisbursementBatch.objects.filter(state="frozen", line_count=ROWS).first()
    if batch:
        return batch
    policy_load()
    track = Track.objects.select_related("measure").get(code="supply-chain")
    now = timezone.now()
    window = ApplicationWindow.objects.create(
        measure=track.measure,
        year=2026,
        name="基准",
        opens_at=now - timezone.timedelta(days=9),
        closes_at=now + timezone.timedelta(days=9),
        total_budget=Decimal("90000000000"),
    )
    preparer = User.objects.create(username="bench-preparer", is_staff=True)
    preparer.groups.add(*Group.objects.filter(name="finance"))
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(
            name=f"基准企业{n}",
            credit_code=make_credit_code(n),
            district="500112",
            industry="equipment",
            scale="medium",
            contact_name="张三",
            contact_phone="13800138000",
            bank_name="银行",
            bank_account=f"62220200{n:08d}",
        )
        for n in range(ROWS)
    )
    applications = Application.objects.bulk_create(
        Application(
            reference=f"CQJX-2026-02-{n:06d}",
            enterprise=e,
            district=e.district,
            track=track,
            window=window,
            calculated_amount=Decimal("1000"),
            recommended_amount=Decimal("1000"),
            approved_amount=Decimal("1000"),
            state=State.APPROVED,
            created_by=preparer,
            submitted_at=now,
            municipal_review_at=now,
            approved_at=now,
        )
        for n, e in enumerate(enterprises)
    )
    closed_publicity(applications, by=preparer)
    batch = services.batch_create(by=preparer)
    services.batch_add_applications(
        batch=batch, applications=Application.objects.filter(window=window), by=preparer
    )
    return services.batch_freeze(batch=batch, by=preparer)


def _timed(step, *, triggers: bool) -> float:
    started = 0.0
    try:
        with transaction.atomic():
            if not triggers:
                with connection.cursor() as cursor:
                    for table in TRACKED_TABLES:
                        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            started = time.perf_counter()
            step()
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        return elapsed


def main():
    from applications.models import Application, State
    from disbursements import services
    from enterprises.models import User
    from security.audit.chain import seal

    batch = _build()
    confirmer, _created = User.objects.get_or_create(username="bench-confirmer", is_staff=True)
    confirmer.groups.add(*Group.objects.filter(name="finance"))
    seal()
    applications = Application.objects.filter(disbursement_lines__batch=batch)

    def update():
        assert applications.update(state=State.DISBURSED, disbursed_on=timezone.localdate()) == ROWS

    def mark_paid():
        services.batch_mark_paid(
            batch=batch, by=confirmer, payment_date=timezone.localdate(), bank_reference="BENCH"
        )

    def update_and_seal():
        update()
        started = time.perf_counter()
        sealed = seal()
        assert sealed >= ROWS, sealed
        timings["seal"].append(time.perf_counter() - started)

    timings = {"seal": []}
    rows = []
    for name, step in (
        ("UPDATE of 10,000 applications", update),
        ("mark paid, 10,000 lines", mark_paid),
    ):
        on, off = [], []
        for _ in range(RUNS):  # interleaved, so that a busy machine weighs on both alike
            on.append(_timed(step, triggers=True))
            off.append(_timed(step, triggers=False))
        rows.append((name, statistics.median(off), statistics.median(on)))
    for _ in range(RUNS):
        _timed(update_and_seal, triggers=True)
    print(f"{'step':34} {'no triggers':>12} {'triggers':>12} {'ratio':>7}")
    for name, off, on in rows:
        print(f"{name:34} {off:11.3f}s {on:11.3f}s {on / off:6.2f}×")
    print(f"{'sealing the 10,000 records':34} {'':>12} {statistics.median(timings['seal']):11.3f}s")


run(main, elsewhere, __file__)
