"""STORAGE_URL read into STORAGES["default"] (policy_portal/storage_url.py)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from policy_portal.storage_url import FILESYSTEM, S3, storage_from_url


def test_no_storage_url_keeps_the_files_on_this_machines_disk():
    assert storage_from_url("") == {"BACKEND": FILESYSTEM}


def test_a_full_url_gives_a_private_s3_storage_that_never_overwrites():
    storage = storage_from_url(
        "s3://AKID%2F1:se%2Fcr%40et@minio.internal:9000/policy-docs"
        "?region=cn-southwest-1&tls=false&prefix=/portal/"
    )

    assert storage["BACKEND"] == S3
    options = storage["OPTIONS"]
    assert options["access_key"] == "AKID/1"
    assert options["secret_key"] == "se/cr@et"
    assert options["endpoint_url"] == "http://minio.internal:9000"
    assert options["bucket_name"] == "policy-docs"
    assert options["region_name"] == "cn-southwest-1"
    assert options["location"] == "portal"
    assert options["default_acl"] is None
    assert options["file_overwrite"] is False
    assert options["querystring_expire"] <= 60


def test_tls_is_the_default_and_the_region_is_us_east_1():
    options = storage_from_url("s3://key:secret@s3.example.cn/docs")["OPTIONS"]

    assert options["endpoint_url"] == "https://s3.example.cn"
    assert options["region_name"] == "us-east-1"
    assert options["location"] == ""


def test_an_ipv6_host_keeps_its_brackets():
    options = storage_from_url("s3://key:secret@[::1]:9000/docs?tls=false")["OPTIONS"]

    assert options["endpoint_url"] == "http://[::1]:9000"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://key:secret@host/docs", "scheme must be s3"),
        ("s3://host/docs", "access key id and the secret key"),
        ("s3://key@host/docs", "access key id and the secret key"),
        ("s3://key:secret@/docs", "no host"),
        ("s3://key:secret@host:port/docs", "port must be a number"),
        ("s3://key:secret@host:99999/docs", "port must be a number"),
        ("s3://key:secret@host", "not a valid bucket name"),
        ("s3://key:secret@host/Docs_Bucket", "not a valid bucket name"),
        ("s3://key:secret@host/docs/more", "not a valid bucket name"),
        ("s3://key:secret@host/docs?tls=maybe", "tls must be true or false"),
        ("s3://key:secret@host/docs?secure=false", "unknown options secure"),
        ("s3://key:secret@host/docs?tls=true&tls=false", "tls given more than once"),
        ("s3://key:secret@host/docs?tls", "not name=value pairs"),
    ],
)
def test_a_url_that_cannot_be_used_is_refused_saying_why(url, reason):
    with pytest.raises(ImproperlyConfigured, match=reason) as refused:
        storage_from_url(url)

    assert "secret" not in str(refused.value).split("Expected")[0].replace("secret key", "")


def _settings_in_a_new_process(storage_url: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "STORAGE_URL": storage_url}
    environment["DJANGO_SETTINGS_MODULE"] = "policy_portal.settings.local"
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.STORAGES['default']['BACKEND'])"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_the_site_starts_with_s3_storage_when_storage_url_is_set():
    result = _settings_in_a_new_process("s3://key:secret@127.0.0.1:9000/docs?tls=false")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == S3


def test_the_site_refuses_to_start_with_a_storage_url_it_cannot_use():
    result = _settings_in_a_new_process("s3://key:secret@127.0.0.1:9000/")

    assert result.returncode != 0
    assert "STORAGE_URL cannot be used" in result.stderr
