import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.errors import UploadRejected
from applications.uploads import validate_upload
from tests.applications.factories import PDF_BYTES

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def office_file(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile("placeholder", content)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("营业执照.pdf", PDF_BYTES, "application/pdf"),
        ("照片.PNG", PNG_BYTES, "image/png"),
        ("扫描件.jpeg", JPEG_BYTES, "image/jpeg"),
        (
            "说明.docx",
            office_file("docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "报表.xlsx",
            office_file("xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_accepted_types_are_recognised_by_content(name, content, content_type, settings):
    checked = validate_upload(upload(name, content), name=name)

    assert checked.content_type == content_type
    assert checked.safe_name == name
    assert checked.size == len(content)


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 64, "文件内容不是"),
        ("run.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "文件内容不是"),
        ("table.xlsx", office_file("docx"), "不符"),
        ("photo.pdf", PNG_BYTES, "不符"),
        ("archive.docx", b"PK\x03\x04not really a zip", "文件内容不是"),
        ("../../etc/passwd.pdf", PDF_BYTES, "路径"),
        ("..\\windows\\evil.pdf", PDF_BYTES, "路径"),
        ("evil\x00.pdf", PDF_BYTES, "空字符"),
        ("bell\x07.pdf", PDF_BYTES, "控制字符"),
        ("empty.pdf", b"", "为空"),
        ("noextension", PDF_BYTES, "无扩展名"),
    ],
)
def test_refused_uploads_say_why(name, content, fragment):
    with pytest.raises(UploadRejected, match=fragment):
        validate_upload(upload(name, content), name=name)


def test_a_file_above_the_size_limit_is_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 1024

    with pytest.raises(UploadRejected, match="文件过大"):
        validate_upload(upload("big.pdf", PDF_BYTES + b"0" * 2000), name="big.pdf")


def test_a_long_name_is_shortened_keeping_its_extension():
    checked = validate_upload(upload("x", PDF_BYTES), name="长" * 300 + ".pdf")

    assert checked.safe_name.endswith(".pdf")
    assert len(checked.safe_name) <= 120
