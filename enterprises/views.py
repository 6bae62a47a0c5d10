from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from .forms import (
    AccountEmailForm,
    AccountRegistrationForm,
    EnterpriseProfileForm,
    EnterpriseRegistrationForm,
)
from .services import enterprise_register, enterprise_update_profile, user_update_email


def _show_service_errors(error: ValidationError, forms_in_page: list[forms.Form]) -> None:
    """Put a service's errors next to the fields they concern, on whichever form has them."""
    if not hasattr(error, "error_dict"):
        forms_in_page[0].add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        # The services name the password once; the forms ask for it twice.
        name = "password2" if field == "password" else field
        form = next((f for f in forms_in_page if name in f.fields), forms_in_page[0])
        form.add_error(name if name in form.fields else None, field_errors)


def rate_limited(request, exception):
    """The page for a visitor who sent a form too often (django-ratelimit's RATELIMIT_VIEW)."""
    return render(request, "429.html", status=429)


def locked_out(request, original_response, credentials):
    """The page for a login refused by django-axes (AXES_LOCKOUT_CALLABLE), in the site's look."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


def _registration_rate(group, request):
    return settings.REGISTRATION_RATE


def _password_reset_rate(group, request):
    return settings.PASSWORD_RESET_RATE


# Password reset sends mail to an address the visitor types: limited per client address and
# per address asked for, so that neither the site nor one mailbox is flooded.
password_reset = ratelimit(
    group="password-reset", key="ip", rate=_password_reset_rate, method="POST"
)(
    ratelimit(
        group="password-reset-email", key="post:email", rate=_password_reset_rate, method="POST"
    )(auth_views.PasswordResetView.as_view())
)


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
@ratelimit(group="registration", key="ip", rate=_registration_rate, method="POST")
def register(request):
    """企业注册: the enterprise and its first user, on one page."""
    if request.user.is_authenticated:
        messages.info(request, _("您已登录，如需注册其他企业，请先退出。"))
        return redirect("enterprises:profile")
    if request.method == "POST":
        enterprise_form = EnterpriseRegistrationForm(data=request.POST)
        account_form = AccountRegistrationForm(data=request.POST)
        # Both forms are validated so that every mistake shows at once.
        if all([enterprise_form.is_valid(), account_form.is_valid()]):
            try:
                user = enterprise_register(
                    **{
                        field: enterprise_form.cleaned_data[field]
                        for field in enterprise_form.fields
                    },
                    username=account_form.cleaned_data["username"],
                    email=account_form.cleaned_data["email"],
                    password=account_form.cleaned_data["password1"],
                )
            except ValidationError as error:
                _show_service_errors(error, [enterprise_form, account_form])
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request,
                    _("注册成功。欢迎 %(name)s 使用政策申报平台，请核对下面的企业信息。")
                    % {"name": user.enterprise.name},
                )
                return redirect("enterprises:profile")
    else:
        enterprise_form = EnterpriseRegistrationForm()
        account_form = AccountRegistrationForm()
    return render(
        request,
        "enterprises/register.html",
        {
            "enterprise_form": enterprise_form,
            "account_form": account_form,
            # Everything else typed is shown again; passwords never are, so say so.
            "retype_passwords": request.method == "POST"
            and any(request.POST.get(name) for name in ("password1", "password2")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """企业信息: the signed-in user's own enterprise; there is no id to reach another one."""
    user = request.user
    enterprise = user.enterprise
    if enterprise is None:
        messages.warning(request, _("当前账号未关联企业，没有企业信息可以查看。"))
        return redirect("admin:index" if user.is_staff else "measures:catalogue")

    if request.method == "POST":
        profile_form = EnterpriseProfileForm(data=request.POST, instance=enterprise)
        email_form = AccountEmailForm(data=request.POST)
        if all([profile_form.is_valid(), email_form.is_valid()]):
            try:
                # One save: the email is not kept if the enterprise's changes are refused.
                with transaction.atomic():
                    enterprise_update_profile(
                        enterprise=enterprise, by=user, data=profile_form.cleaned_data
                    )
                    user_update_email(user=user, email=email_form.cleaned_data["email"])
            except ValidationError as error:
                _show_service_errors(error, [profile_form, email_form])
            else:
                messages.success(request, _("企业信息已保存。"))
                return redirect("enterprises:profile")
    else:
        profile_form = EnterpriseProfileForm(instance=enterprise)
        email_form = AccountEmailForm(initial={"email": user.email})
    return render(
        request,
        "enterprises/profile.html",
        {"enterprise": enterprise, "profile_form": profile_form, "email_form": email_form},
    )
