"""docker-compose.yml is checked by Compose itself: `docker compose` (v2) where the plugin is
installed, else the standalone `docker-compose` (Debian's 1.29: `apt-get install -y
--no-install-recommends docker-compose`). Neither needs a Docker engine for `config`."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
SERVICES = {
    "postgres",
    "pgbouncer",
    "redis",
    "minio",
    "minio-init",
    "web",
    "worker",
    "worker-mail",
    "worker-sweeps",
    "worker-exports",
    "worker-proposals",
    "beat",
}
APP_SERVICES = SERVICES - {"postgres", "pgbouncer", "redis", "minio", "minio-init"}
WITH_HEALTHCHECK = {"postgres", "redis", "minio", "web"}


def _compose_command() -> list[str]:
    """The Compose CLI to use, or a skip saying which commands are missing."""
    docker = shutil.which("docker")
    if docker is not None:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, text=True, timeout=60
        )
        if probe.returncode == 0:
            return [docker, "compose"]
        v2_missing = "`docker compose` fails (no Compose v2 plugin)"
    else:
        v2_missing = "`docker` is not installed, so `docker compose` is missing"
    legacy = shutil.which("docker-compose")
    if legacy is not None:
        return [legacy]
    pytest.skip(f"{v2_missing} and `docker-compose` is not installed")


FIELD_KEYS = {
    "FIELD_ENCRYPTION_KEYS": "k1:" + "A" * 43 + "=",
    "FIELD_HASH_KEY": "h1:" + "B" * 43 + "=",
}


def _run(
    compose: list[str],
    *args: str,
    secret_key: str | None = "x" * 50,
    field_keys: dict | None = FIELD_KEYS,
):
    # The file's ${VAR:-default}s are left to their defaults, whatever this shell exports.
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "CSRF_TRUSTED_ORIGINS",
            "DEMO_PASSWORD",
            "CONN_MAX_AGE",
            "MINIO_ROOT_USER",
            "MINIO_ROOT_PASSWORD",
            "MINIO_BUCKET",
            *FIELD_KEYS,
        }
        and not key.startswith("COMPOSE_")
    }
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    env.update(field_keys or {})
    return subprocess.run(
        [*compose, "--file", str(COMPOSE_FILE), "--project-directory", str(ROOT), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )


def _services_with_healthcheck(config: str) -> set[str]:
    """Services that have a `healthcheck:` key in `config`'s normalised YAML.

    Both Compose versions print block YAML with services two spaces in under `services:` and
    their keys four spaces in; this reads that much without a YAML parser.
    """
    found: set[str] = set()
    in_services = False
    service = None
    for line in config.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            in_services = line.rstrip() == "services:"
            service = None
        elif in_services and (match := re.fullmatch(r"  ([^\s:#][^:]*):\s*", line)):
            service = match.group(1)
        elif in_services and service and re.fullmatch(r"    healthcheck:\s*", line):
            found.add(service)
    return found


def test_the_compose_file_validates_and_defines_its_services_with_healthchecks():
    compose = _compose_command()

    quiet = _run(compose, "config", "-q")
    assert quiet.returncode == 0, quiet.stderr

    services = _run(compose, "config", "--services")
    assert services.returncode == 0, services.stderr
    assert set(services.stdout.split()) == SERVICES

    config = _run(compose, "config")
    assert config.returncode == 0, config.stderr
    assert _services_with_healthcheck(config.stdout) >= WITH_HEALTHCHECK


def test_the_stack_does_not_start_without_a_secret_key():
    compose = _compose_command()

    refused = _run(compose, "config", "-q", secret_key=None)

    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stderr


def test_the_stack_does_not_start_without_the_keys_of_the_personal_data():
    compose = _compose_command()

    refused = _run(compose, "config", "-q", field_keys={})

    assert refused.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in refused.stderr or "FIELD_HASH_KEY" in refused.stderr


def test_the_web_server_worker_and_beat_keep_their_database_connections():
    compose = _compose_command()

    config = _run(compose, "config")

    assert config.returncode == 0, config.stderr
    # Each app service carries the setting (YAML anchors are expanded).
    count = len(APP_SERVICES)
    assert len(re.findall(r"^\s+CONN_MAX_AGE: ['\"]?60['\"]?\s*$", config.stdout, re.M)) == count
    assert (
        len(re.findall(r"^\s+CONN_HEALTH_CHECKS: ['\"]?true['\"]?\s*$", config.stdout, re.M))
        == count
    )


def test_the_web_server_worker_and_beat_store_the_documents_in_the_minio_bucket():
    from policy_portal.storage_url import S3, storage_from_url

    compose = _compose_command()

    config = _run(compose, "config")

    assert config.returncode == 0, config.stderr
    urls = re.findall(r"^\s+STORAGE_URL: ['\"]?(\S+?)['\"]?\s*$", config.stdout, re.M)
    assert len(urls) == len(APP_SERVICES) and len(set(urls)) == 1
    options = storage_from_url(urls[0])
    assert options["BACKEND"] == S3
    assert options["OPTIONS"]["endpoint_url"] == "http://minio:9000"
    assert options["OPTIONS"]["bucket_name"] == "policy-portal"
    # No node keeps documents on a disk of its own any more.
    assert "/app/var/media" not in config.stdout
    assert "service_completed_successfully" in config.stdout


def _service_blocks(config: str) -> dict[str, str]:
    """Each service's lines in `config`'s normalised YAML (see _services_with_healthcheck)."""
    blocks: dict[str, list[str]] = {}
    in_services = False
    service = None
    for line in config.splitlines():
        if line.strip() and not line.startswith(" "):
            in_services = line.rstrip() == "services:"
            service = None
        elif in_services and (match := re.fullmatch(r"  ([^\s:#][^:]*):\s*", line)):
            service = match.group(1)
            blocks[service] = []
        elif in_services and service:
            blocks[service].append(line)
    return {name: "\n".join(lines) for name, lines in blocks.items()}


def test_a_worker_per_queue_the_app_through_pgbouncer_and_one_beat():
    compose = _compose_command()

    config = _run(compose, "config")

    assert config.returncode == 0, config.stderr
    blocks = _service_blocks(config.stdout)
    queues = {
        name: re.search(r"-Q\s+(\S+)", blocks[name]).group(1)
        for name in APP_SERVICES
        if name.startswith("worker")
    }
    assert queues == {
        "worker": "celery",
        "worker-mail": "mail",
        "worker-sweeps": "sweeps",
        "worker-exports": "exports",
        "worker-proposals": "proposals",
    }
    for name in APP_SERVICES:
        assert re.search(r"DATABASE_URL: \S+@pgbouncer:6432/", blocks[name]), name
        assert re.search(r"DATABASE_POOLING: transaction", blocks[name]), name
    assert "POOL_MODE: transaction" in blocks["pgbouncer"]
    assert "policy_portal.beat:SingleBeatScheduler" in blocks["beat"]
    # Migrations go to PostgreSQL itself, not through the pooler.
    assert re.search(r"DATABASE_URL=\$+DATABASE_DIRECT_URL python manage.py migrate", blocks["web"])
