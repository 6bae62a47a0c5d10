"""Finance's workplace in the admin, and who may reach each of its pages."""

import csv
import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, State
from disbursements import services
from disbursements.models import BatchExport, BatchState, DisbursementBatch, LineStatus
from tests.disbursements.factories import approved_applications, finance, frozen_batch
from tests.enterprises.factories import UserFactory

CHANGELIST = "admin:applications_application_changelist"
BATCHES = "admin:disbursements_disbursementbatch_changelist"


def batch_url(batch, name="change", *args):
    if name == "change":
        return reverse("admin:disbursements_disbursementbatch_change", args=[batch.pk])
    return reverse(f"admin:disbursements_{name}", args=[batch.pk, *args])


@pytest.fixture
def confirmer(policy):
    return finance(first_name="复核")


def test_finance_adds_approved_applications_to_a_new_batch_from_the_list(client, finance_user):
    applications = approved_applications(2)
    no_account = approved_applications(1, bank_account="")[0]
    client.force_login(finance_user)
    selected = [a.pk for a in [*applications, no_account]]

    page = client.post(
        reverse(CHANGELIST),
        {"action": "add_to_disbursement_batch", ACTION_CHECKBOX_NAME: selected},
    )
    assert page.status_code == 200
    assert "加入拨付批次" in page.content.decode()
    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "add_to_disbursement_batch",
            ACTION_CHECKBOX_NAME: selected,
            "apply": "1",
            "batch": "",
            "note": "11月第一批",
        },
        follow=True,
    )

    batch = DisbursementBatch.objects.get()
    assert response.redirect_chain[-1][0] == batch_url(batch)
    assert batch.note == "11月第一批" and batch.prepared_by == finance_user
    assert set(batch.lines.values_list("application_id", flat=True)) == {a.pk for a in applications}
    text = [str(m) for m in response.context["messages"]]
    assert any(no_account.reference in m and "银行账号" in m for m in text)


def test_finance_adds_to_an_existing_draft_batch(client, finance_user):
    first, second = approved_applications(2)
    batch = services.batch_create(by=finance_user)
    services.batch_add_applications(
        batch=batch, applications=Application.objects.filter(pk=first.pk), by=finance_user
    )
    client.force_login(finance_user)

    client.post(
        reverse(CHANGELIST),
        {
            "action": "add_to_disbursement_batch",
            ACTION_CHECKBOX_NAME: [second.pk],
            "apply": "1",
            "batch": str(batch.pk),
        },
    )

    assert batch.lines.count() == 2
    assert DisbursementBatch.objects.count() == 1


def test_the_add_form_refuses_a_batch_that_is_not_a_draft(client, finance_user):
    frozen = frozen_batch(approved_applications(1), by=finance_user)
    other = approved_applications(1)[0]
    client.force_login(finance_user)

    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "add_to_disbursement_batch",
            ACTION_CHECKBOX_NAME: [other.pk],
            "apply": "1",
            "batch": str(frozen.pk),
        },
    )

    assert response.status_code == 200
    assert "batch" in response.context["form"].errors
    assert frozen.lines.count() == 1


def test_a_new_batch_from_a_window_takes_every_payable_application(client, finance_user):
    applications = approved_applications(3)
    window = applications[0].window
    client.force_login(finance_user)

    response = client.post(
        reverse("admin:disbursements_disbursementbatch_add"),
        {"window": window.pk, "measure": "", "note": "", "include_payable": "on"},
    )

    batch = DisbursementBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch_url(batch)
    assert (batch.window, batch.measure, batch.line_count) == (window, window.measure, 3)


def test_the_batch_page_shows_lines_totals_and_the_buttons_of_this_user(
    client, finance_user, confirmer
):
    batch = services.batch_create(by=finance_user)
    services.batch_add_applications(
        batch=batch,
        applications=Application.objects.filter(pk__in=[a.pk for a in approved_applications(2)]),
        by=finance_user,
    )
    client.force_login(finance_user)

    draft_page = client.get(batch_url(batch)).content.decode()
    assert 'data-action="disbursements_freeze"' in draft_page
    # Not a whole number of 万: exactly, to the fen, never "24.691356万元".
    assert "246,913.56元" in draft_page and "万元" not in draft_page
    assert "data-export" not in draft_page

    services.batch_freeze(batch=batch, by=finance_user)
    preparer_page = client.get(batch_url(batch)).content.decode()
    assert 'data-action="disbursements_mark_paid"' not in preparer_page
    assert "制单人不能确认本批次拨付" in preparer_page
    assert 'data-export="csv"' in preparer_page and 'data-export="xlsx"' in preparer_page

    client.force_login(confirmer)
    confirmer_page = client.get(batch_url(batch)).content.decode()
    assert 'data-action="disbursements_mark_paid"' in confirmer_page


def test_a_second_finance_user_marks_paid_with_a_failed_line(client, finance_user, confirmer):
    applications = approved_applications(3)
    batch = frozen_batch(applications, by=finance_user)
    failed = applications[0].reference
    client.force_login(confirmer)

    response = client.post(
        batch_url(batch, "mark_paid"),
        {
            "payment_date": timezone.localdate().isoformat(),
            "bank_reference": "CQRCB-20261125-0001",
            "failed_lines": f"{failed} 户名与账号不符\n",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == batch_url(batch)
    batch.refresh_from_db()
    assert batch.state == BatchState.PAID and batch.bank_reference == "CQRCB-20261125-0001"
    assert batch.lines.get(reference=failed).status == LineStatus.FAILED
    page = response.content.decode()
    assert "户名与账号不符" in page and "已拨付" in page
    states = set(
        Application.objects.filter(pk__in=[a.pk for a in applications[1:]]).values_list(
            "state", flat=True
        )
    )
    assert states == {State.DISBURSED}


def test_the_mark_paid_form_explains_what_is_wrong(client, finance_user, confirmer):
    batch = frozen_batch(approved_applications(1), by=finance_user)
    client.force_login(confirmer)

    response = client.post(
        batch_url(batch, "mark_paid"),
        {"payment_date": "2026-13-45", "bank_reference": "", "failed_lines": "胡乱填写"},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"payment_date", "bank_reference", "failed_lines"}
    assert "第1行格式不对" in errors["failed_lines"][0]
    assert DisbursementBatch.objects.get(pk=batch.pk).state == BatchState.FROZEN


def test_freezing_and_cancelling_from_the_batch_page(client, finance_user, confirmer):
    batch = services.batch_create(by=finance_user)
    services.batch_add_applications(
        batch=batch,
        applications=Application.objects.filter(pk__in=[a.pk for a in approved_applications(1)]),
        by=finance_user,
    )
    client.force_login(finance_user)

    assert client.post(batch_url(batch, "freeze")).status_code == 302
    assert DisbursementBatch.objects.get(pk=batch.pk).state == BatchState.FROZEN
    client.force_login(confirmer)
    refused = client.post(batch_url(batch, "cancel"), {"reason": ""})
    assert "reason" in refused.context["form"].errors
    client.post(batch_url(batch, "cancel"), {"reason": "银行要求分两批"})
    assert DisbursementBatch.objects.get(pk=batch.pk).state == BatchState.CANCELLED


def test_removing_lines_from_a_draft(client, finance_user):
    applications = approved_applications(3)
    batch = services.batch_create(by=finance_user)
    services.batch_add_applications(
        batch=batch,
        applications=Application.objects.filter(pk__in=[a.pk for a in applications]),
        by=finance_user,
    )
    client.force_login(finance_user)

    client.post(
        batch_url(batch, "remove_lines"),
        {ACTION_CHECKBOX_NAME: [applications[0].pk, "junk", ""]},
    )

    batch.refresh_from_db()
    assert batch.line_count == 2
    assert not batch.lines.filter(application=applications[0]).exists()


def test_exports_download_from_the_batch_page_and_are_listed(client, finance_user):
    batch = frozen_batch(approved_applications(2), by=finance_user)
    client.force_login(finance_user)

    response = client.get(batch_url(batch, "export", "csv"))
    data = b"".join(response.streaming_content)
    xlsx = client.get(batch_url(batch, "export", "xlsx"))
    b"".join(xlsx.streaming_content)

    assert response["Content-Type"].startswith("text/csv")
    # Each file is named for what it is: the bank's import file, the file to read.
    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{batch.number}-{quote('银行导入')}.csv"
    )
    assert xlsx["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{batch.number}-{quote('阅读核对')}.xlsx"
    )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 4 and rows[-1][0] == "合计"
    assert xlsx["Content-Type"].endswith("spreadsheetml.sheet")
    assert BatchExport.objects.filter(batch=batch, exported_by=finance_user).count() == 2
    page = client.get(batch_url(batch)).content.decode()
    for record in BatchExport.objects.all():
        assert record.sha256 in page
    records = page.split('id="batch-exports"')[1].split("</table>")[0]
    assert "<td>银行导入文件（CSV）</td>" in records and "<td>阅读核对表（XLSX）</td>" in records


def test_the_batch_page_says_which_file_is_for_the_bank_and_which_for_reading(client, finance_user):
    batch = frozen_batch(approved_applications(1), by=finance_user)
    client.force_login(finance_user)

    page = client.get(batch_url(batch)).content.decode()

    assert 'data-export="csv">导出银行导入文件（CSV）</a>' in page
    assert 'data-export="xlsx">导出阅读核对表（XLSX）</a>' in page
    advice = page.split('id="export-advice"')[1].split("</p>")[0]
    assert "导入网银" in advice and "请勿用表格软件打开后保存" in advice
    assert "查看、核对、打印请用阅读核对表（XLSX）" in advice


def test_the_batch_list_filters_by_state_window_measure_and_preparer(client, finance_user):
    frozen = frozen_batch(approved_applications(1), by=finance_user)
    draft = services.batch_create(by=finance(), window=approved_applications(1)[0].window)
    client.force_login(finance_user)

    for params, expected in (
        ({}, {frozen, draft}),
        ({"state__exact": "frozen"}, {frozen}),
        ({"window__id__exact": draft.window_id}, {draft}),
        ({"measure__id__exact": draft.measure_id}, {draft}),
        ({"prepared_by__id__exact": finance_user.pk}, {frozen}),
    ):
        response = client.get(reverse(BATCHES), params)
        assert response.status_code == 200
        assert set(response.context["cl"].result_list) == expected, params


def test_junk_in_the_batch_pages_parameters_never_breaks_them(client, finance_user):
    batch = frozen_batch(approved_applications(1), by=finance_user)
    client.force_login(finance_user)

    assert client.get(batch_url(batch), {"page": "abc"}).status_code == 200
    assert client.get(batch_url(batch), {"page": "-1"}).status_code == 200
    assert client.get(batch_url(batch, "export", "pdf")).status_code == 404
    assert client.get(reverse(BATCHES), {"state__exact": "x' OR 1=1"}).status_code in (200, 302)
    assert client.get(reverse(BATCHES), {"window__id__exact": "abc"}).status_code in (200, 302)
    nowhere = reverse("admin:disbursements_disbursementbatch_change", args=[999999])
    assert client.get(nowhere).status_code in (302, 404)


def test_the_batch_page_queries_do_not_grow_with_its_lines(client, finance_user):
    few = frozen_batch(approved_applications(2), by=finance_user)
    many = frozen_batch(approved_applications(60), by=finance_user)
    client.force_login(finance_user)
    client.get(batch_url(few))

    counts = []
    for batch in (few, many):
        with CaptureQueriesContext(connection) as context:
            assert client.get(batch_url(batch)).status_code == 200
        counts.append(len(context.captured_queries))

    assert counts[0] == counts[1]


def test_the_batch_pages_speak_chinese_and_english(client, finance_user):
    batch = frozen_batch(approved_applications(1), by=finance_user)
    client.force_login(finance_user)

    chinese = client.get(batch_url(batch)).content.decode()
    english = client.get(batch_url(batch), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "拨付明细" in chinese and "导出记录" in chinese
    assert "Disbursement lines" in english and "拨付明细" not in english


# ── who may reach what: the authorization matrix of the disbursement pages ─────────────────


@pytest.fixture
def everyone(
    enterprise_user, district_reviewer, municipal_reviewer, finance_user, confirmer, settings
):
    settings.DISBURSEMENT_ADMINISTRATORS_MAY_CONFIRM = False
    return {
        "enterprise": enterprise_user,
        "district": district_reviewer,
        "municipal": municipal_reviewer,
        "preparer": finance_user,
        "confirmer": confirmer,
        "administrator": UserFactory(is_staff=True, roles=["administrator"]),
    }


# Per page of a frozen batch: who gets it (200; 302 after a POST that succeeded), the others
# 403, except the enterprise user who is not staff and is sent to the admin's login. Freezing
# a frozen batch offers no form: whoever sees batches is sent back to it with the reason.
MATRIX = {
    "list": {"preparer", "confirmer", "administrator"},
    "add": {"preparer", "confirmer"},
    "change": {"preparer", "confirmer", "administrator"},
    "freeze": set(),
    "mark_paid": {"confirmer"},
    "cancel": {"confirmer", "administrator"},
    "export": {"preparer", "confirmer", "administrator"},
}
SENT_BACK = {"freeze": {"preparer", "confirmer", "administrator"}}


def test_every_disbursement_page_answers_each_role_as_it_should(client, everyone, finance_user):
    batch = frozen_batch(approved_applications(1), by=finance_user)
    urls = {
        "list": reverse(BATCHES),
        "add": reverse("admin:disbursements_disbursementbatch_add"),
        "change": batch_url(batch),
        "freeze": batch_url(batch, "freeze"),
        "mark_paid": batch_url(batch, "mark_paid"),
        "cancel": batch_url(batch, "cancel"),
        "export": batch_url(batch, "export", "csv"),
    }
    for role, user in everyone.items():
        client.force_login(user)
        for page, url in urls.items():
            response = client.get(url)
            if role == "enterprise":
                assert response.status_code == 302, (role, page)
                assert reverse("admin:login") in response["Location"]
                continue
            expected = 200 if role in MATRIX[page] else 403
            if role in SENT_BACK.get(page, ()):
                expected = 302
            assert response.status_code == expected, (role, page, response.status_code)
            if expected == 403 and role in ("district", "municipal"):
                assert batch.number not in response.content.decode()
        remove = client.post(batch_url(batch, "remove_lines"), {ACTION_CHECKBOX_NAME: ["1"]})
        assert remove.status_code == (302 if role == "preparer" else 403) or (
            role == "enterprise" and remove.status_code == 302
        )
    assert batch.lines.count() == 1


def test_reviewers_cannot_add_to_a_batch_through_the_action(
    client, district_reviewer, municipal_reviewer
):
    application = approved_applications(1)[0]
    for user in (district_reviewer, municipal_reviewer):
        client.force_login(user)
        client.post(
            reverse(CHANGELIST),
            {
                "action": "add_to_disbursement_batch",
                ACTION_CHECKBOX_NAME: [application.pk],
                "apply": "1",
                "batch": "",
            },
        )
    assert not DisbursementBatch.objects.exists()


def test_the_batch_list_queries_do_not_grow_with_the_batches(client, finance_user):
    client.force_login(finance_user)
    window = approved_applications(1)[0].window

    def count_for(batches: int) -> int:
        for _ in range(batches):
            services.batch_create(by=finance(), window=window)
        client.get(reverse(BATCHES))
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse(BATCHES))
        assert len(response.context["cl"].result_list) == DisbursementBatch.objects.count()
        return len(context.captured_queries)

    assert count_for(2) == count_for(10)


def test_finance_filters_the_applications_still_free_for_a_batch(client, finance_user):
    taken, free = approved_applications(2)
    frozen_batch([taken], by=finance_user)
    client.force_login(finance_user)

    for value, expected in (("none", {free}), ("live", {taken}), ("junk", {taken, free})):
        response = client.get(reverse(CHANGELIST), {"batch": value})
        assert response.status_code == 200
        assert set(response.context["cl"].result_list) == expected, value
    assert "未加入拨付批次" in client.get(reverse(CHANGELIST)).content.decode()


def test_reviewers_are_not_offered_the_batch_filter(client, district_reviewer):
    client.force_login(district_reviewer)

    assert "未加入拨付批次" not in client.get(reverse(CHANGELIST)).content.decode()


def test_who_may_not_take_a_transition_is_told_why_in_chinese(client, finance_user, confirmer):
    batch = frozen_batch(approved_applications(1), by=finance_user)
    client.force_login(finance_user)

    response = client.get(batch_url(batch, "mark_paid"))

    assert response.status_code == 403
    assert "制单人不能确认本批次拨付" in response.content.decode()


def test_select_all_carries_the_filters_not_thousands_of_ids(client, finance_user, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 30
    approved_applications(40)
    client.force_login(finance_user)
    url = reverse(CHANGELIST) + "?batch=none"
    page_ids = [a.pk for a in Application.objects.all()[:10]]

    page = client.post(
        url,
        {
            "action": "add_to_disbursement_batch",
            "select_across": "1",
            "index": "0",
            ACTION_CHECKBOX_NAME: page_ids,
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and "已选 40 件申报" in html
    assert html.count(f'name="{ACTION_CHECKBOX_NAME}"') == 1
    response = client.post(
        url,
        {
            "action": "add_to_disbursement_batch",
            "select_across": "1",
            "index": "0",
            ACTION_CHECKBOX_NAME: page_ids[:1],
            "apply": "1",
            "batch": "",
        },
    )

    assert response.status_code == 302
    assert DisbursementBatch.objects.get().line_count == 40


def test_no_empty_batch_is_left_when_nothing_can_be_added(client, finance_user):
    no_account = approved_applications(1, bank_account="")[0]
    client.force_login(finance_user)

    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "add_to_disbursement_batch",
            ACTION_CHECKBOX_NAME: [no_account.pk],
            "apply": "1",
            "batch": "",
        },
        follow=True,
    )

    assert not DisbursementBatch.objects.exists()
    assert any("未新建拨付批次" in str(m) for m in response.context["messages"])


def test_only_ones_own_drafts_are_offered_in_the_action(client, finance_user, confirmer):
    own = services.batch_create(by=finance_user)
    services.batch_create(by=confirmer)
    client.force_login(finance_user)

    page = client.post(
        reverse(CHANGELIST),
        {
            "action": "add_to_disbursement_batch",
            ACTION_CHECKBOX_NAME: [approved_applications(1)[0].pk],
        },
    )

    assert list(page.context["form"].fields["batch"].queryset) == [own]


def test_an_exported_batch_is_cancelled_only_on_the_banks_word(client, finance_user, confirmer):
    batch = frozen_batch(approved_applications(1), by=finance_user)
    client.force_login(confirmer)
    b"".join(client.get(batch_url(batch, "export", "csv")).streaming_content)

    page = client.get(batch_url(batch, "cancel")).content.decode()
    refused = client.post(batch_url(batch, "cancel"), {"reason": "重新编制"})
    assert "本批次已导出过拨付清单" in page
    assert DisbursementBatch.objects.get(pk=batch.pk).state == BatchState.FROZEN
    assert "须先向银行确认" in str(refused.context["form"].non_field_errors())

    client.post(batch_url(batch, "cancel"), {"reason": "重新编制", "exported_list_unpaid": "on"})
    assert DisbursementBatch.objects.get(pk=batch.pk).state == BatchState.CANCELLED


# ── voiding: the preparer's draft, a second person's frozen batch ─────────────────────────


def test_who_may_void_a_draft_and_a_frozen_batch_in_the_admin(client, everyone, finance_user):
    draft = services.batch_create(by=finance_user)
    frozen = frozen_batch(approved_applications(1), by=finance_user)
    allowed = {
        draft: {"preparer", "administrator"},
        frozen: {"confirmer", "administrator"},
    }
    for role, user in everyone.items():
        if role == "enterprise":
            continue
        client.force_login(user)
        for batch, voiders in allowed.items():
            form = client.get(batch_url(batch, "cancel"))
            page = client.get(batch_url(batch)).content.decode()
            if role in voiders:
                assert form.status_code == 200, (role, batch.state)
                assert 'data-action="disbursements_cancel"' in page, (role, batch.state)
            else:
                assert form.status_code == 403, (role, batch.state)
                assert 'data-action="disbursements_cancel"' not in page, (role, batch.state)
    client.force_login(finance_user)
    refused = client.post(batch_url(frozen, "cancel"), {"reason": "我自己作废"})
    assert refused.status_code == 403
    assert "另一名财务人员" in refused.content.decode()
    assert DisbursementBatch.objects.get(pk=frozen.pk).state == BatchState.FROZEN


# ── no form for a transition the batch cannot take now ─────────────────────────────────────


def test_a_paid_batch_offers_no_form_and_says_who_paid_it(client, finance_user, confirmer):
    batch = frozen_batch(approved_applications(1), by=finance_user)
    services.batch_mark_paid(
        batch=batch, by=confirmer, payment_date=timezone.localdate(), bank_reference="ICBC-7"
    )
    administrator = UserFactory(is_staff=True, roles=["administrator"])
    for user in (finance_user, finance(), administrator):
        client.force_login(user)
        page = client.get(batch_url(batch)).content.decode()
        assert "data-action=" not in page
        for name in ("cancel", "mark_paid", "freeze"):
            response = client.get(batch_url(batch, name), follow=True)
            assert response.redirect_chain == [(batch_url(batch), 302)], name
            text = [str(m) for m in response.context["messages"]]
            assert any(
                "确认拨付" in m and "复核" in m and "ICBC-7" in m and "不能" in m for m in text
            ), text
    assert "可能已被他人办理" not in " ".join(text)


def test_an_empty_draft_is_never_offered_freezing(client, finance_user):
    batch = services.batch_create(by=finance_user)
    client.force_login(finance_user)

    page = client.get(batch_url(batch)).content.decode()
    response = client.get(batch_url(batch, "freeze"), follow=True)

    assert 'data-action="disbursements_freeze"' not in page
    assert response.redirect_chain == [(batch_url(batch), 302)]
    assert any("没有申报" in str(m) for m in response.context["messages"])


def test_a_cancelled_batch_says_who_voided_it_when_a_form_is_asked_for(client, finance_user):
    batch = services.batch_create(by=finance_user)
    services.batch_cancel(batch=batch, by=finance_user, reason="编错了")
    client.force_login(finance_user)

    response = client.get(batch_url(batch, "cancel"), follow=True)

    assert response.redirect_chain == [(batch_url(batch), 302)]
    assert any("作废" in str(m) and "不能" in str(m) for m in response.context["messages"])


# ── two confirmers: the second is told who confirmed, and what was recorded ────────────────


def _messages(response):
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def test_the_second_confirmer_is_told_who_confirmed_and_that_their_reference_was_dropped(
    client, finance_user, confirmer
):
    batch = frozen_batch(approved_applications(1), by=finance_user)
    services.batch_mark_paid(
        batch=batch, by=confirmer, payment_date=timezone.localdate(), bank_reference="ICBC-1"
    )
    late = finance(first_name="迟到")
    client.force_login(late)

    response = client.post(
        batch_url(batch, "mark_paid"),
        {"payment_date": timezone.localdate().isoformat(), "bank_reference": "ICBC-2"},
        follow=True,
    )

    assert response.redirect_chain == [(batch_url(batch), 302)]
    [(level, text)] = _messages(response)
    assert level == "error"
    assert "复核" in text and "ICBC-1" in text and "ICBC-2" in text and "未被记录" in text
    assert DisbursementBatch.objects.get(pk=batch.pk).bank_reference == "ICBC-1"


def test_a_confirmation_that_loses_the_race_inside_the_service_is_an_error_too(
    client, finance_user, confirmer, monkeypatch
):
    from disbursements.admin import DisbursementBatchAdmin

    batch = frozen_batch(approved_applications(1), by=finance_user)
    stale = DisbursementBatch.objects.get(pk=batch.pk)  # read before the other confirmed
    services.batch_mark_paid(
        batch=batch, by=confirmer, payment_date=timezone.localdate(), bank_reference="ICBC-1"
    )
    monkeypatch.setattr(DisbursementBatchAdmin, "_batch", lambda self, request, object_id: stale)
    client.force_login(finance(first_name="迟到"))

    response = client.post(
        batch_url(batch, "mark_paid"),
        {"payment_date": timezone.localdate().isoformat(), "bank_reference": "ICBC-1"},
        follow=True,
    )

    [(level, text)] = _messages(response)
    assert level == "error"
    assert "复核" in text and "ICBC-1" in text and "未被记录" not in text


# ── adding from a filtered list after someone else took the applications ─────────────────


def test_a_lost_race_from_a_filtered_list_names_each_application_and_its_batch(
    client, finance_user
):
    applications = approved_applications(2)
    url = reverse(CHANGELIST) + "?batch=none"
    client.force_login(finance_user)
    ids = [a.pk for a in applications]
    page = client.post(
        url,
        {
            "action": "add_to_disbursement_batch",
            "select_across": "1",
            "index": "0",
            ACTION_CHECKBOX_NAME: ids[:1],
        },
    )
    chosen = page.context["chosen"]
    rival = finance()
    taken = frozen_batch(applications, by=rival)

    response = client.post(
        url,
        {
            "action": "add_to_disbursement_batch",
            "select_across": "1",
            "index": "0",
            ACTION_CHECKBOX_NAME: ids[:1],
            "apply": "1",
            "batch": "",
            "chosen": chosen,
        },
        follow=True,
    )

    text = [m for _level, m in _messages(response)]
    for application in applications:
        assert any(application.reference in m and taken.number in m for m in text), text
    assert DisbursementBatch.objects.count() == 1


def test_a_forged_list_of_chosen_applications_is_ignored(client, finance_user):
    application = approved_applications(1)[0]
    client.force_login(finance_user)

    response = client.post(
        reverse(CHANGELIST) + "?batch=none",
        {
            "action": "add_to_disbursement_batch",
            ACTION_CHECKBOX_NAME: [application.pk],
            "apply": "1",
            "batch": "",
            "chosen": "forged",
        },
    )

    assert response.status_code == 302
    assert DisbursementBatch.objects.get().lines.get().application == application


# ── the batch log ──────────────────────────────────────────────────────────────────────────


def test_the_log_reads_actions_as_actions_and_people_by_name(client, finance_user, confirmer):
    finance_user.first_name = "陈静"
    finance_user.save()
    applications = approved_applications(2)
    batch = services.batch_create(by=finance_user)
    services.batch_add_applications(
        batch=batch,
        applications=Application.objects.filter(pk__in=[a.pk for a in applications]),
        by=finance_user,
    )
    services.batch_remove_applications(
        batch=batch,
        applications=Application.objects.filter(pk=applications[0].pk),
        by=finance_user,
    )
    services.batch_freeze(batch=batch, by=finance_user)
    services.batch_mark_paid(
        batch=batch, by=confirmer, payment_date=timezone.localdate(), bank_reference="ICBC-1"
    )
    client.force_login(confirmer)

    page = client.get(batch_url(batch)).content.decode()
    log = page[page.index('id="batch-log"') :]

    assert "草稿 → 草稿" not in log
    assert "草稿 → 已锁定待拨付" in log and "已锁定待拨付 → 已拨付" in log
    for action in ("新建批次", "加入申报", "移出申报"):
        assert action in log
    assert "陈静（财务人员）" in log and "复核（财务人员）" in log


# ── 拨付批次 › 增加 with nothing payable ────────────────────────────────────────────────────


def test_a_new_batch_with_nothing_payable_is_refused_and_nothing_is_created(client, finance_user):
    unpayable = approved_applications(1, bank_account="")[0]
    client.force_login(finance_user)

    response = client.post(
        reverse("admin:disbursements_disbursementbatch_add"),
        {"window": unpayable.window_id, "measure": "", "note": "", "include_payable": "on"},
    )

    assert response.status_code == 200
    assert not DisbursementBatch.objects.exists()
    assert "没有可拨付的申报" in str(response.context["form"].non_field_errors())
    assert any(unpayable.reference in m for _level, m in _messages(response))
    again = services.batch_create(by=finance_user)
    assert again.number.endswith("-0001")  # no number was spent on the refused one


# ── what the forms say they will do ────────────────────────────────────────────────────────


def test_the_add_page_counts_and_totals_only_what_will_join_and_says_why_not(client, finance_user):
    joining = approved_applications(2, amount=Decimal("100.00"))
    no_account = approved_applications(1, amount=Decimal("7.00"), bank_account="")[0]
    unpublicised = approved_applications(1, amount=Decimal("9.00"), publicised=False)[0]
    client.force_login(finance_user)
    selected = [a.pk for a in [*joining, no_account, unpublicised]]

    page = client.post(
        reverse(CHANGELIST),
        {"action": "add_to_disbursement_batch", ACTION_CHECKBOX_NAME: selected},
    )

    html = page.content.decode()
    assert page.status_code == 200
    # The total is of the two that will join, not of all four chosen.
    assert "已选 4 件申报：2 件将加入拨付批次，合计核定金额 200.00元；2 件不能加入。" in html
    joining_table = html.split('id="joining-applications"')[1].split("</table>")[0]
    refused_table = html.split('id="refused-applications"')[1].split("</table>")[0]
    for application in joining:
        assert application.reference in joining_table
        assert application.reference not in refused_table
    assert no_account.reference in refused_table and no_account.enterprise.name in refused_table
    assert "企业尚未登记开户银行和银行账号" in refused_table
    assert unpublicised.reference in refused_table and "尚未完成公示" in refused_table
    # The conditions stated above the lists include the 公示.
    assert "公示期结束且无成立的异议" in html.split('id="joining-applications"')[0]
    assert not DisbursementBatch.objects.exists()


def test_nothing_to_join_offers_no_button(client, finance_user):
    unpublicised = approved_applications(1, publicised=False)[0]
    client.force_login(finance_user)

    html = client.post(
        reverse(CHANGELIST),
        {"action": "add_to_disbursement_batch", ACTION_CHECKBOX_NAME: [unpublicised.pk]},
    ).content.decode()

    assert "所选申报均不能加入。" in html
    assert 'type="submit"' not in html.split('id="content-main"')[1]


def test_the_outcome_says_how_many_joined_which_batch_and_names_each_refused_enterprise(
    client, finance_user
):
    joining = approved_applications(1)[0]
    no_account = approved_applications(1, bank_account="")[0]
    client.force_login(finance_user)

    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "add_to_disbursement_batch",
            ACTION_CHECKBOX_NAME: [joining.pk, no_account.pk],
            "apply": "1",
            "batch": "",
        },
        follow=True,
    )

    batch = DisbursementBatch.objects.get()
    text = [str(m) for m in response.context["messages"]]
    assert f"已将 1 件申报加入拨付批次 {batch.number}：{joining.reference}" in text
    assert (
        f"{no_account.reference}（{no_account.enterprise.name}）未加入："
        "企业尚未登记开户银行和银行账号。"
    ) in text


def test_the_mark_paid_form_lists_the_lines_it_confirms(client, finance_user, confirmer):
    applications = approved_applications(3)
    batch = frozen_batch(applications, by=finance_user)
    client.force_login(confirmer)

    html = client.get(batch_url(batch, "mark_paid")).content.decode()

    lines = html.split('id="lines-to-confirm"')[1].split("</table>")[0]
    for application in applications:
        assert application.reference in lines
        assert application.enterprise.name in lines
        assert application.enterprise.bank_account in lines  # whole, for finance
    assert "合计 3 笔" in lines


@pytest.mark.parametrize("name", ["mark_paid", "cancel"])
def test_the_transition_forms_use_the_admins_aligned_layout(client, finance_user, confirmer, name):
    batch = frozen_batch(approved_applications(1), by=finance_user)
    client.force_login(confirmer)

    html = client.get(batch_url(batch, name)).content.decode()

    form = html.split('<fieldset class="module aligned">')[1].split("</fieldset>")[0]
    rows = form.count('<div class="form-row')
    assert rows >= 2
    # Each label beside its input, as the admin's own forms lay them out.
    assert form.count('class="flex-container') == rows
    assert 'class="required"' in form


def test_a_batch_log_entry_is_named_by_when_and_what_in_chinese():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from disbursements.models import BatchLog

    entry = BatchLog(
        action="add_lines", created_at=datetime(2026, 3, 2, 1, 30, tzinfo=ZoneInfo("UTC"))
    )
    assert str(entry) == f"2026-03-02 09:30 {entry.action_label}"
    assert "add_lines" not in str(entry)
