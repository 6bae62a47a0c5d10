"""Checks on an uploaded document: its type by content, its size, its name."""

import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _

from .errors import UploadRejected

# What each accepted type starts with, and the extensions it may carry.
TYPES = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}
ACCEPTED_EXTENSIONS = sorted({ext for exts in TYPES.values() for ext in exts})
MAX_NAME_LENGTH = 120


@dataclass(frozen=True)
class CheckedUpload:
    safe_name: str
    content_type: str
    size: int


# An Office document is a zip: what a genuine one stays well within. Beyond it is a zip bomb
# or a file built to keep a worker busy.
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 200


def _sniff(upload) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf" if _tail_has(upload, b"%%EOF", 1024) else None
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        # A PNG's first chunk is its header.
        return "image/png" if head[12:16] == b"IHDR" else None
    if head.startswith(b"\xff\xd8\xff"):
        # A JPEG ends with its end-of-image marker (a little trailing data is tolerated).
        return "image/jpeg" if _tail_has(upload, b"\xff\xd9", 64) else None
    if head.startswith(b"PK\x03\x04"):
        return _office_type(upload)
    return None


def _tail_has(upload, marker: bytes, window: int) -> bool:
    size = upload.size
    upload.seek(max(0, size - window))
    tail = upload.read(window)
    upload.seek(0)
    return marker in tail


def _office_type(upload) -> str | None:
    try:
        # The entry count from the end record first: opening the archive reads every entry.
        end = zipfile._EndRecData(upload)
        if end is None or end[zipfile._ECD_ENTRIES_TOTAL] > ZIP_MAX_ENTRIES:
            return None
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            unpacked = sum(entry.file_size for entry in entries)
            packed = sum(entry.compress_size for entry in entries) or 1
            if unpacked > ZIP_MAX_UNCOMPRESSED or unpacked / packed > ZIP_MAX_RATIO:
                return None
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def _check_name(name: str) -> str:
    if not name or "\x00" in name:
        raise UploadRejected(_("文件名无效：不能为空，也不能含有空字符。"))
    if "/" in name or "\\" in name or ".." in name:
        raise UploadRejected(_("文件名不能包含路径（如“../”、“/”或“\\”）。"))
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise UploadRejected(_("文件名含有控制字符，请重命名后再上传。"))
    name = unicodedata.normalize("NFC", name.strip())
    path = PurePosixPath(name)
    if len(name) > MAX_NAME_LENGTH:
        name = path.stem[: MAX_NAME_LENGTH - len(path.suffix)] + path.suffix
    return name


def validate_upload(upload, *, name: str | None = None) -> CheckedUpload:
    """Raise UploadRejected, in Chinese, unless ``upload`` is an accepted document.

    ``name`` is the name the client gave, when the caller has it unaltered; Django's own
    parsing already strips paths from names sent over HTTP.
    """
    safe_name = _check_name(upload.name if name is None else name)
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise UploadRejected(
            _("文件过大：%(size).1f MB，单个文件不能超过 %(limit).0f MB。")
            % {"size": upload.size / 1024 / 1024, "limit": limit / 1024 / 1024}
        )
    if upload.size == 0:
        raise UploadRejected(_("文件为空。"))
    extension = PurePosixPath(safe_name).suffix.lower()
    if extension not in ACCEPTED_EXTENSIONS:
        raise UploadRejected(
            _("不支持的文件类型“%(ext)s”，只接受 PDF、JPEG、PNG、DOCX、XLSX。")
            % {"ext": extension or "无扩展名"}
        )
    content_type = _sniff(upload)
    if content_type is None:
        raise UploadRejected(
            _("文件内容不是 PDF、JPEG、PNG、DOCX 或 XLSX，可能已损坏或被改了扩展名。")
        )
    if extension not in TYPES[content_type]:
        raise UploadRejected(_("文件内容与扩展名“%(ext)s”不符。") % {"ext": extension})
    return CheckedUpload(safe_name=safe_name, content_type=content_type, size=upload.size)


class DocumentSizeLimitHandler(FileUploadHandler):
    """Stops reading an uploaded file as soon as it passes DOCUMENT_MAX_BYTES, so an oversize
    upload is never written to disk whole; the view tells the user with ``too_large``."""

    too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.DOCUMENT_MAX_BYTES:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def oversize_message() -> str:
    limit = settings.DOCUMENT_MAX_BYTES / 1024 / 1024
    return _("文件过大，单个文件不能超过 %(limit).0f MB。") % {"limit": limit}
