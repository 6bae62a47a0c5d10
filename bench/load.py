"""The site under load: enterprises applying and reviewers deciding at once, over HTTP.

Over ~400 lines for a reason: a benchmark is one experiment, read from top to bottom (its
data, its rounds, its ratios); what the benchmarks share is in bench/_setup.py.

Run by hand (`make bench`). It serves the site with gunicorn on a free loopback port (the
production image's three sync workers; bench/_load_settings.py: the development settings with
DEBUG off, plus one trivial view) against a PostgreSQL database of its own (BENCH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/policy_portal_load, created when missing) and Redis
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/11) as broker and cache, with a Celery worker
delivering the notifications. Then, from threads in this process:

  (w) the workflow: every enterprise of the run (50) logs in through the login form, starts a
      draft of measure 2 (supply-chain) from /portal/apply/, enters its figures, uploads a small
      PDF for each required document and submits; two district reviewers per district (four
      districts) and two municipal reviewers log into /admin/ and approve each submitted
      application through its decision page as it arrives, district then municipal stage.
      A fixed number of requests (17 per enterprise, 5 per decision, 4 per reviewer's login:
      the password, then the second factor's code).
  (t) rounds of the trivial view, and of the pages that can be read again and again (the login
      page, an enterprise's portal and application, a reviewer's list and application page),
      each a fixed number of requests from a few concurrent clients, interleaved.

It prints requests per second, the median and the 99th percentile of each page, each page's
requests per second beside the trivial view's (median of the rounds), and checks afterwards,
against the database, that every application is in exactly the state its successful requests
put it in, with one log entry per successful transition and no other, that each entry's
notifications reached exactly the people the design names, once each, their emails sent, and
that no response was a 5xx. It exits non-zero when any check fails.

Every run adds its own enterprises (the reviewers are kept); the window's budget is raised so
that their approvals fit. Options: --enterprises, --districts, --rounds, --round-requests,
--concurrency, --workers (gunicorn's); BENCH_RUNS sets --rounds as in the other benchmarks.

With --nodes 2 (or BENCH_NODES=2) it measures what a second web node adds instead: the workflow
(w) twice, each time with enterprises of its own, first on one gunicorn, then on two gunicorns
(each with --workers sync workers, as two machines behind a load balancer would run them) with
the requests spread round-robin over both, and prints the requests per second of each and their
ratio, after the same checks. The rounds (t) are left out. On one machine the two nodes share
its cores with PostgreSQL, Redis, the Celery worker and this load generator: the ratio says how
far the site scales out only where each node has cores of its own.
"""

import argparse
import contextlib
import http.client
import itertools
import os
import queue
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
from _server import free_port, gunicorn_command, stop, wait_until_answers  # noqa: E402
from _setup import ROOT, percentile, prepare, run, seed, unique_credit_code  # noqa: E402

ELSEWHERE = prepare("policy_portal_load")

import _second_factor as second_factor  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.models import Application, OutboxEvent, State, TransitionLog  # noqa: E402
from applications.selectors import window_committed_amount  # noqa: E402
from enterprises.districts import District  # noqa: E402
from enterprises.models import Enterprise, User  # noqa: E402
from measures.models import ApplicationWindow, Division, Track  # noqa: E402
from notifications.models import Notification  # noqa: E402
from policy_portal import roles  # noqa: E402

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
TRACK = "supply-chain"
FIGURES = {"annual_purchase_amount": "180000000", "new_purchase_amount": "45000000"}
AMOUNT = Decimal("450000")  # 1 % of the new purchases
DISTRICTS = [District.JIANGBEI, District.SHAPINGBA, District.JIULONGPO, District.NANAN]
REVIEWERS_PER_DISTRICT = 2
MUNICIPAL_REVIEWERS = 2
PREFIX = "重庆负载基准企业"
PASSWORD = "load-bench-2023"
PDF = b"%PDF-1.4\n% load benchmark\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TIMEOUT = 120
DRAIN_SECONDS = 120

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
AMOUNT_INPUT = re.compile(r'<input[^>]*name="amount"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')
FIGURES_PATH = re.compile(r"/portal/applications/(\d+)/figures/")
SUBMITTED = "申报已提交，等待区县审核。"
DECIDED = {
    "district_approve": re.compile(r"CQJX-\d{4}-\d{2}-\d{6}：区县审核通过。"),
    "municipal_approve": re.compile(r"CQJX-\d{4}-\d{2}-\d{6}：市级审核通过。"),
}
AFTER = {
    "submit": State.DISTRICT_REVIEW,
    "district_approve": State.MUNICIPAL_REVIEW,
    "municipal_approve": State.APPROVED,
}
# Who hears of each transition besides the enterprise (DESIGN.md, "Notifications").
NEXT_ROLE = {
    "submit": roles.DISTRICT_REVIEWER,
    "district_approve": roles.MUNICIPAL_REVIEWER,
    "municipal_approve": roles.FINANCE,
}


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=50, help="concurrent enterprises")
    parser.add_argument("--districts", type=int, default=len(DISTRICTS), choices=range(1, 5))
    parser.add_argument("--workers", type=int, default=3, help="gunicorn's sync workers")
    parser.add_argument(
        "--rounds", type=int, default=int(os.environ.get("BENCH_RUNS", "3")), help="(t) rounds"
    )
    parser.add_argument("--round-requests", type=int, default=30, help="per page and round")
    parser.add_argument("--trivial-requests", type=int, default=200, help="per round")
    parser.add_argument("--concurrency", type=int, default=8, help="clients in the (t) rounds")
    parser.add_argument(
        "--nodes",
        type=int,
        default=int(os.environ.get("BENCH_NODES", "1")),
        choices=(1, 2),
        help="2: the workflow on one web node, then on two, and the ratio",
    )
    return parser.parse_args()


# ── the data ─────────────────────────────────────────────────────────────────────────────────


@dataclass
class Plan:
    tag: str
    window: ApplicationWindow
    track: Track
    enterprise_users: list[User]
    district_reviewers: dict[str, list[User]]
    municipal_reviewers: list[User]


def _user(username: str, role: str, encoded: str, **attrs) -> User:
    user, _created = User.objects.update_or_create(
        username=username, defaults={"password": encoded, "is_active": True, **attrs}
    )
    user.groups.set([Group.objects.get(name=role)])
    if user.is_staff:
        second_factor.enrol(user)
    return user


@transaction.atomic
def fill(arguments) -> Plan:
    """This run's enterprises and their users, the reviewers (kept from run to run), and a
    budget that holds this run's approvals."""
    seed()
    track = Track.objects.select_related("measure").get(code=TRACK)
    now = timezone.now()
    window = (
        ApplicationWindow.objects.open_at(now)
        .filter(measure=track.measure, closes_at__gt=now + timedelta(hours=1))
        .order_by("pk")
        .first()
    )
    needed = window_committed_amount(window) + AMOUNT * arguments.enterprises
    if window.total_budget < needed:
        ApplicationWindow.objects.filter(pk=window.pk).update(total_budget=needed)
    # One hash for every account: hashing is the login's work, not the set-up's.
    encoded = make_password(PASSWORD)
    districts = DISTRICTS[: arguments.districts]
    district_reviewers = {
        district.value: [
            _user(
                f"load-district-{district.value}-{number}",
                roles.DISTRICT_REVIEWER,
                encoded,
                district=district.value,
                is_staff=True,
                email=f"load-district-{district.value}-{number}@example.com",
            )
            for number in range(1, REVIEWERS_PER_DISTRICT + 1)
        ]
        for district in districts
    }
    division = Division.objects.get(pk=track.measure.division_id)
    municipal_reviewers = []
    for number in range(1, MUNICIPAL_REVIEWERS + 1):
        reviewer = _user(
            f"load-municipal-{number}",
            roles.MUNICIPAL_REVIEWER,
            encoded,
            is_staff=True,
            email=f"load-municipal-{number}@example.com",
        )
        reviewer.divisions.set([division])
        municipal_reviewers.append(reviewer)

    tag = timezone.localtime(now).strftime("%y%m%d%H%M%S")
    rng = random.Random(tag)
    codes = set(Enterprise.objects.values_list("credit_code", flat=True))
    enterprise_group = Group.objects.get(name=roles.ENTERPRISE)
    users = []
    for index in range(arguments.enterprises):
        enterprise = Enterprise.objects.create(
            name=f"{PREFIX}{tag}-{index:03d}有限公司",
            credit_code=unique_credit_code(rng, codes),
            district=districts[index % len(districts)].value,
            industry=Enterprise.Industry.EQUIPMENT,
            scale=Enterprise.Scale.MEDIUM,
            contact_name="测试",
            contact_phone="13800138000",
            bank_name="重庆农村商业银行",
            bank_account=f"62284800{index:011d}",
        )
        users.append(
            User(
                username=f"load-{tag}-{index:03d}",
                enterprise=enterprise,
                email=f"load-{tag}-{index:03d}@example.com",
                password=encoded,
            )
        )
    users = User.objects.bulk_create(users)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=enterprise_group.pk) for user in users]
    )
    return Plan(tag, window, track, users, district_reviewers, municipal_reviewers)


# ── the servers ──────────────────────────────────────────────────────────────────────────────


class RoundRobin:
    """The web nodes' ports, each request to the next, as a load balancer spreads them; the
    sessions are in the database, so any node serves any signed-in person."""

    def __init__(self, ports: list[int]):
        self.ports = ports
        self._numbers = itertools.count()

    def next(self) -> int:
        return self.ports[next(self._numbers) % len(self.ports)]


class Servers:
    """gunicorn (``nodes`` of them, each a web node of its own) and a Celery worker, each a
    process of its own, logging to files in ``folder``; stopped, by their process ids, on
    leaving."""

    def __init__(self, folder: Path, workers: int, nodes: int = 1):
        self.folder = folder
        self.workers = workers
        self.ports = [free_port() for _ in range(nodes)]
        self.port = self.ports[0]
        self.nodes = RoundRobin(self.ports)
        self.processes: list[subprocess.Popen] = []
        self.environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "_load_settings",
            "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), str(ROOT)]),
            "DEBUG": "false",
            "REDIS_URL": REDIS_URL,
            "CELERY_BROKER_URL": REDIS_URL,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "MEDIA_ROOT": str(folder / "media"),
            "LOG_LEVEL": "WARNING",
        }

    def log(self, name: str) -> Path:
        return self.folder / f"{name}.log"

    def _start(self, name: str, command: list[str]) -> None:
        with open(self.log(name), "wb") as log:
            self.processes.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT
                )
            )

    def __enter__(self) -> "Servers":
        for number, port in enumerate(self.ports, start=1):
            self._start(
                "gunicorn" if number == 1 else f"gunicorn-{number}",
                gunicorn_command("policy_portal.wsgi:application", port, self.workers, TIMEOUT),
            )
        self._start(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "policy_portal",
                "worker",
                # Every queue, as `make run`'s one worker: the notices go to "mail".
                "-Q",
                ",".join(settings.TASK_QUEUES),
                "--loglevel=INFO",
                "--concurrency=2",
                "--without-mingle",
                "--without-gossip",
            ],
        )
        self._wait_for_site()
        self._wait_for_worker()
        return self

    def _wait_for_site(self) -> None:
        for port in self.ports:
            wait_until_answers(port, "/bench/trivial/", self._check_alive, self.log("gunicorn"))

    def _wait_for_worker(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self._check_alive()
            if b" ready." in self.log("worker").read_bytes():
                return
            time.sleep(0.3)
        raise RuntimeError(f"the Celery worker did not start; see {self.log('worker')}")

    def _check_alive(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args[3]} exited; see the logs in {self.folder}")

    def __exit__(self, *exc_info) -> None:
        stop(self.processes)


# ── the client ───────────────────────────────────────────────────────────────────────────────


@dataclass
class Sample:
    page: str
    status: int
    seconds: float


@dataclass
class Recorder:
    """Every response of a phase; list.append is atomic, so threads share one."""

    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, sample: Sample, request: str, body: bytes) -> None:
        self.samples.append(sample)
        if sample.status >= 500 or sample.status == 0:
            excerpt = body[:300].decode("utf-8", "replace").replace("\n", " ")
            self.failures.append(f"{sample.status} {request}: {excerpt}")


@dataclass
class Response:
    status: int
    path: str  # of Location, for a redirect
    text: str


class FlowError(Exception):
    pass


class Browser:
    """One person's cookies; one connection per request, as gunicorn's sync workers close
    each after answering."""

    def __init__(self, port: "int | RoundRobin", recorder: Recorder, cookies: dict | None = None):
        self.nodes = port if isinstance(port, RoundRobin) else RoundRobin([port])
        self.recorder = recorder
        self.cookies = dict(cookies or {})

    def get(self, page: str, path: str) -> Response:
        return self.request(page, "GET", path)

    def post(self, page: str, path: str, fields: dict, files: dict | None = None) -> Response:
        return self.request(page, "POST", path, fields=fields, files=files)

    def request(self, page, method, path, *, fields=None, files=None) -> Response:
        headers = {}
        body = None
        if files:
            body, headers["Content-Type"] = _multipart(fields, files)
        elif fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.nodes.next(), timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except OSError as error:
            self.recorder.add(
                Sample(page, 0, time.perf_counter() - started),
                f"{method} {path}",
                str(error).encode(),
            )
            raise FlowError(f"{method} {path}: {error}") from error
        finally:
            connection.close()
        self.recorder.add(
            Sample(page, response.status, time.perf_counter() - started),
            f"{method} {path}",
            content,
        )
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.coded_value
        location = urlsplit(response.getheader("Location") or "").path
        return Response(response.status, location, content.decode("utf-8", "replace"))


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f"--{boundary}\r\nContent-Disposition: form-data; "
                f'name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _token(response: Response) -> str:
    match = CSRF.search(response.text)
    if match is None:
        raise FlowError(f"no CSRF token on a page answered {response.status}")
    return match.group(1)


def _expect(response: Response, status: int, path: str | None = None) -> Response:
    if response.status != status or (path is not None and response.path != path):
        raise FlowError(f"answered {response.status} → {response.path or '-'}")
    return response


def log_in(browser: Browser, login_path: str, username: str, landing: str, kind: str) -> None:
    form = _expect(browser.get(f"{kind} login (GET)", login_path), 200)
    answer = browser.post(
        f"{kind} login (POST)",
        login_path,
        {
            "csrfmiddlewaretoken": _token(form),
            "username": username,
            "password": PASSWORD,
            "next": landing,
        },
    )
    _expect(answer, 302, landing)
    if kind == "admin":
        # 身份鉴别: an official gives the authenticator's code after the password.
        page = _expect(browser.get(f"{kind} code (GET)", second_factor.VERIFY_PATH), 200)
        answer = browser.post(
            f"{kind} code (POST)",
            second_factor.VERIFY_PATH,
            {
                "csrfmiddlewaretoken": _token(page),
                "code": second_factor.current_code(username),
                "next": landing,
            },
        )
        _expect(answer, 302, landing)


# ── the workflow ─────────────────────────────────────────────────────────────────────────────


@dataclass
class Ledger:
    """What the client saw succeed: the transitions of each application, in order."""

    applications: dict[int, str] = field(default_factory=dict)  # pk → enterprise username
    taken: dict[int, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    unfinished: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def created(self, pk: int, username: str) -> None:
        with self.lock:
            self.applications[pk] = username

    def took(self, pk: int, transition: str, username: str) -> None:
        with self.lock:
            self.taken[pk].append((transition, username))

    def failed(self, who: str, error: Exception) -> None:
        with self.lock:
            self.unfinished.append(f"{who}: {error}")

    def expected_state(self, pk: int) -> str:
        steps = self.taken.get(pk)
        return AFTER[steps[-1][0]] if steps else State.DRAFT


def enterprise_flow(browser: Browser, user: User, plan: Plan, ledger: Ledger, district_queue):
    log_in(browser, "/accounts/login/", user.username, "/portal/", "portal")
    _expect(browser.get("portal home", "/portal/"), 200)
    form = _expect(browser.get("apply (GET)", "/portal/apply/"), 200)
    if f'name="window" value="{plan.window.pk}"' not in form.text:
        raise FlowError("the apply page does not offer the window")
    answer = browser.post(
        "apply (POST)",
        "/portal/apply/",
        {"csrfmiddlewaretoken": _token(form), "window": plan.window.pk, "track": plan.track.pk},
    )
    match = FIGURES_PATH.fullmatch(answer.path) if answer.status == 302 else None
    if match is None:
        raise FlowError(f"apply answered {answer.status} → {answer.path or '-'}")
    pk = int(match.group(1))
    ledger.created(pk, user.username)
    base = f"/portal/applications/{pk}"
    form = _expect(browser.get("figures (GET)", f"{base}/figures/"), 200)
    answer = browser.post(
        "figures (POST)", f"{base}/figures/", {"csrfmiddlewaretoken": _token(form), **FIGURES}
    )
    _expect(answer, 302, f"{base}/documents/")
    form = _expect(browser.get("documents (GET)", f"{base}/documents/"), 200)
    for number, kind in enumerate(plan.track.required_documents, start=1):
        answer = browser.post(
            "documents (POST)",
            f"{base}/documents/",
            {"csrfmiddlewaretoken": _token(form), "kind": kind},
            {"file": (f"material-{number}.pdf", PDF, "application/pdf")},
        )
        _expect(answer, 302, f"{base}/documents/")
        form = _expect(browser.get("documents (GET)", f"{base}/documents/"), 200)
    form = _expect(browser.get("review (GET)", f"{base}/review/"), 200)
    answer = browser.post("submit (POST)", f"{base}/submit/", {"csrfmiddlewaretoken": _token(form)})
    _expect(answer, 302, f"{base}/")
    page = _expect(browser.get("detail (GET)", f"{base}/"), 200)
    if SUBMITTED not in page.text:
        raise FlowError("submit was not confirmed")
    ledger.took(pk, "submit", user.username)
    district_queue.put(pk)


def reviewer_flow(browser: Browser, user: User, transition: str, ledger: Ledger, inbox, outbox):
    log_in(browser, "/admin/login/", user.username, "/admin/", "admin")
    while (pk := inbox.get()) is not None:
        change = f"/admin/applications/application/{pk}/change/"
        try:
            _expect(browser.get("admin changelist", "/admin/applications/application/"), 200)
            _expect(browser.get("admin change", change), 200)
            decide = f"/admin/applications/application/{pk}/decide/{transition}/"
            form = _expect(browser.get("decide (GET)", decide), 200)
            amount_input = AMOUNT_INPUT.search(form.text)
            amount = VALUE.search(amount_input.group(0)) if amount_input else None
            if amount is None:
                raise FlowError("the decision page proposes no amount")
            fields = {
                "csrfmiddlewaretoken": _token(form),
                "amount": amount.group(1),
                "comment": "材料齐全，数据属实，同意。",
                "comment_public": "on",
            }
            _expect(browser.post("decide (POST)", decide, fields), 302, change)
            page = _expect(browser.get("admin change", change), 200)
            if not DECIDED[transition].search(page.text):
                raise FlowError("the decision was not confirmed")
        except FlowError as error:
            ledger.failed(f"{user.username} {transition} {pk}", error)
            continue
        ledger.took(pk, transition, user.username)
        if outbox is not None:
            outbox.put(pk)


def _thread(target, who: str, ledger: Ledger, *args) -> threading.Thread:
    def run():
        try:
            target(*args)
        except FlowError as error:
            ledger.failed(who, error)

    thread = threading.Thread(target=run, name=who, daemon=True)
    thread.start()
    return thread


@dataclass
class Workflow:
    recorder: Recorder
    ledger: Ledger
    seconds: float
    enterprise_browsers: list[tuple[Browser, User]]
    district_browsers: list[tuple[Browser, User]]


def run_workflow(plan: Plan, port: int) -> Workflow:
    recorder, ledger = Recorder(), Ledger()
    district_queues = {district: queue.Queue() for district in plan.district_reviewers}
    municipal_queue = queue.Queue()
    started = time.perf_counter()
    enterprise_browsers = [(Browser(port, recorder), user) for user in plan.enterprise_users]
    enterprises = [
        _thread(
            enterprise_flow,
            user.username,
            ledger,
            browser,
            user,
            plan,
            ledger,
            district_queues[user.enterprise.district],
        )
        for browser, user in enterprise_browsers
    ]
    district_browsers, districts = [], []
    for district, reviewers in plan.district_reviewers.items():
        for reviewer in reviewers:
            browser = Browser(port, recorder)
            district_browsers.append((browser, reviewer))
            districts.append(
                _thread(
                    reviewer_flow,
                    reviewer.username,
                    ledger,
                    browser,
                    reviewer,
                    "district_approve",
                    ledger,
                    district_queues[district],
                    municipal_queue,
                )
            )
    municipal = [
        _thread(
            reviewer_flow,
            reviewer.username,
            ledger,
            Browser(port, recorder),
            reviewer,
            "municipal_approve",
            ledger,
            municipal_queue,
            None,
        )
        for reviewer in plan.municipal_reviewers
    ]
    for thread in enterprises:
        thread.join()
    for district, reviewers in plan.district_reviewers.items():
        for _reviewer in reviewers:
            district_queues[district].put(None)
    for thread in districts:
        thread.join()
    for _reviewer in plan.municipal_reviewers:
        municipal_queue.put(None)
    for thread in municipal:
        thread.join()
    return Workflow(
        recorder,
        ledger,
        time.perf_counter() - started,
        enterprise_browsers,
        district_browsers,
    )


# ── the rounds ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Target:
    page: str
    # (cookies, path) per client: each client reads as one person, its own page.
    clients: list[tuple[dict, str]]


def closed_loop(port: int, target: Target, requests: int, concurrency: int) -> Recorder:
    """``requests`` GETs of ``target`` from ``concurrency`` clients, each sending its next
    request when the last was answered."""
    recorder = Recorder()
    numbers = itertools.count()
    clients = itertools.cycle(target.clients)

    def client(cookies: dict, path: str) -> None:
        browser = Browser(port, recorder, cookies)
        while next(numbers) < requests:
            # A dropped connection is recorded as such; the client goes on.
            with contextlib.suppress(FlowError):
                browser.get(target.page, path)

    threads = [
        threading.Thread(target=client, args=next(clients), daemon=True) for _ in range(concurrency)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recorder.seconds = time.perf_counter() - started
    return recorder


def read_targets(workflow: Workflow) -> list[Target]:
    by_user = {username: pk for pk, username in workflow.ledger.applications.items()}
    portal = [
        (browser.cookies, by_user[user.username])
        for browser, user in workflow.enterprise_browsers
        if user.username in by_user
    ]
    in_district = defaultdict(list)
    for pk, district in Application.objects.filter(
        pk__in=list(workflow.ledger.applications)
    ).values_list("pk", "district"):
        in_district[district].append(pk)
    admin = [
        (browser.cookies, pk)
        for browser, reviewer in workflow.district_browsers
        for pk in in_district[reviewer.district][:3]
    ]
    return [
        Target("trivial view", [({}, "/bench/trivial/")]),
        Target("portal login (GET)", [({}, "/accounts/login/")]),
        Target("portal home", [(cookies, "/portal/") for cookies, _pk in portal]),
        Target(
            "detail (GET)",
            [(cookies, f"/portal/applications/{pk}/") for cookies, pk in portal],
        ),
        Target(
            "admin changelist",
            [(cookies, "/admin/applications/application/") for cookies, _pk in admin],
        ),
        Target(
            "admin change",
            [(cookies, f"/admin/applications/application/{pk}/change/") for cookies, pk in admin],
        ),
    ]


# ── the checks ───────────────────────────────────────────────────────────────────────────────


def wait_for_outbox(plan: Plan) -> float:
    """Seconds until every event of this run's applications was delivered (or gave up)."""
    started = time.perf_counter()
    pending = OutboxEvent.objects.filter(
        log_entry__application__enterprise__users__in=plan.enterprise_users,
        delivered_at__isnull=True,
    )
    while pending.exists() and time.perf_counter() - started < DRAIN_SECONDS:
        time.sleep(0.5)
    return time.perf_counter() - started


def _recipients(application: Application, transition: str) -> set[int]:
    people = set(
        User.objects.filter(
            enterprise_id=application.enterprise_id, groups__name=roles.ENTERPRISE, is_active=True
        ).values_list("pk", flat=True)
    )
    role = NEXT_ROLE.get(transition)
    others = User.objects.filter(groups__name=role, is_active=True)
    if role == roles.DISTRICT_REVIEWER:
        others = others.filter(district=application.district)
    elif role == roles.MUNICIPAL_REVIEWER:
        others = others.filter(divisions=application.track.measure.division_id)
    return people | set(others.values_list("pk", flat=True)) if role else people


def check(plan: Plan, workflow: Workflow, five_hundreds: list[str]) -> list[tuple[str, list]]:
    """Each check and what failed it."""
    ledger = workflow.ledger
    usernames = dict(User.objects.values_list("pk", "username"))
    applications = {
        a.pk: a
        for a in Application.objects.filter(
            enterprise__users__in=plan.enterprise_users
        ).select_related("track__measure", "enterprise")
    }
    entries = defaultdict(list)
    for entry in TransitionLog.objects.filter(application__in=applications.values()).order_by(
        "created_at", "pk"
    ):
        entries[entry.application_id].append(entry)
    events = {
        event.log_entry_id: event
        for event in OutboxEvent.objects.filter(log_entry__application__in=applications.values())
    }
    notifications = defaultdict(Counter)
    unkeyed, unsent = [], []
    for notification in Notification.objects.filter(application__in=applications.values()):
        if notification.log_entry_id is None:
            unkeyed.append(f"{notification.key} → {usernames[notification.recipient_id]}")
            continue
        notifications[notification.log_entry_id][notification.recipient_id] += 1
        if notification.emailed_at is None:
            unsent.append(f"{notification.key} → {usernames[notification.recipient_id]}")

    flows = list(ledger.unfinished)
    unknown = [
        f"{a.reference_label} ({a.pk}) of {a.enterprise.name}"
        for pk, a in applications.items()
        if pk not in ledger.applications
    ]
    states, logs, outbox, missing, twice = [], [], [], [], []
    for pk, username in sorted(ledger.applications.items()):
        application = applications.get(pk)
        if application is None:
            states.append(f"{pk}: created by {username}, not in the database")
            continue
        expected = ledger.expected_state(pk)
        if application.state != expected:
            states.append(
                f"{application.reference_label}: {application.state}, expected {expected}"
            )
        seen = [(e.transition, usernames.get(e.actor_id)) for e in entries[pk]]
        if seen != ledger.taken.get(pk, []):
            logs.append(
                f"{application.reference_label}: logged {seen}, taken {ledger.taken.get(pk)}"
            )
        for entry in entries[pk]:
            event = events.get(entry.pk)
            if event is None or event.delivered_at is None:
                outbox.append(f"{application.reference_label} {entry.transition}: not delivered")
            expected_people = _recipients(application, entry.transition)
            got = notifications[entry.pk]
            for person in expected_people - set(got):
                missing.append(
                    f"{application.reference_label} {entry.transition} → {usernames[person]}"
                )
            for person, count in got.items():
                if person not in expected_people or count > 1:
                    twice.append(
                        f"{application.reference_label} {entry.transition} → {usernames[person]} ×{count}"
                    )
    return [
        ("every flow ran to its end", flows),
        ("no application the client did not create", unknown),
        ("every application in the state its successful requests imply", states),
        ("one log entry per successful transition, no other", logs),
        ("every log entry's outbox event delivered", outbox),
        ("no notification missing", missing),
        ("no notification duplicated or unexpected", twice + unkeyed),
        ("every notification's email sent", unsent),
        ("no 5xx or dropped connection", five_hundreds),
    ]


# ── the report ───────────────────────────────────────────────────────────────────────────────


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def report_workflow(workflow: Workflow, trivial_rps: float, concurrency: int) -> float:
    samples = workflow.recorder.samples
    by_page = defaultdict(list)
    for sample in samples:
        by_page[sample.page].append(sample)
    rps = len(samples) / workflow.seconds
    print(
        f"\n(w) workflow: {len(samples)} requests in {workflow.seconds:.1f} s from "
        f"{len(workflow.enterprise_browsers)} enterprises and "
        f"{len(workflow.district_browsers)} district and {MUNICIPAL_REVIEWERS} municipal reviewers "
        "(rps: the page's requests over the workflow's time)"
    )
    print(f"{'page':<22} {'requests':>8} {'rps':>7} {'median ms':>10} {'p99 ms':>9} {'5xx':>4}")
    for page, rows in by_page.items():
        seconds = [row.seconds for row in rows]
        errors = sum(row.status >= 500 or row.status == 0 for row in rows)
        print(
            f"{page:<22} {len(rows):>8} {len(rows) / workflow.seconds:>7.2f} "
            f"{_ms(statistics.median(seconds)):>10} {_ms(percentile(seconds, 0.99)):>9} "
            f"{errors:>4}"
        )
    print(
        f"{'all':<22} {len(samples):>8} {rps:>7.2f}   (trivial view: {trivial_rps:.1f} rps "
        f"with {concurrency} clients; workflow/trivial {rps / trivial_rps:.3f})"
    )
    return rps


def scale_out(arguments) -> None:
    """The workflow on one web node, then on two; their requests per second and the ratio."""
    started = time.perf_counter()
    rps, failed = {}, False
    for nodes in (1, 2):
        plan = fill(arguments)
        with (
            tempfile.TemporaryDirectory(prefix="bench-load-") as folder,
            Servers(Path(folder), arguments.workers, nodes) as servers,
        ):
            workflow = run_workflow(plan, servers.nodes)
            wait_for_outbox(plan)
        samples = workflow.recorder.samples
        rps[nodes] = len(samples) / workflow.seconds
        results = check(plan, workflow, workflow.recorder.failures)
        problems = [f"{name}: {len(found)}" for name, found in results if found]
        failed = failed or bool(problems)
        print(
            f"(w) on {nodes} node{'s' if nodes > 1 else ''} of {arguments.workers} gunicorn "
            f"workers: {len(samples)} requests in {workflow.seconds:.1f} s, {rps[nodes]:.1f} rps; "
            f"checks {'ok' if not problems else 'FAILED: ' + '; '.join(problems)}",
            flush=True,
        )
    print(
        f"\nload_nodes: one_node_rps={rps[1]:.1f} two_nodes_rps={rps[2]:.1f} "
        f"ratio={rps[2] / rps[1]:.2f} target>=1.7 cores={os.cpu_count()} "
        f"checks={'FAILED' if failed else 'ok'} total_s={time.perf_counter() - started:.0f}"
    )
    if failed:
        sys.exit(1)


def main() -> None:
    arguments = parse_arguments()
    if arguments.nodes == 2:
        scale_out(arguments)
        return
    started = time.perf_counter()
    plan = fill(arguments)
    print(
        f"run {plan.tag}: {arguments.enterprises} enterprises in {arguments.districts} districts, "
        f"measure {plan.track.measure.number} «{plan.track.name}», window {plan.window.pk}; "
        f"gunicorn with {arguments.workers} sync workers; set up in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    five_hundreds = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        with Servers(Path(folder), arguments.workers) as servers:
            port = servers.port
            workflow = run_workflow(plan, port)
            five_hundreds += workflow.recorder.failures
            drained = wait_for_outbox(plan)
            targets = read_targets(workflow)
            rounds = defaultdict(list)
            for _round in range(arguments.rounds):
                for target in targets:
                    requests = (
                        arguments.trivial_requests
                        if target.page == "trivial view"
                        else arguments.round_requests
                    )
                    recorder = closed_loop(port, target, requests, arguments.concurrency)
                    five_hundreds += recorder.failures
                    rounds[target.page].append(recorder)
            if five_hundreds:
                print(f"\ngunicorn's log ({servers.log('gunicorn')}), last lines:")
                print(servers.log("gunicorn").read_text(errors="replace")[-6000:])
        trivial_rps = statistics.median(len(r.samples) / r.seconds for r in rounds["trivial view"])
        workflow_rps = report_workflow(workflow, trivial_rps, arguments.concurrency)
        print(
            f"\n(t) {arguments.rounds} interleaved rounds, {arguments.concurrency} clients each, "
            f"{arguments.round_requests} requests per page ({arguments.trivial_requests} of the "
            "trivial view); rps the median of the rounds, latencies over all of them"
        )
        print(f"{'page':<22} {'rps':>7} {'÷ trivial':>10} {'median ms':>10} {'p99 ms':>9}")
        ratios = {}
        for page, recorders in rounds.items():
            rps = statistics.median(len(r.samples) / r.seconds for r in recorders)
            seconds = [s.seconds for r in recorders for s in r.samples]
            ratios[page] = rps / trivial_rps
            print(
                f"{page:<22} {rps:>7.1f} {ratios[page]:>10.3f} "
                f"{_ms(statistics.median(seconds)):>10} {_ms(percentile(seconds, 0.99)):>9}"
            )
        print(f"\noutbox drained {drained:.1f} s after the last request of the workflow")
        results = check(plan, workflow, five_hundreds)
    print("\nchecks:")
    failed = False
    for name, problems in results:
        print(
            f"  {'ok  ' if not problems else 'FAIL'} {name}"
            + (f": {len(problems)}" if problems else "")
        )
        for problem in problems[:10]:
            print(f"         {problem}")
        failed = failed or bool(problems)
    print(
        f"\nload: workflow_rps={workflow_rps:.1f} trivial_rps={trivial_rps:.1f} "
        f"workflow_over_trivial={workflow_rps / trivial_rps:.3f} "
        + " ".join(
            f"{page.split(' (')[0].replace(' ', '_')}_over_trivial={ratio:.3f}"
            for page, ratio in ratios.items()
            if page != "trivial view"
        )
        + f" checks={'FAILED' if failed else 'ok'} total_s={time.perf_counter() - started:.0f}"
    )
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    run(main, ELSEWHERE, __file__)
