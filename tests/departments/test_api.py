"""部门数据 by API: a signed batch lands with its source, row by row as a file does; the
signature, the timestamp, the key and the batch id are checked; the same batch is never
imported twice."""

import hashlib
import hmac
import json
import re
import shlex
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from departments.api_models import ApiDelivery, SourceKey
from departments.models import DepartmentFigure, DepartmentRecognition, ImportBatch
from departments.rollback import batch_rollback
from security.audit.records import AuditRecord
from tests.enterprises.factories import UserFactory

from .factories import code, csv_bytes, run, statistics_bureau

pytestmark = pytest.mark.django_db

URL = "/api/departments/batches/"
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def source(policy):
    return statistics_bureau()


@pytest.fixture
def credentials(source):
    key, secret = SourceKey.issue(source=source, by=None)
    return key, secret


def sign(secret: str, timestamp: str, batch_id: str, body: bytes) -> str:
    """As the README's recipe does: HMAC-SHA256 of "timestamp\\nbatch id\\nsha256 of body"."""
    message = f"{timestamp}\n{batch_id}\n{hashlib.sha256(body).hexdigest()}"
    return "hmac-sha256=" + hmac.new(secret.encode(), message.encode(), "sha256").hexdigest()


def post(client, credentials, payload, *, batch_id="B-001", timestamp=None, secret=None, **headers):
    key, real_secret = credentials
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    values = {
        "HTTP_X_SOURCE_KEY": key.key_id,
        "HTTP_X_TIMESTAMP": timestamp,
        "HTTP_X_BATCH_ID": batch_id,
        "HTTP_X_SIGNATURE": sign(secret or real_secret, timestamp, batch_id, body),
        **headers,
    }
    return client.post(URL, body, content_type="application/json", **values)


def figures():
    return {
        (f.credit_code, f.year, f.name): f.value
        for f in DepartmentFigure.objects.filter(current=True)
    }


GOOD = {
    "year": 2024,
    "rows": [
        {"credit_code": code(1), "工业增加值": "1200000000", "first_breakthrough": "是"},
        {"credit_code": code(2), "year": 2025, "industrial_added_value": 800.5, "单项冠军": "否"},
    ],
}


def test_the_url_is_the_documented_one():
    assert reverse("departments-api:batches") == URL


def test_a_signed_batch_lands_with_its_source(client, source, credentials):
    response = post(client, credentials, GOOD)

    assert response.status_code == 201, response.content
    answer = response.json()
    batch = ImportBatch.objects.get()
    assert (batch.source, batch.channel, batch.external_id) == (source, "api", "B-001")
    assert batch.created_by is None and batch.rows == 2
    assert answer["batch"] == batch.pk
    assert (answer["rows"], answer["new"], answer["changed"], answer["refused"]) == (2, 4, 0, 0)
    assert answer["results"] == [
        {"row": 1, "status": "new", "reason": ""},
        {"row": 2, "status": "new", "reason": ""},
    ]
    assert figures() == {
        (code(1), 2024, "industrial_added_value"): Decimal("1200000000"),
        (code(1), 2024, "first_breakthrough"): True,
        (code(2), 2025, "industrial_added_value"): Decimal("800.5"),
    }
    assert DepartmentRecognition.objects.get().held is False
    assert batch.sha256 == hashlib.sha256(json.dumps(GOOD).encode()).hexdigest()


def test_each_row_says_its_status(client, source, credentials):
    post(client, credentials, GOOD)
    later = {
        "year": 2024,
        "rows": [
            {"credit_code": code(1), "工业增加值": "1300000000"},
            {"credit_code": code(1), "首次突破": "是"},  # the same code and year again
            {"credit_code": code(3), "工业增加值": "5"},
            {"credit_code": code(2), "year": 2025, "工业增加值": "800.50"},
        ],
    }

    answer = post(client, credentials, later, batch_id="B-002").json()

    assert [(r["row"], r["status"]) for r in answer["results"]] == [
        (1, "changed"),
        (2, "refused"),
        (3, "new"),
        (4, "unchanged"),
    ]
    assert "与第1行重复" in answer["results"][1]["reason"]


def test_refused_rows_are_answered_with_their_numbers_and_the_others_applied(
    client, source, credentials
):
    payload = {
        "rows": [
            {"credit_code": code(1), "year": 2024, "工业增加值": "100"},
            {"credit_code": "91500000ABC", "year": 2024, "工业增加值": "100"},
            {"credit_code": code(3), "year": 2019, "工业增加值": "100"},
            {"credit_code": code(4), "year": 2024, "工业增加值": "1,000"},
            {"credit_code": code(5), "year": 2024, "首次突破": "也许"},
            {"credit_code": code(6), "工业增加值": "1"},
            {},
        ]
    }

    response = post(client, credentials, payload)

    assert response.status_code == 201
    answer = response.json()
    refused = {r["row"]: r["reason"] for r in answer["results"] if r["status"] == "refused"}
    assert sorted(refused) == [2, 3, 4, 5, 6, 7]
    assert "18位" in refused[2]
    assert "2019年不在统计局数据的年度范围" in refused[3]
    assert "工业增加值" in refused[4] and "千位分隔符" in refused[4]
    assert "“是”或“否”" in refused[5]
    assert "四位数字" in refused[6]
    assert refused[7] == "该行没有数据。"
    assert answer["refused"] == 6 and answer["rows"] == 7
    assert figures() == {(code(1), 2024, "industrial_added_value"): Decimal("100")}
    assert ImportBatch.objects.get().report["refused"][0]["row"] == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "不是有效的JSON"),
        (b"[]", "“rows”为非空的数据行列表"),
        (b'{"rows": []}', "“rows”为非空的数据行列表"),
        (b'{"rows": [1]}', "第1行应为对象"),
        (
            b'{"rows": [{"credit_code": "x", "year": 2024, "\xe8\x90\xa5\xe4\xb8\x9a": 1}]}',
            "没有这些字段",
        ),
        (
            json.dumps(
                {"rows": [{"credit_code": "x", "工业增加值": 1, "industrial_added_value": 2}]}
            ).encode(),
            "两次给出“工业增加值”",
        ),
        (json.dumps({"rows": [{"credit_code": "x", "year": 2024}]}).encode(), "没有统计局的数据列"),
    ],
)
def test_a_malformed_body_is_400_in_chinese(client, source, credentials, body, message):
    response = post(client, credentials, body)

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert response.json()["code"] == "bad_body"
    assert not ImportBatch.objects.exists()


def test_a_bad_signature_is_401(client, source, credentials):
    response = post(client, credentials, GOOD, secret="not-the-secret")

    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
    assert not ImportBatch.objects.exists()


def test_a_signature_over_another_body_is_401(client, source, credentials):
    key, secret = credentials
    timestamp = str(int(time.time()))
    response = client.post(
        URL,
        json.dumps(GOOD).encode(),
        content_type="application/json",
        HTTP_X_SOURCE_KEY=key.key_id,
        HTTP_X_TIMESTAMP=timestamp,
        HTTP_X_BATCH_ID="B-001",
        HTTP_X_SIGNATURE=sign(secret, timestamp, "B-001", b'{"rows": []}'),
    )

    assert response.status_code == 401


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_stale_or_future_timestamp_is_401(client, source, credentials, skew):
    response = post(client, credentials, GOOD, timestamp=str(int(time.time()) + skew))

    assert response.status_code == 401 and response.json()["code"] == "stale_timestamp"


def test_an_iso_timestamp_is_taken(client, source, credentials):
    from datetime import UTC, datetime

    timestamp = datetime.now(UTC).isoformat(timespec="seconds")

    assert post(client, credentials, GOOD, timestamp=timestamp).status_code == 201


@pytest.mark.parametrize("timestamp", ["yesterday", "2026-01-01T00:00:00"])
def test_a_timestamp_that_is_not_one_is_401(client, source, credentials, timestamp):
    response = post(client, credentials, GOOD, timestamp=timestamp)

    assert response.status_code == 401 and response.json()["code"] == "bad_timestamp"


def test_an_unknown_key_is_401(client, source, credentials):
    response = post(client, credentials, GOOD, HTTP_X_SOURCE_KEY="dk_0000000000000000")

    assert response.status_code == 401 and response.json()["code"] == "unknown_key"


def test_missing_headers_are_401(client, source, credentials):
    response = client.post(URL, GOOD, content_type="application/json")

    assert response.status_code == 401 and response.json()["code"] == "missing_headers"


def test_a_revoked_key_is_403(client, source, credentials):
    credentials[0].revoke(by=None)

    response = post(client, credentials, GOOD)

    assert response.status_code == 403 and response.json()["code"] == "revoked_key"


def test_an_inactive_source_is_403(client, source, credentials):
    source.is_active = False
    source.save()

    assert post(client, credentials, GOOD).status_code == 403


def test_a_rotated_key_replaces_the_old_one(client, source, credentials):
    old_key, old_secret = credentials
    key, secret = SourceKey.issue(source=source, by=None)

    assert post(client, (old_key, old_secret), GOOD).status_code == 401
    assert key.key_id != old_key.key_id and secret != old_secret
    assert post(client, (key, secret), GOOD).status_code == 201


def test_the_secret_is_stored_encrypted(source, credentials):
    from django.db import connection

    key, secret = credentials
    with connection.cursor() as cursor:
        cursor.execute("select secret from departments_sourcekey where id = %s", [key.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored and stored.startswith("v1:")
    assert SourceKey.objects.get().secret == secret


def test_the_same_batch_again_gets_the_same_answer_and_writes_nothing(client, source, credentials):
    first = post(client, credentials, GOOD)
    rows = DepartmentFigure.objects.count()

    again = post(client, credentials, GOOD)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert ImportBatch.objects.count() == 1 and ApiDelivery.objects.count() == 1
    assert DepartmentFigure.objects.count() == rows


def test_the_same_batch_id_with_another_body_is_409(client, source, credentials):
    post(client, credentials, GOOD)
    other = {"rows": [{"credit_code": code(9), "year": 2024, "工业增加值": "1"}]}

    response = post(client, credentials, other)

    assert response.status_code == 409 and response.json()["code"] == "batch_id_reused"
    assert ImportBatch.objects.count() == 1


def test_a_batch_id_is_per_source(client, source, credentials):
    post(client, credentials, GOOD)
    other = statistics_bureau(name="税务局", code="tax")

    response = post(client, SourceKey.issue(source=other, by=None), GOOD)

    assert response.status_code == 201


def test_a_body_over_the_limit_is_413(client, source, credentials, settings):
    settings.DEPARTMENT_API_MAX_BODY_BYTES = 100

    response = post(client, credentials, GOOD)

    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


def test_too_many_rows_are_413(client, source, credentials, settings):
    settings.DEPARTMENT_API_MAX_ROWS = 1

    response = post(client, credentials, GOOD)

    assert response.status_code == 413 and response.json()["code"] == "too_many_rows"
    assert not ImportBatch.objects.exists()


def test_calls_are_rate_limited_per_key(client, source, credentials, settings):
    settings.DEPARTMENT_API_RATE = "2/m"
    from django.core.cache import cache

    cache.clear()
    statuses = [post(client, credentials, GOOD, batch_id=f"R-{n}").status_code for n in range(3)]

    assert statuses == [201, 201, 429]


def test_an_api_batch_rolls_back_like_a_file_batch(client, source, credentials):
    run(source, csv_bytes([[code(1), 2024, "100", "", "是"]]))
    post(
        client, credentials, {"rows": [{"credit_code": code(1), "year": 2024, "工业增加值": "150"}]}
    )
    batch = ImportBatch.objects.get(channel="api")

    batch_rollback(batch=batch, by=UserFactory(is_staff=True))

    assert figures()[(code(1), 2024, "industrial_added_value")] == Decimal("100")
    # The batch id stays spent: the same delivery is answered, not imported again.
    again = post(
        client, credentials, {"rows": [{"credit_code": code(1), "year": 2024, "工业增加值": "150"}]}
    )
    assert again.status_code == 200 and again.json()["rolled_back"] is True
    assert figures()[(code(1), 2024, "industrial_added_value")] == Decimal("100")


def test_each_call_is_a_security_event_without_the_secret(client, source, credentials):
    key, secret = credentials
    post(client, credentials, GOOD)
    post(client, credentials, GOOD, secret="wrong")

    records = list(AuditRecord.objects.filter(kind="department_api").order_by("id"))
    assert [r.detail["status"] for r in records] == [201, 401]
    assert records[0].detail["source"] == "statistics"
    assert records[0].detail["batch_id"] == "B-001"
    assert records[0].object_type == "departments.importbatch"
    stored = json.dumps([r.detail for r in records])
    assert secret not in stored and "hmac-sha256" not in stored


def test_a_get_is_405(client):
    assert client.get(URL).status_code == 405


def _readme_recipe() -> str:
    text = README.read_text()
    section = text[text.index("### 部门数据 by API") :]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_the_readme_recipe_signs_as_the_site_verifies(client, source, credentials, tmp_path):
    """The README's shell recipe, run with openssl, with curl standing in to print what it
    would send: the site takes that request."""
    key, secret = credentials
    Path(tmp_path / "batch.json").write_bytes(json.dumps(GOOD, ensure_ascii=False).encode())
    script = "\n".join(
        line for line in _readme_recipe().splitlines() if not re.match(r"(KEY|SECRET)=", line)
    )
    printed = subprocess.run(
        ["bash", "-c", "curl() { printf '%s\\n' \"$@\"; }\n" + script],
        cwd=tmp_path,
        env={"KEY": key.key_id, "SECRET": secret, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    headers = dict(printed[i + 1].split(": ", 1) for i, arg in enumerate(printed) if arg == "-H")
    assert printed[printed.index("--data-binary") + 1] == "@batch.json", shlex.join(printed)

    response = client.post(
        URL,
        (tmp_path / "batch.json").read_bytes(),
        content_type=headers["Content-Type"],
        **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()},
    )

    assert response.status_code == 201, response.content
    assert headers["X-Signature"] == sign(
        secret,
        headers["X-Timestamp"],
        headers["X-Batch-Id"],
        (tmp_path / "batch.json").read_bytes(),
    )


def test_a_body_over_djangos_form_limit_but_within_the_apis_is_read(client, source, credentials):
    # DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB) bounds forms, not this body: 6 MB of JSON is taken.
    body = json.dumps(GOOD).encode() + b" " * (6 * 1024 * 1024)

    response = post(client, credentials, body)

    assert response.status_code == 201, response.content[:200]
