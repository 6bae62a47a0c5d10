"""How quick the deadline sweeps are: 100,000 drafts to expire, 100,000 applications in review.

Over ~400 lines for a reason: a benchmark is one experiment, read from top to bottom (its
data, its rounds, its ratios); what the benchmarks share is in bench/_setup.py.

Run by hand (`make bench`). It fills a database of its own (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/policy_portal_bench_deadlines, created when missing) once with
20,000 enterprises, one closed window per funding measure holding 100,000 drafts (five tracks
per enterprise), 100,000 applications in district or municipal review in the open windows, due
from about ten days ago to four weeks ahead, and reviewers: three per district, four municipal
reviewers of every division and one more administrator besides the demo accounts. Then it
times as whole steps, in interleaved rounds, each sweep rolled back so the next round finds the
same rows:

  (a) the expiry sweep, applications_expire_closed_drafts, over the 100,000 drafts;
  (b) its floor: one SQL UPDATE of the same rows to expired;
  (c) the review-deadline sweep, remind_review_deadlines: reminders and escalations;
  (d) its floor: one SQL SELECT of the due applications joined to the people the sweep
      notifies, one row per notification, all rows fetched: the sweep's output is a
      notification per application and person, so the floor yields the same rows (checked);
      building their texts and inserting them is the sweep's own work above it;
  (d0) for reference, the SELECT of the due applications alone.

Each step runs in a transaction rolled back afterwards, after a VACUUM (ANALYZE) of the tables
the sweeps churn (untimed). Its time includes the foreign-key checks its commit would run
(they are deferred, and a rollback skips them). The sweeps run at the moment the data was
filled (the closed windows close a day before it), so every run sees the same share of due
and overdue applications whatever the day. BENCH_RUNS sets the rounds (3).
"""

import os
import random
import statistics
import sys
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

ELSEWHERE = prepare("policy_portal_bench_deadlines")

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.models import Application, OutboxEvent, State, TransitionLog  # noqa: E402
from applications.services import applications_expire_closed_drafts  # noqa: E402
from enterprises.districts import District  # noqa: E402
from enterprises.models import User  # noqa: E402
from measures.models import ApplicationWindow, Division, Measure, Track  # noqa: E402
from measures.workdays import due_after_workdays  # noqa: E402
from notifications.deadlines import REVIEW_REMINDER_DAYS, remind_review_deadlines  # noqa: E402
from notifications.models import Notification  # noqa: E402
from policy_portal import roles  # noqa: E402

DRAFTS = 100_000
IN_REVIEW = 100_000
ENTERPRISES = 20_000
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PREFIX = "重庆期限基准企业"
# Names the benchmark's closed windows, so a later run finds them again.
CLOSED_WINDOW = "期限基准测试已截止批次"
DISTRICT_REVIEWERS = 3
MUNICIPAL_REVIEWERS = 4
REVIEW_STATES = (State.DISTRICT_REVIEW, State.MUNICIPAL_REVIEW)
EXPIRE_TARGET = 3.0


def bench_applications():
    return Application.objects.filter(enterprise__name__startswith=PREFIX)


def closed_windows():
    return ApplicationWindow.objects.filter(name=CLOSED_WINDOW)


# ── the data ─────────────────────────────────────────────────────────────────────────────────


def _closed_windows(now) -> dict[int, ApplicationWindow]:
    """One window per funding measure, opened 60 days and closed one day before ``now``."""
    have = {window.measure_id for window in closed_windows()}
    opens = now - timedelta(days=60)
    ApplicationWindow.objects.bulk_create(
        [
            ApplicationWindow(
                measure=measure,
                year=timezone.localtime(opens).year,
                name=CLOSED_WINDOW,
                opens_at=opens,
                closes_at=now - timedelta(days=1),
                total_budget=Decimal("50000000"),
            )
            for measure in Measure.objects.filter(kind=Measure.Kind.FUNDING).exclude(pk__in=have)
        ]
    )
    return {window.measure_id: window for window in closed_windows()}


def _reviewers() -> None:
    """Three district reviewers per district, four municipal reviewers of every division and an
    administrator, besides the demo accounts."""
    if User.objects.filter(username__startswith="bench-").exists():
        return
    password = make_password(None)
    by_role = {}
    for district in District:
        for number in range(1, DISTRICT_REVIEWERS + 1):
            by_role.setdefault(roles.DISTRICT_REVIEWER, []).append(
                User(
                    username=f"bench-district-{district.value}-{number}",
                    district=district.value,
                    is_staff=True,
                    email=f"district-{district.value}-{number}@example.com",
                    password=password,
                )
            )
    for number in range(1, MUNICIPAL_REVIEWERS + 1):
        by_role.setdefault(roles.MUNICIPAL_REVIEWER, []).append(
            User(
                username=f"bench-municipal-{number}",
                is_staff=True,
                email=f"municipal-{number}@example.com",
                password=password,
            )
        )
    by_role[roles.ADMINISTRATOR] = [
        User(
            username="bench-admin-1",
            is_staff=True,
            email="admin-1@example.com",
            password=password,
        )
    ]
    memberships, divisions = [], []
    all_divisions = list(Division.objects.values_list("pk", flat=True))
    for role, users in by_role.items():
        group = Group.objects.get(name=role)
        for user in User.objects.bulk_create(users):
            memberships.append(User.groups.through(user_id=user.pk, group_id=group.pk))
            if role == roles.MUNICIPAL_REVIEWER:
                divisions.extend(
                    User.divisions.through(user_id=user.pk, division_id=division)
                    for division in all_divisions
                )
    User.groups.through.objects.bulk_create(memberships)
    User.divisions.through.objects.bulk_create(divisions)


def _review_dates(rng, now) -> dict:
    """The dates of an application in district review (60 %) or municipal review (40 %), its
    stage's due date counted in working days as the transitions count it."""
    if rng.random() < 0.6:
        submitted = now - timedelta(days=rng.randint(0, 30), minutes=rng.randint(0, 1440))
        return _in_review(State.DISTRICT_REVIEW, submitted=submitted, since=submitted)
    municipal_at = now - timedelta(days=rng.randint(0, 38), minutes=rng.randint(0, 1440))
    submitted = municipal_at - timedelta(days=rng.randint(3, 20), minutes=rng.randint(0, 1440))
    municipal_due = due_after_workdays(municipal_at, 20)
    return _in_review(State.MUNICIPAL_REVIEW, submitted=submitted, since=municipal_at) | {
        "municipal_review_at": municipal_at,
        "municipal_due_at": municipal_due,
        "due_at": municipal_due,
    }


def _in_review(state: str, *, submitted, since) -> dict:
    """The dates of an application in review in ``state`` since ``since``, submitted at
    ``submitted``: due at the end of the district stage unless a later stage says otherwise."""
    district_due = due_after_workdays(submitted, 15)
    return {
        "state": state,
        "submitted_at": submitted,
        "state_changed_at": since,
        "district_due_at": district_due,
        "due_at": district_due,
    }


def _applications(rng, *, enterprises, tracks, windows, now, first: int, total: int, kind):
    """Applications number ``first`` to ``first + total``, the ones not there yet: each
    enterprise on five distinct tracks of the same set of windows."""
    creator = User.objects.get(username="demo-enterprise")
    year = timezone.localtime(now).year
    done = (
        bench_applications().filter(state=State.DRAFT, window__name=CLOSED_WINDOW).count()
        if kind == "draft"
        else bench_applications().filter(state__in=REVIEW_STATES).count()
    )
    for index in range(done, total):
        where = placement(index, enterprises, tracks, windows)
        if kind == "draft":
            created = now - timedelta(days=rng.randint(2, 59), minutes=rng.randint(0, 1440))
            fields = {"state": State.DRAFT, "state_changed_at": created}
        else:
            fields = _review_dates(rng, now)
            created = fields["submitted_at"] - timedelta(days=rng.randint(1, 10))
            amount = Decimal(rng.randint(100_000, 20_000_000)) / 100
            fields |= {"calculated_amount": amount}
            if fields["state"] == State.MUNICIPAL_REVIEW:
                fields |= {"recommended_amount": amount}
        yield Application(
            # Sequence numbers above the demo's, which count from 1; a draft has none yet.
            reference=None
            if kind == "draft"
            else f"CQJX-{year}-{where['track'].measure.number:02d}-{first + index:06d}",
            **where,
            declared={},
            created_by=creator,
            created_at=created,
            **fields,
        )


def fill() -> float | None:
    """Fill the database once; returns how long it took, or None when it was filled already."""
    seed(quiet=False)
    if bench_applications().count() >= DRAFTS + IN_REVIEW:
        return None
    started = time.perf_counter()
    print(
        f"filling {ENTERPRISES:,} enterprises, {DRAFTS:,} drafts in closed windows and "
        f"{IN_REVIEW:,} applications in review (once)...",
        flush=True,
    )
    rng = random.Random(2027)
    existing = closed_windows().order_by("pk").first()
    now = existing.closes_at + timedelta(days=1) if existing else timezone.now()
    enterprises = add_enterprises(rng, prefix=PREFIX, total=ENTERPRISES)
    closed = _closed_windows(now)
    _reviewers()
    tracks = funding_tracks(at_least=DRAFTS // ENTERPRISES)
    draft_windows = {track.pk: [closed[track.measure_id]] for track in tracks}
    # The open windows a track's applications in review went to.
    open_windows = windows_by_track(tracks, ApplicationWindow.objects.open_at(now))
    review_tracks = [track for track in tracks if open_windows[track.pk]]
    drafts = _applications(
        rng,
        enterprises=enterprises,
        tracks=tracks,
        windows=draft_windows,
        now=now,
        first=100_001,
        total=DRAFTS,
        kind="draft",
    )
    bulk_create_in_batches(Application, drafts)
    in_review = _applications(
        rng,
        enterprises=enterprises,
        tracks=review_tracks,
        windows=open_windows,
        now=now,
        first=100_001 + DRAFTS,
        total=IN_REVIEW,
        kind="review",
    )
    bulk_create_in_batches(Application, in_review)
    analyze()
    elapsed = time.perf_counter() - started
    print(f"fill took {elapsed:.1f} s", flush=True)
    return elapsed


def vacuum() -> float:
    """Clear the dead row versions each rolled-back sweep leaves (every draft's new version,
    the log, outbox and notification rows) and renew the planner's statistics, so each step
    reads the tables in the same state (autovacuum may be off, or late). Returns its time."""
    return vacuum_analyze(Application, TransitionLog, OutboxEvent, Notification)


# ── the steps ────────────────────────────────────────────────────────────────────────────────


def rolled_back(function, *, count_queries: bool = False):
    """Time ``function`` inside a transaction rolled back afterwards, so the rows it changed
    are as before for the next round (and what it queued for the commit is never sent).

    The foreign keys are checked at the commit (they are deferred), which never comes: the
    timed step fires those checks itself (SET CONSTRAINTS ALL IMMEDIATE) after the call, so
    that it counts what the commit would cost; for a step that inserts nothing they are none.
    Returns the seconds (the checks included), the seconds of the checks, what the function
    returned, and the number of its queries when counted."""
    elapsed = checks = queries = result = None
    capture = CaptureQueriesContext(connection) if count_queries else nullcontext()
    with rolled_back_transaction():
        with capture as captured:
            start = time.perf_counter()
            result = function()
            called = time.perf_counter()
        if count_queries:
            queries = len(captured.captured_queries)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        elapsed = time.perf_counter() - start
        checks = time.perf_counter() - called
    return elapsed, checks, result, queries


def expire_sweep(now) -> int:
    # The sweep commits a chunk of drafts at a time, each in its own transaction.atomic();
    # inside the benchmark's outer transaction those become savepoints, which costs about the
    # same and lets the whole sweep roll back. The commits' flushes are not counted, for the
    # floor neither.
    return applications_expire_closed_drafts(now=now)


def expire_floor(now, window_ids: list[int]) -> int:
    """The same rows expired in one UPDATE, writing the columns the sweep's UPDATE writes."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(Application)} "
            "SET state = %s, closed_at = %s, due_at = NULL, state_changed_at = %s, "
            "updated_at = %s "
            "WHERE state = %s AND window_id = ANY(%s)",
            [State.EXPIRED, now, now, now, State.DRAFT, window_ids],
        )
        return cursor.rowcount


def remind_sweep(now) -> int:
    reminders, escalations = remind_review_deadlines(now=now)
    return reminders + escalations


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _due_rows_sql() -> str:
    return (
        f"SELECT a.id, a.reference, a.district, a.state, a.due_at, m.division_id "
        f"FROM {_table(Application)} a "
        f"JOIN {_table(Track)} t ON t.id = a.track_id "
        f"JOIN {_table(Measure)} m ON m.id = t.measure_id "
        f"WHERE a.state = ANY(%(states)s) AND a.due_at <= %(soon)s"
    )


def _floor_sql() -> str:
    """One row per notification the sweep writes: each due application with each reviewer of
    its stage (the district's reviewers, or those of the measure's division), and when it is
    overdue with each administrator too, each person once."""
    users = _table(User)
    groups = _table(Group)
    memberships = connection.ops.quote_name(User.groups.through._meta.db_table)
    divisions = connection.ops.quote_name(User.divisions.through._meta.db_table)
    return f"""
        WITH due AS ({_due_rows_sql()}),
        member AS (
            SELECT u.id, u.district, g.name AS role
            FROM {users} u
            JOIN {memberships} ug ON ug.user_id = u.id
            JOIN {groups} g ON g.id = ug.group_id
            WHERE u.is_active
        ),
        administrators AS (
            SELECT id FROM member WHERE role = %(administrator)s
            UNION
            SELECT id FROM {users} WHERE is_superuser AND is_active
        ),
        recipients AS (
            SELECT due.id, member.id AS user_id
            FROM due JOIN member
              ON member.role = %(district_reviewer)s AND member.district = due.district
            WHERE due.state = %(district_review)s
            UNION
            SELECT due.id, member.id
            FROM due
            JOIN {divisions} ud ON ud.division_id = due.division_id
            JOIN member ON member.id = ud.user_id AND member.role = %(municipal_reviewer)s
            WHERE due.state = %(municipal_review)s
            UNION
            SELECT due.id, administrators.id
            FROM due CROSS JOIN administrators
            WHERE due.due_at < %(now)s
        )
        SELECT due.id, due.reference, due.state, due.due_at, recipients.user_id
        FROM due JOIN recipients ON recipients.id = due.id
    """


def _params(now) -> dict:
    return {
        "states": list(REVIEW_STATES),
        "soon": due_after_workdays(now, REVIEW_REMINDER_DAYS),
        "now": now,
        "administrator": roles.ADMINISTRATOR,
        "district_reviewer": roles.DISTRICT_REVIEWER,
        "municipal_reviewer": roles.MUNICIPAL_REVIEWER,
        "district_review": State.DISTRICT_REVIEW,
        "municipal_review": State.MUNICIPAL_REVIEW,
    }


def remind_floor(now) -> int:
    """The due applications and whom to notify, fetched whole; the reminders' texts and their
    insert are the sweep's own work above this floor."""
    with connection.cursor() as cursor:
        cursor.execute(_floor_sql(), _params(now))
        return len(cursor.fetchall())


def due_rows(now) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_due_rows_sql(), _params(now))
        return len(cursor.fetchall())


# ── the run ──────────────────────────────────────────────────────────────────────────────────


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("the benchmark runs on PostgreSQL: set BENCH_DATABASE_URL")
    fill_s = fill()
    window_ids = list(closed_windows().values_list("pk", flat=True))
    if not window_ids:
        sys.exit("no closed windows: drop the benchmark database to start afresh")
    # The moment the data was filled: the closed windows closed a day before it.
    now = min(closed_windows().values_list("closes_at", flat=True)) + timedelta(days=1)
    drafts = Application.objects.filter(state=State.DRAFT, window__closes_at__lte=now).count()
    print(
        f"{'filled' if fill_s else 'reusing the data filled earlier'}; "
        f"sweeps at {timezone.localtime(now):%Y-%m-%d %H:%M}: {drafts:,} drafts in closed "
        f"windows, {Application.objects.filter(state__in=REVIEW_STATES).count():,} in review, "
        f"{due_rows(now):,} of them due within {REVIEW_REMINDER_DAYS} working days or overdue "
        f"({Application.objects.filter(state__in=REVIEW_STATES, due_at__lt=now).count():,} "
        "overdue)",
        flush=True,
    )

    # Once, untimed: each step against its floor, and the queries of each sweep (which also
    # warms PostgreSQL's cache for every step).
    vacuum()
    _s, _c, expired, expire_queries = rolled_back(lambda: expire_sweep(now), count_queries=True)
    vacuum()
    _s, _c, updated, _q = rolled_back(lambda: expire_floor(now, window_ids))
    if expired != updated or expired != drafts:
        sys.exit(f"the sweep expired {expired:,} drafts, the UPDATE {updated:,}, of {drafts:,}")
    vacuum()
    _s, _c, notified, remind_queries = rolled_back(lambda: remind_sweep(now), count_queries=True)
    floor_rows = remind_floor(now)
    if notified != floor_rows:
        sys.exit(f"the sweep wrote {notified:,} notifications, the SELECT gives {floor_rows:,}")

    steps = {
        "(a) expire sweep": lambda: expire_sweep(now),
        "(b) UPDATE floor": lambda: expire_floor(now, window_ids),
        "(c) review reminders": lambda: remind_sweep(now),
        "(d) SELECT floor": lambda: remind_floor(now),
        "(d0) due rows only": lambda: due_rows(now),
    }
    seconds = {name: [] for name in steps}
    checks = {name: [] for name in steps}
    vacuums = []
    for _round in range(RUNS):
        for name, step in steps.items():
            vacuums.append(vacuum())
            elapsed, checked, _result, _q = rolled_back(step)
            seconds[name].append(elapsed)
            checks[name].append(checked)

    median = {name: statistics.median(times) for name, times in seconds.items()}
    print(
        f"\n{drafts:,} drafts to expire, {notified:,} notifications "
        f"({floor_rows:,} rows of the floor); {RUNS} interleaved runs of each step, each in a "
        "transaction rolled back, its commit's foreign-key checks included, after a VACUUM "
        f"(ANALYZE) ({statistics.median(vacuums):.1f} s)"
    )
    print(f"{'step':<24}{'median s':>10}  {'runs s':<20}{'of which FK checks s':>22}")
    for name in steps:
        runs = " ".join(f"{value:.2f}" for value in seconds[name])
        print(
            f"{name:<24}{median[name]:>10.2f}  {runs:<20}{statistics.median(checks[name]):>22.2f}"
        )
    print(f"\nqueries: expire sweep {expire_queries}, review reminders {remind_queries}")

    expire_over_update = median["(a) expire sweep"] / median["(b) UPDATE floor"]
    remind_over_select = median["(c) review reminders"] / median["(d) SELECT floor"]
    print(
        f"targets: expire_over_update <= {EXPIRE_TARGET:g} "
        f"({'met' if expire_over_update <= EXPIRE_TARGET else 'missed'}); "
        "remind_over_select has none, printed for the record"
    )
    print(
        f"deadlines: expire_over_update={expire_over_update:.2f} "
        f"remind_over_select={remind_over_select:.2f}"
    )


if __name__ == "__main__":
    run(main, ELSEWHERE, __file__)
