"""Decisions on many applications at once, as the application list's actions."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.models import transition_label
from policy_portal import roles

from ..forms import BulkDecisionForm
from ..services import DECISIONS, reviews_decide_many


def _bulk_action(transition: str, description):
    """The list's action taking ``transition`` on the chosen applications (``_bulk``)."""

    @admin.action(description=description)
    def action(self, request, queryset):
        return self._bulk(request, queryset, transition)

    action.__name__ = transition
    return action


class BulkDecisionsMixin:
    """The bulk decisions of ``ApplicationAdmin``, each offered to the role that takes it."""

    # The actions each role is offered; other apps add theirs (finance: disbursements).
    role_actions = {
        roles.DISTRICT_REVIEWER: {"district_approve", "district_return", "district_reject"},
        roles.MUNICIPAL_REVIEWER: {"municipal_approve", "municipal_return", "municipal_reject"},
    }

    def get_actions(self, request):
        actions = super().get_actions(request)
        allowed = set()
        for role, names in self.role_actions.items():
            if roles.user_has_role(request.user, role):
                allowed |= names
        return {name: action for name, action in actions.items() if name in allowed}

    def _bulk(self, request, queryset, transition):
        form = BulkDecisionForm(
            request.POST if "apply" in request.POST else None, transition=transition
        )
        if "apply" in request.POST and form.is_valid():
            outcomes = reviews_decide_many(
                applications=list(queryset),
                by=request.user,
                transition=transition,
                comment=form.cleaned_data["comment"],
                comment_public=form.cleaned_data["comment_public"],
            )
            done = [o.application.reference for o in outcomes if o.review is not None]
            if done:
                self.message_user(
                    request,
                    gettext("%(action)s成功 %(count)d 件：%(refs)s")
                    % {
                        "action": transition_label(transition),
                        "count": len(done),
                        "refs": "、".join(done),
                    },
                    messages.SUCCESS,
                )
            for outcome in outcomes:
                if outcome.review is None:
                    self.message_user(
                        request,
                        gettext("%(reference)s 未办理：%(problem)s")
                        % {"reference": outcome.application.reference, "problem": outcome.problem},
                        messages.ERROR,
                    )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("批量%(action)s") % {"action": transition_label(transition)},
            "opts": self.opts,
            "form": form,
            "applications": queryset,
            "action": transition,
            "action_label": transition_label(transition),
            "sets_amount": DECISIONS[transition].sets_amount,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/reviews/application/bulk_decide.html", context)

    district_approve = _bulk_action("district_approve", _("区县审核通过（按测算金额推荐）"))
    district_return = _bulk_action("district_return", _("区县退回修改"))
    district_reject = _bulk_action("district_reject", _("区县审核不通过"))
    municipal_approve = _bulk_action("municipal_approve", _("市级审核通过（按推荐金额核定）"))
    municipal_return = _bulk_action("municipal_return", _("市级退回修改"))
    municipal_reject = _bulk_action("municipal_reject", _("市级审核不通过"))
