"""The API keys of 部门数据 in the admin (``departments.api``): the system administrator issues a
source's key, sees its secret once, on the page that issues it, and rotates or revokes it.

Imported at the end of ``departments.admin``."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .api_models import SourceKey
from .models import DataSource

TEMPLATES = "admin/departments/sourcekey"


class SourceKeyAddForm(forms.ModelForm):
    class Meta:
        model = SourceKey
        fields = ["source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One key per source: a source that has one gets a new one by rotating it.
        self.fields["source"].queryset = DataSource.objects.filter(api_key__isnull=True)


@admin.register(SourceKey)
class SourceKeyAdmin(admin.ModelAdmin):
    change_form_template = f"{TEMPLATES}/change_form.html"
    list_display = ["source", "key_id", "state", "issued_at", "issued_by", "last_used_at"]
    list_select_related = ["source", "issued_by"]
    fields = [
        "source",
        "key_id",
        "state",
        "issued_at",
        "issued_by",
        "revoked_at",
        "revoked_by",
        "last_used_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("状态"))
    def state(self, key: SourceKey) -> str:
        return gettext("已吊销") if key.is_revoked else gettext("有效")

    def get_fields(self, request, obj=None):
        return ["source"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SourceKeyAddForm
        return super().get_form(request, obj, change, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        # Nothing of a key is edited: it is issued, rotated or revoked.
        return False

    def may_manage(self, request) -> bool:
        return request.user.has_perm("departments.change_sourcekey")

    def save_model(self, request, obj, form, change):
        key, secret = SourceKey.issue(source=obj.source, by=request.user)
        obj.pk, obj.key_id, obj.issued_at = key.pk, key.key_id, key.issued_at
        obj.shown_secret = secret

    def response_add(self, request, obj, post_url_continue=None):
        return self._issued(request, obj, obj.shown_secret)

    def _issued(self, request, key: SourceKey, secret: str):
        """The page that shows the secret, this once: never in a message or a URL."""
        context = {
            **self._context(request, gettext("部门接口密钥已签发"), key),
            "secret": secret,
        }
        return TemplateResponse(request, f"{TEMPLATES}/issued.html", context)

    def _context(self, request, title: str, key: SourceKey) -> dict:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "key": key,
            "changelist_url": reverse("admin:departments_sourcekey_changelist"),
            "change_url": reverse("admin:departments_sourcekey_change", args=[key.pk]),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {**(extra_context or {}), "may_manage": self.may_manage(request)}
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/rotate/",
                self.admin_site.admin_view(self.rotate_view),
                name="departments_sourcekey_rotate",
            ),
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="departments_sourcekey_revoke",
            ),
            *super().get_urls(),
        ]

    def _key(self, request, object_id) -> SourceKey:
        if not self.may_manage(request):
            raise PermissionDenied
        key = self.get_object(request, unquote(object_id))
        if key is None:
            raise Http404
        return key

    def rotate_view(self, request, object_id):
        key = self._key(request, object_id)
        if request.method == "POST":
            key, secret = SourceKey.issue(source=key.source, by=request.user)
            self.log_change(request, key, gettext("重新签发密钥"))
            return self._issued(request, key, secret)
        context = {
            **self._context(request, gettext("重新签发部门接口密钥"), key),
            "action": "rotate",
        }
        return TemplateResponse(request, f"{TEMPLATES}/confirm.html", context)

    def revoke_view(self, request, object_id):
        key = self._key(request, object_id)
        change_url = reverse("admin:departments_sourcekey_change", args=[key.pk])
        if request.method == "POST":
            key.revoke(by=request.user)
            self.log_change(request, key, gettext("吊销密钥"))
            self.message_user(request, gettext("已吊销%(key)s。") % {"key": key}, messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        context = {
            **self._context(request, gettext("吊销部门接口密钥"), key),
            "action": "revoke",
        }
        return TemplateResponse(request, f"{TEMPLATES}/confirm.html", context)
