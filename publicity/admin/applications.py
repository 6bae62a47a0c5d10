"""公示 on the officials' application list: the action that publicises the chosen approved
applications, and the filter by where each stands in its 公示."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.models import State
from policy_portal import roles
from publicity import permissions, services
from publicity.models import PublicityEntry, PublicityState
from reviews.admin import ApplicationAdmin


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
