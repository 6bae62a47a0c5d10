"""How many requests a second the site's pages take over HTTP, beside a bare Django view.

Over ~400 lines for a reason: a benchmark is one experiment, read from top to bottom (its
data, its rounds, its ratios); what the benchmarks share is in bench/_setup.py.

Run by hand (`make bench`). It fills the database bench/changelist.py uses (BENCH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/policy_portal_bench: 100,000 applications, filled
once), collects the static files into a temporary folder, and serves two things with gunicorn
(the same number of sync workers each, on free loopback ports): the site with the production
settings (bench/_web_settings.py; plain http, mail kept in memory, Redis BENCH_REDIS_URL,
default redis://127.0.0.1:6379/10, as cache), and a one-view Django app (bench/_bare_settings.py).
The enterprise and the officials log in once each through the login forms.

Each page is then driven by a bounded load generator — wrk when installed (a fixed duration
per round), else threads of this process with keep-alive clients (a fixed number of requests)
— in rounds, each round of a page right after one of the bare view, so that both see the same
machine. For each page it prints the median requests per second of its rounds, the median of
the rounds' p50 and p99 latencies, the workers' CPU time per request served (from /proc, over
the requests the workers counted, bench/_gunicorn_conf.py), and its requests per second over
the bare view's in the rounds beside it; then

  web: min_ratio_anon=<r> quote=<r> min_ratio_portal=<r> changelist_max=<r>

min_ratio_anon and min_ratio_portal the lowest ratio of the anonymous and the enterprise's
pages, quote the quote API's, changelist_max the largest, over the roles, of the admin index's
requests per second over the applications' changelist's (how many times slower the changelist
is). The goals (anon ≥ 0.5, quote ≥ 0.25, portal ≥ 0.2, changelist ≤ 3) are printed as met or
not; the run exits 0 whatever the figures, and non-zero only if a page does not answer 200.
"""

import argparse
import http.client
import itertools
import json
import math
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
from _setup import ROOT, percentile, prepare, run  # noqa: E402

ELSEWHERE = prepare("policy_portal_bench")

import _second_factor as second_factor  # noqa: E402
from _data import OFFICIALS, PREFIX, fill  # noqa: E402
from _server import Gunicorn  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402

from applications.models import Application, State  # noqa: E402
from enterprises.models import Enterprise, User  # noqa: E402
from policy_portal import roles  # noqa: E402

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
ENTERPRISE_USER = "bench-enterprise"
QUOTE = {
    "track": "supply-chain",
    "declared": {"annual_purchase_amount": "200000000", "new_purchase_amount": "1000000"},
}
TIMEOUT = 60
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
GOALS = {
    "min_ratio_anon": (">=", 0.5),
    "quote": (">=", 0.25),
    "min_ratio_portal": (">=", 0.2),
    "changelist_max": ("<=", 3.0),
}


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn's sync workers, each app")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per page")
    parser.add_argument("--seconds", type=int, default=3, help="per page round (wrk)")
    parser.add_argument("--bare-seconds", type=int, default=2, help="per bare round (wrk)")
    parser.add_argument("--requests", type=int, default=30, help="per page round (python)")
    parser.add_argument("--bare-requests", type=int, default=1000, help="per bare round (python)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument(
        "--client",
        choices=["wrk", "python"],
        default="wrk" if shutil.which("wrk") else "python",
        help="load generator (default: wrk when installed)",
    )
    return parser.parse_args()


# ── the pages ────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Page:
    name: str
    group: str  # "anon", "quote", "portal", "index", "changelist", "admin"
    path: str
    user: str | None = None  # whose session cookie the requests carry
    body: bytes | None = None  # POSTed as JSON when given
    role: str | None = None


def enterprise_user() -> tuple[User, Application]:
    """A user of the first benchmark enterprise (about 20 applications), with the demo's
    password, and one of its applications, preferably one under review."""
    enterprise = Enterprise.objects.filter(name__startswith=PREFIX).order_by("pk").first()
    user, _created = User.objects.update_or_create(
        username=ENTERPRISE_USER,
        defaults={"enterprise": enterprise, "is_active": True, "email": "bench@example.com"},
    )
    if not user.check_password(settings.DEMO_PASSWORD):
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user.groups.set([Group.objects.get(name=roles.ENTERPRISE)])
    applications = Application.objects.filter(enterprise=enterprise).order_by("pk")
    application = applications.filter(state=State.DISTRICT_REVIEW).first() or applications.first()
    return user, application


def pages(application: Application) -> list[Page]:
    quote = json.dumps(QUOTE).encode()
    listed = [
        Page("catalogue /", "anon", "/"),
        Page("calculator", "anon", "/calculator/"),
        Page("API measures", "anon", "/api/measures/"),
        Page("API measure 2", "anon", "/api/measures/2/"),
        Page("measure 2 page", "anon", "/measures/2/"),
        Page("API quote (POST)", "quote", "/api/measures/2/quote/", body=quote),
        Page("portal home", "portal", "/portal/", ENTERPRISE_USER),
        Page(
            "portal application",
            "portal",
            f"/portal/applications/{application.pk}/",
            ENTERPRISE_USER,
        ),
        Page("portal apply", "portal", "/portal/apply/", ENTERPRISE_USER),
    ]
    for role, username in OFFICIALS.items():
        short = role.split(" (")[0]
        listed.append(Page(f"admin index ({short})", "index", "/admin/", username, role=role))
        listed.append(
            Page(
                f"changelist ({short})",
                "changelist",
                "/admin/applications/application/",
                username,
                role=role,
            )
        )
    # Every role reads the windows with their budgets; finance is whom the budgets are for.
    listed.append(
        Page(
            "windows list (finance)", "admin", "/admin/measures/applicationwindow/", "demo-finance"
        )
    )
    return listed


# ── logging in ───────────────────────────────────────────────────────────────────────────────


def _request(port: int, method: str, path: str, cookies: dict, body=None, headers=None):
    headers = dict(headers or {})
    if cookies:
        headers["Cookie"] = cookie_header(cookies)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    for header in response.msg.get_all("Set-Cookie") or []:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            cookies[name] = morsel.coded_value
    return response, content


def cookie_header(cookies: dict) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def log_in(port: int, login_path: str, username: str, landing: str) -> dict:
    """The cookies of a session opened through the login form (PBKDF2 and django-axes
    included, once)."""
    cookies = {}
    response, content = _request(port, "GET", login_path, cookies)
    token = CSRF.search(content.decode())
    if response.status != 200 or token is None:
        raise RuntimeError(f"GET {login_path} answered {response.status} without a form")
    fields = {
        "csrfmiddlewaretoken": token.group(1),
        "username": username,
        "password": settings.DEMO_PASSWORD,
        "next": landing,
    }
    response, _content = _request(
        port,
        "POST",
        login_path,
        cookies,
        urlencode(fields).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    location = urlsplit(response.getheader("Location") or "").path
    if response.status != 302 or location != landing or "sessionid" not in cookies:
        raise RuntimeError(f"{username} could not log in: {response.status} → {location or '-'}")
    if login_path.startswith("/admin/"):
        # 身份鉴别: an official gives the authenticator's code after the password (the demo
        # enrolled each one).
        response, content = _request(port, "GET", second_factor.VERIFY_PATH, cookies)
        token = CSRF.search(content.decode())
        fields = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "code": second_factor.current_code(username),
            "next": landing,
        }
        response, _content = _request(
            port,
            "POST",
            second_factor.VERIFY_PATH,
            cookies,
            urlencode(fields).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        location = urlsplit(response.getheader("Location") or "").path
        if response.status != 302 or location != landing:
            raise RuntimeError(f"{username}'s code was refused: {response.status}")
    return cookies


def check(port: int, page: Page, cookies: dict) -> str | None:
    """What is wrong with the page's answer, if anything: not a 200, or a quote not given."""
    method = "POST" if page.body else "GET"
    headers = {"Content-Type": "application/json"} if page.body else {}
    response, content = _request(port, method, page.path, dict(cookies), page.body, headers)
    if response.status != 200:
        return f"{method} {page.path} answered {response.status} {response.getheader('Location')}"
    if page.body and '"eligible":true' not in content.decode().replace(" ", ""):
        return f"the quote was not eligible: {content[:300]!r}"
    return None


# ── the load generators ──────────────────────────────────────────────────────────────────────


@dataclass
class Round:
    requests: int  # answered to the client in the round
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx answers, connection errors and timeouts
    cpu_ms: float = math.nan  # the workers' CPU per request they served

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


WRK_DONE = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("BENCH %d %d %f %f %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    errors.connect + errors.read + errors.write + errors.status + errors.timeout))
end
"""


class Wrk:
    """wrk for ``seconds`` a round, its request (method, body, cookies) set by a Lua script."""

    def __init__(self, folder: Path, connections: int, seconds: float, bare_seconds: float):
        self.folder = folder
        self.connections = connections
        self.seconds = seconds
        self.bare_seconds = bare_seconds
        self.scripts: dict[str, Path] = {}

    def _script(self, page: Page, cookies: dict) -> Path:
        if page.name not in self.scripts:
            lines = []
            if page.body:
                lines += [
                    'wrk.method = "POST"',
                    f"wrk.body = {_lua_string(page.body.decode())}",
                    'wrk.headers["Content-Type"] = "application/json"',
                ]
            if cookies:
                lines.append(f'wrk.headers["Cookie"] = {_lua_string(cookie_header(cookies))}')
            script = self.folder / f"wrk-{len(self.scripts)}.lua"
            script.write_text("\n".join(lines) + WRK_DONE)
            self.scripts[page.name] = script
        return self.scripts[page.name]

    def run(self, port: int, page: Page, cookies: dict, bare: bool = False) -> Round:
        seconds = self.bare_seconds if bare else self.seconds
        command = [
            "wrk",
            f"--threads={min(2, self.connections)}",
            f"--connections={self.connections}",
            f"--duration={seconds}s",
            f"--timeout={TIMEOUT}s",
            f"--script={self._script(page, cookies)}",
            f"http://127.0.0.1:{port}{page.path}",
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        line = next(line for line in output.splitlines() if line.startswith("BENCH "))
        requests, duration_us, p50_us, p99_us, errors = line.split()[1:]
        answered = int(requests)
        return Round(
            answered,
            int(duration_us) / 1e6,
            float(p50_us) / 1000 if answered else math.nan,
            float(p99_us) / 1000 if answered else math.nan,
            int(errors),
        )


class PythonClient:
    """``requests`` requests from ``connections`` threads of this process, each on a kept
    connection (opened again when the server closes it, as gunicorn's sync workers do)."""

    def __init__(self, connections: int, requests: int, bare_requests: int):
        self.connections = connections
        self.requests = requests
        self.bare_requests = bare_requests

    def run(self, port: int, page: Page, cookies: dict, bare: bool = False) -> Round:
        total = self.bare_requests if bare else self.requests
        tickets = itertools.count()
        latencies: list[float] = []
        errors: list[int] = []
        headers = {"Cookie": cookie_header(cookies)} if cookies else {}
        if page.body:
            headers["Content-Type"] = "application/json"
        method = "POST" if page.body else "GET"

        def client() -> None:
            connection = None
            while next(tickets) < total:
                started = time.perf_counter()
                try:
                    if connection is None:
                        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
                    connection.request(method, page.path, body=page.body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    if response.status >= 400:
                        errors.append(response.status)
                    if response.will_close:
                        connection.close()
                        connection = None
                except OSError:
                    errors.append(0)
                    if connection is not None:
                        connection.close()
                    connection = None
                    continue
                latencies.append(time.perf_counter() - started)
            if connection is not None:
                connection.close()

        threads = [threading.Thread(target=client) for _ in range(self.connections)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        ordered = sorted(latencies) or [math.nan]
        return Round(
            len(latencies),
            seconds,
            percentile(ordered, 0.50) * 1000,
            percentile(ordered, 0.99) * 1000,
            len(errors),
        )


def _median(values) -> float:
    """The median of the figures a round could give (a round that answered nothing has no
    latency)."""
    known = [value for value in values if not math.isnan(value)]
    return statistics.median(known) if known else math.nan


def measure(server: Gunicorn, generator, page: Page, cookies: dict, bare: bool = False) -> Round:
    # Between two rounds on one server its workers stay idle: where the last round left them
    # is where this one starts.
    before = server.settled or server.snapshot()
    result = generator.run(server.port, page, cookies, bare)
    after = server.snapshot()
    served = after.served - before.served
    if served and after.workers == before.workers:
        result.cpu_ms = (after.cpu_seconds - before.cpu_seconds) * 1000 / served
    return result


# ── the servers ──────────────────────────────────────────────────────────────────────────────


def site_environment(folder: Path) -> dict:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "_web_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), str(ROOT)]),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain http on loopback: no redirect to https, cookies a client may send back over it.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LANGUAGE_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        # The quote throttle counts each request within its period in one cache entry: over a
        # second, that list stays as short as in production while one client never reaches it.
        "QUOTE_RATE": "1000000/s",
        "LOGIN_FAILURE_LIMIT": "1000000",
        "BENCH_STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
    }
    environment.pop("DEBUG", None)
    return environment


def bare_environment() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "_bare_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), str(ROOT)]),
    }


def collect_static(environment: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )


# ── the report ───────────────────────────────────────────────────────────────────────────────


@dataclass
class Result:
    page: Page
    rounds: list[Round]
    bare_rounds: list[Round]

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.rounds)

    @property
    def bare_rps(self) -> float:
        return statistics.median(r.rps for r in self.bare_rounds)

    @property
    def ratio(self) -> float:
        return self.rps / self.bare_rps

    def median(self, name: str) -> float:
        return statistics.median(getattr(r, name) for r in self.rounds)


def report(results: list[Result], bare: list[Round], arguments) -> None:
    print(
        f"\n{arguments.rounds} rounds per page, each after one of the bare view; "
        f"{arguments.connections} connections; medians of the rounds"
    )
    print(
        f"{'page':<36}{'rps':>8}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}"
        f"{'÷ bare':>9}{'requests':>10}{'errors':>8}"
    )

    def row(name, rounds, ratio):
        rps = statistics.median(r.rps for r in rounds)
        print(
            f"{name:<36}{rps:>8.1f}"
            f"{_median(r.p50_ms for r in rounds):>9.1f}"
            f"{_median(r.p99_ms for r in rounds):>9.1f}"
            f"{_median(r.cpu_ms for r in rounds):>12.2f}"
            f"{ratio:>9}{sum(r.requests for r in rounds):>10}{sum(r.errors for r in rounds):>8}"
        )

    row("bare view (all rounds)", bare, "1")
    for result in results:
        row(result.page.name, result.rounds, f"{result.ratio:.3f}")

    def lowest(group: str) -> float:
        return min(r.ratio for r in results if r.page.group == group)

    by_role = {}
    for result in results:
        if result.page.group in ("index", "changelist"):
            by_role.setdefault(result.page.role, {})[result.page.group] = result.rps
    # A changelist that answered nothing in its rounds is infinitely slower than the index.
    slower = {
        role: f["index"] / f["changelist"] if f["changelist"] else math.inf
        for role, f in by_role.items()
    }
    print("\nadmin index rps ÷ changelist rps, per role:")
    for role, ratio in slower.items():
        print(f"  {role:<34}{ratio:>6.2f}")
    figures = {
        "min_ratio_anon": lowest("anon"),
        "quote": lowest("quote"),
        "min_ratio_portal": lowest("portal"),
        "changelist_max": max(slower.values()),
    }
    print("\ngoals:")
    for name, (sense, goal) in GOALS.items():
        value = figures[name]
        met = value >= goal if sense == ">=" else value <= goal
        print(f"  {name} {sense} {goal}: {value:.3f} {'met' if met else 'not met'}")
    print(
        "\nweb: "
        + " ".join(
            f"{name}={value:.2f}" if name == "changelist_max" else f"{name}={value:.3f}"
            for name, value in figures.items()
        )
    )


def main() -> None:
    arguments = parse_arguments()
    if connection.vendor != "postgresql":
        sys.exit("the benchmark runs on PostgreSQL: set BENCH_DATABASE_URL")
    started = time.perf_counter()
    fill()
    _user, application = enterprise_user()
    listed = pages(application)
    connection.close()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as name:
        folder = Path(name)
        environment = site_environment(folder)
        collect_static(environment)
        site = Gunicorn(
            "site", "policy_portal.wsgi:application", environment, folder, arguments.workers
        )
        bare = Gunicorn(
            "bare",
            "django.core.wsgi:get_wsgi_application()",
            bare_environment(),
            folder,
            arguments.workers,
        )
        try:
            site.start("/api/measures/2/")
            bare.start("/")
            sessions = {
                ENTERPRISE_USER: log_in(site.port, "/accounts/login/", ENTERPRISE_USER, "/portal/")
            }
            for username in OFFICIALS.values():
                sessions[username] = log_in(site.port, "/admin/login/", username, "/admin/")
            problems = [
                problem
                for page in listed
                if (problem := check(site.port, page, sessions.get(page.user, {})))
            ]
            if problems:
                print("pages that do not answer as they should:", *problems, sep="\n  ")
                print(
                    f"gunicorn's log: {site.log}\n" + site.log.read_text(errors="replace")[-4000:]
                )
                sys.exit(1)
            if arguments.client == "wrk":
                generator = Wrk(
                    folder, arguments.connections, arguments.seconds, arguments.bare_seconds
                )
                bounded = (
                    f"wrk, {arguments.seconds:g} s a round ({arguments.bare_seconds:g} s bare)"
                )
            else:
                generator = PythonClient(
                    arguments.connections, arguments.requests, arguments.bare_requests
                )
                bounded = (
                    f"python client, {arguments.requests} requests a round "
                    f"({arguments.bare_requests} bare)"
                )
            print(
                f"{Application.objects.count():,} applications; gunicorn with "
                f"{arguments.workers} sync workers for the site (production settings) and for "
                f"the bare view; {bounded}; set up in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
            bare_page = Page("bare view", "bare", "/")
            results = [Result(page, [], []) for page in listed]
            for number in range(1, arguments.rounds + 1):
                for result in results:
                    result.bare_rounds.append(measure(bare, generator, bare_page, {}, bare=True))
                    cookies = sessions.get(result.page.user, {})
                    result.rounds.append(measure(site, generator, result.page, cookies))
                print(f"  round {number} of {arguments.rounds} done", flush=True)
        finally:
            site.stop()
            bare.stop()
    report(results, [r for result in results for r in result.bare_rounds], arguments)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    run(main, ELSEWHERE, __file__)
