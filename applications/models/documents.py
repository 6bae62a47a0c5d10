"""An application's documents, and the enterprise's library they may be copied from."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .application import Application


def document_upload_to(instance: "ApplicationDocument", filename: str) -> str:
    # The stored name is random; the name the user gave is kept in original_name only.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"applications/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


# The kind of a document outside the track's list: stored as data, the same in every language.
OTHER_DOCUMENT_KIND = "其他材料"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="documents", verbose_name=_("申报")
    )
    kind = models.CharField(_("材料类型"), max_length=100)
    file = models.FileField(_("文件"), upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
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
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")
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


def library_upload_to(instance: "LibraryDocument", filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()
    return f"library/{instance.enterprise_id}/{uuid.uuid4().hex}{suffix}"


class LibraryDocument(models.Model):
    """A document of the enterprise rather than of one application (营业执照, a year's 年度财务报表):
    uploaded once into its library, then attached to applications, each of which keeps a copy
    of its own. Only the enterprise sees its library; officials see the copies."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="library_documents",
        verbose_name=_("企业"),
    )
    kind = models.CharField(_("材料类型"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    file = models.FileField(_("文件"), upload_to=library_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    # Of the current file: a replacement sets it again.
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("企业材料")
        verbose_name_plural = _("企业材料")
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
