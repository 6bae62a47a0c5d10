"""Documents in an S3-compatible bucket (STORAGE_URL): stored, downloaded behind the site's
checks, nothing left behind by a refused upload or a failed transaction, the orphan sweep
listing the documents' folders only, and nothing written under MEDIA_ROOT."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from storages.backends.s3 import S3Storage

from applications import services
from applications.errors import ApplicationError
from applications.models import ApplicationDocument, LibraryDocument
from applications.services import sweeps
from departments.models import ImportBatch, ImportJob, ImportJobState
from tests.applications.factories import PDF_BYTES, draft, library_document, pdf_upload
from tests.departments.factories import code, csv_bytes, statistics_bureau
from tests.enterprises.factories import UserFactory

from .conftest import PREFIX

pytestmark = [pytest.mark.s3, pytest.mark.django_db]


def _disposition_names(name: str) -> str:
    """How Django names a non-ASCII file for the browser (RFC 5987)."""
    return f"filename*=utf-8''{quote(name)}"


def test_every_file_field_stores_in_the_bucket(s3):
    for model in (ApplicationDocument, LibraryDocument, ImportBatch):
        assert isinstance(model._meta.get_field("file").storage, S3Storage), model


def test_an_application_document_is_stored_in_the_bucket_and_streamed_to_those_who_may_see_it(
    s3, enterprise_user, other_enterprise_user, district_reviewer, client
):
    application = draft(user=enterprise_user, documents=False)
    document = services.document_add(
        application=application,
        by=enterprise_user,
        kind=application.track.required_documents[0],
        upload=pdf_upload("营业执照副本.pdf"),
    )
    assert s3.objects() == [f"{PREFIX}/{document.file.name}"]
    assert s3.read(f"{PREFIX}/{document.file.name}") == PDF_BYTES
    url = reverse("applications:document-download", args=[document.pk])

    client.force_login(enterprise_user)
    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert _disposition_names("营业执照副本.pdf") in response["Content-Disposition"]
    assert response["Content-Length"] == str(len(PDF_BYTES))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    # Not a redirect to the bucket: those who may not see it get the site's 404 as before.
    for outsider in (other_enterprise_user, district_reviewer):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_a_library_document_is_streamed_from_the_bucket_to_its_enterprise_only(
    s3, enterprise_user, other_enterprise_user, client
):
    document = library_document(user=enterprise_user, name="年度财务报表.pdf")
    url = reverse("applications:library-download", args=[document.pk])

    client.force_login(enterprise_user)
    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert _disposition_names("年度财务报表.pdf") in response["Content-Disposition"]
    client.force_login(other_enterprise_user)
    assert client.get(url).status_code == 404


def test_attaching_from_the_library_copies_the_object_within_the_bucket(s3, enterprise_user):
    source = library_document(user=enterprise_user)
    application = draft(user=enterprise_user, documents=False)

    copy = services.library_document_attach(
        application=application, library_document=source, by=enterprise_user
    )

    assert s3.objects() == sorted([f"{PREFIX}/{source.file.name}", f"{PREFIX}/{copy.file.name}"])
    assert s3.read(f"{PREFIX}/{copy.file.name}") == PDF_BYTES


def test_a_refused_upload_puts_nothing_in_the_bucket(s3, enterprise_user):
    application = draft(user=enterprise_user, documents=False)

    with pytest.raises(ApplicationError):
        services.document_add(
            application=application,
            by=enterprise_user,
            kind=application.track.required_documents[0],
            upload=SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00 not a pdf at all"),
        )

    assert s3.objects() == []


def test_an_upload_whose_row_cannot_be_saved_leaves_nothing_in_the_bucket(
    s3, enterprise_user, monkeypatch
):
    application = draft(user=enterprise_user, documents=False)

    def fail(*args, **kwargs):
        raise DatabaseError("the insert failed")

    monkeypatch.setattr(ApplicationDocument, "save", fail)
    with pytest.raises(DatabaseError):
        services.document_add(
            application=application,
            by=enterprise_user,
            kind=application.track.required_documents[0],
            upload=pdf_upload(),
        )
    monkeypatch.undo()
    with pytest.raises(DatabaseError), transaction.atomic():
        library_document(user=enterprise_user)
        raise DatabaseError("the enclosing transaction failed after the upload")

    # The library's upload was stored, then its row rolled back by the enclosing transaction.
    assert len(s3.objects()) == 1
    assert not LibraryDocument.objects.exists()


def test_the_orphan_sweep_deletes_unrecorded_objects_of_the_documents_folders_only(
    s3, enterprise_user, monkeypatch
):
    from django.core.files.storage import default_storage

    kept = library_document(user=enterprise_user)
    application = draft(user=enterprise_user, documents=False)
    orphans = [f"applications/{application.pk}/orphan.pdf", f"library/{kept.enterprise_id}/x.pdf"]
    others = [
        f"{PREFIX}/department-imports/staging/a.csv",
        "outside-the-prefix/applications/1/b.pdf",
    ]
    for name in orphans:
        s3.client.put_object(Bucket=s3.name, Key=f"{PREFIX}/{name}", Body=b"left behind")
    for key in others:
        s3.client.put_object(Bucket=s3.name, Key=key, Body=b"not a document")
    listed = []
    client = default_storage.connection.meta.client
    for operation in ("ListObjects", "ListObjectsV2"):
        client.meta.events.register(
            f"provide-client-params.s3.{operation}",
            lambda params, **kwargs: listed.append(params),
        )
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(sweeps.timezone, "now", lambda: later)

    removed = sweeps.documents_sweep_orphans()

    assert removed == 2
    assert s3.objects() == sorted([f"{PREFIX}/{kept.file.name}", *others])
    assert listed and all(
        params["Prefix"].startswith((f"{PREFIX}/applications/", f"{PREFIX}/library/"))
        for params in listed
    )


def test_a_recent_orphan_is_left_for_its_transaction_to_finish(s3, enterprise_user):
    application = draft(user=enterprise_user, documents=False)
    key = f"{PREFIX}/applications/{application.pk}/uploading.pdf"
    s3.client.put_object(Bucket=s3.name, Key=key, Body=b"still uploading")

    assert sweeps.documents_sweep_orphans() == 0
    assert s3.objects() == [key]


def test_with_the_bucket_nothing_is_written_under_media_root(
    s3,
    media_root,
    enterprise_user,
    policy,
    client,
    django_capture_on_commit_callbacks,
):
    media_root.mkdir(parents=True, exist_ok=True)
    application = draft(user=enterprise_user, documents=False)
    client.force_login(enterprise_user)

    uploaded = client.post(
        reverse("applications:documents", args=[application.pk]),
        {"kind": application.track.required_documents[0], "file": pdf_upload("证明.pdf")},
    )
    assert uploaded.status_code == 302
    library = client.post(
        reverse("applications:library"), {"kind": "营业执照", "file": pdf_upload("执照.pdf")}
    )
    assert library.status_code == 302
    administrator = UserFactory(is_staff=True, roles=["administrator"])
    client.force_login(administrator)
    source = statistics_bureau()
    content = csv_bytes([[code(1), 2024, "100", "是", ""]])
    with django_capture_on_commit_callbacks(execute=True):
        staged = client.post(
            reverse("admin:departments_importbatch_import"),
            {"source": source.pk, "file": SimpleUploadedFile("统计局2024.csv", content)},
        )
    assert staged.status_code == 302
    job = ImportJob.objects.get()
    assert job.state == ImportJobState.PREVIEWED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:departments_importjob_confirm", args=[job.pk]))

    batch = ImportBatch.objects.get()
    document = ApplicationDocument.objects.get()
    kept = LibraryDocument.objects.get()
    assert s3.objects() == sorted(
        f"{PREFIX}/{name}" for name in (document.file.name, kept.file.name, batch.file.name)
    )
    assert s3.read(f"{PREFIX}/{batch.file.name}") == content
    assert list(media_root.rglob("*")) == []
