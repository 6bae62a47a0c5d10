"""A real S3 API for the storage tests: moto's server on a free loopback port, one per test
process (each pytest-xdist worker starts its own), and per test a new bucket that the site's
default storage points at, read from a STORAGE_URL as a deployment's would be."""

import importlib.util
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import override_settings

from policy_portal.storage_url import storage_from_url

# Where every name is stored in the bucket: the tests see that nothing lands outside it.
PREFIX = "portal"
KEY, SECRET = "testing", "testing"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
        region_name="us-east-1",
    )


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """The endpoint of a moto server this process started; stopped at the session's end."""
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        pytest.skip("moto[server] is not installed")
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        client = _client(endpoint)
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                pytest.fail(f"moto_server stopped at start: {log.read_text()}")
            try:
                client.list_buckets()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass
class Bucket:
    name: str
    client: object
    url: str

    def objects(self, prefix: str = "") -> list[str]:
        """Every key of the bucket under ``prefix`` (the whole bucket by default)."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=prefix
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def s3(s3_server):
    """A new, empty bucket, and the site's default storage on it for the test."""
    name = f"test-{uuid.uuid4().hex[:20]}"
    client = _client(s3_server)
    client.create_bucket(Bucket=name)
    port = s3_server.rsplit(":", 1)[1]
    url = f"s3://{KEY}:{SECRET}@127.0.0.1:{port}/{name}?tls=false&prefix={PREFIX}"
    storages = {**django_settings.STORAGES, "default": storage_from_url(url)}
    with override_settings(STORAGES=storages):
        yield Bucket(name=name, client=client, url=url)
