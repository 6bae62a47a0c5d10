import io
import struct
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.errors import UploadRejected
from applications.uploads import validate_upload
from tests.applications.factories import PDF_BYTES

# Real 8×8 images, as a browser encodes them.
SAMPLES = Path(__file__).parent / "samples"
PNG_BYTES = (SAMPLES / "red.png").read_bytes()
JPEG_BYTES = (SAMPLES / "red.jpg").read_bytes()


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


def _docx(entries: int = 3, payload: bytes = b"<w:document/>") -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", payload)
        for index in range(entries - 2):
            archive.writestr(f"word/media/{index}.txt", "x")
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    import zlib

    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_with_size(width: int, height: int) -> bytes:
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return PNG_BYTES[:8] + header + PNG_BYTES[33:]


def _png_with_text(text: bytes) -> bytes:
    return PNG_BYTES[:33] + _chunk(b"tEXt", b"Comment\x00" + text) + PNG_BYTES[33:]


def _jpeg_with_metadata(size: int) -> bytes:
    """The sample with an APP1 segment of ``size`` bytes before its frame, as cameras write."""
    segment = b"Exif\x00\x00" + b"\x00" * (size - 8)
    return JPEG_BYTES[:2] + b"\xff\xe1" + struct.pack(">H", size) + segment + JPEG_BYTES[2:]


def test_images_with_metadata_and_harmless_chunks_pass():
    # Camera metadata pushes the frame header past the first 8 KB.
    assert (
        validate_upload(SimpleUploadedFile("相机.jpg", _jpeg_with_metadata(60_000))).content_type
        == "image/jpeg"
    )
    assert (
        validate_upload(
            SimpleUploadedFile("注释.png", _png_with_text(b"scanned 2026"))
        ).content_type
        == "image/png"
    )


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("bomb.docx", _docx(payload=b"0" * (20 * 1024 * 1024)), "zip bomb: 1,000 to 1 packed"),
        ("many.docx", _docx(entries=2500), "2,500 zip entries"),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\n", "a PDF without its end"),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"<?php system($_GET[1]); ?>" * 2, "no PNG header"),
        ("fake.jpg", b"\xff\xd8\xff\xe0" + b"PK\x03\x04" * 20, "no JPEG end"),
        # The signature and the end marker alone no longer pass: the header must decode.
        ("shell.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32 + b"\xff\xd9", "no frame header"),
        ("crc.png", PNG_BYTES[:29] + b"\x00\x00\x00\x00" + PNG_BYTES[33:], "IHDR's CRC broken"),
        ("huge.png", _png_with_size(100_000, 8), "a made-up size"),
        # Polyglots: a valid file that is also an archive or a web page.
        ("scan.pdf", PDF_BYTES + _zip(), "a PDF with a zip appended"),
        ("photo.jpg", JPEG_BYTES + _zip(), "a JPEG with a zip appended"),
        ("photo.png", PNG_BYTES + _zip(), "a PNG with a zip appended"),
        (
            "page.pdf",
            b"%PDF-1.4\n<html><script>alert(1)</script>\n" + PDF_BYTES[9:],
            "HTML in a PDF",
        ),
        ("page.png", _png_with_text(b"<script>alert(1)</script>"), "a script in a PNG"),
    ],
)
def test_files_built_to_deceive_or_to_exhaust_are_refused(name, content, why):
    with pytest.raises(UploadRejected):
        validate_upload(SimpleUploadedFile(name, content))


def test_a_genuine_small_docx_still_passes():
    checked = validate_upload(SimpleUploadedFile("申请书.docx", _docx()))

    assert checked.content_type.endswith("wordprocessingml.document")


def test_documents_per_application_are_capped_in_number_and_size(enterprise_user, settings):
    from applications import services
    from applications.errors import ApplicationError
    from tests.applications.factories import draft, pdf_upload

    application = draft(user=enterprise_user, documents=False)
    settings.DOCUMENTS_MAX_PER_APPLICATION = 2
    for _ in range(2):
        services.document_add(
            application=application, by=enterprise_user, kind="其他材料", upload=pdf_upload()
        )
    with pytest.raises(ApplicationError, match="最多上传2份"):
        services.document_add(
            application=application, by=enterprise_user, kind="其他材料", upload=pdf_upload()
        )
    settings.DOCUMENTS_MAX_PER_APPLICATION = 20
    settings.DOCUMENTS_MAX_TOTAL_BYTES = 100
    with pytest.raises(ApplicationError, match="合计不能超过"):
        services.document_add(
            application=application, by=enterprise_user, kind="其他材料", upload=pdf_upload()
        )


def test_a_refused_file_is_quoted_printable_and_short():
    from applications.uploads import MAX_NAME_LENGTH, shown_name

    assert shown_name("营业执照\u202e.pdf") == "营业执照\ufffd.pdf"
    long = shown_name("很长" * 200 + ".pdf")
    assert len(long) == MAX_NAME_LENGTH and long.endswith("…")
    assert shown_name("<b>执照</b>.pdf") == "<b>执照</b>.pdf"  # escaped where it is shown
