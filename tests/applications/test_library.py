"""The enterprise's library (企业材料库): uploads checked as an application's are, kept within the
enterprise's caps, and attached to applications as copies of their own."""

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.utils import timezone

from applications import selectors, services
from applications.errors import ApplicationError, UploadRejected
from applications.models import OTHER_DOCUMENT_KIND, ApplicationDocument, LibraryDocument
from tests.applications.factories import PDF_BYTES, draft, library_document, pdf_upload
from tests.applications.test_uploads import JPEG_BYTES, PNG_BYTES, office_file

OTHER_PDF = b"%PDF-1.4\n% the renewed licence\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def stored_files(media_root) -> list[Path]:
    root = Path(media_root)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


# ── uploads into the library ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("营业执照.pdf", PDF_BYTES, "application/pdf"),
        ("营业执照.png", PNG_BYTES, "image/png"),
        ("营业执照.jpg", JPEG_BYTES, "image/jpeg"),
        (
            "财务报表.xlsx",
            office_file("xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_a_library_upload_is_recognised_by_content_and_stored_privately(
    enterprise_user, media_root, name, content, content_type
):
    document = library_document(user=enterprise_user, name=name, content=content)

    assert document.content_type == content_type
    assert document.original_name == name
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.uploaded_by == enterprise_user
    # A random name in the enterprise's own folder, outside any public path.
    assert document.file.name.startswith(f"library/{enterprise_user.enterprise_id}/")
    assert name not in document.file.name
    assert Path(document.file.path).read_bytes() == content
    assert Path(document.file.path).is_relative_to(media_root)


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("营业执照.pdf", b"MZ\x90\x00" + b"\x00" * 64, "文件内容不是"),
        ("营业执照.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("照片.pdf", PNG_BYTES, "不符"),
        ("报表.xlsx", b"PK\x03\x04not really a zip", "文件内容不是"),
        ("空白.pdf", b"", "为空"),
    ],
)
def test_a_refused_library_upload_says_why_and_stores_nothing(
    enterprise_user, media_root, name, content, fragment
):
    with pytest.raises(UploadRejected, match=fragment):
        library_document(user=enterprise_user, name=name, content=content)

    assert not LibraryDocument.objects.exists()
    assert stored_files(media_root) == []


def test_a_library_upload_above_the_size_limit_is_refused(enterprise_user, settings):
    settings.DOCUMENT_MAX_BYTES = 1024

    with pytest.raises(UploadRejected, match="文件过大"):
        library_document(user=enterprise_user, content=PDF_BYTES + b"0" * 2048)


def test_a_zip_bomb_dressed_as_a_spreadsheet_is_refused(enterprise_user):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<x/>" + " " * 5_000_000)

    with pytest.raises(UploadRejected, match="文件内容不是"):
        library_document(user=enterprise_user, name="报表.xlsx", content=buffer.getvalue())


def test_the_library_takes_the_kinds_the_tracks_ask_for_most_first(policy):
    kinds = selectors.library_kinds()

    assert kinds[:2] == ["营业执照", "年度财务报表"]
    assert kinds[-1] == OTHER_DOCUMENT_KIND
    assert "认定文件" in kinds
    assert len(kinds) == len(set(kinds))


def test_a_kind_no_track_asks_for_or_a_year_out_of_range_is_refused(enterprise_user):
    with pytest.raises(ApplicationError, match="不能存入材料库"):
        library_document(user=enterprise_user, kind="随便什么")
    with pytest.raises(ApplicationError, match="年度须在"):
        library_document(
            user=enterprise_user, kind="年度财务报表", year=timezone.localdate().year + 1
        )
    with pytest.raises(ApplicationError, match="年度须在"):
        library_document(user=enterprise_user, kind="年度财务报表", year=1999)
    assert not LibraryDocument.objects.exists()


def test_only_the_enterprises_own_users_fill_its_library(
    enterprise_user, other_enterprise_user, district_reviewer
):
    for user in (other_enterprise_user, district_reviewer):
        with pytest.raises(PermissionDenied):
            services.library_document_add(
                enterprise=enterprise_user.enterprise,
                by=user,
                kind="营业执照",
                upload=pdf_upload(),
            )
    document = library_document(user=enterprise_user)
    with pytest.raises(PermissionDenied):
        services.library_document_replace(
            library_document=document, by=other_enterprise_user, upload=pdf_upload()
        )
    with pytest.raises(PermissionDenied):
        services.library_document_remove(library_document=document, by=other_enterprise_user)
    assert LibraryDocument.objects.get().sha256 == document.sha256


def test_the_library_holds_at_most_the_documents_and_bytes_allowed(
    enterprise_user, other_enterprise_user, settings
):
    settings.LIBRARY_MAX_DOCUMENTS = 2
    library_document(user=enterprise_user)
    library_document(user=enterprise_user, kind="年度财务报表", year=2024)

    with pytest.raises(ApplicationError, match="最多存放2份"):
        library_document(user=enterprise_user, kind="年度财务报表", year=2025)
    # Each enterprise has its own.
    library_document(user=other_enterprise_user)

    settings.LIBRARY_MAX_DOCUMENTS = 10
    settings.LIBRARY_MAX_TOTAL_BYTES = 3 * len(PDF_BYTES) + 10
    library_document(user=enterprise_user, kind="认定文件")
    with pytest.raises(ApplicationError, match="合计不能超过"):
        library_document(user=enterprise_user, kind="其他材料")
    assert LibraryDocument.objects.filter(enterprise=enterprise_user.enterprise).count() == 3


def test_a_replacement_counts_in_place_of_the_file_it_replaces(enterprise_user, settings):
    document = library_document(user=enterprise_user)
    settings.LIBRARY_MAX_DOCUMENTS = 1
    settings.LIBRARY_MAX_TOTAL_BYTES = len(OTHER_PDF)

    replaced = services.library_document_replace(
        library_document=document, by=enterprise_user, upload=pdf_upload("新执照.pdf", OTHER_PDF)
    )

    assert replaced.pk == document.pk
    assert replaced.size == len(OTHER_PDF)
    with pytest.raises(ApplicationError, match="合计不能超过"):
        services.library_document_replace(
            library_document=document,
            by=enterprise_user,
            upload=pdf_upload("更大.pdf", OTHER_PDF + b"\n"),
        )


def test_replacing_keeps_kind_and_year_and_removes_the_old_file_once_committed(
    enterprise_user, django_capture_on_commit_callbacks
):
    document = library_document(user=enterprise_user, kind="年度财务报表", year=2024)
    old_path = Path(document.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        replaced = services.library_document_replace(
            library_document=document,
            by=enterprise_user,
            upload=pdf_upload("2024年报表（更正）.pdf", OTHER_PDF),
        )

    replaced.refresh_from_db()
    assert (replaced.kind, replaced.year) == ("年度财务报表", 2024)
    assert replaced.original_name == "2024年报表（更正）.pdf"
    assert replaced.sha256 == hashlib.sha256(OTHER_PDF).hexdigest()
    assert replaced.uploaded_at > document.uploaded_at
    assert Path(replaced.file.path).read_bytes() == OTHER_PDF
    assert not old_path.exists()


def test_a_refused_replacement_changes_nothing(enterprise_user, media_root):
    document = library_document(user=enterprise_user)
    before = stored_files(media_root)

    with pytest.raises(UploadRejected):
        services.library_document_replace(
            library_document=document,
            by=enterprise_user,
            upload=SimpleUploadedFile("执照.pdf", b"MZ\x90\x00"),
        )

    unchanged = LibraryDocument.objects.get()
    assert (unchanged.file.name, unchanged.sha256) == (document.file.name, document.sha256)
    assert stored_files(media_root) == before


def test_library_documents_for_filters_by_kind_and_year(enterprise_user, other_enterprise_user):
    licence = library_document(user=enterprise_user)
    report_2023 = library_document(user=enterprise_user, kind="年度财务报表", year=2023)
    report_2024 = library_document(user=enterprise_user, kind="年度财务报表", year=2024)
    library_document(user=other_enterprise_user)
    enterprise = enterprise_user.enterprise

    assert list(selectors.library_documents_for(enterprise=enterprise)) == [
        report_2024,
        report_2023,
        licence,
    ]
    assert list(selectors.library_documents_for(enterprise=enterprise, kinds=["营业执照"])) == [
        licence
    ]
    assert list(
        selectors.library_documents_for(enterprise=enterprise, kinds=["年度财务报表"], year=2023)
    ) == [report_2023]
    assert report_2024.kind_label == "年度财务报表（2024年度）"
    assert licence.kind_label == "营业执照"


# ── attaching a library document to an application ─────────────────────────────────────────


def test_attaching_copies_the_file_into_the_application(enterprise_user):
    application = draft(user=enterprise_user, documents=False)
    source = library_document(user=enterprise_user, name="执照正本.pdf")

    document = services.library_document_attach(
        application=application, library_document=source, by=enterprise_user
    )

    assert document.application == application
    assert document.kind == "营业执照"
    assert (document.original_name, document.content_type, document.size, document.sha256) == (
        source.original_name,
        source.content_type,
        source.size,
        source.sha256,
    )
    assert document.library_document == source
    assert document.library_uploaded_at == source.uploaded_at
    assert document.from_library
    assert document.uploaded_by == enterprise_user
    # A file of its own, in the application's folder.
    assert document.file.name != source.file.name
    assert document.file.name.startswith(f"applications/{application.pk}/")
    assert Path(document.file.path).read_bytes() == Path(source.file.path).read_bytes()
    assert application.missing_documents() == ["年度财务报表", "采购合同及发票汇总表"]


def test_a_kind_the_track_does_not_list_is_attached_as_other_unless_one_is_chosen(
    enterprise_user,
):
    application = draft(user=enterprise_user, documents=False)
    certificate = library_document(user=enterprise_user, kind="认定文件", name="认定.pdf")

    as_other = services.library_document_attach(
        application=application, library_document=certificate, by=enterprise_user
    )
    assert as_other.kind == OTHER_DOCUMENT_KIND

    licence = library_document(user=enterprise_user)
    chosen = services.library_document_attach(
        application=application, library_document=licence, by=enterprise_user, kind="年度财务报表"
    )
    assert chosen.kind == "年度财务报表"
    with pytest.raises(ApplicationError, match="不在本类别的材料清单中"):
        services.library_document_attach(
            application=application,
            library_document=library_document(user=enterprise_user, name="另一份.pdf"),
            by=enterprise_user,
            kind="认定文件",
        )


def test_the_same_version_is_attached_once(enterprise_user):
    application = draft(user=enterprise_user, documents=False)
    source = library_document(user=enterprise_user)
    services.library_document_attach(
        application=application, library_document=source, by=enterprise_user
    )

    with pytest.raises(ApplicationError, match="已选用"):
        services.library_document_attach(
            application=application, library_document=source, by=enterprise_user
        )

    # Replaced in the library since: the new version may be attached too.
    source = services.library_document_replace(
        library_document=source, by=enterprise_user, upload=pdf_upload("新.pdf", OTHER_PDF)
    )
    services.library_document_attach(
        application=application, library_document=source, by=enterprise_user
    )
    assert application.documents.count() == 2


def test_attaching_only_while_the_application_is_editable(enterprise_user):
    application = draft(user=enterprise_user)
    source = library_document(user=enterprise_user)
    application = services.application_submit(application=application, by=enterprise_user)

    with pytest.raises(ApplicationError, match="不能修改"):
        services.library_document_attach(
            application=application, library_document=source, by=enterprise_user
        )
    assert not application.documents.filter(library_document__isnull=False).exists()


def test_attaching_keeps_to_the_applications_caps(enterprise_user, settings):
    application = draft(user=enterprise_user)  # its three documents
    source = library_document(user=enterprise_user)

    settings.DOCUMENTS_MAX_PER_APPLICATION = 3
    with pytest.raises(ApplicationError, match="最多上传3份"):
        services.library_document_attach(
            application=application, library_document=source, by=enterprise_user
        )
    settings.DOCUMENTS_MAX_PER_APPLICATION = 20
    settings.DOCUMENTS_MAX_TOTAL_BYTES = 3 * len(PDF_BYTES) + len(PDF_BYTES) - 1
    with pytest.raises(ApplicationError, match="合计不能超过"):
        services.library_document_attach(
            application=application, library_document=source, by=enterprise_user
        )
    assert application.documents.count() == 3


def test_only_ones_own_library_and_applications(enterprise_user, other_enterprise_user):
    mine = draft(user=enterprise_user, documents=False)
    theirs = library_document(user=other_enterprise_user)

    with pytest.raises(PermissionDenied):
        services.library_document_attach(
            application=mine, library_document=theirs, by=enterprise_user
        )
    with pytest.raises(PermissionDenied):
        services.library_document_attach(
            application=mine, library_document=theirs, by=other_enterprise_user
        )
    assert not mine.documents.exists()


def test_a_library_file_changed_on_disk_is_not_attached(enterprise_user, media_root):
    application = draft(user=enterprise_user, documents=False)
    source = library_document(user=enterprise_user)
    Path(source.file.path).write_bytes(OTHER_PDF)

    with pytest.raises(ApplicationError, match="无法读取"):
        services.library_document_attach(
            application=application, library_document=source, by=enterprise_user
        )
    Path(source.file.path).unlink()
    with pytest.raises(ApplicationError, match="无法读取"):
        services.library_document_attach(
            application=application, library_document=source, by=enterprise_user
        )
    assert not application.documents.exists()
    assert stored_files(Path(media_root) / "applications") == []


def test_a_failed_insert_leaves_no_copy_behind(enterprise_user, media_root):
    application = draft(user=enterprise_user, documents=False)
    source = library_document(user=enterprise_user)
    before = stored_files(media_root)

    def insert_fails(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "applications_applicationdocument"'):
            raise OperationalError("the database went away")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(insert_fails), pytest.raises(OperationalError):
        services.library_document_attach(
            application=application, library_document=source, by=enterprise_user
        )

    assert not ApplicationDocument.objects.exists()
    assert stored_files(media_root) == before


def test_a_deleted_library_document_cannot_be_attached(enterprise_user):
    application = draft(user=enterprise_user, documents=False)
    source = library_document(user=enterprise_user)
    services.library_document_remove(library_document=source, by=enterprise_user)

    with pytest.raises(ApplicationError, match="已没有这份材料"):
        services.library_document_attach(
            application=application, library_document=source, by=enterprise_user
        )


# ── what is attached stays as it was ───────────────────────────────────────────────────────


def _snapshot(application) -> list[tuple]:
    return [
        (
            d.pk,
            d.kind,
            d.original_name,
            d.sha256,
            d.size,
            d.file.name,
            Path(d.file.path).read_bytes(),
        )
        for d in ApplicationDocument.objects.filter(application=application).order_by("pk")
    ]


def test_replacing_the_library_document_leaves_attached_copies_as_they_were(
    enterprise_user, django_capture_on_commit_callbacks
):
    source = library_document(user=enterprise_user, name="旧执照.pdf")
    submitted = draft(user=enterprise_user, documents=False)
    services.library_document_attach(
        application=submitted, library_document=source, by=enterprise_user
    )
    for kind in ("年度财务报表", "采购合同及发票汇总表"):
        services.document_add(
            application=submitted, by=enterprise_user, kind=kind, upload=pdf_upload()
        )
    submitted = services.application_submit(application=submitted, by=enterprise_user)
    still_draft = draft(user=enterprise_user, code="ic-design", documents=False)
    services.library_document_attach(
        application=still_draft, library_document=source, by=enterprise_user
    )
    before = (_snapshot(submitted), _snapshot(still_draft))

    with django_capture_on_commit_callbacks(execute=True):
        services.library_document_replace(
            library_document=source, by=enterprise_user, upload=pdf_upload("新执照.pdf", OTHER_PDF)
        )

    assert (_snapshot(submitted), _snapshot(still_draft)) == before
    copy = still_draft.documents.get()
    assert copy.library_uploaded_at == source.uploaded_at
    assert copy.sha256 != LibraryDocument.objects.get().sha256


def test_deleting_the_library_document_leaves_attached_copies_as_they_were(
    enterprise_user, django_capture_on_commit_callbacks
):
    source = library_document(user=enterprise_user)
    source_path = Path(source.file.path)
    application = draft(user=enterprise_user, documents=False)
    services.library_document_attach(
        application=application, library_document=source, by=enterprise_user
    )
    for kind in ("年度财务报表", "采购合同及发票汇总表"):
        services.document_add(
            application=application, by=enterprise_user, kind=kind, upload=pdf_upload()
        )
    application = services.application_submit(application=application, by=enterprise_user)
    before = _snapshot(application)

    with django_capture_on_commit_callbacks(execute=True):
        services.library_document_remove(library_document=source, by=enterprise_user)

    assert not LibraryDocument.objects.exists()
    assert not source_path.exists()
    assert _snapshot(application) == before
    copy = application.documents.get(kind="营业执照")
    # No longer linked, still known to have come from the library.
    assert copy.library_document is None
    assert copy.from_library


def test_files_left_by_a_rolled_back_library_upload_are_swept(enterprise_user):
    import os

    from django.db import transaction

    kept = library_document(user=enterprise_user)
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = library_document(user=enterprise_user, name="另一份.pdf")
        raise RuntimeError("a later step fails")
    old = timezone.now().timestamp() - 2 * 3600
    for path in (kept.file.path, lost.file.path):
        os.utime(path, (old, old))

    assert services.documents_sweep_orphans() == 1

    assert os.path.exists(kept.file.path)
    assert not os.path.exists(lost.file.path)
