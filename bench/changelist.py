"""How quick the reviewers' changelist stays with 100,000 applications in PostgreSQL.

Run by hand (`make bench`). It fills a database of its own (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/policy_portal_bench) once, then requests each role's changelist
and a trivial admin page (the admin index) in turns, and prints the median of each and the ratio.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import median_ms, prepare, run  # noqa: E402

ELSEWHERE = prepare("policy_portal_bench")

from _data import OFFICIALS, fill  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from applications.models import Application  # noqa: E402
from enterprises.models import User  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "15"))


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("the benchmark runs on PostgreSQL: set BENCH_DATABASE_URL")
    settings.ALLOWED_HOSTS = ["testserver"]
    fill()
    users = {role: User.objects.get(username=username) for role, username in OFFICIALS.items()}
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
            changelist_ms = median_ms(client, changelist, params, runs=RUNS)
            index_ms = median_ms(client, "/admin/", runs=RUNS)
            print(
                f"{role:<28}{name:<20}{changelist_ms:>8.1f}{index_ms:>10.1f}{changelist_ms / index_ms:>8.1f}"
            )


if __name__ == "__main__":
    run(main, ELSEWHERE, __file__)
