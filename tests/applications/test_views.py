import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from applications.models import Application, ApplicationDocument, State, TransitionLog
from measures.models import Track
from tests.applications.factories import PDF_BYTES, WindowFactory, draft, pdf_upload


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def portal_urls(application, document):
    pk = application.pk
    return [
        ("get", reverse("applications:detail", args=[pk])),
        ("get", reverse("applications:figures", args=[pk])),
        ("post", reverse("applications:figures", args=[pk])),
        ("get", reverse("applications:documents", args=[pk])),
        ("post", reverse("applications:documents", args=[pk])),
        ("post", reverse("applications:document-delete", args=[pk, document.pk])),
        ("get", reverse("applications:review", args=[pk])),
        ("post", reverse("applications:submit", args=[pk])),
        ("post", reverse("applications:resubmit", args=[pk])),
        ("post", reverse("applications:withdraw", args=[pk])),
        ("get", reverse("applications:document-download", args=[document.pk])),
    ]


def test_every_portal_url_of_another_enterprise_answers_404(
    enterprise_user, other_enterprise_user, client_for
):
    application = draft(user=enterprise_user)
    document = application.documents.first()
    client = client_for(other_enterprise_user)

    for method, url in portal_urls(application, document):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert application.documents.count() == len(application.track.required_documents)


def test_anonymous_visitors_are_sent_to_log_in(enterprise_user, client):
    application = draft(user=enterprise_user)
    document = application.documents.first()

    for method, url in [("get", reverse("applications:home")), *portal_urls(application, document)]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert reverse("login") in response["Location"]


def test_officials_are_sent_to_the_admin(district_reviewer, client_for):
    response = client_for(district_reviewer).get(reverse("applications:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_the_whole_way_from_draft_to_submitted(enterprise_user, client_for):
    track = Track.objects.get(code="supply-chain")
    window = WindowFactory(measure=track.measure)
    client = client_for(enterprise_user)

    page = client.get(reverse("applications:apply")).content.decode()
    assert track.name in page
    response = client.post(reverse("applications:apply"), {"window": window.pk, "track": track.pk})
    application = Application.objects.get(enterprise=enterprise_user.enterprise)
    assert response["Location"] == reverse("applications:figures", args=[application.pk])

    page = client.get(response["Location"]).content.decode()
    assert "年累计采购额（元）" in page
    response = client.post(
        reverse("applications:figures", args=[application.pk]),
        {"annual_purchase_amount": "300000000", "new_purchase_amount": "300000000"},
    )
    assert response["Location"] == reverse("applications:documents", args=[application.pk])

    for kind in track.required_documents:
        response = client.post(
            reverse("applications:documents", args=[application.pk]),
            {"kind": kind, "file": SimpleUploadedFile("证明.pdf", PDF_BYTES)},
        )
        assert response.status_code == 302

    review = client.get(reverse("applications:review", args=[application.pk])).content.decode()
    assert "200万元" in review
    # The declared figures to the fen with separators, with their reading.
    assert "3亿元（300,000,000.00元）" in review and "300000000" not in review
    assert "submit-application" in review

    response = client.post(reverse("applications:submit", args=[application.pk]))
    assert response["Location"] == reverse("applications:detail", args=[application.pk])
    application.refresh_from_db()
    assert application.state == State.DISTRICT_REVIEW
    detail = client.get(response["Location"]).content.decode()
    assert "区县审核中" in detail
    assert "撤回申报" not in detail


def test_a_draft_is_shown_by_when_it_was_created_until_its_first_submission(
    enterprise_user, client_for
):
    track = Track.objects.get(code="supply-chain")
    window = WindowFactory(measure=track.measure)
    client = client_for(enterprise_user)

    response = client.post(
        reverse("applications:apply"), {"window": window.pk, "track": track.pk}, follow=True
    )
    application = Application.objects.get(enterprise=enterprise_user.enterprise)
    page = response.content.decode()
    assert application.reference is None
    assert "已创建申报草稿，尚未提交" in page
    assert "申报编号在首次提交时生成" in page
    label = application.reference_label
    assert label.startswith("草稿 · 创建于 ")
    assert label in page
    assert label in client.get(reverse("applications:home")).content.decode()
    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert label in detail and "None" not in detail

    application = services.application_submit(
        application=draft(user=enterprise_user, code="ic-design"), by=enterprise_user
    )
    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert f'<strong class="reference">{application.reference}</strong>' in detail
    assert "申报编号在首次提交时生成" not in detail


def test_every_step_shows_the_amount_the_saved_figures_give(enterprise_user, client_for):
    track = Track.objects.get(code="supply-chain")
    application = services.application_create(
        enterprise=enterprise_user.enterprise,
        track=track,
        window=WindowFactory(measure=track.measure),
        by=enterprise_user,
    )
    client = client_for(enterprise_user)
    steps = ["figures", "documents", "review", "detail"]

    for step in steps:
        page = client.get(reverse(f"applications:{step}", args=[application.pk])).content.decode()
        assert "填报数据并保存后显示" in page, step

    response = client.post(
        reverse("applications:figures", args=[application.pk]),
        {"annual_purchase_amount": "300000000", "new_purchase_amount": "150000000"},
        follow=True,
    )
    # Landed on 上传材料: 1% of 1.5亿 new purchases.
    assert response.redirect_chain[-1][0] == reverse(
        "applications:documents", args=[application.pk]
    )
    amount = '<strong class="amount" data-amount="1500000.00">150万元</strong>'
    assert amount in response.content.decode()
    for step in steps:
        page = client.get(reverse(f"applications:{step}", args=[application.pk])).content.decode()
        assert amount in page, step


def test_a_track_the_reviewers_price_shows_its_range_at_every_step(enterprise_user, client_for):
    application = draft(user=enterprise_user, code="single-champion", documents=False)
    client = client_for(enterprise_user)

    for step in ["figures", "documents", "review", "detail"]:
        page = client.get(reverse(f"applications:{step}", args=[application.pk])).content.decode()
        assert "支持金额由审核部门在通知规定的范围内确定" in page, step
        assert "50万元—200万元" in page, step


def test_figures_are_validated_with_chinese_messages(enterprise_user, client_for):
    application = draft(user=enterprise_user, documents=False)

    response = client_for(enterprise_user).post(
        reverse("applications:figures", args=[application.pk]),
        {"annual_purchase_amount": "-1", "new_purchase_amount": "abc"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "errorlist" in page
    assert "请输入一个数字" in page or "输入一个数字" in page


def test_review_page_shows_problems_instead_of_the_submit_button(enterprise_user, client_for):
    application = draft(
        user=enterprise_user,
        code="ic-design",
        declared={"actual_investment": Decimal("19990000")},
        documents=False,
    )

    page = (
        client_for(enterprise_user)
        .get(reverse("applications:review", args=[application.pk]))
        .content.decode()
    )

    assert "实际到位投资2000万元以上" in page
    assert "营业执照" in page
    assert "submit-application" not in page


def test_a_duplicate_application_is_refused_with_a_message(enterprise_user, client_for):
    application = draft(user=enterprise_user, documents=False)
    client = client_for(enterprise_user)

    response = client.post(
        reverse("applications:apply"),
        {"window": application.window.pk, "track": application.track.pk},
        follow=True,
    )

    assert "请勿重复申报" in response.content.decode()
    assert Application.objects.filter(enterprise=enterprise_user.enterprise).count() == 1


def test_a_renamed_executable_is_refused_and_nothing_stored(
    enterprise_user, client_for, media_root
):
    application = draft(user=enterprise_user, documents=False)

    response = client_for(enterprise_user).post(
        reverse("applications:documents", args=[application.pk]),
        {
            "kind": "营业执照",
            "file": SimpleUploadedFile("营业执照.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        },
    )

    assert response.status_code == 200
    assert "文件内容不是" in response.content.decode()
    assert not ApplicationDocument.objects.exists()
    assert not any(Path(media_root).rglob("*.*")) if Path(media_root).exists() else True


def test_an_oversize_file_is_refused_and_nothing_stored(
    enterprise_user, client_for, media_root, settings
):
    settings.DOCUMENT_MAX_BYTES = 1024
    application = draft(user=enterprise_user, documents=False)

    response = client_for(enterprise_user).post(
        reverse("applications:documents", args=[application.pk]),
        {"kind": "营业执照", "file": SimpleUploadedFile("大文件.pdf", PDF_BYTES + b"0" * 4096)},
    )

    assert "文件过大" in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_a_path_in_the_file_name_never_leaves_the_upload_folder(
    enterprise_user, client_for, media_root
):
    application = draft(user=enterprise_user, documents=False)

    client_for(enterprise_user).post(
        reverse("applications:documents", args=[application.pk]),
        {"kind": "营业执照", "file": SimpleUploadedFile("../../../etc/营业执照.pdf", PDF_BYTES)},
    )

    document = ApplicationDocument.objects.get()
    stored = Path(document.file.path).resolve()
    assert stored.is_relative_to(Path(media_root).resolve())
    assert "/" not in document.original_name and ".." not in document.original_name
    assert stored.name != document.original_name


def test_documents_download_only_for_those_who_may_see_the_application(
    enterprise_user,
    other_enterprise_user,
    district_reviewer,
    other_district_reviewer,
    finance_user,
    client,
):
    application = draft(user=enterprise_user)
    document = application.documents.first()
    url = reverse("applications:document-download", args=[document.pk])

    client.force_login(enterprise_user)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "attachment" in response["Content-Disposition"]

    # A draft is the enterprise's own until it is submitted.
    client.force_login(district_reviewer)
    assert client.get(url).status_code == 404
    services.application_submit(application=application, by=enterprise_user)
    assert client.get(url).status_code == 200
    for outsider in (other_enterprise_user, other_district_reviewer, finance_user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider


def test_detail_shows_only_public_comments_and_the_allowed_actions(
    enterprise_user, district_reviewer, client_for
):
    application = draft(user=enterprise_user)
    services.application_submit(application=application, by=enterprise_user)
    services.application_district_return(
        application=application, by=district_reviewer, comment="请补充采购合同", comment_public=True
    )
    TransitionLog.objects.create(
        application=application,
        actor=district_reviewer,
        transition="note",
        from_state=State.RETURNED,
        to_state=State.RETURNED,
        comment="内部：该企业去年有类似申报",
        comment_public=False,
    )

    page = (
        client_for(enterprise_user)
        .get(reverse("applications:detail", args=[application.pk]))
        .content.decode()
    )

    assert "请补充采购合同" in page
    assert "内部：" not in page
    # The step itself stays on the timeline; only its internal comment is left out.
    assert page.count('class="badge state-returned"') == 3
    assert "撤回申报" in page
    assert "核对并重新提交" in page


def test_the_portal_reads_amounts_one_way(enterprise_user, district_reviewer, client_for):
    application = draft(user=enterprise_user)
    services.application_submit(application=application, by=enterprise_user)
    services.application_district_approve(
        application=application, by=district_reviewer, amount=Decimal("1234567.89")
    )
    client = client_for(enterprise_user)

    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    home = client.get(reverse("applications:home")).content.decode()

    assert "200万元" in detail  # calculated: a whole number of 万
    # Recommended: not a whole number of 万, so exactly, never rounded to "123.46万元".
    assert "1,234,567.89元" in detail and "123.46万元" not in detail
    assert "推荐 1,234,567.89元" in home


def test_home_lists_returned_applications_first(enterprise_user, district_reviewer, client_for):
    first = draft(user=enterprise_user, code="ic-design")
    returned = services.application_submit(
        application=draft(user=enterprise_user), by=enterprise_user
    )
    services.application_district_return(application=returned, by=district_reviewer, comment="补充")

    page = client_for(enterprise_user).get(reverse("applications:home")).content.decode()

    assert "待您处理" in page
    assert page.index(returned.reference) < page.index(first.reference_label)


def _queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_home_runs_the_same_number_of_queries_for_1_and_30_applications(
    enterprise_user, client_for
):
    client = client_for(enterprise_user)
    draft(user=enterprise_user, documents=False)
    one = _queries(client, reverse("applications:home"), None)

    track = Track.objects.get(code="supply-chain")
    for _ in range(29):
        draft(user=enterprise_user, documents=False, window=WindowFactory(measure=track.measure))
    thirty = _queries(client, reverse("applications:home"), None)

    assert Application.objects.filter(enterprise=enterprise_user.enterprise).count() == 30
    assert thirty == one


def test_detail_runs_the_same_number_of_queries_for_1_and_30_log_entries(
    enterprise_user, district_reviewer, client_for
):
    client = client_for(enterprise_user)
    application = draft(user=enterprise_user)
    services.application_submit(application=application, by=enterprise_user)
    url = reverse("applications:detail", args=[application.pk])
    one = _queries(client, url, None)

    for _ in range(29):
        TransitionLog.objects.create(
            application=application,
            actor=district_reviewer,
            transition="note",
            from_state=application.state,
            to_state=application.state,
            comment="进度说明",
        )
    thirty = _queries(client, url, None)

    assert application.log_entries.count() == 30
    assert thirty == one


def test_a_document_can_be_removed_from_a_draft(
    enterprise_user, client_for, django_capture_on_commit_callbacks
):
    application = draft(user=enterprise_user, documents=False)
    document = services.document_add(
        application=application, by=enterprise_user, kind="营业执照", upload=pdf_upload()
    )
    path = Path(document.file.path)

    # The file goes only once the row's deletion has committed.
    with django_capture_on_commit_callbacks(execute=True):
        client_for(enterprise_user).post(
            reverse("applications:document-delete", args=[application.pk, document.pk])
        )

    assert not ApplicationDocument.objects.exists()
    assert not path.exists()


def test_documents_follow_each_officials_admin_scope(
    enterprise_user, district_reviewer, municipal_reviewer, client
):
    submitted = draft(user=enterprise_user)
    services.application_submit(application=submitted, by=enterprise_user)
    withdrawn = draft(user=enterprise_user, code="ic-design")
    services.application_withdraw(application=withdrawn, by=enterprise_user)

    # Still with the district: not yet the municipal reviewer's to see.
    client.force_login(municipal_reviewer)
    assert (
        client.get(
            reverse("applications:document-download", args=[submitted.documents.first().pk])
        ).status_code
        == 404
    )
    # Withdrawn before it was ever submitted: never the district's.
    client.force_login(district_reviewer)
    assert (
        client.get(
            reverse("applications:document-download", args=[withdrawn.documents.first().pk])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("applications:document-download", args=[submitted.documents.first().pk])
        ).status_code
        == 200
    )


def test_uploads_still_need_the_csrf_token(enterprise_user):
    from django.test import Client

    application = draft(user=enterprise_user, documents=False)
    client = Client(enforce_csrf_checks=True)
    client.force_login(enterprise_user)

    response = client.post(
        reverse("applications:documents", args=[application.pk]),
        {"kind": "营业执照", "file": SimpleUploadedFile("营业执照.pdf", PDF_BYTES)},
    )

    assert response.status_code == 403
    assert not ApplicationDocument.objects.exists()


def test_an_oversize_upload_is_cut_off_while_it_is_read(
    enterprise_user, client_for, settings, monkeypatch
):
    """The limit applies while the body is read: the service never sees the file."""
    settings.DOCUMENT_MAX_BYTES = 1024
    application = draft(user=enterprise_user, documents=False)
    seen = []
    monkeypatch.setattr(services, "document_add", lambda **kwargs: seen.append(kwargs))

    response = client_for(enterprise_user).post(
        reverse("applications:documents", args=[application.pk]),
        {"kind": "营业执照", "file": SimpleUploadedFile("大文件.pdf", PDF_BYTES + b"0" * 200_000)},
    )

    assert "文件过大" in response.content.decode()
    assert seen == []


def _selected_kind(page: str) -> str:
    kinds = re.search(r'<select name="kind".*?</select>', page, re.DOTALL).group(0)
    return re.search(r'<option value="([^"]*)" selected>', kinds).group(1)


def test_each_checklist_line_has_one_marker_that_says_what_it_means(enterprise_user, client_for):
    application = draft(user=enterprise_user, documents=False)
    client = client_for(enterprise_user)
    url = reverse("applications:documents", args=[application.pk])
    client.post(url, {"kind": "营业执照", "file": pdf_upload("执照.pdf")})

    page = client.get(url).content.decode()

    checklist = re.search(r'<ul class="checklist">.*?</ul>', page, re.DOTALL).group(0)
    lines = re.findall(r"<li>.*?</li>", checklist, re.DOTALL)
    assert len(lines) == 3
    for line in lines:
        # The list draws no bullet (site.css); the symbol is the marker, read out in words.
        assert "•" not in line
        assert len(re.findall(r"[✓○]", line)) == 1
        assert '<span aria-hidden="true">' in line
    assert '<span class="visually-hidden">已上传：</span>营业执照' in checklist
    assert '<span class="visually-hidden">未上传：</span>年度财务报表' in checklist
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    assert re.search(r"\.checklist \{[^}]*list-style: none", css)


def test_the_upload_form_offers_the_next_missing_document_type(enterprise_user, client_for):
    application = draft(user=enterprise_user, documents=False)
    client = client_for(enterprise_user)
    url = reverse("applications:documents", args=[application.pk])
    assert application.track.required_documents == [
        "营业执照",
        "年度财务报表",
        "采购合同及发票汇总表",
    ]

    assert _selected_kind(client.get(url).content.decode()) == "营业执照"
    # Uploaded out of order: the first one still missing comes next.
    client.post(url, {"kind": "年度财务报表", "file": pdf_upload("报表.pdf")})
    assert _selected_kind(client.get(url).content.decode()) == "营业执照"
    response = client.post(url, {"kind": "营业执照", "file": pdf_upload("执照.pdf")}, follow=True)
    assert _selected_kind(response.content.decode()) == "采购合同及发票汇总表"
    client.post(url, {"kind": "采购合同及发票汇总表", "file": pdf_upload("合同.pdf")})
    assert _selected_kind(client.get(url).content.decode()) == "其他材料"


def test_a_refused_upload_names_the_file_escaped_and_keeps_the_chosen_type(
    enterprise_user, client_for
):
    application = draft(user=enterprise_user, documents=False)

    response = client_for(enterprise_user).post(
        reverse("applications:documents", args=[application.pk]),
        {
            "kind": "年度财务报表",
            "file": SimpleUploadedFile("<img src=x onerror=alert(1)>报表.pdf", b"MZ\x90\x00" * 30),
        },
    )

    page = response.content.decode()
    assert "未能上传“&lt;img src=x onerror=alert(1)&gt;报表.pdf”：文件内容不是" in page
    assert "<img src=x" not in page
    assert _selected_kind(page) == "年度财务报表"
    assert not ApplicationDocument.objects.exists()


def test_an_empty_or_oversize_upload_names_the_file(enterprise_user, client_for, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    application = draft(user=enterprise_user, documents=False)
    client = client_for(enterprise_user)
    url = reverse("applications:documents", args=[application.pk])

    empty = client.post(url, {"kind": "营业执照", "file": SimpleUploadedFile("空白.pdf", b"")})
    large = client.post(
        url, {"kind": "营业执照", "file": SimpleUploadedFile("扫描件.pdf", PDF_BYTES + b"0" * 4096)}
    )

    assert "未能上传“空白.pdf”：" in empty.content.decode()
    assert "未能上传“扫描件.pdf”：文件过大" in large.content.decode()
    assert not ApplicationDocument.objects.exists()


# ── the apply page ─────────────────────────────────────────────────────────────────────────


def _open(*codes):
    """A window open for the measure of each track code."""
    return [WindowFactory(measure=Track.objects.get(code=code).measure) for code in codes]


def _recommended(page: str) -> str:
    found = re.search(r'<section class="recommended.*?</section>', page, re.DOTALL)
    return found.group(0) if found else ""


def test_the_apply_page_lists_the_open_measures_by_section_with_links_to_each(
    enterprise_user, client_for
):
    _open("supply-chain", "data-platform", "ic-design")

    page = client_for(enterprise_user).get(reverse("applications:apply")).content.decode()

    for number in (1, 3, 4):
        assert f'<a href="#section-{number}">' in page
        assert f'id="section-{number}"' in page
    assert 'href="#section-2"' not in page  # nothing of section 2 is open
    assert (
        page.index('id="section-1"') < page.index('id="section-3"') < page.index('id="section-4"')
    )
    # The finder is there for the script to show; without it, every measure is listed.
    assert "data-measure-finder hidden" in page and "js/apply.js" in page
    assert 'data-measure-number="10" data-measure-title="集成电路产业"' in page
    assert 'data-track-name="集成电路设计"' in page


def test_starting_an_application_says_it_makes_a_draft_only(enterprise_user, client_for):
    _open("supply-chain")

    page = client_for(enterprise_user).get(reverse("applications:apply")).content.decode()

    assert "新建草稿：开放供应链、构建专业化配套集群" in page
    assert "申报：" not in page
    assert "不会提交，也不生成申报编号" in page


def test_measures_addressing_the_enterprise_are_suggested_first(policy, client_for):
    from enterprises.models import Enterprise
    from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory

    _open("supply-chain", "little-giant", "data-platform", "ic-design", "first-unit-insurance")
    carmaker = EnterpriseUserFactory(
        enterprise=EnterpriseFactory(
            industry=Enterprise.Industry.AUTOMOTIVE, scale=Enterprise.Scale.LARGE
        )
    )
    chip_designer = EnterpriseUserFactory(
        enterprise=EnterpriseFactory(
            industry=Enterprise.Industry.ELECTRONICS, scale=Enterprise.Scale.SMALL
        )
    )

    for_carmaker = _recommended(
        client_for(carmaker).get(reverse("applications:apply")).content.decode()
    )
    for_chips = _recommended(
        client_for(chip_designer).get(reverse("applications:apply")).content.decode()
    )

    # Its industry first (第6条, 汽车), then its scale (第2条, 龙头骨干企业).
    assert "汽车摩托车 · 大型企业" in for_carmaker
    assert for_carmaker.index("第6条") < for_carmaker.index("第2条")
    assert "第10条" not in for_carmaker and "第3条" not in for_carmaker
    assert for_chips.index("第10条") < for_chips.index("第3条")
    assert "第6条" not in for_chips and "第2条" not in for_chips and "第11条" not in for_chips


def test_a_suggested_measure_is_listed_once_and_the_suggestion_links_to_it(policy, client_for):
    from enterprises.models import Enterprise
    from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory

    windows = _open("data-platform", "ic-design")
    carmaker = EnterpriseUserFactory(
        enterprise=EnterpriseFactory(industry=Enterprise.Industry.AUTOMOTIVE)
    )

    page = client_for(carmaker).get(reverse("applications:apply")).content.decode()

    suggested = _recommended(page)
    assert "第6条" in suggested
    # One card per open measure, in the whole list; the suggestion is a link to it.
    assert page.count('data-measure-number="6"') == 1
    assert "data-search-item" not in suggested and "<form" not in suggested
    assert f'href="#window-{windows[0].pk}"' in suggested
    assert page.count(f'id="window-{windows[0].pk}"') == 1
    # The finder filters the whole list and sets the suggestions aside while it does.
    assert "data-search-group" not in suggested


def test_the_suggestions_are_cached_per_industry_and_scale_with_each_visitors_token(policy, client):
    from django.middleware.csrf import _unmask_cipher_token

    from enterprises.models import Enterprise
    from measures.fragments import CSRF_TOKEN_HOLE
    from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory

    _open("data-platform", "ic-design")

    def page_of(industry):
        client.cookies.clear()
        client.force_login(EnterpriseUserFactory(enterprise=EnterpriseFactory(industry=industry)))
        response = client.get(reverse("applications:apply"))
        page = response.content.decode()
        tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
        # Every form carries this visitor's own token, never the hole or another's.
        assert CSRF_TOKEN_HOLE not in page
        assert {_unmask_cipher_token(token) for token in tokens} == {
            response.cookies["csrftoken"].value
        }
        return page

    first = page_of(Enterprise.Industry.AUTOMOTIVE)
    second = page_of(Enterprise.Industry.AUTOMOTIVE)
    electronics = page_of(Enterprise.Industry.ELECTRONICS)

    def tokenless(page):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", _recommended(page))

    assert "第6条" in _recommended(first) and tokenless(first) == tokenless(second)
    assert "第10条" in _recommended(electronics) and "第6条" not in _recommended(electronics)


def test_the_apply_page_runs_the_same_number_of_queries_for_1_and_8_open_measures(
    enterprise_user, client_for
):
    client = client_for(enterprise_user)
    url = reverse("applications:apply")
    _open("supply-chain")
    client.get(url)  # rendered once for this version of the data
    one = _queries(client, url, None)

    _open("little-giant", "data-platform", "passenger-ev", "ic-design", "first-unit-insurance")
    _open("new-materials", "key-brand")
    client.get(url)
    eight = _queries(client, url, None)

    page = client.get(url).content.decode()
    assert page.count("data-search-item") >= 8
    assert eight == one
