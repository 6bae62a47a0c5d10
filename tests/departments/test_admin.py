"""部门数据 in the admin: the upload, its preview and confirmation (both run by the worker,
the job's page following them), the batch's page and its roll-back; the system
administrator's alone, the auditor reading the batches."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments import imports, jobs, tasks
from departments.models import DepartmentFigure, ImportBatch, ImportJob, ImportJobState
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


def previewed(client, source, content, capture, name="统计局2024.csv"):
    """Upload ``content``, the preview run by the worker once the upload commits: the job's
    page."""
    with capture(execute=True):
        response = upload(client, source, content, name)
    assert response.status_code == 302
    return client.get(response["Location"])


def confirm_url(job: ImportJob) -> str:
    return reverse("admin:departments_importjob_confirm", args=[job.pk])


def test_upload_previews_then_confirmation_applies(
    client, source, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    content = csv_bytes([[code(1), 2024, "100", "是", ""], ["BAD", 2024, "1", "", ""]])

    with django_capture_on_commit_callbacks() as queued:
        uploaded = upload(client, source, content)

    job = ImportJob.objects.get()
    assert uploaded["Location"] == reverse("admin:departments_importjob_change", args=[job.pk])
    assert job.state == ImportJobState.QUEUED and len(queued) == 1
    waiting = client.get(uploaded["Location"]).content.decode()
    assert "正在排队等待预览" in waiting and 'http-equiv="refresh"' in waiting
    queued[0]()  # the worker previews the file

    job.refresh_from_db()
    assert job.state == ImportJobState.PREVIEWED
    assert (job.rows, job.new_count, job.refused_count) == (2, 2, 1)
    body = client.get(uploaded["Location"]).content.decode()
    assert "确认导入" in body and "将被拒绝的行" in body and "统一社会信用代码应为18位" in body
    assert 'http-equiv="refresh"' not in body
    assert not english_on_page(body, allowed={administrator.username})
    assert not ImportBatch.objects.exists() and not DepartmentFigure.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(confirm_url(job))

    batch = ImportBatch.objects.get()
    job.refresh_from_db()
    assert confirmed.status_code == 302 and confirmed["Location"] == uploaded["Location"]
    assert (job.state, job.batch) == (ImportJobState.APPLIED, batch)
    assert (batch.new_count, batch.refused_count, batch.created_by) == (2, 1, administrator)
    assert batch.file.name.startswith("department-imports/staging/")
    assert [entry.action for entry in job.log_entries.all()] == [
        "upload",
        "start_preview",
        "finish_preview",
        "confirm",
        "finish_apply",
    ]
    done = client.get(uploaded["Location"]).content.decode()
    assert "已导入为" in done and 'http-equiv="refresh"' not in done
    assert not english_on_page(done, allowed={administrator.username})
    page = client.get(reverse("admin:departments_importbatch_change", args=[batch.pk]))
    assert "回退" in page.content.decode() and "统一社会信用代码应为18位" in page.content.decode()


def test_an_xlsx_uploads_too(client, source, administrator, django_capture_on_commit_callbacks):
    client.force_login(administrator)

    previewed(
        client,
        source,
        xlsx_bytes([[code(1), 2024, 100, "是", "是"]]),
        django_capture_on_commit_callbacks,
        "a.xlsx",
    )

    assert ImportJob.objects.get().new_count == 3


def test_a_file_the_reader_refuses_fails_its_job_and_says_why(
    client, source, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)

    page = previewed(
        client,
        source,
        csv_bytes([[code(1), 2024, "1"]], header=["统一社会信用代码", "年度", "利润"]),
        django_capture_on_commit_callbacks,
    )

    job = ImportJob.objects.get()
    body = page.content.decode()
    assert job.state == ImportJobState.FAILED
    assert "统计局未定义的列：利润" in job.error
    assert "未能导入" in body and "统计局未定义的列：利润" in body and "确认导入" not in body
    assert not english_on_page(body, allowed={administrator.username})
    assert client.post(confirm_url(job)).status_code == 302
    assert not ImportBatch.objects.exists()


def test_confirming_twice_imports_once(
    client, source, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    previewed(
        client,
        source,
        csv_bytes([[code(1), 2024, "1", "", ""]]),
        django_capture_on_commit_callbacks,
    )
    job = ImportJob.objects.get()

    with django_capture_on_commit_callbacks(execute=True) as first:
        client.post(confirm_url(job))
    with django_capture_on_commit_callbacks(execute=True) as second:
        again = client.post(confirm_url(job), follow=True)

    assert (len(first), len(second)) == (1, 0)
    assert "已确认或不能确认" in again.content.decode()
    assert ImportBatch.objects.count() == 1


def test_a_message_delivered_twice_imports_once(
    client, source, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    previewed(
        client,
        source,
        csv_bytes([[code(1), 2024, "1", "", ""]]),
        django_capture_on_commit_callbacks,
    )
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks() as queued:
        client.post(confirm_url(job))

    queued[0]()
    queued[0]()
    tasks.apply_import_job(job.pk)
    tasks.preview_import_job(job.pk)

    job.refresh_from_db()
    assert job.state == ImportJobState.APPLIED
    assert ImportBatch.objects.count() == 1 and DepartmentFigure.objects.count() == 1
    assert job.log_entries.filter(action="finish_apply").count() == 1


def test_another_persons_preview_cannot_be_confirmed(
    client, source, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    previewed(
        client,
        source,
        csv_bytes([[code(1), 2024, "1", "", ""]]),
        django_capture_on_commit_callbacks,
    )
    job = ImportJob.objects.get()
    client.force_login(UserFactory(is_staff=True, roles=["administrator"]))

    page = client.get(reverse("admin:departments_importjob_change", args=[job.pk]))

    assert "只有上传该文件的人可以确认导入" in page.content.decode()
    assert client.post(confirm_url(job)).status_code == 403
    assert not ImportBatch.objects.exists()


def test_the_page_shows_the_rows_read_while_the_worker_reads(
    client, source, administrator, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(administrator)
    monkeypatch.setattr(imports, "CHUNK", 2)
    pages = []

    def look(rows):
        # The page, read while the import is between two chunks.
        pages.append(client.get(reverse("admin:departments_importjob_change", args=[job.pk])))
        report(rows)

    with django_capture_on_commit_callbacks() as queued:
        upload(client, source, csv_bytes([[code(n), 2024, "1", "", ""] for n in range(5)]))
    job = ImportJob.objects.get()
    report = jobs._reporter(job.pk)
    monkeypatch.setattr(jobs, "_reporter", lambda job_id: look)

    queued[0]()

    bodies = [page.content.decode() for page in pages]
    # Five rows in chunks of two: the page is read after the first, second and third chunk,
    # before the worker reports each.
    assert len(bodies) == 3 and all('http-equiv="refresh"' in body for body in bodies)
    for rows, body in zip((0, 2, 4), bodies, strict=True):
        assert f"正在预览：已读取{rows}行" in body
    job.refresh_from_db()
    assert (job.state, job.rows_done) == (ImportJobState.PREVIEWED, 5)


def test_a_source_stopped_before_the_confirmation_fails_the_import(
    client, source, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    previewed(
        client,
        source,
        csv_bytes([[code(1), 2024, "1", "", ""]]),
        django_capture_on_commit_callbacks,
    )
    job = ImportJob.objects.get()
    source.is_active = False
    source.save()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_url(job))

    job.refresh_from_db()
    assert job.state == ImportJobState.FAILED and "已停用" in job.error
    assert not ImportBatch.objects.exists() and not DepartmentFigure.objects.exists()


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


def test_the_preview_of_a_file_already_imported_says_so(
    client, source, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    content = csv_bytes([[code(1), 2024, "100", "", ""]])
    run(source, content, by=administrator)

    body = previewed(client, source, content, django_capture_on_commit_callbacks).content.decode()

    assert "同一文件已于" in body and "再次导入不会改变数据" in body
    assert not english_on_page(body, allowed={administrator.username})


def test_a_file_whose_content_is_not_its_name_is_refused_on_the_form(client, source, administrator):
    client.force_login(administrator)

    response = upload(client, source, b"%PDF-1.7\n%%EOF", "统计局.csv")

    assert response.status_code == 200
    assert "不是 CSV 文本" in response.content.decode()
    assert not ImportBatch.objects.exists() and not ImportJob.objects.exists()


def test_an_import_prepares_the_open_windows_proposals_and_its_page_leads_to_them(
    client, administrator, track, enterprise_user, django_capture_on_commit_callbacks
):
    """免申即享 end to end: a department's list uploaded and confirmed, the open window's
    proposals prepared in the worker, the job's page leading to the run's progress."""
    from applications.models import Application, ProposalRun
    from departments.models import DataSource, SourceField
    from tests.applications.factories import WindowFactory

    commission = DataSource.objects.create(name="经信委认定", code="commission", first_year=2020)
    for header, name in (
        ("保险金额", "insured_amount"),
        ("保费", "annual_premium"),
        ("首台套", "first_units_or_batch"),
    ):
        SourceField.objects.create(source=commission, header=header, figure_name=name)
    window = WindowFactory(measure=track(11).measure, year=2026)
    client.force_login(administrator)
    content = csv_bytes(
        [[enterprise_user.enterprise.credit_code, 2026, "50000000", "1200000", "是"]],
        header=["统一社会信用代码", "年度", "保险金额", "保费", "首台套"],
    )
    previewed(client, commission, content, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_url(job))

    job.refresh_from_db()
    run = ProposalRun.objects.get(window=window)
    assert run.import_batch == job.batch and run.finished_at is not None and run.proposed == 1
    proposal = Application.objects.get(enterprise=enterprise_user.enterprise, window=window)
    assert proposal.proposed_at and str(proposal.calculated_amount) == "960000.00"
    page = client.get(reverse("admin:departments_importjob_change", args=[job.pk])).content.decode()
    runs_url = (
        reverse("admin:applications_proposalrun_changelist")
        + f"?import_batch__id__exact={job.batch_id}"
    )
    assert runs_url in page
    runs = client.get(runs_url)
    assert runs.status_code == 200 and "已完成" in runs.content.decode()
