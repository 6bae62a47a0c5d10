"""审计记录 in the admin: read-only for everyone who may see them (administrators, the auditor
and the security administrator), a superuser included; nothing is added, changed or deleted.
And 第二因素: who enrolled, and the reset the security administrator may make."""

from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.contrib import admin, messages
from django.db import models
from django.db.models import Exists, OuterRef, Subquery
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from measures.money import format_number, format_yuan_exact
from policy_portal.admin_mixins import ReadOnlyAdminMixin
from policy_portal.signals import security_event

from .audit.tracked import TRACKED, object_type
from .models import AuditRecord, SecondFactorAccount
from .second_factor import second_factor_reset

# The objects records are most often about: the tracked models and what events point to.
EVENT_TARGETS = ("applications.applicationdocument", "applications.librarydocument")


def object_type_label(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


class ObjectTypeFilter(admin.SimpleListFilter):
    title = _("对象类型")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        labels = dict.fromkeys([*(object_type(tracked) for tracked in TRACKED), *EVENT_TARGETS])
        return [(label, object_type_label(label)) for label in labels]

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


class ActorFilter(admin.SimpleListFilter):
    """Officials by name; anyone else by ``?actor=<id>``, the system by ``?actor=none``."""

    title = _("操作人")
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        from django.contrib.auth import get_user_model

        officials = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [("none", _("系统")), *((str(u.pk), str(u)) for u in officials)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value == "none":
            return queryset.filter(actor__isnull=True)
        return queryset.filter(actor_id=value) if value.isdigit() else queryset.none()


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "seq",
        "created_at",
        "kind",
        "action_display",
        "object_display",
        "actor",
        "address",
    )
    list_filter = ("kind", ObjectTypeFilter, ActorFilter)
    search_fields = ("=object_id",)
    search_help_text = _("按对象编号查找")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)
    actions = None
    show_full_result_count = False
    # A record's page: what the list shows, then the content and its place in the chain.
    fields = (
        *list_display,
        "changes",
        "detail",
        "event_display",
        "algorithm",
        "prev_hash",
        "hash",
        "sealed_at",
    )

    def lookup_allowed(self, lookup, value, request=None):
        # The history link of an admin page: ?object_type=…&object_id=….
        return lookup == "object_id" or super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("操作"))
    def action_display(self, record):
        return record.action_label

    @admin.display(description=_("对象"))
    def object_display(self, record):
        if not record.object_type:
            return "—"
        return f"{object_type_label(record.object_type)} #{record.object_id}"

    @admin.display(description=_("变更事件"))
    def event_display(self, record):
        return f"{record.event_model} #{record.event_id}" if record.event_id else "—"

    @admin.display(description=_("变更内容"))
    def changes(self, record):
        before, after = record.before or {}, record.after or {}
        if not before and not after:
            return "—"
        names = list(dict.fromkeys([*before, *after]))
        labels = _field_labels(record.object_type)
        fields = _fields(record.object_type)
        rows = [
            (
                "changed" if before.get(name) != after.get(name) else "",
                labels.get(name, name),
                _shown(before.get(name), fields.get(name)) if before else "—",
                _shown(after.get(name), fields.get(name)) if after else "—",
            )
            for name in names
        ]
        return format_html(
            '<table class="audit-changes"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr>'
            "</thead><tbody>{}</tbody></table>",
            _("字段"),
            _("变更前"),
            _("变更后"),
            format_html_join("", '<tr class="{}"><td>{}</td><td>{}</td><td>{}</td></tr>', rows),
        )


def _shown(value, field=None) -> str:
    """A recorded value as the site writes it: an amount as an amount (200万元（…元）), a
    figure with separators, a choice by its label; anything else as it was recorded."""
    if value is None:
        return "—"
    if isinstance(field, models.DecimalField) and not isinstance(value, bool):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        if getattr(field, "money", False) and number >= 0:
            return format_yuan_exact(number)
        return format_number(number)
    choices = dict(getattr(field, "flatchoices", None) or ())
    if isinstance(value, str) and value in choices:
        return str(choices[value])
    return str(value)


def _fields(label: str) -> dict:
    """Each column of the recorded model by the name it is recorded under."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return {}
    return {field.attname: field for field in model._meta.concrete_fields}


def _field_labels(label: str) -> dict:
    """Each recorded column's label (``bank_account`` → 银行账号, ``user_id`` → 用户)."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return {}
    labels = {}
    for tracked in TRACKED:
        if object_type(tracked) != label:
            continue
        for field in tracked.tracked_model()._meta.concrete_fields:
            labels[field.attname] = str(
                field.verbose_name
                if not field.is_relation or not tracked.m2m
                else field.related_model._meta.verbose_name
            )
    for field in model._meta.concrete_fields:
        labels.setdefault(field.attname, str(field.verbose_name))
    return labels


# ── the second factor ──────────────────────────────────────────────────────────────────────

# django-otp's own admin pages would show every secret and let anyone with the model's
# permissions make a device; the security administrator's page below is the only one.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


class EnrolledFilter(admin.SimpleListFilter):
    title = _("第二因素")
    parameter_name = "enrolled"

    def lookups(self, request, model_admin):
        return [("yes", _("已启用")), ("no", _("未启用"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(enrolled=self.value() == "yes")
        return queryset


@admin.register(SecondFactorAccount)
class SecondFactorAccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who enrolled, and the reset (重置第二因素) for a person who lost their phone and their
    recovery codes: held by the security administrator; recorded on the audit trail."""

    list_display = ("username", "first_name", "is_staff", "enrolled_display", "last_used")
    list_filter = (EnrolledFilter, "is_staff")
    search_fields = ("username", "first_name")
    ordering = ("username",)
    fields = ("username", "first_name", "is_staff", "enrolled_display", "last_used", "codes_left")
    actions = ["reset_second_factor"]
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return (
            super()
            .get_queryset(request)
            .annotate(
                enrolled=Exists(confirmed),
                last_used_at=Subquery(
                    confirmed.order_by("-last_used_at").values("last_used_at")[:1]
                ),
            )
        )

    def _may_reset(self, request) -> bool:
        return request.user.has_perm("security.reset_second_factor")

    def has_view_permission(self, request, obj=None):
        return self._may_reset(request)

    def has_module_permission(self, request):
        return self._may_reset(request)

    def has_reset_permission(self, request):
        return self._may_reset(request)

    @admin.display(description=_("已启用第二因素"), boolean=True, ordering="enrolled")
    def enrolled_display(self, person):
        return person.enrolled

    @admin.display(description=_("最近使用"), ordering="last_used_at")
    def last_used(self, person):
        return person.last_used_at or "—"

    @admin.display(description=_("剩余恢复码"))
    def codes_left(self, person):
        return StaticToken.objects.filter(device__user=person).count()

    @admin.action(description=_("重置第二因素（下次登录时重新绑定）"), permissions=["reset"])
    def reset_second_factor(self, request, queryset):
        people = list(queryset)
        for person in people:
            removed = second_factor_reset(user=person)
            security_event.send(
                sender=__name__,
                kind="otp_reset",
                user=request.user,
                request=request,
                target=person,
                detail={"username": person.username, "devices": removed},
            )
        self.message_user(
            request,
            _("已重置 %(count)s 人的第二因素；他们下次登录时须重新绑定。") % {"count": len(people)},
            messages.SUCCESS,
        )
