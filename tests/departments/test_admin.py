"""部门数据 in the admin: the upload, its preview and confirmation, the batch's page and its
roll-back; the system administrator's alone, the auditor reading the batches."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments.models import DepartmentFigure, ImportBatch
from tests.enterprises.factories import UserFactory
from tests.zh_hans import english_on_page

from .factories import code, csv_bytes, run, statistics_bureau, xlsx_bytes

pytestmark = pytest.mark.django_db
IMPORT_URL = reverse("admin:departments_importbatch_import")


@pytest.fixture
def source(policy):
    return statistics_bureau()


@pytest.fixture
def administrator(policy):
    return UserFactory(is_staff=True, roles=["administrator"])


def upload(client, source, content, name="统计局2024.csv"):
    return client.post(IMPORT_URL, {"source": source.pk, "file": SimpleUploadedFile(name, content)})


def test_upload_previews_then_confirmation_applies(client, source, administrator):
    client.force_login(administrator)
    content = csv_bytes([[code(1), 2024, "100", "是", ""], ["BAD", 2024, "1", "", ""]])

    preview = upload(client, source, content)

    body = preview.content.decode()
    assert preview.status_code == 200
    assert "确认导入" in body and "将被拒绝的行" in body and "统一社会信用代码应为18位" in body
    assert not english_on_page(body, allowed={administrator.username})
    assert not ImportBatch.objects.exists() and not DepartmentFigure.objects.exists()

    confirmed = client.post(IMPORT_URL, {"token": preview.context["token"]})

    batch = ImportBatch.objects.get()
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:departments_importbatch_change", args=[batch.pk])
    assert (batch.new_count, batch.refused_count, batch.created_by) == (2, 1, administrator)
    assert batch.file.name.startswith("department-imports/staging/")
    page = client.get(confirmed["Location"]).content.decode()
    assert "回退" in page and "统一社会信用代码应为18位" in page


def test_an_xlsx_uploads_too(client, source, administrator):
    client.force_login(administrator)

    preview = upload(client, source, xlsx_bytes([[code(1), 2024, 100, "是", "是"]]), "a.xlsx")

    assert preview.context["outcome"].new == 3


def test_a_refused_file_says_why_on_the_form(client, source, administrator):
    client.force_login(administrator)

    response = upload(
        client,
        source,
        csv_bytes([[code(1), 2024, "1"]], header=["统一社会信用代码", "年度", "利润"]),
    )

    assert response.status_code == 200
    assert "统计局未定义的列：利润" in response.content.decode()


def test_a_tampered_confirmation_applies_nothing(client, source, administrator):
    client.force_login(administrator)

    response = client.post(IMPORT_URL, {"token": "forged"})

    assert response.status_code == 302
    assert not ImportBatch.objects.exists()


def test_another_persons_preview_cannot_be_confirmed(client, source, administrator):
    client.force_login(administrator)
    token = upload(client, source, csv_bytes([[code(1), 2024, "1", "", ""]])).context["token"]
    client.force_login(UserFactory(is_staff=True, roles=["administrator"]))

    assert client.post(IMPORT_URL, {"token": token}).status_code == 403
    assert not ImportBatch.objects.exists()


def test_the_rollback_asks_then_rolls_back(client, source, administrator):
    client.force_login(administrator)
    batch = run(source, csv_bytes([[code(1), 2024, "100", "", ""]]), by=administrator).batch
    url = reverse("admin:departments_importbatch_rollback", args=[batch.pk])

    asked = client.get(url)

    assert asked.status_code == 200 and "确认回退" in asked.content.decode()
    assert not english_on_page(asked.content.decode(), allowed={administrator.username})
    assert client.post(url).status_code == 302
    batch.refresh_from_db()
    assert batch.is_rolled_back and not DepartmentFigure.objects.filter(current=True).exists()
    # Once rolled back, the page says so and offers nothing.
    assert client.get(url).status_code == 302


def test_the_auditor_reads_the_batches_and_does_nothing_else(client, source):
    batch = run(source, csv_bytes([[code(1), 2024, "100", "", ""]])).batch
    auditor = UserFactory(is_staff=True, roles=["auditor"])
    client.force_login(auditor)

    assert client.get(reverse("admin:departments_importbatch_changelist")).status_code == 200
    page = client.get(reverse("admin:departments_importbatch_change", args=[batch.pk]))
    assert page.status_code == 200 and 'id="rollback"' not in page.content.decode()
    assert client.get(IMPORT_URL).status_code == 403
    rollback = reverse("admin:departments_importbatch_rollback", args=[batch.pk])
    assert client.post(rollback).status_code == 403
    assert client.get(reverse("admin:departments_datasource_changelist")).status_code == 403


def test_a_source_is_defined_with_its_columns(client, policy, administrator):
    client.force_login(administrator)
    url = reverse("admin:departments_datasource_add")
    data = {
        "name": "税务局",
        "code": "tax",
        "description": "",
        "first_year": "2022",
        "last_year": "",
        "is_active": "on",
        "fields-TOTAL_FORMS": "2",
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
        "fields-0-header": "年累计采购额",
        "fields-0-figure_name": "annual_purchase_amount",
        "fields-0-recognition": "",
        "fields-0-tolerance": "0.01",
        "fields-1-header": "两者都填",
        "fields-1-figure_name": "annual_purchase_amount",
        "fields-1-recognition": "little_giant",
        "fields-1-tolerance": "0.01",
    }

    refused = client.post(url, data)

    assert refused.status_code == 200
    assert "二者选其一" in refused.content.decode()
    data["fields-TOTAL_FORMS"] = "1"
    assert client.post(url, data).status_code == 302


def test_the_preview_of_a_file_already_imported_says_so(client, source, administrator):
    client.force_login(administrator)
    content = csv_bytes([[code(1), 2024, "100", "", ""]])
    run(source, content, by=administrator)

    body = upload(client, source, content).content.decode()

    assert "同一文件已于" in body and "再次导入不会改变数据" in body
    assert not english_on_page(body, allowed={administrator.username})


def test_a_file_whose_content_is_not_its_name_is_refused_on_the_form(client, source, administrator):
    client.force_login(administrator)

    response = upload(client, source, b"%PDF-1.7\n%%EOF", "统计局.csv")

    assert response.status_code == 200
    assert "不是 CSV 文本" in response.content.decode()
    assert not ImportBatch.objects.exists()
