"""The library's pages in the portal and 从材料库选用 on an application's documents page."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import ApplicationDocument, LibraryDocument
from tests.applications.factories import PDF_BYTES, draft, library_document, pdf_upload
from tests.applications.test_uploads import PNG_BYTES

OTHER_PDF = b"%PDF-1.4\n% the renewed licence\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def library_urls(document, application=None):
    urls = [
        ("get", reverse("applications:library-download", args=[document.pk])),
        ("get", reverse("applications:library-replace", args=[document.pk])),
        ("post", reverse("applications:library-replace", args=[document.pk])),
        ("post", reverse("applications:library-delete", args=[document.pk])),
    ]
    if application is not None:
        urls.append(
            ("post", reverse("applications:document-attach", args=[application.pk])),
        )
    return urls


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# ── the library page ───────────────────────────────────────────────────────────────────────


def test_an_enterprise_uploads_into_its_library_and_sees_it_listed(enterprise_user, client_for):
    client = client_for(enterprise_user)
    url = reverse("applications:library")

    response = client.post(
        url,
        {"kind": "年度财务报表", "year": "2024", "file": pdf_upload("2024年财务报表.pdf")},
        follow=True,
    )

    document = LibraryDocument.objects.get()
    assert (document.enterprise, document.kind, document.year) == (
        enterprise_user.enterprise,
        "年度财务报表",
        2024,
    )
    page = response.content.decode()
    assert "已存入材料库：年度财务报表（2024年度）" in page
    assert "2024年财务报表.pdf" in page
    assert reverse("applications:library-download", args=[document.pk]) in page
    assert reverse("applications:library-replace", args=[document.pk]) in page


def test_a_refused_library_upload_names_the_file_and_stores_nothing(
    enterprise_user, client_for, media_root
):
    response = client_for(enterprise_user).post(
        reverse("applications:library"),
        {"kind": "营业执照", "file": SimpleUploadedFile("<b>执照.pdf", b"MZ\x90\x00" * 30)},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "未能上传“&lt;b&gt;执照.pdf”：文件内容不是" in page
    assert not LibraryDocument.objects.exists()
    assert not Path(media_root).exists() or not any(Path(media_root).rglob("*.pdf"))


def test_a_year_in_the_future_is_refused_by_the_form(enterprise_user, client_for):
    response = client_for(enterprise_user).post(
        reverse("applications:library"),
        {"kind": "年度财务报表", "year": str(timezone.localdate().year + 1), "file": pdf_upload()},
    )

    assert response.status_code == 200
    assert "确保该值小于或等于" in response.content.decode()
    assert not LibraryDocument.objects.exists()


def test_an_oversize_library_upload_is_cut_off_while_it_is_read(
    enterprise_user, client_for, settings, monkeypatch
):
    settings.DOCUMENT_MAX_BYTES = 1024
    seen = []
    monkeypatch.setattr(services, "library_document_add", lambda **kwargs: seen.append(kwargs))

    response = client_for(enterprise_user).post(
        reverse("applications:library"),
        {"kind": "营业执照", "file": SimpleUploadedFile("大文件.pdf", PDF_BYTES + b"0" * 200_000)},
    )

    assert "未能上传“大文件.pdf”：文件过大" in response.content.decode()
    assert seen == []


def test_a_path_in_the_file_name_never_leaves_the_library_folder(
    enterprise_user, client_for, media_root
):
    upload = SimpleUploadedFile("x.pdf", PDF_BYTES)
    upload.name = "../../../outside.pdf"

    client_for(enterprise_user).post(
        reverse("applications:library"), {"kind": "营业执照", "file": upload}
    )

    document = LibraryDocument.objects.get()
    assert (
        Path(document.file.path).resolve().is_relative_to((Path(media_root) / "library").resolve())
    )
    assert document.original_name == "outside.pdf"


def test_library_uploads_still_need_the_csrf_token(enterprise_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(enterprise_user)

    response = client.post(
        reverse("applications:library"), {"kind": "营业执照", "file": pdf_upload()}
    )

    assert response.status_code == 403
    assert not LibraryDocument.objects.exists()


def test_replacing_and_deleting_from_the_library_page(
    enterprise_user, client_for, django_capture_on_commit_callbacks
):
    client = client_for(enterprise_user)
    document = library_document(user=enterprise_user)
    application = draft(user=enterprise_user, documents=False)
    services.library_document_attach(
        application=application, library_document=document, by=enterprise_user
    )
    replace = reverse("applications:library-replace", args=[document.pk])

    page = client.get(replace).content.decode()
    assert "已有 1 份申报材料选用了这份材料" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(replace, {"file": pdf_upload("新执照.png", PNG_BYTES)}, follow=True)
    assert "已选用它的申报仍使用选用时的版本" in response.content.decode()
    document.refresh_from_db()
    assert (document.original_name, document.content_type) == ("新执照.png", "image/png")

    refused = client.post(replace, {"file": SimpleUploadedFile("坏.pdf", b"MZ")})
    assert "未能上传“坏.pdf”" in refused.content.decode()

    path = Path(document.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("applications:library-delete", args=[document.pk]), follow=True
        )
    assert "已从材料库删除“新执照.png”。已选用它的申报不受影响。" in response.content.decode()
    assert not LibraryDocument.objects.exists()
    assert not path.exists()
    assert application.documents.get().from_library


def test_a_library_document_is_downloaded_by_its_enterprise_only(
    enterprise_user, other_enterprise_user, district_reviewer, client
):
    document = library_document(user=enterprise_user, name="执照.pdf")
    url = reverse("applications:library-download", args=[document.pk])

    client.force_login(enterprise_user)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["X-Content-Type-Options"] == "nosniff"
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    assert "attachment" in response["Content-Disposition"]

    client.force_login(other_enterprise_user)
    assert client.get(url).status_code == 404
    # Officials never see a library, only the copies attached to applications in their scope.
    client.force_login(district_reviewer)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_every_library_url_of_another_enterprise_answers_404(
    enterprise_user, other_enterprise_user, client_for
):
    document = library_document(user=enterprise_user)
    theirs = draft(user=other_enterprise_user, documents=False)
    client = client_for(other_enterprise_user)

    for method, url in library_urls(document):
        response = getattr(client, method)(url, {"file": pdf_upload()} if "replace" in url else {})
        assert response.status_code == 404, (method, url, response.status_code)
    # Nor can it be attached to the other enterprise's own application.
    response = client.post(
        reverse("applications:document-attach", args=[theirs.pk]),
        {"library_document": document.pk, "kind": "营业执照"},
    )
    assert response.status_code == 404
    assert not theirs.documents.exists()
    document.refresh_from_db()
    assert LibraryDocument.objects.get().sha256 == document.sha256


def test_anonymous_visitors_are_sent_to_log_in(enterprise_user, client):
    document = library_document(user=enterprise_user)
    application = draft(user=enterprise_user, documents=False)

    for method, url in [
        ("get", reverse("applications:library")),
        ("post", reverse("applications:library")),
        *library_urls(document, application),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("login")), (method, url)


def test_officials_cannot_list_an_enterprises_library(
    enterprise_user, district_reviewer, municipal_reviewer, client
):
    library_document(user=enterprise_user, name="甲执照.pdf")

    for official in (district_reviewer, municipal_reviewer):
        client.force_login(official)
        response = client.get(reverse("applications:library"))
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:index")


def test_the_library_page_runs_the_same_number_of_queries_for_1_and_30_documents(
    enterprise_user, client_for, django_assert_num_queries
):
    client = client_for(enterprise_user)
    library_document(user=enterprise_user)
    url = reverse("applications:library")
    client.get(url)  # the session's first read, the kinds cached

    # Session, user, roles, enterprise, the library, the unread notifications.
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
    for year in range(2001, 2016):
        library_document(user=enterprise_user, kind="年度财务报表", year=year)
    for number in range(14):
        library_document(user=enterprise_user, kind="认定文件", name=f"认定{number}.pdf")
    with django_assert_num_queries(6):
        page = client.get(url).content.decode()
    assert page.count('<tr id="library-') == 30


# ── 从材料库选用 on an application's documents page ─────────────────────────────────────────


def _attach_form(page: str, document) -> str:
    return re.search(rf'<li id="library-{document.pk}">.*?</li>', page, re.DOTALL).group(0)


def _preselected(form: str) -> str:
    return re.search(r'<option value="([^"]*)" selected>', form).group(1)


def test_the_documents_page_offers_the_library_with_each_kind_preselected(
    enterprise_user, client_for
):
    application = draft(user=enterprise_user, documents=False)
    licence = library_document(user=enterprise_user)
    report = library_document(user=enterprise_user, kind="年度财务报表", year=2024)
    certificate = library_document(user=enterprise_user, kind="认定文件", name="认定.pdf")

    page = (
        client_for(enterprise_user)
        .get(reverse("applications:documents", args=[application.pk]))
        .content.decode()
    )

    assert "从材料库选用" in page
    assert _preselected(_attach_form(page, licence)) == "营业执照"
    assert _preselected(_attach_form(page, report)) == "年度财务报表"
    # Not on this track's list: offered as 其他材料.
    assert _preselected(_attach_form(page, certificate)) == "其他材料"
    # What the track asks for first, in its order.
    assert page.index(f'id="library-{licence.pk}"') < page.index(f'id="library-{report.pk}"')
    assert page.index(f'id="library-{report.pk}"') < page.index(f'id="library-{certificate.pk}"')


def test_an_empty_library_is_pointed_to(enterprise_user, client_for):
    application = draft(user=enterprise_user, documents=False)

    page = (
        client_for(enterprise_user)
        .get(reverse("applications:documents", args=[application.pk]))
        .content.decode()
    )

    assert "材料库中还没有材料" in page
    assert reverse("applications:library") in page


def test_one_post_attaches_a_library_document_and_the_page_says_which_version(
    enterprise_user, client_for
):
    application = draft(user=enterprise_user, documents=False)
    licence = library_document(user=enterprise_user, name="执照正本.pdf")
    client = client_for(enterprise_user)

    response = client.post(
        reverse("applications:document-attach", args=[application.pk]),
        {"library_document": licence.pk, "kind": "营业执照"},
        follow=True,
    )

    page = response.content.decode()
    copy = application.documents.get()
    assert (copy.kind, copy.library_document, copy.sha256) == ("营业执照", licence, licence.sha256)
    assert "已从材料库选用“执照正本.pdf”，作为“营业执照”。" in page
    assert f"已选用材料库中的版本（上传于 {_local(licence.uploaded_at)}）" in page
    assert "已选用</span>" in _attach_form(page, licence)
    # The checklist is ticked, and the upload form moves on to the next missing kind.
    assert re.search(r"✓</span> <span class=\"visually-hidden\">已上传：</span>营业执照", page)
    assert re.search(
        r'<select name="kind"[^>]*>.*?<option value="年度财务报表" selected>', page, re.S
    )


def test_attaching_refused_by_the_rules_says_why(enterprise_user, client_for, settings):
    application = draft(user=enterprise_user)
    licence = library_document(user=enterprise_user)
    settings.DOCUMENTS_MAX_PER_APPLICATION = 3

    response = client_for(enterprise_user).post(
        reverse("applications:document-attach", args=[application.pk]),
        {"library_document": licence.pk, "kind": "营业执照"},
        follow=True,
    )

    assert "每份申报最多上传3份材料" in response.content.decode()
    assert application.documents.count() == 3


def test_a_kind_outside_the_tracks_list_or_no_document_is_refused(enterprise_user, client_for):
    application = draft(user=enterprise_user, documents=False)
    licence = library_document(user=enterprise_user)
    client = client_for(enterprise_user)
    url = reverse("applications:document-attach", args=[application.pk])

    for data in ({"library_document": licence.pk, "kind": "认定文件"}, {"kind": "营业执照"}):
        response = client.post(url, data, follow=True)
        assert "请选择要选用的材料和材料类型" in response.content.decode()
    assert client.post(url, {"library_document": 999999, "kind": "营业执照"}).status_code == 404
    assert not application.documents.exists()


def test_nothing_is_attached_once_submitted(enterprise_user, client_for):
    application = draft(user=enterprise_user)
    services.application_submit(application=application, by=enterprise_user)
    licence = library_document(user=enterprise_user)

    response = client_for(enterprise_user).post(
        reverse("applications:document-attach", args=[application.pk]),
        {"library_document": licence.pk, "kind": "营业执照"},
    )

    assert response["Location"] == reverse("applications:detail", args=[application.pk])
    assert not application.documents.filter(library_document__isnull=False).exists()


def test_the_documents_page_runs_the_same_number_of_queries_for_1_and_10_library_documents(
    enterprise_user, client_for
):
    application = draft(user=enterprise_user, documents=False)
    library_document(user=enterprise_user)
    client = client_for(enterprise_user)
    url = reverse("applications:documents", args=[application.pk])
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    one = queries()
    for year in range(2010, 2019):
        source = library_document(user=enterprise_user, kind="年度财务报表", year=year)
        services.library_document_attach(
            application=application, library_document=source, by=enterprise_user
        )
    assert queries() == one


def test_reviewers_see_that_a_document_came_from_the_library(
    enterprise_user, district_reviewer, client
):
    application = draft(user=enterprise_user, documents=False)
    licence = library_document(user=enterprise_user)
    services.library_document_attach(
        application=application, library_document=licence, by=enterprise_user
    )
    for kind in ("年度财务报表", "采购合同及发票汇总表"):
        services.document_add(
            application=application, by=enterprise_user, kind=kind, upload=pdf_upload()
        )
    services.application_submit(application=application, by=enterprise_user)
    copy = application.documents.get(kind="营业执照")
    client.force_login(district_reviewer)

    page = client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    ).content.decode()

    assert page.count("来自材料库") == 1
    assert reverse("applications:document-download", args=[copy.pk]) in page
    # The copy is theirs to read, the library's document is not.
    assert client.get(reverse("applications:document-download", args=[copy.pk])).status_code == 200
    assert (
        client.get(reverse("applications:library-download", args=[licence.pk])).status_code == 302
    )
    assert ApplicationDocument.objects.filter(library_document=licence).count() == 1
