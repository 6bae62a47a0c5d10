"""部门数据 by file in the browser: the upload, the job's page following the worker (it reloads
itself, with no script the site's policy would refuse), the preview and its confirmation."""

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from departments import jobs, tasks
from departments.models import ImportJob, ImportJobState
from tests.browser.demo import log_in, shot
from tests.departments.factories import code, csv_bytes, statistics_bureau


@pytest.fixture
def source(demo):
    # The demo has a 统计局 of its own, with other columns: this one is the tests' file's.
    return statistics_bureau(name="区统计局", code="district-statistics")


def test_an_upload_is_followed_previewed_and_confirmed(source, page: Page, tmp_path, monkeypatch):
    rows = [[code(n), 2024, str(100 + n), "是", ""] for n in range(30)]
    rows.append(["BAD", 2024, "1", "", ""])
    path = tmp_path / "统计局2024.csv"
    path.write_bytes(csv_bytes(rows))
    queued = []
    # The worker is not there yet: the page shows the job waiting, then reading.
    monkeypatch.setattr(tasks.preview_import_job, "delay", queued.append)
    log_in(page, "demo-admin")
    page.goto("/admin/departments/importbatch/import/")
    page.get_by_label("数据来源部门").select_option(label="区统计局")
    page.get_by_label("文件").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()

    expect(page.locator("#job-progress")).to_contain_text("正在排队等待预览")
    job = ImportJob.objects.get()
    assert queued == [job.pk]
    jobs._take(job, "start_preview")
    cache.set(jobs._progress_key(job.pk), 20, 60)
    # The page reloads itself and shows the rows the worker has read.
    expect(page.locator("#job-progress")).to_contain_text("正在预览：已读取20行", timeout=10_000)
    shot(page, "department-import-progress")

    jobs.import_job_preview(job_id=job.pk)
    expect(page.locator("#preview-counts")).to_be_visible(timeout=10_000)
    expect(page.locator("#refused-rows")).to_contain_text("统一社会信用代码应为18位")
    shot(page, "department-import-preview")

    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#job-applied")).to_contain_text("已导入为")
    job.refresh_from_db()
    assert job.state == ImportJobState.APPLIED and job.batch.new_count == 60
    shot(page, "department-import-applied")
