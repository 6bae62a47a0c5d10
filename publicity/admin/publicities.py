"""公示 in the admin: administrators create them from a window and measure, publish and close
them from their page."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from measures.models import ApplicationWindow, Measure
from measures.money import format_yuan
from policy_portal.admin_mixins import LogAdminMixin, masked_display
from policy_portal.masking import mask_contact
from policy_portal.roles import person_label
from publicity import services
from publicity.errors import PublicityError
from publicity.models import (
    PUBLICITY_ACTIONS,
    Objection,
    Publicity,
    PublicityEntry,
    PublicityLog,
)
from publicity.selectors import applications_to_publicise, distinct_publicity_title

from .access import AdministratorsOnly


class EntryInline(AdministratorsOnly, admin.TabularInline):
    model = PublicityEntry
    fields = ("application", "enterprise_name", "track_name", "amount", "objection_upheld")
    readonly_fields = fields
    extra = 0

    @admin.display(description=_("核定金额"))
    def amount(self, entry):
        if entry.objection_upheld:
            return entry.UPHELD_TEXT
        return format_yuan(entry.approved_amount)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application")


class ObjectionInline(AdministratorsOnly, admin.TabularInline):
    model = Objection
    fields = ("link", "name", "masked_contact", "lodged_at", "outcome", "outcome_comment")
    readonly_fields = fields
    extra = 0

    masked_contact = masked_display("contact", mask_contact, _("联系方式"))

    @admin.display(description=_("异议对象"))
    def link(self, objection):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:publicity_objection_change", args=[objection.pk]),
            objection.entry.enterprise_name,
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entry")


class LogInline(AdministratorsOnly, LogAdminMixin, admin.TabularInline):
    model = PublicityLog
    fields = ("created_at", "actor_label", "action", "state_change", "comment")

    @admin.display(description=_("操作人"))
    def actor_label(self, entry):
        return person_label(entry.actor) if entry.actor else gettext("系统")

    @admin.display(description=_("状态"))
    def state_change(self, entry):
        # A decided objection leaves the 公示 as it was: the entry reads as its action alone.
        if entry.from_state == entry.to_state:
            return ""
        return f"{entry.get_from_state_display()} → {entry.get_to_state_display()}"

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("actor").prefetch_related("actor__groups")
        )


class PublicityAddForm(forms.ModelForm):
    class Meta:
        model = Publicity
        fields = ("window", "measure", "title", "period_workdays", "how_to_object")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = gettext("留空则按批次和政策条款命名。")
        self.fields["window"].queryset = ApplicationWindow.objects.order_by("-opens_at")
        self.fields["measure"].queryset = Measure.objects.order_by("number")

    def clean(self):
        cleaned = super().clean()
        window, measure = cleaned.get("window"), cleaned.get("measure")
        if window and measure and not applications_to_publicise(window=window, measure=measure):
            raise forms.ValidationError(gettext("该批次该政策条款下没有待公示的已批准申报。"))
        if window and measure:
            try:
                distinct_publicity_title(cleaned.get("title") or "", window=window, measure=measure)
            except PublicityError as error:
                self.add_error("title", error.messages)
        return cleaned


@admin.register(Publicity)
class PublicityAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = (
        "title",
        "window",
        "measure",
        "number",
        "state_label",
        "published_at",
        "ends_at",
    )
    list_filter = ("state",)
    list_select_related = ("window", "measure")
    fields = (
        "title",
        "window",
        "measure",
        "number",
        "state_label",
        "period_workdays",
        "how_to_object",
        "created_by",
        "created_at",
        "published_at",
        "ends_at",
        "closed_at",
        "public_link",
    )
    readonly_fields = fields
    inlines = (EntryInline, ObjectionInline, LogInline)
    change_form_template = "admin/publicity/publicity/change_form.html"

    def has_add_permission(self, request, obj=None) -> bool:
        return self._is_administrator(request)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("window", "measure", "created_by")

    @admin.display(description=_("状态"), ordering="state")
    def state_label(self, publicity):
        return publicity.get_state_display()

    @admin.display(description=_("公示页面"))
    def public_link(self, publicity):
        if publicity.state == "draft":
            return self.get_empty_value_display()
        url = reverse("publicity:detail", args=[publicity.pk])
        return format_html('<a href="{}">{}</a>', url, url)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return PublicityAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return PublicityAddForm.Meta.fields
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return () if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = services.publicity_create(
            window=data["window"],
            measure=data["measure"],
            by=request.user,
            title=data.get("title") or "",
            period_workdays=data.get("period_workdays"),
            how_to_object=data.get("how_to_object") or "",
        )
        obj.pk = created.pk
        obj.title = created.title

    def save_related(self, request, form, formsets, change):
        pass

    def get_urls(self):
        return [
            path(
                "<path:object_id>/take/<str:action>/",
                self.admin_site.admin_view(self.take_view),
                name="publicity_publicity_take",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        publicity = self.get_object(request, unquote(object_id))
        actions = []
        if publicity is not None:
            actions = [
                (name, PUBLICITY_ACTIONS[name])
                for name in ("publish", "close")
                if name in {t.name for t in publicity.get_available_state_transitions()}
            ]
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "take_actions": actions}
        )

    def take_view(self, request, object_id, action):
        if not self._is_administrator(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        publicity = self.get_object(request, unquote(object_id))
        if publicity is None or action not in ("publish", "close"):
            raise Http404
        service = services.publicity_publish if action == "publish" else services.publicity_close
        try:
            service(publicity=publicity, by=request.user)
        except PublicityError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("%(title)s：%(action)s。")
                % {"title": publicity.title, "action": PUBLICITY_ACTIONS[action]},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse("admin:publicity_publicity_change", args=[publicity.pk])
        )
