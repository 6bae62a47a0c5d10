"""Two of everything on loopback: a PostgreSQL database of its own, a copy of the test database,
behind PgBouncer in transaction pooling (scripts/pgbouncer.sh), one Redis database, an S3 server (moto), two gunicorn web nodes and
two Celery workers taking every queue, all with the production settings configured by the
environment alone; and a person's browser for them (``Visitor``).

Every process is started in a session of its own and stopped by its process group, so that
killing a node kills its workers with it, as a machine's loss would.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
import psycopg
import requests
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PGBOUNCER_HELPER = ROOT / "scripts" / "pgbouncer.sh"
BUCKET = "policy-portal-cluster"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group: the machine is gone, its workers with it."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)


@dataclass
class Cluster:
    folder: Path
    template: dict  # the connection settings of the database copied (the test database)
    redis_url: str
    web_workers: int = 2
    processes: list[Process] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)  # base URLs
    data: dict = field(default_factory=dict)
    pooled: bool = False

    def __post_init__(self):
        self.database = f"{self.template['NAME']}_cluster_{os.getpid()}"
        self.media = self.folder / "media"
        self.mail = self.folder / "mail"
        self.static = self.folder / "static"
        for folder in (self.media, self.mail, self.static):
            folder.mkdir()
        # PostgreSQL itself, not the pooler the tests may go through (DATABASE_DIRECT_URL,
        # tests/pooling.py): a database is copied and dropped there.
        server = self.template
        if os.environ.get("DATABASE_DIRECT_URL"):
            server = environ.Env.db_url_config(os.environ["DATABASE_DIRECT_URL"])
        self.direct = {
            "host": server["HOST"] or "127.0.0.1",
            "port": int(server["PORT"] or 5432),
            "user": server["USER"] or "postgres",
        }
        self.s3_port = free_port()

    # ── environment ──────────────────────────────────────────────────────────────────────

    def environment(self, database_url: str) -> dict:
        access, secret = "cluster", secrets.token_hex(8)
        return {
            **{
                key: value
                for key, value in os.environ.items()
                # The test process's own: its settings, its database and pooler, its pytest.
                if not key.startswith(("PYTEST", "DJANGO", "DATABASE_", "EXPECT_", "TEST_"))
            },
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "tests.cluster.node_settings",
            "CLUSTER_STATIC_ROOT": str(self.static),
            "SECRET_KEY": self.secret_key,
            "FIELD_ENCRYPTION_KEYS": self.encryption_keys,
            "FIELD_HASH_KEY": self.hash_key,
            "DATABASE_URL": database_url,
            **({"DATABASE_POOLING": "transaction"} if self.pooled else {}),
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.redis_url,
            "STORAGE_URL": (
                f"s3://{access}:{secret}@127.0.0.1:{self.s3_port}/{BUCKET}"
                "?region=us-east-1&tls=false"
            ),
            "MEDIA_ROOT": str(self.media),
            "EMAIL_BACKEND": "tests.cluster.mail_files.EmailBackend",
            "CLUSTER_MAIL_DIR": str(self.mail),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "LANGUAGE_COOKIE_SECURE": "false",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
        }

    # ── start ────────────────────────────────────────────────────────────────────────────

    def step(self, name: str) -> None:
        """The start's steps and their seconds, in the folder (setup.log) for a slow start."""
        now = time.monotonic()
        with open(self.folder / "setup.log", "a") as log:
            log.write(f"{now - self.started:6.1f} s {name}\n")

    def start(self) -> "Cluster":
        # The rows of the copied test database are encrypted under the test settings' keys.
        from django.conf import settings

        self.started = time.monotonic()
        self.secret_key = secrets.token_urlsafe(40)
        self.encryption_keys = settings.FIELD_ENCRYPTION_KEYS
        self.hash_key = settings.FIELD_HASH_KEY
        self._copy_database()
        self.step("database copied")
        self._flush_redis()
        self._start_s3()
        self.step("S3 server")
        database_url = self._start_pgbouncer()
        self.env = self.environment(database_url)
        # The static files and the data at once: neither needs the other.
        collect = self._spawn(
            "collectstatic",
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        )
        # The set-up's tasks stay in its process: what it queued is marked handled.
        setup = subprocess.run(
            [
                PYTHON,
                "-m",
                "tests.cluster.data",
                "setup",
                json.dumps({"password": PASSWORD, "enterprises": 5, "drafts": 3}),
            ],
            cwd=ROOT,
            env={**self.env, "CELERY_BROKER_URL": "memory://"},
            capture_output=True,
            text=True,
            timeout=180,
        )
        if setup.returncode:
            raise RuntimeError(f"the set-up failed:\n{setup.stderr[-4000:]}")
        self.data = json.loads(setup.stdout.strip().splitlines()[-1])
        self.step("data")
        if collect.popen.wait(timeout=120):
            raise RuntimeError(f"collectstatic failed; see {collect.log}")
        self.processes.remove(collect)
        self.step("static files")
        for number in (1, 2):
            port = free_port()
            self._spawn(
                f"web-{number}",
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "policy_portal.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(self.web_workers),
                    "--timeout",
                    "60",
                ],
            )
            self.nodes.append(f"http://127.0.0.1:{port}")
        for number in (1, 2):
            self._spawn(
                f"worker-{number}",
                [
                    PYTHON,
                    "-m",
                    "celery",
                    "-A",
                    "policy_portal",
                    "worker",
                    # Every queue (the task routes' in the settings): each worker takes any
                    # kind of task, so that the two compete for every one.
                    "-Q",
                    ",".join(settings.TASK_QUEUES),
                    "--concurrency=1",
                    "-n",
                    f"cluster-{number}@127.0.0.1",
                    "--without-mingle",
                    "--without-gossip",
                    "--loglevel=INFO",
                ],
            )
        self._wait_for_nodes()
        self.step("web nodes")
        self._wait_for_workers()
        self.step("workers")
        return self

    def _spawn(self, name: str, command: list[str], env: dict | None = None) -> Process:
        log = self.folder / f"{name}.log"
        with open(log, "wb") as output:
            popen = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env or self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def _admin(self):
        return psycopg.connect(**self.direct, dbname="postgres", autocommit=True)

    def _copy_database(self) -> None:
        """A copy of the migrated test database: migrating anew would take a minute."""
        from django.db import connections

        connections.close_all()
        with self._admin() as admin:
            deadline = time.monotonic() + 20
            while True:
                try:
                    admin.execute(
                        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                            sql.Identifier(self.database), sql.Identifier(self.template["NAME"])
                        )
                    )
                    return
                except psycopg.errors.ObjectInUse:
                    if time.monotonic() > deadline:
                        raise
                    # Only this process uses its test database: what is left are the pooler's
                    # idle server connections (it opens new ones when next asked), or one of a
                    # test before this one still closing.
                    admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = %s AND pid <> pg_backend_pid()",
                        [self.template["NAME"]],
                    )
                    time.sleep(0.2)

    def _flush_redis(self) -> None:
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()

    def _start_s3(self) -> None:
        import boto3

        self._spawn(
            "s3",
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.s3_port)],
            env=dict(os.environ),
        )
        endpoint = f"http://127.0.0.1:{self.s3_port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(endpoint, timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster",
        )
        self.s3.create_bucket(Bucket=BUCKET)

    def _start_pgbouncer(self) -> str:
        """The database URL the nodes use: through PgBouncer (transaction pooling) when the
        repository has its helper, else PostgreSQL directly."""
        direct = (
            f"postgres://{self.direct['user']}@{self.direct['host']}:{self.direct['port']}/"
            f"{self.database}"
        )
        if not PGBOUNCER_HELPER.exists():
            return direct
        # Run as user postgres when started as root: not under pytest's folders, which only
        # their owner may enter.
        self.pgbouncer_dir = Path(tempfile.mkdtemp(prefix="cluster-pgbouncer-"))
        port = free_port()
        subprocess.run(
            [str(PGBOUNCER_HELPER), "start", str(self.pgbouncer_dir), str(port)],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": direct},
            check=True,
            timeout=30,
        )
        self.pooled = True
        self.pgbouncer_port = port
        return f"postgres://{self.direct['user']}@127.0.0.1:{port}/{self.database}"

    def pooled_transactions(self) -> int:
        """Transactions PgBouncer passed on to the nodes' database (its admin console's SHOW
        STATS; psql, as the console speaks the simple query protocol only)."""
        stats = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.pgbouncer_port), "-U", "postgres"]
            + ["-d", "pgbouncer", "-tA", "-F", "\t", "-c", "SHOW STATS"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        for line in stats.stdout.splitlines():
            columns = line.split("\t")
            if columns[0] == self.database:
                return int(columns[1])
        return 0

    def _wait_for_nodes(self) -> None:
        deadline = time.monotonic() + 90
        waiting = list(self.nodes)
        while waiting:
            self._check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"{waiting} did not answer; see the logs in {self.folder}")
            for node in list(waiting):
                try:
                    if requests.get(f"{node}/accounts/login/", timeout=30).status_code == 200:
                        waiting.remove(node)
                except requests.RequestException:
                    pass
            time.sleep(0.3)

    def _wait_for_workers(self) -> None:
        deadline = time.monotonic() + 90
        for process in self.processes:
            if not process.name.startswith("worker"):
                continue
            while b" ready." not in process.log.read_bytes():
                self._check_alive()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{process.name} did not start; see {process.log}")
                time.sleep(0.3)

    def _check_alive(self) -> None:
        for process in self.processes:
            if not process.alive():
                raise RuntimeError(
                    f"{process.name} exited:\n{process.log.read_text(errors='replace')[-3000:]}"
                )

    def process(self, name: str) -> Process:
        return next(p for p in self.processes if p.name == name)

    # ── the data, read as the nodes read it ──────────────────────────────────────────────

    def tool(self, command: str, **arguments) -> dict:
        result = subprocess.run(
            [PYTHON, "-m", "tests.cluster.data", command, json.dumps(arguments)],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode:
            raise RuntimeError(f"{command} failed:\n{result.stderr[-4000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def media_files(self) -> list[Path]:
        return [path for path in self.media.rglob("*") if path.is_file()]

    def bucket_keys(self) -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    # ── stop ─────────────────────────────────────────────────────────────────────────────

    def stop(self) -> None:
        # Nothing of theirs is kept (the database is dropped, the Redis database emptied): the
        # processes are killed rather than left to finish their work.
        self.started = time.monotonic()
        for process in reversed(self.processes):
            process.kill()
        self.step("stop: processes killed")
        if self.pooled:
            subprocess.run(
                [str(PGBOUNCER_HELPER), "stop", str(self.pgbouncer_dir)], cwd=ROOT, timeout=30
            )
            shutil.rmtree(self.pgbouncer_dir, ignore_errors=True)
            self.step("stop: PgBouncer")
        try:
            self._flush_redis()
        finally:
            with self._admin() as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(self.database)
                    )
                )
            self.step("stop: database dropped")


def redis_of_the_cluster(url: str) -> str:
    """A Redis database of the cluster's own: three past the one the suite was given, the two
    after that being its pytest-xdist workers' (policy_portal/settings/test.py, which has already
    moved ``url`` on in a worker); or CLUSTER_REDIS_URL, when set."""
    if os.environ.get("CLUSTER_REDIS_URL"):
        return os.environ["CLUSTER_REDIS_URL"]
    parts = urlsplit(url or "redis://127.0.0.1:6379/0")
    database = int(parts.path.strip("/") or 0)
    worker = os.environ.get("TEST_REDIS_WORKER", "")
    if worker.startswith("gw"):
        database -= 1 + int(worker[2:])
    return urlunsplit(parts._replace(path=f"/{(database + 3) % 16}"))


PASSWORD = "cluster-pass-2026"


# ── a person's browser ───────────────────────────────────────────────────────────────────────


class Visitor:
    """One person's cookies, sent to whichever node is asked: sessions live in the database, so
    a person signed in on one node is signed in on every other."""

    def __init__(self, username: str):
        self.username = username
        self.session = requests.Session()

    def get(self, node: str, path: str, **kwargs) -> requests.Response:
        return self.session.get(node + path, allow_redirects=False, timeout=60, **kwargs)

    def post(self, node: str, path: str, data: dict, **kwargs) -> requests.Response:
        return self.session.post(
            node + path, data=data, allow_redirects=False, timeout=60, **kwargs
        )

    def form(self, node: str, path: str) -> str:
        """The CSRF token of the form at ``path``."""
        page = self.get(node, path)
        assert page.status_code == 200, (path, page.status_code)
        return CSRF.search(page.text).group(1)

    def log_in(self, node: str, *, admin: bool = False, device_key: str | None = None):
        login = "/admin/login/" if admin else "/accounts/login/"
        landing = "/admin/" if admin else "/portal/"
        answer = self.post(
            node,
            login,
            {
                "csrfmiddlewaretoken": self.form(node, login),
                "username": self.username,
                "password": PASSWORD,
                "next": landing,
            },
        )
        assert answer.status_code == 302, (self.username, answer.status_code, answer.text[:500])
        if device_key is not None:
            # 身份鉴别: an official gives the authenticator's code after the password.
            path = "/accounts/second-factor/"
            answer = self.post(
                node,
                path,
                {
                    "csrfmiddlewaretoken": self.form(node, path),
                    "code": totp(device_key),
                    "next": landing,
                },
            )
            assert answer.status_code == 302, (self.username, answer.status_code)
            assert urlsplit(answer.headers["Location"]).path == landing
        return self


def totp(key_hex: str) -> str:
    from django_otp.oath import TOTP

    code = TOTP(bytes.fromhex(key_hex), 30, 0, 6, 0)
    code.time = time.time()
    return f"{code.token():06d}"
