"""Checks on an uploaded document: its type by content, its size, its name."""

import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
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
# A scan or a photo of a document is far smaller; beyond this a header is made up.
IMAGE_MAX_SIDE = 30000
JPEG_MAX_SEGMENTS = 64


# How much of a file the type detection reads (filetype looks at the first 8 KB at most).
HEAD_BYTES = 8192
# Markup a browser would act on if it ever sniffed a file as a page: an image or a PDF carrying
# it near its start is a polyglot, not a scan.
MARKUP = re.compile(rb"<\s*(?:html|script|svg|body|iframe|!doctype)", re.IGNORECASE)
ZIP_FAMILY = {"application/zip", *(mime for mime in TYPES if "openxmlformats" in mime)}


def _sniff(upload) -> str | None:
    """The accepted type the content is, or None. The type comes from the content's signature
    (filetype); then the file must be well formed as that type all the way, and nothing else."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in ZIP_FAMILY:
        return _office_type(upload)
    if mime not in ("application/pdf", "image/png", "image/jpeg"):
        return None
    if MARKUP.search(head[:1024]) or _is_zip(upload):
        return None
    well_formed = {
        "application/pdf": lambda: _tail_has(upload, b"%%EOF", 1024),
        "image/png": lambda: _png_header_ok(head),
        # A JPEG ends with its end-of-image marker (a little trailing data is tolerated).
        "image/jpeg": lambda: _jpeg_header_ok(upload) and _tail_has(upload, b"\xff\xd9", 64),
    }[mime]
    return mime if well_formed() else None


def _is_zip(upload) -> bool:
    """Whether a zip archive ends the file: a PDF or an image with an archive appended is both
    at once. The end record must reach exactly to the end, so that stray bytes inside compressed
    data do not count."""
    size = upload.size
    window = min(size, 22 + 65535)
    upload.seek(size - window)
    tail = upload.read(window)
    upload.seek(0)
    position = tail.rfind(b"PK\x05\x06")
    while position >= 0:
        if position + 22 <= len(tail):
            (comment_length,) = struct.unpack("<H", tail[position + 20 : position + 22])
            if position + 22 + comment_length == len(tail):
                return True
        position = tail.rfind(b"PK\x05\x06", 0, position)
    return False


def _png_header_ok(head: bytes) -> bool:
    """The first chunk is an intact IHDR (its CRC holds) describing a real image."""
    if len(head) < 33 or head[8:16] != b"\x00\x00\x00\rIHDR":
        return False
    width, height, depth, colour = struct.unpack(">IIBB", head[16:26])
    (crc,) = struct.unpack(">I", head[29:33])
    return (
        0 < width <= IMAGE_MAX_SIDE
        and 0 < height <= IMAGE_MAX_SIDE
        and depth in (1, 2, 4, 8, 16)
        and colour in (0, 2, 3, 4, 6)
        and zlib.crc32(head[12:29]) == crc
    )


def _jpeg_header_ok(upload) -> bool:
    """The segments from the start of the image lead to a frame header with a real size. They
    are walked in the file: a camera's metadata before the frame can be tens of kilobytes."""
    position = 2
    for _segment in range(JPEG_MAX_SEGMENTS):
        upload.seek(position)
        segment = upload.read(9)
        if len(segment) < 4 or segment[0] != 0xFF:
            break
        marker = segment[1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        (length,) = struct.unpack(">H", segment[2:4])
        # Start of frame: baseline, progressive and the rarer codings (not DHT, JPG, DAC).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if len(segment) < 9:
                break
            height, width = struct.unpack(">HH", segment[5:9])
            upload.seek(0)
            return 0 < width <= IMAGE_MAX_SIDE and 0 < height <= IMAGE_MAX_SIDE
        if length < 2 or marker == 0xDA:  # a broken length, or image data before any frame
            break
        position += 2 + length
    upload.seek(0)
    return False


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


def shown_name(name: str) -> str:
    """An uploaded file's name as a message may quote it: without characters that are not
    printed (Django's parsing drops most already), and cut short. It is still the client's
    text: templates escape it."""
    name = "".join(char if char.isprintable() else "\ufffd" for char in name)
    return name if len(name) <= MAX_NAME_LENGTH else name[: MAX_NAME_LENGTH - 1] + "…"


class DocumentSizeLimitHandler(FileUploadHandler):
    """Stops reading an uploaded file as soon as it passes DOCUMENT_MAX_BYTES, so an oversize
    upload is never written to disk whole; the view tells the user with ``too_large``, naming
    the file ``refused_name``."""

    too_large = False
    refused_name = ""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.DOCUMENT_MAX_BYTES:
            self.too_large = True
            self.refused_name = self.file_name or ""
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def oversize_message() -> str:
    limit = settings.DOCUMENT_MAX_BYTES / 1024 / 1024
    return _("文件过大，单个文件不能超过 %(limit).0f MB。") % {"limit": limit}
