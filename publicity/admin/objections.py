"""Objections to a 公示 in the admin: administrators read them and decide each one."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from policy_portal.admin_mixins import masked_display
from policy_portal.masking import mask_contact, report_unmasked
from policy_portal.roles import person_label
from publicity import services
from publicity.errors import PublicityError
from publicity.models import Objection

from .access import AdministratorsOnly


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
        "masked_contact",
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

    masked_contact = masked_display("contact", mask_contact, _("联系方式"))

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
        # Whoever decides writes back to the objector: the one page that shows the contact
        # whole, and the audit is told each time it does.
        report_unmasked(
            sender=__name__,
            user=request.user,
            request=request,
            target=objection,
            field="contact",
        )
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
