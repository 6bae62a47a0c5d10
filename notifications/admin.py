"""Beat's periodic tasks in the administrators' admin, each task by its Chinese name.

django-celery-beat's own admin shows a task as its Python path (in the list's filter, the
task drop-down and the schedules' pages) and the schedule column under the attribute's name
(SCHEDULER). Registered here in place of beat's, with the same behaviour otherwise."""

from celery import current_app
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from .task_names import TASK_NAMES, periodic_task_name, task_name


def _task_choices(current: str = "") -> list[tuple[str, str]]:
    current_app.loader.import_default_modules()
    paths = {name for name in current_app.tasks if not name.startswith("celery.")}
    paths |= set(TASK_NAMES)
    if current:
        paths.add(current)
    choices = sorted(((path, task_name(path)) for path in paths), key=lambda c: c[1])
    return [("", "---------"), *choices]


class PeriodicTaskForm(beat_admin.PeriodicTaskForm):
    """One drop-down of tasks by their Chinese names; the path is what is stored."""

    regtask = forms.ChoiceField(label=_("任务"), required=True)

    class Meta:
        model = PeriodicTask
        exclude = ("task",)
        help_texts = {
            "enabled": _("取消勾选即停用此周期任务"),
            "last_run_at": _("最近一次按计划触发任务的时间；停用任务时清空。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("task", None)
        current = self.instance.task if self.instance.pk else ""
        self.fields["regtask"].choices = _task_choices(current)
        if current:
            self.initial.setdefault("regtask", current)

    def clean(self):
        data = forms.ModelForm.clean(self)
        data["task"] = data.get("regtask") or ""
        if data.get("expire_seconds") is not None and data.get("expires"):
            raise forms.ValidationError(_("过期时间与过期秒数只能设置其一"))
        return data

    def _post_clean(self):
        if self.cleaned_data.get("task"):
            self.instance.task = self.cleaned_data["task"]
        super()._post_clean()


class TaskFilter(admin.SimpleListFilter):
    title = _("任务")
    parameter_name = "task"

    def lookups(self, request, model_admin):
        paths = PeriodicTask.objects.order_by().values_list("task", flat=True).distinct()
        return sorted(((path, task_name(path)) for path in paths), key=lambda c: c[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(task=self.value())
        return queryset


admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    form = PeriodicTaskForm
    list_display = (
        "name_label",
        "task_label",
        "enabled",
        "schedule_label",
        "start_time",
        "last_run_at",
        "one_off",
    )
    list_display_links = ("name_label",)
    list_filter = ["enabled", "one_off", TaskFilter, "start_time", "last_run_at"]
    fieldsets = (
        (None, {"fields": ("name", "regtask", "enabled", "description"), "classes": ("wide",)}),
        *beat_admin.PeriodicTaskAdmin.fieldsets[1:],
    )

    @admin.display(description=_("名称"), ordering="name")
    def name_label(self, obj):
        return periodic_task_name(obj.name)

    @admin.display(description=_("任务"), ordering="task")
    def task_label(self, obj):
        return task_name(obj.task)

    @admin.display(description=_("执行计划"))
    def schedule_label(self, obj):
        return obj.scheduler


class PeriodicTaskInline(beat_admin.PeriodicTaskInline):
    fields = ("name", "task_label", "args", "kwargs")
    readonly_fields = fields

    @admin.display(description=_("任务"))
    def task_label(self, obj):
        return task_name(obj.task)


for model, model_admin in (
    (ClockedSchedule, beat_admin.ClockedScheduleAdmin),
    (CrontabSchedule, beat_admin.CrontabScheduleAdmin),
    (SolarSchedule, beat_admin.SolarScheduleAdmin),
    (IntervalSchedule, beat_admin.IntervalScheduleAdmin),
):
    admin.site.unregister(model)
    admin.site.register(
        model, type(model_admin.__name__, (model_admin,), {"inlines": [PeriodicTaskInline]})
    )
