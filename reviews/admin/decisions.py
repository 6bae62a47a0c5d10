"""One application's pages for officials: what the change page shows, and the page on which
a reviewer takes one decision on it."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django_fsm import can_proceed

from applications.errors import ApplicationError
from applications.models import CLOSED_STATES, TransitionLog, transition_label
from applications.permissions import may_take
from applications.provenance import declared_figures
from applications.selectors import window_committed_amount
from policy_portal.roles import person_label

from ..forms import DecisionForm
from ..models import Review
from ..services import DECISIONS, review_decide, suggested_amount


def _decided_already(application, transition: str) -> str:
    """Why ``application`` cannot take ``transition`` now: the last step taken on it, by whom
    and when, and the state it left."""
    values = {
        "reference": application.reference_label,
        "state": application.get_state_display(),
        "transition": transition_label(transition),
    }
    last = (
        TransitionLog.objects.filter(application=application)
        .select_related("actor")
        .prefetch_related("actor__groups")
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None:
        return gettext("%(reference)s 当前为“%(state)s”，不能%(transition)s。") % values
    return gettext(
        "%(reference)s 已于%(when)s由%(person)s%(action)s，当前为“%(state)s”，不能%(transition)s。"
    ) % {
        **values,
        "when": timezone.localtime(last.created_at).strftime("%Y-%m-%d %H:%M"),
        "person": person_label(last.actor) if last.actor else gettext("系统"),
        "action": last.action_label,
    }


class DecisionPagesMixin:
    """The change page's context and the decision page of ``ApplicationAdmin``."""

    def _context(self, request, application) -> dict:
        track = application.track
        fields = list(track.fields.all())
        transitions = [
            {"name": t.name, "label": transition_label(t.name)}
            for t in application.get_available_user_state_transitions(request.user)
            if t.name in DECISIONS
        ]
        window = application.window
        return {
            "application": application,
            "figures": declared_figures(application, fields),
            "quote": application.quote(),
            "documents": application.documents.all(),
            "timeline": TransitionLog.objects.filter(application=application)
            .select_related("actor")
            .prefetch_related("actor__groups"),
            "reviews": Review.objects.filter(application=application)
            .select_related("reviewer")
            .prefetch_related("reviewer__groups"),
            "transitions": transitions,
            "budget_remaining": window.total_budget - window_committed_amount(window),
            "payment_limit": application.payment_limit(),
            "closed_without_payment": application.state in CLOSED_STATES,
        }

    def get_urls(self):
        return [
            path(
                "<path:object_id>/decide/<str:transition>/",
                self.admin_site.admin_view(self.decide_view),
                name="applications_application_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, object_id, transition):
        application = self.get_object(request, unquote(object_id))
        if application is None or transition not in DECISIONS:
            raise Http404
        method = getattr(application, transition)
        change_url = reverse("admin:applications_application_change", args=[application.pk])
        if not can_proceed(method, check_conditions=False):
            # No form for a decision the application cannot take now (another reviewer took
            # one meanwhile): back to it, saying who did what, when.
            self.message_user(request, _decided_already(application, transition), messages.WARNING)
            return HttpResponseRedirect(change_url)
        if not may_take(method, request.user):
            raise PermissionDenied
        initial = {"amount": suggested_amount(application, transition), "comment_public": True}
        form = DecisionForm(request.POST or None, transition=transition, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                review_decide(
                    application=application,
                    by=request.user,
                    transition=transition,
                    comment=form.cleaned_data["comment"],
                    comment_public=form.cleaned_data["comment_public"],
                    amount=form.cleaned_data.get("amount"),
                )
            except ApplicationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                self.message_user(
                    request,
                    gettext("%(reference)s：%(action)s。")
                    % {"reference": application.reference, "action": transition_label(transition)},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            **self._context(request, application),
            "title": f"{application.reference} · {transition_label(transition)}",
            "opts": self.opts,
            "form": form,
            "transition_label": transition_label(transition),
            "change_url": change_url,
            "sets_amount": DECISIONS[transition].sets_amount,
            # The municipal reviewer decides with the district's recommendation beside the amount.
            "shows_recommendation": transition == "municipal_approve",
        }
        return TemplateResponse(request, "admin/reviews/application/decide.html", context)
