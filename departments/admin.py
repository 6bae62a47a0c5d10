"""部门数据 in the admin: the sources with their columns; the import batches, read-only, with
the upload of a file (preview, then apply on confirmation) and the roll-back of a batch; the
departments' figures and recognitions, read-only.

The system administrator holds every permission of the app (policy_portal.roles); the auditor
reads the batches."""

import hashlib
from pathlib import PurePath

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from policy_portal.admin_mixins import LogAdminMixin, ReadOnlyAdminMixin
from policy_portal.roles import person_label

from .display import figure_field, figure_shown
from .forms import ImportUploadForm, SourceFieldForm
from .jobs import ImportJobError, rows_read
from .models import (
    DataSource,
    DepartmentFigure,
    DepartmentRecognition,
    ImportBatch,
    ImportJob,
    ImportJobLog,
    ImportJobState,
    SourceField,
    may_confirm_import,
)
from .rollback import batch_rollback
from .tasks import import_job_apply_confirmed, import_job_start

STAGING = "department-imports/staging"
PREVIEW_ROWS = 50
# How often the page of a job the worker is reading reloads itself, in seconds.
REFRESH_SECONDS = 2


class SourceFieldInline(admin.TabularInline):
    model = SourceField
    form = SourceFieldForm
    extra = 1


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "first_year", "last_year", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    inlines = [SourceFieldInline]


def _stage(upload) -> tuple[str, str]:
    """Keep the uploaded file for its confirmation, named by its SHA-256: (name, sha256)."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    name = f"{STAGING}/{sha256}{PurePath(upload.name).suffix.lower()}"
    if not default_storage.exists(name):
        upload.seek(0)
        name = default_storage.save(name, upload)
    return name, sha256


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    change_list_template = "admin/departments/importbatch/change_list.html"
    change_form_template = "admin/departments/importbatch/change_form.html"
    list_display = [
        "__str__",
        "source",
        "file_name",
        "created_by",
        "created_at",
        "rows",
        "new_count",
        "changed_count",
        "unchanged_count",
        "refused_count",
        "state",
    ]
    list_filter = ["source", "channel"]
    search_fields = ["file_name", "sha256"]
    search_help_text = _("按文件名或 SHA-256 查找")
    list_select_related = ["source", "created_by"]
    fields = [
        "source",
        "channel",
        "file_name",
        "sha256",
        "external_id",
        "created_by",
        "created_at",
        "rows",
        "new_count",
        "changed_count",
        "unchanged_count",
        "refused_count",
        "state",
        "refused_rows",
        "changed_rows",
    ]
    readonly_fields = fields

    @admin.display(description=_("状态"))
    def state(self, batch: ImportBatch) -> str:
        if batch.rolled_back_at is None:
            return gettext("有效")
        return gettext("已于%(when)s回退") % {
            "when": timezone.localtime(batch.rolled_back_at).strftime("%Y-%m-%d %H:%M")
        }

    @admin.display(description=_("拒绝的行"))
    def refused_rows(self, batch: ImportBatch):
        rows = batch.report.get("refused", [])
        if not rows:
            return "—"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("行号"),
            gettext("统一社会信用代码"),
            gettext("原因"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((row["row"], row["credit_code"], "；".join(row["reasons"])) for row in rows),
            ),
        )

    @admin.display(description=_("变更的数据"))
    def changed_rows(self, batch: ImportBatch):
        rows = batch.report.get("changed", [])
        if not rows:
            return "—"
        return format_html(
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<th>{}</th>",
                (
                    (label,)
                    for label in (
                        gettext("行号"),
                        gettext("统一社会信用代码"),
                        gettext("年度"),
                        gettext("列名"),
                        gettext("原值"),
                        gettext("新值"),
                    )
                ),
            ),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (r["row"], r["credit_code"], r["year"], r["header"], r["before"], r["after"])
                    for r in rows
                ),
            ),
        )

    def may_import(self, request) -> bool:
        return request.user.has_perm("departments.add_importbatch")

    def may_roll_back(self, request) -> bool:
        return request.user.has_perm("departments.rollback_importbatch")

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="departments_importbatch_import",
            ),
            path(
                "<path:object_id>/rollback/",
                self.admin_site.admin_view(self.rollback_view),
                name="departments_importbatch_rollback",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        context = {**(extra_context or {}), "may_import": self.may_import(request)}
        return super().changelist_view(request, context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, unquote(object_id))
        context = {
            **(extra_context or {}),
            "may_roll_back": batch is not None
            and batch.rolled_back_at is None
            and self.may_roll_back(request),
        }
        return super().change_view(request, object_id, form_url, context)

    def _context(self, request, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "changelist_url": reverse("admin:departments_importbatch_changelist"),
        }

    def import_view(self, request):
        """Upload: the file is staged and its preview queued; the job's page follows it."""
        if not self.may_import(request):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            name, sha256 = _stage(upload)
            job = import_job_start(
                source=form.cleaned_data["source"],
                staged_name=name,
                file_name=upload.name,
                sha256=sha256,
                by=request.user,
            )
            return HttpResponseRedirect(
                reverse("admin:departments_importjob_change", args=[job.pk])
            )
        context = {**self._context(request, gettext("导入部门数据")), "form": form}
        return TemplateResponse(request, "admin/departments/importbatch/import.html", context)

    def rollback_view(self, request, object_id):
        if not self.may_roll_back(request):
            raise PermissionDenied
        batch = self.get_object(request, unquote(object_id))
        if batch is None:
            raise Http404
        change_url = reverse("admin:departments_importbatch_change", args=[batch.pk])
        if request.method == "POST":
            try:
                count = batch_rollback(batch=batch, by=request.user)
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("已回退%(batch)s（%(count)s项数据恢复为此前的值）。")
                    % {"batch": batch, "count": count},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(change_url)
        if batch.rolled_back_at is not None:
            self.message_user(request, gettext("该批次已回退，不能再次回退。"), messages.WARNING)
            return HttpResponseRedirect(change_url)
        context = {
            **self._context(request, gettext("回退导入批次")),
            "batch": batch,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/departments/importbatch/rollback.html", context)


class ImportJobLogInline(LogAdminMixin, admin.TabularInline):
    model = ImportJobLog
    fields = ["created_at", "actor_label", "action_label", "state_change"]

    @admin.display(description=_("操作人"))
    def actor_label(self, entry: ImportJobLog) -> str:
        # The worker's steps are the system's.
        return person_label(entry.actor) if entry.actor else gettext("系统")

    @admin.display(description=_("操作"))
    def action_label(self, entry: ImportJobLog) -> str:
        return entry.action_label

    @admin.display(description=_("状态"))
    def state_change(self, entry: ImportJobLog) -> str:
        if entry.from_state == entry.to_state:
            return entry.get_to_state_display()
        return f"{entry.get_from_state_display()} → {entry.get_to_state_display()}"

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("actor").prefetch_related("actor__groups")
        )


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The files uploaded for import: the page of one follows the worker's preview, shows what
    the import would do and asks the uploader to confirm it."""

    change_form_template = "admin/departments/importjob/change_form.html"
    list_display = ["__str__", "requested_by", "created_at", "state", "rows", "batch"]
    list_filter = ["state", "source"]
    search_fields = ["file_name", "sha256"]
    search_help_text = _("按文件名或 SHA-256 查找")
    list_select_related = ["source", "requested_by", "batch__source"]
    fields = ["source", "file_name", "sha256", "requested_by", "created_at", "state", "batch"]
    readonly_fields = fields
    inlines = [ImportJobLogInline]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="departments_importjob_confirm",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if job is not None:
            context.update(
                {
                    "job": job,
                    "states": ImportJobState,
                    "rows_read": rows_read(job),
                    "refresh_seconds": REFRESH_SECONDS if job.is_running else None,
                    "may_confirm": job.state == ImportJobState.PREVIEWED
                    and may_confirm_import(job, request.user),
                    "refused_rows": job.report.get("refused", [])[:PREVIEW_ROWS],
                    "changed_rows": job.report.get("changed", [])[:PREVIEW_ROWS],
                }
            )
        return super().change_view(request, object_id, form_url, context)

    def confirm_view(self, request, object_id):
        job = self.get_object(request, unquote(object_id))
        if job is None:
            raise Http404
        if not may_confirm_import(job, request.user):
            raise PermissionDenied
        change_url = reverse("admin:departments_importjob_change", args=[job.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        try:
            import_job_apply_confirmed(job=job, by=request.user)
        except ImportJobError as error:
            self.message_user(request, str(error), messages.WARNING)
        else:
            self.message_user(
                request, gettext("已确认，正在导入；完成后本页显示导入批次。"), messages.SUCCESS
            )
        return HttpResponseRedirect(change_url)


class DepartmentRowAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_filter = ["source", "current", "year"]
    search_fields = ["credit_code"]
    search_help_text = _("按统一社会信用代码查找")
    list_select_related = ["source", "batch__source"]


@admin.register(DepartmentFigure)
class DepartmentFigureAdmin(DepartmentRowAdmin):
    list_display = [
        "credit_code",
        "year",
        "label",
        "value",
        "source",
        "batch",
        "row",
        "current",
    ]
    fields = ["credit_code", "year", "label", "value", "source", "batch", "row", "current"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(figure_label=figure_field("label"), figure_unit=figure_field("unit"))
        )

    @admin.display(description=_("项目"))
    def label(self, figure: DepartmentFigure) -> str:
        return figure.figure_label or figure.name

    @admin.display(description=_("数值"))
    def value(self, figure: DepartmentFigure):
        return figure_shown(figure.value, getattr(figure, "figure_unit", None))


@admin.register(DepartmentRecognition)
class DepartmentRecognitionAdmin(DepartmentRowAdmin):
    list_display = ["credit_code", "year", "kind", "held", "source", "batch", "row", "current"]
    fields = ["credit_code", "year", "kind", "held", "source", "batch", "row", "current"]
    readonly_fields = fields


# The departments' API keys: a module of their own.
from . import api_admin  # noqa: E402, F401
