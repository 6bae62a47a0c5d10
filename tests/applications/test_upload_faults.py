"""Storing an upload fails partway: the enterprise is told why, and a file and its row are kept
together or not at all."""

import errno
import os
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from applications import services
from applications.models import ApplicationDocument
from tests.applications.factories import draft
from tests.enterprises.factories import EnterpriseUserFactory

DISK_FULL_MESSAGE = "服务器存储空间不足"
LARGE_PDF = b"%PDF-1.4\n" + b"0" * 300_000 + b"\n%%EOF\n"


def stored_files(media_root) -> list[Path]:
    root = Path(media_root)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def post_upload(client, application, content=LARGE_PDF):
    return client.post(
        reverse("applications:documents", args=[application.pk]),
        {"kind": "营业执照", "file": SimpleUploadedFile("营业执照.pdf", content)},
    )


class FillingDisk:
    """What os.fdopen returns on a disk with ``free`` bytes left: the bytes that fit are
    written, then the write fails as on a full disk."""

    def __init__(self, real, free: int):
        self.real = real
        self.free = free
        self.written = 0

    def write(self, data):
        if len(data) > self.free:
            self.written += self.real.write(data[: self.free])
            self.real.flush()
            self.free = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.free -= len(data)
        self.written += len(data)
        return self.real.write(data)

    def close(self):
        self.real.close()


@contextmanager
def disk_full_after(free: int):
    """Yields the files opened meanwhile."""
    real_fdopen = os.fdopen
    opened = []

    def fdopen(fd, *args, **kwargs):
        opened.append(FillingDisk(real_fdopen(fd, *args, **kwargs), free))
        return opened[-1]

    with mock.patch.object(os, "fdopen", fdopen):
        yield opened


@pytest.fixture
def upload_client(enterprise_user):
    client = Client(raise_request_exception=False)
    client.force_login(enterprise_user)
    return client


def test_a_full_disk_before_the_first_byte_is_told_and_stores_nothing(
    enterprise_user, upload_client, media_root
):
    application = draft(user=enterprise_user, documents=False)
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with mock.patch.object(FileSystemStorage, "_save", side_effect=full):
        response = post_upload(upload_client, application)

    assert response.status_code == 200
    assert DISK_FULL_MESSAGE in response.content.decode()
    assert not ApplicationDocument.objects.exists()
    assert stored_files(media_root) == []


def test_a_disk_filling_up_halfway_leaves_no_partial_file(
    enterprise_user, upload_client, media_root
):
    application = draft(user=enterprise_user, documents=False)

    with disk_full_after(free=len(LARGE_PDF) // 2) as opened:
        response = post_upload(upload_client, application)

    assert response.status_code == 200
    assert DISK_FULL_MESSAGE in response.content.decode()
    assert not ApplicationDocument.objects.exists()
    assert [file.written for file in opened] == [len(LARGE_PDF) // 2]
    assert stored_files(media_root) == []
    # Space again: the same upload is stored, once.
    assert post_upload(upload_client, application).status_code == 302
    document = ApplicationDocument.objects.get()
    assert stored_files(media_root) == [Path(document.file.path)]
    assert Path(document.file.path).read_bytes() == LARGE_PDF


def test_a_failed_insert_removes_the_stored_file(enterprise_user, upload_client, media_root):
    application = draft(user=enterprise_user, documents=False)

    def insert_fails(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "applications_applicationdocument"'):
            raise OperationalError("the database went away")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(insert_fails):
        response = post_upload(upload_client, application)

    assert response.status_code == 500
    assert "服务暂时出错" in response.content.decode()
    assert not ApplicationDocument.objects.exists()
    assert stored_files(media_root) == []


def test_a_failed_commit_removes_the_stored_file(committed_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = EnterpriseUserFactory()
    application = draft(user=user, documents=False)
    upload = SimpleUploadedFile("营业执照.pdf", LARGE_PDF)

    with (
        mock.patch.object(connection, "commit", side_effect=OperationalError("commit lost")),
        pytest.raises(OperationalError),
    ):
        services.document_add(application=application, by=user, kind="营业执照", upload=upload)

    assert not ApplicationDocument.objects.exists()
    assert stored_files(tmp_path) == []


def test_a_failed_commit_that_did_commit_keeps_the_file(committed_data, settings, tmp_path):
    # The connection may drop after the server committed: the row exists, so does its file.
    settings.MEDIA_ROOT = tmp_path
    user = EnterpriseUserFactory()
    application = draft(user=user, documents=False)
    upload = SimpleUploadedFile("营业执照.pdf", LARGE_PDF)
    real_commit = connection.commit

    def commit_then_fail():
        real_commit()
        raise OperationalError("the answer to COMMIT was lost")

    with (
        mock.patch.object(connection, "commit", side_effect=commit_then_fail),
        pytest.raises(OperationalError),
    ):
        services.document_add(application=application, by=user, kind="营业执照", upload=upload)

    document = ApplicationDocument.objects.get()
    assert stored_files(tmp_path) == [Path(document.file.path)]
