"""公示 in the admin: administrators create, publish and close them and decide objections."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.models import State
from enterprises import roles
from enterprises.roles import person_label
from measures.models import ApplicationWindow, Measure
from measures.money import format_yuan
from policy_portal.admin_mixins import LogAdminMixin
from reviews.admin import ApplicationAdmin

from . import permissions, services
from .errors import PublicityError
from .models import (
    PUBLICITY_ACTIONS,
    Objection,
    Publicity,
    PublicityEntry,
    PublicityLog,
    PublicityState,
)
from .selectors import applications_to_publicise, distinct_publicity_title


class AdministratorsOnly:
    def _is_administrator(self, request) -> bool:
        return permissions.is_administrator(None, request.user)

    def has_module_permission(self, request) -> bool:
        return self._is_administrator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_administrator(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
    fields = ("link", "name", "contact", "lodged_at", "outcome", "outcome_comment")
    readonly_fields = fields
    extra = 0

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


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("处理结果"),
        choices=[
            (Objection.Outcome.DISMISSED, Objection.Outcome.DISMISSED.label),
            (Objection.Outcome.UPHELD, _("异议成立（申报退回市级审核）")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 4}))


@admin.register(Objection)
class ObjectionAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ("entry_label", "publicity", "name", "lodged_at", "outcome")
    list_filter = ("outcome",)
    list_select_related = ("entry", "publicity")
    fields = (
        "publicity",
        "entry_label",
        "application_link",
        "name",
        "contact",
        "text",
        "lodged_at",
        "outcome",
        "outcome_comment",
        "decided_by",
        "decided_at",
        "decide_link",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("entry__application", "publicity", "decided_by")
        )

    @admin.display(description=_("异议对象"))
    def entry_label(self, objection):
        return str(objection.entry)

    @admin.display(description=_("申报"))
    def application_link(self, objection):
        application = objection.entry.application
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:applications_application_change", args=[application.pk]),
            application.reference,
        )

    @admin.display(description=_("处理"))
    def decide_link(self, objection):
        if objection.outcome != Objection.Outcome.PENDING:
            return self.get_empty_value_display()
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:publicity_objection_decide", args=[objection.pk]),
            gettext("处理异议"),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="publicity_objection_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, object_id):
        if not self._is_administrator(request):
            raise PermissionDenied
        objection = self.get_object(request, unquote(object_id))
        if objection is None:
            raise Http404
        change_url = reverse("admin:publicity_objection_change", args=[objection.pk])
        if objection.outcome != Objection.Outcome.PENDING:
            # No form for an objection already decided: back to it, saying by whom and when.
            self.message_user(
                request,
                gettext("该异议已于%(when)s由%(person)s处理（%(outcome)s），不能再次处理。")
                % {
                    "when": timezone.localtime(objection.decided_at).strftime("%Y-%m-%d %H:%M")
                    if objection.decided_at
                    else "",
                    "person": person_label(objection.decided_by),
                    "outcome": objection.get_outcome_display(),
                },
                messages.WARNING,
            )
            return HttpResponseRedirect(change_url)
        form = DecideForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.objection_decide(
                    objection=objection,
                    by=request.user,
                    outcome=form.cleaned_data["outcome"],
                    comment=form.cleaned_data["comment"],
                )
            except PublicityError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                self.message_user(request, gettext("异议已处理。"), messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("处理异议"),
            "opts": self.opts,
            "objection": objection,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/publicity/objection/decide.html", context)


# ── on the officials' application list ─────────────────────────────────────────────────────


@admin.action(description=_("拟支持名单公示（生成公示草稿）"))
def publicise_applications(modeladmin, request, queryset):
    """A draft 公示 per window and measure of the chosen approved applications not yet
    publicised; the administrator then reads it and publishes it from its page."""
    if not permissions.is_administrator(None, request.user):
        raise PermissionDenied
    outcome = services.publicities_create_for(applications=queryset, by=request.user)
    for publicity in outcome.created:
        modeladmin.message_user(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                gettext("已生成公示草稿，%(count)d项：") % {"count": publicity.entry_count},
                reverse("admin:publicity_publicity_change", args=[publicity.pk]),
                publicity.title,
            ),
            messages.SUCCESS,
        )
    if outcome.skipped:
        modeladmin.message_user(
            request,
            gettext("%(count)d 件未列入公示（不是已批准的申报，或已在公示中）：%(refs)s")
            % {"count": len(outcome.skipped), "refs": "、".join(outcome.skipped[:50])},
            messages.WARNING,
        )
    if len(outcome.created) == 1:
        return HttpResponseRedirect(
            reverse("admin:publicity_publicity_change", args=[outcome.created[0].pk])
        )
    return None


class PublicityFilter(admin.SimpleListFilter):
    """Where an approved application stands in its 公示: finance pays only the cleared ones."""

    title = _("公示")
    parameter_name = "publicity"

    def lookups(self, request, model_admin):
        # Administrators publicise and finance pays; reviewers have no use for it.
        user = request.user
        if not (
            permissions.is_administrator(None, user) or roles.user_has_role(user, roles.FINANCE)
        ):
            return []
        return [
            ("none", _("待公示")),
            ("open", _("公示中")),
            ("cleared", _("公示结束，可拨付")),
            ("upheld", _("异议成立")),
        ]

    def queryset(self, request, queryset):
        entries = PublicityEntry.objects.filter(application=OuterRef("pk"))
        held = entries.filter(objection_upheld=False)
        match self.value():
            case "none":
                # A draft 公示 is not public yet: what it holds still waits for one.
                return queryset.filter(state=State.APPROVED).exclude(
                    Exists(held.exclude(publicity__state=PublicityState.DRAFT))
                )
            case "open":
                return queryset.filter(
                    Exists(held.filter(publicity__state=PublicityState.PUBLISHED))
                )
            case "cleared":
                return queryset.filter(Exists(held.filter(publicity__state=PublicityState.CLOSED)))
            case "upheld":
                return queryset.filter(Exists(entries.filter(objection_upheld=True)))
        return queryset


ApplicationAdmin.actions = [*ApplicationAdmin.actions, publicise_applications]
ApplicationAdmin.list_filter = [*ApplicationAdmin.list_filter, PublicityFilter]
ApplicationAdmin.role_actions = {
    **ApplicationAdmin.role_actions,
    roles.ADMINISTRATOR: {
        *ApplicationAdmin.role_actions.get(roles.ADMINISTRATOR, ()),
        "publicise_applications",
    },
}
