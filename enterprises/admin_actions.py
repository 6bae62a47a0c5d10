"""The admin's actions on a person's data (个人信息保护): download it for them (查阅、复制), and
anonymise them once no work needs them (删除、匿名化). Each has a permission of its own,
granted to administrators and security administrators (migration ``enterprises 0012``)."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import personal_data


class PersonalDataActionsMixin:
    """For the admins of users and of staff members."""

    actions = ("export_personal_data", "anonymise_people")

    def has_export_personal_data_permission(self, request) -> bool:
        return request.user.has_perm("enterprises.export_personal_data")

    def has_anonymise_user_permission(self, request) -> bool:
        return request.user.has_perm("enterprises.anonymise_user")

    @admin.action(description=_("导出个人信息"), permissions=["export_personal_data"])
    def export_personal_data(self, request, queryset):
        people = list(queryset[:2])
        if len(people) != 1:
            self.message_user(
                request, gettext("请只选择一个账号导出其个人信息。"), messages.WARNING
            )
            return None
        name, content = personal_data.personal_data_file(
            user=people[0], by=request.user, request=request
        )
        response = HttpResponse(content, content_type=personal_data.CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @admin.action(description=_("匿名化个人信息"), permissions=["anonymise_user"])
    def anonymise_people(self, request, queryset):
        people = list(queryset.order_by("pk"))
        if request.POST.get("confirmed") == "1":
            done = 0
            for person in people:
                try:
                    personal_data.user_anonymise(user=person, by=request.user, request=request)
                except ValidationError as error:
                    for reason in error.messages:
                        self.message_user(
                            request,
                            gettext("%(person)s 未匿名化：%(reason)s")
                            % {"person": person.display_name, "reason": reason},
                            messages.ERROR,
                        )
                else:
                    done += 1
            if done:
                self.message_user(
                    request,
                    gettext("已匿名化 %(count)d 个账号。") % {"count": done},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("匿名化个人信息"),
            "opts": self.opts,
            "people": [
                (person, personal_data.anonymise_refusals(user=person, by=request.user))
                for person in people
            ],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/enterprises/anonymise_confirm.html", context)
