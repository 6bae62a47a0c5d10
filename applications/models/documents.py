"""An application's documents, and the enterprise's library they may be copied from."""

import uuid
from pathlib import PurePosixPath

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from policy_portal.fields import application_fk, enterprise_fk, who_and_when


def stored_name(folder: str, filename: str) -> str:
    """Where an uploaded file is stored in ``folder``: under a random name that keeps only the
    suffix of the name the user gave, which ``original_name`` keeps."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


def document_upload_to(instance: "ApplicationDocument", filename: str) -> str:
    return stored_name(f"applications/{instance.application_id}", filename)


def library_upload_to(instance: "LibraryDocument", filename: str) -> str:
    return stored_name(f"library/{instance.enterprise_id}", filename)


# The kind of a document outside the track's list: stored as data, the same in every language.
OTHER_DOCUMENT_KIND = "其他材料"


class UploadedDocument(models.Model):
    """A document someone uploaded: its kind, what the file was called and is, who uploaded it
    and when. Each kind of document adds its ``file``, stored where it belongs."""

    kind = models.CharField(_("材料类型"), max_length=100)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by, uploaded_at = who_and_when(_("上传人"), _("上传时间"))

    class Meta:
        abstract = True


class ApplicationDocument(UploadedDocument):
    application = application_fk("documents")
    file = models.FileField(_("文件"), upload_to=document_upload_to, max_length=200)
    # A copy of a document of the enterprise's library (``library_document_attach``): its own
    # file, so that the library's later changes never reach the application. The link goes
    # when the library's document is deleted; when that version was uploaded stays.
    library_document = models.ForeignKey(
        "LibraryDocument",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attached_copies",
        verbose_name=_("材料库来源"),
    )
    library_uploaded_at = models.DateTimeField(_("材料库版本上传时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("申报材料")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind}：{self.original_name}"

    @property
    def from_library(self) -> bool:
        return self.library_uploaded_at is not None

    def was_seen_by_reviewers(self) -> bool:
        """Uploaded before the application was last submitted: part of what was reviewed."""
        submitted_at = self.application.submitted_at
        return submitted_at is not None and self.uploaded_at <= submitted_at


class LibraryDocument(UploadedDocument):
    """A document of the enterprise rather than of one application (营业执照, a year's 年度财务报表):
    uploaded once into its library, then attached to applications, each of which keeps a copy
    of its own. Only the enterprise sees its library; officials see the copies."""

    enterprise = enterprise_fk("library_documents")
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    # A replacement stores a new file and sets who uploaded it and when again.
    file = models.FileField(_("文件"), upload_to=library_upload_to, max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = _("企业材料")
        ordering = ["kind", F("year").desc(nulls_last=True), "-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["enterprise", "kind"], name="library_enterprise_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind_label}：{self.original_name}"

    @property
    def kind_label(self) -> str:
        """The kind with its year where it has one: 年度财务报表（2024年度）."""
        if self.year is None:
            return self.kind
        return str(_("%(kind)s（%(year)s年度）") % {"kind": self.kind, "year": self.year})
