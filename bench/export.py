"""How quick and how lean a disbursement batch of 100,000 lines is to build, export and pay.

Over ~400 lines for a reason: a benchmark is one experiment, read from top to bottom (its
data, its rounds, its ratios); what the benchmarks share is in bench/_setup.py.

Run by hand (`make bench`). It fills a database of its own (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/policy_portal_bench_export, created when missing) once with
20,000 enterprises and 100,000 approved applications, builds a frozen batch of them through the
finance services (kept for the next run), then times as whole steps, in interleaved rounds:

  (a) the project's CSV export, read to its end as the admin's download reads it;
  (b) the floor: PostgreSQL's COPY of the same query, read through psycopg (the account left
      encrypted, as stored: the export decrypts it in Python);
  (c) django-import-export's ModelResource export of the same lines to CSV;
  (d) the project's XLSX export.

Each step's peak memory is the highest resident set size sampled every 5 ms during the step,
less the resident size just before it (the table shows the highest of the step's runs). Last, it times the confirmation of the payment of the
whole batch in one transaction, and rolls it back so the batch stays frozen for the next run.
BENCH_REBUILD=1 builds the batch anew (timing batch_add_applications and batch_freeze);
BENCH_RUNS sets the rounds (3).
"""

import csv
import ctypes
import gc
import hashlib
import io
import os
import random
import statistics
import sys
import threading
import time
from contextlib import nullcontext
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import (  # noqa: E402
    add_enterprises,
    analyze,
    bulk_create_in_batches,
    funding_tracks,
    placement,
    prepare,
    rolled_back_transaction,
    run,
    seed,
    vacuum_analyze,
    windows_by_track,
)

ELSEWHERE = prepare("policy_portal_bench_export")

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from import_export import resources  # noqa: E402

from applications.models import Application, State, TransitionLog  # noqa: E402
from disbursements import services  # noqa: E402
from disbursements.exports import FIELDS, batch_export, csv_bytes, csv_rows_sql  # noqa: E402
from disbursements.models import (  # noqa: E402
    BatchExport,
    BatchLine,
    BatchLog,
    BatchState,
    DisbursementBatch,
    LineStatus,
)
from enterprises.models import User  # noqa: E402
from measures.models import ApplicationWindow  # noqa: E402
from policy_portal.crypto import decrypt  # noqa: E402
from publicity.models import Publicity, PublicityEntry, PublicityState  # noqa: E402
from publicity.selectors import next_publicity_number  # noqa: E402

APPLICATIONS = 100_000
ENTERPRISES = 20_000
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PREFIX = "重庆拨付基准企业"
# Marks the benchmark's own batches, so a later run finds the frozen one again.
NOTE = "拨付导出基准测试"
BANKS = [
    "中国工商银行重庆渝北支行",
    "中国建设银行重庆两江分行",
    "中国农业银行重庆江北支行",
    "中国银行重庆高新区支行",
    "重庆农村商业银行沙坪坝支行",
    "重庆银行九龙坡支行",
    "招商银行重庆分行营业部",
]
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def bank_account(rng) -> str:
    # 8 to 32 digits; about one account in ten starts with 0, which must survive the export.
    return "".join(rng.choice("0123456789") for _ in range(rng.randint(8, 32)))


def bench_applications():
    return Application.objects.filter(enterprise__name__startswith=PREFIX)


# ── the data ─────────────────────────────────────────────────────────────────────────────────


def fill() -> None:
    seed(quiet=False)
    if bench_applications().count() >= APPLICATIONS:
        publicise()
        return
    started = time.perf_counter()
    print(f"filling {ENTERPRISES:,} enterprises and {APPLICATIONS:,} applications (once)...")
    rng = random.Random(2026)
    enterprises = add_enterprises(
        rng,
        prefix=PREFIX,
        total=ENTERPRISES,
        extra=lambda rng: {"bank_name": rng.choice(BANKS), "bank_account": bank_account(rng)},
    )
    tracks = funding_tracks(at_least=APPLICATIONS // ENTERPRISES)
    windows = windows_by_track(tracks, ApplicationWindow.objects.all())
    tracks = [track for track in tracks if windows[track.pk]]
    bulk_create_in_batches(Application, _applications(rng, enterprises, tracks, windows))
    publicise()
    analyze()
    print(f"fill took {time.perf_counter() - started:.1f} s")


def _applications(rng, enterprises: list, tracks: list, windows: dict):
    """The benchmark's applications not there yet, approved a few weeks ago."""
    creator = User.objects.get(username="demo-enterprise")
    now = timezone.now()
    for index in range(bench_applications().count(), APPLICATIONS):
        where = placement(index, enterprises, tracks, windows)
        amount = Decimal(rng.randint(100_000, 20_000_000)) / 100
        submitted = now - timedelta(days=rng.randint(30, 90), minutes=rng.randint(0, 1440))
        municipal_at = submitted + timedelta(days=rng.randint(2, 10))
        approved_at = municipal_at + timedelta(days=rng.randint(2, 15))
        yield Application(
            # Sequence numbers above the demo's, which count from 1.
            reference=f"CQJX-2026-{where['track'].measure.number:02d}-{index + 100_001:06d}",
            **where,
            declared={},
            calculated_amount=amount,
            recommended_amount=amount,
            approved_amount=amount,
            state=State.APPROVED,
            created_by=creator,
            created_at=submitted - timedelta(days=1),
            state_changed_at=approved_at,
            submitted_at=submitted,
            district_due_at=submitted + timedelta(days=15),
            municipal_review_at=municipal_at,
            municipal_due_at=municipal_at + timedelta(days=20),
            approved_at=approved_at,
        )


def publicise() -> None:
    """Every benchmark application through a closed 公示 of its window and measure, written
    directly: finance batches only applications whose 公示 closed without an upheld objection."""
    pending = (
        bench_applications()
        .filter(state=State.APPROVED)
        .exclude(publicity_entries__objection_upheld=False)
    )
    administrator = User.objects.get(username="demo-admin")
    now = timezone.now()
    groups = set(pending.values_list("window_id", "track__measure_id"))
    for window_id, measure_id in sorted(groups):
        publicity = Publicity.objects.create(
            title="基准测试公示",
            window_id=window_id,
            measure_id=measure_id,
            number=next_publicity_number(window=window_id, measure=measure_id),
            state=PublicityState.CLOSED,
            created_by=administrator,
            published_at=now - timedelta(days=20),
            ends_at=now - timedelta(days=10),
            closed_at=now,
        )
        lines = pending.filter(window_id=window_id, track__measure_id=measure_id).values_list(
            "pk", "approved_amount"
        )
        bulk_create_in_batches(
            PublicityEntry,
            (
                PublicityEntry(
                    publicity=publicity,
                    application_id=pk,
                    enterprise_name="基准测试企业",
                    measure_label="",
                    track_name="",
                    approved_amount=amount,
                )
                for pk, amount in lines
            ),
        )


def timed(label: str, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    print(f"  {label:<28}{time.perf_counter() - start:>8.2f} s")
    return result


def void(batch: DisbursementBatch, *, preparer: User, confirmer: User) -> None:
    """A draft is voided by its preparer, a frozen batch by a second person."""
    by = preparer if batch.state == BatchState.DRAFT else confirmer
    services.batch_cancel(batch=batch, by=by, reason="基准测试重建批次")


def frozen_batch(preparer: User, confirmer: User) -> DisbursementBatch:
    """The frozen batch of every benchmark application: the one left by an earlier run, or a
    new one built as finance builds it (create, add the applications, freeze)."""
    batch = (
        DisbursementBatch.objects.filter(
            note=NOTE, state=BatchState.FROZEN, line_count=APPLICATIONS
        )
        .order_by("-pk")
        .first()
    )
    if batch is not None and os.environ.get("BENCH_REBUILD"):
        void(batch, preparer=preparer, confirmer=confirmer)
        batch = None
    if batch is not None:
        print(f"reusing frozen batch {batch.number} ({batch.line_count:,} lines)")
        return batch
    # A batch left unfinished holds some applications: void it, which frees them.
    for stale in DisbursementBatch.objects.filter(
        note=NOTE, state__in=[BatchState.DRAFT, BatchState.FROZEN]
    ):
        void(stale, preparer=preparer, confirmer=confirmer)
    print(f"building a batch of {APPLICATIONS:,} applications:")
    batch = timed("batch_create", services.batch_create, by=preparer, note=NOTE)
    outcomes = timed(
        "batch_add_applications",
        services.batch_add_applications,
        batch=batch,
        applications=bench_applications(),
        by=preparer,
    )
    refused = [outcome for outcome in outcomes if not outcome.added]
    if refused:
        sys.exit(
            f"{len(refused):,} applications refused, e.g. {refused[0].reference}: "
            f"{refused[0].problem}; drop the benchmark database to start afresh"
        )
    batch = timed("batch_freeze", services.batch_freeze, batch=batch, by=preparer)
    return batch


def vacuum() -> None:
    """Clear the dead row versions that building the batch (every line is written three times)
    and each rolled-back payment (every application and its log entry) leave behind, and renew
    the planner's statistics: each run then reads tables in the same state, whether or not
    the server's autovacuum has come by."""
    seconds = vacuum_analyze(BatchLine, Application, TransitionLog, BatchLog, BatchExport)
    print(f"vacuum took {seconds:.1f} s")


# ── peak memory ──────────────────────────────────────────────────────────────────────────────


def _trim_heap():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


TRIM_HEAP = _trim_heap()


class PeakRSS:
    """The highest resident set size during the block, sampled from /proc/self/statm every
    5 ms by a thread of its own, less the resident size just before the block."""

    def __init__(self, interval: float = 0.005):
        self.interval = interval
        self.fd = os.open("/proc/self/statm", os.O_RDONLY)

    def rss(self) -> int:
        return int(os.pread(self.fd, 128, 0).split()[1]) * PAGE_SIZE

    def _sample(self) -> None:
        while not self.done.wait(self.interval):
            self.peak = max(self.peak, self.rss())

    def __enter__(self):
        # Memory freed by an earlier step goes back to the system first, so that the next step
        # cannot reuse it unseen.
        gc.collect()
        if TRIM_HEAP is not None:
            TRIM_HEAP(0)
        self.before = self.peak = self.rss()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()
        self.peak = max(self.peak, self.rss())

    @property
    def mb(self) -> float:
        return (self.peak - self.before) / 2**20


# ── the four exports ─────────────────────────────────────────────────────────────────────────


class BatchLineResource(resources.ModelResource):
    """The same ten columns as the bank's list; the line's id stands for its position."""

    class Meta:
        model = BatchLine
        fields = ("id", *FIELDS)
        export_order = fields


def project_export(batch: DisbursementBatch, user: User, export_format: str) -> int:
    size = 0
    for block in batch_export(batch=batch, export_format=export_format, by=user):
        size += len(block)
    return size


def copy_statement(batch: DisbursementBatch):
    query, params = csv_rows_sql(batch).query.sql_with_params()
    return f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", params


def copy_export(batch: DisbursementBatch, blocks: list | None = None) -> int:
    statement, params = copy_statement(batch)
    connection.ensure_connection()
    size = 0
    with connection.connection.cursor() as cursor, cursor.copy(statement, params) as copy:
        for block in copy:
            size += len(block)
            if blocks is not None:
                blocks.append(bytes(block))
    return size


def importexport_export(batch: DisbursementBatch) -> int:
    lines = BatchLine.objects.filter(batch=batch, status=LineStatus.IN_BATCH).order_by("reference")
    return len(BatchLineResource().export(queryset=lines).csv.encode())


def _rows_digest(rows) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        digest.update("\x1f".join(row).encode() + b"\x1e")
        count += 1
    return count, digest.hexdigest()


def check_copy_matches_export(batch: DisbursementBatch, user: User) -> None:
    """Once, untimed: COPY with the query's parameters gives the same rows as the CSV export
    (which also warms PostgreSQL's cache for every step)."""
    blocks = []
    copy_export(batch, blocks)
    copied = list(csv.reader(io.StringIO(b"".join(blocks).decode())))[1:]
    # COPY hands the account on encrypted, as stored: the export decrypts it as it streams.
    copied = [[*row[:-1], decrypt(row[-1], purpose="bank_account")] for row in copied]
    exported = b"".join(batch_export(batch=batch, export_format="csv", by=user))
    # The export adds the byte-order mark and a total row after the lines.
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))[1:-1]
    if len(copied) != batch.line_count or _rows_digest(copied) != _rows_digest(rows):
        sys.exit(
            f"COPY and the CSV export differ: {len(copied):,} and {len(rows):,} rows, "
            f"first {copied[:1]} and {rows[:1]}"
        )


# ── the run ──────────────────────────────────────────────────────────────────────────────────


def mark_paid(batch: DisbursementBatch, confirmer: User, *, count_queries: bool):
    """Confirm the payment of the whole batch in one transaction, then roll it back. The time
    covers the whole service, every line's application moved to disbursed and logged; the
    rollback keeps the batch frozen and its applications approved for the next run (and the
    notifications queued on commit are never sent)."""
    elapsed = queries = outcome = None
    capture = CaptureQueriesContext(connection) if count_queries else nullcontext()
    with rolled_back_transaction():
        with capture as captured:
            start = time.perf_counter()
            outcome = services.batch_mark_paid(
                batch=batch,
                by=confirmer,
                payment_date=timezone.localdate(),
                bank_reference=f"BENCH-{timezone.now():%Y%m%d%H%M%S}",
            )
            elapsed = time.perf_counter() - start
        if count_queries:
            queries = len(captured.captured_queries)
    assert outcome is not None and outcome.paid == batch.line_count, outcome
    return elapsed, queries


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("the benchmark runs on PostgreSQL: set BENCH_DATABASE_URL")
    fill()
    preparer = User.objects.get(username="demo-finance")
    confirmer = User.objects.get(username="demo-finance-2")
    batch = frozen_batch(preparer, confirmer)
    vacuum()
    check_copy_matches_export(batch, preparer)

    steps = {
        "(a) CSV export": lambda: project_export(batch, preparer, "csv"),
        "(a2) CSV via csv module": lambda: sum(len(b) for b in csv_bytes(batch, use_copy=False)),
        "(b) COPY floor": lambda: copy_export(batch),
        "(c) import-export CSV": lambda: importexport_export(batch),
        "(d) XLSX export": lambda: project_export(batch, preparer, "xlsx"),
    }
    seconds = {name: [] for name in steps}
    peaks = {name: [] for name in steps}
    sizes = {}
    sampler = PeakRSS()
    for _round in range(RUNS):
        for name, step in steps.items():
            with sampler:
                start = time.perf_counter()
                sizes[name] = step()
                seconds[name].append(time.perf_counter() - start)
            peaks[name].append(sampler.mb)

    median = {name: statistics.median(times) for name, times in seconds.items()}
    peak = {name: max(values) for name, values in peaks.items()}
    print(f"\n{batch.line_count:,} lines; {RUNS} interleaved runs of each step")
    print(f"{'step':<24}{'median s':>10}  {'runs s':<26}{'peak MB':>9}{'size MB':>9}")
    for name in steps:
        runs = " ".join(f"{value:.2f}" for value in seconds[name])
        print(
            f"{name:<24}{median[name]:>10.2f}  {runs:<26}{peak[name]:>9.1f}"
            f"{sizes[name] / 2**20:>9.1f}"
        )

    paid_s, _queries = mark_paid(batch, confirmer, count_queries=False)
    counted_s, queries = mark_paid(batch, confirmer, count_queries=True)
    print(
        f"\nmark paid ({batch.line_count:,} lines, one transaction, rolled back): "
        f"{paid_s:.2f} s; {queries} queries (a second run, counting them: {counted_s:.2f} s)"
    )

    csv_s = median["(a) CSV export"]
    csv_over_copy = csv_s / median["(b) COPY floor"]
    importexport_over_csv = median["(c) import-export CSV"] / csv_s
    print(
        "(a) is the project's export as the admin and the command give it (rows formatted by "
        "COPY); (a2) the same rows through a server-side cursor and the csv module, used where "
        f"there is no PostgreSQL: {median['(a2) CSV via csv module'] / median['(b) COPY floor']:.2f}"
        " x COPY"
    )
    print("\ntargets: csv_over_copy <= 1.5, importexport_over_csv >= 10, peaks < 100 MB")
    print(
        f"export: csv_over_copy={csv_over_copy:.2f} "
        f"importexport_over_csv={importexport_over_csv:.1f} "
        f"csv_peak_mb={peak['(a) CSV export']:.1f} "
        f"xlsx_peak_mb={peak['(d) XLSX export']:.1f} "
        f"mark_paid_s={paid_s:.2f}"
    )


if __name__ == "__main__":
    run(main, ELSEWHERE, __file__)
