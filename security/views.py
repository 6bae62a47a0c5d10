"""The second factor's pages: enrolment (the secret as a QR code and in base32, confirmed with a
code), the recovery codes shown once, and the code asked at every sign-in. The gate
(``security/gate.py``) sends people here; each page sends them on to where they were going."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from policy_portal.signals import security_event

from .forms import CodeForm, EnrolmentCodeForm
from .gate import REQUIRED_SESSION_KEY
from .second_factor import (
    base32_secret,
    enrolment_confirm,
    enrolment_start,
    is_app_code,
    is_enrolled,
    needs_second_factor,
    second_factor_verify,
)

# The recovery codes of an enrolment just confirmed, until the page that shows them once.
RECOVERY_CODES_SESSION_KEY = "second_factor_recovery_codes"


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, target: str) -> str:
    return f"{resolve_url(name)}?{urlencode({'next': target})}"


def _verified(request, device) -> None:
    # A session that gains the second factor gets a new key, as one that signs in does.
    request.session.cycle_key()
    otp_login(request, device)


def _refused(request, form, *, outcome, stage: str, code: str) -> None:
    security_event.send(
        sender=__name__,
        kind="otp_failed",
        user=request.user,
        request=request,
        target=request.user,
        detail={
            "stage": stage,
            "code_kind": "app" if is_app_code("".join(code.split())) else "recovery",
            "throttled": outcome.throttled,
        },
    )
    if outcome.throttled:
        form.add_error("code", _("错误次数过多，请稍等片刻再试。"))
    else:
        form.add_error("code", _("验证码不正确或已使用，请重新输入。"))


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """第二步验证: the code after the password, at every sign-in."""
    user = request.user
    target = _next(request)
    if user.is_verified():
        return redirect(target)
    if not is_enrolled(user):
        if needs_second_factor(user):
            return redirect(_with_next("security:enrol", target))
        request.session.pop(REQUIRED_SESSION_KEY, None)
        return redirect(target)
    form = CodeForm(data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        code = form.cleaned_data["code"]
        outcome = second_factor_verify(user=user, token=code)
        if outcome.device is not None:
            _verified(request, outcome.device)
            if isinstance(outcome.device, StaticDevice):
                left = outcome.device.token_set.count()
                security_event.send(
                    sender=__name__,
                    kind="otp_recovery_used",
                    user=user,
                    request=request,
                    target=user,
                    detail={"left": left},
                )
                messages.warning(
                    request,
                    _("已使用一个恢复码，还剩 %(count)s 个。恢复码用完前，请联系安全管理员重置。")
                    % {"count": left},
                )
            return redirect(target)
        _refused(request, form, outcome=outcome, stage="sign_in", code=code)
    return render(request, "security/verify.html", {"form": form, "next": target})


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """启用第二因素: the secret to add to an authenticator app, confirmed with a code from it."""
    user = request.user
    target = _next(request)
    if is_enrolled(user):
        if not user.is_verified():
            return redirect(_with_next("security:verify", target))
        messages.info(request, _("您已启用第二因素验证。"))
        return redirect(target)
    device = enrolment_start(user=user)
    form = EnrolmentCodeForm(data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        code = form.cleaned_data["code"]
        outcome, codes = enrolment_confirm(device=device, token=code)
        if outcome.device is not None:
            _verified(request, outcome.device)
            # Who enrolled, from where: an enrolment by someone who knew an initial password
            # shows on the trail under the official's name with an address that is not theirs.
            security_event.send(
                sender=__name__,
                kind="otp_enrolled",
                user=user,
                request=request,
                target=user,
                detail={"device": "totp"},
            )
            request.session[REQUIRED_SESSION_KEY] = True
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            return redirect(_with_next("security:recovery-codes", target))
        _refused(request, form, outcome=outcome, stage="enrolment", code=code)
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "security/enrol.html",
        {
            "form": form,
            "next": target,
            "qr_svg": qr.svg_inline(scale=4, title=_("身份验证器二维码")),
            "secret": base32_secret(device),
            "required": needs_second_factor(user),
        },
    )


@never_cache
@login_required
@require_GET
def recovery_codes(request):
    """The recovery codes of the enrolment just confirmed: shown here once, never again."""
    target = _next(request)
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    if not codes:
        return redirect(target)
    return render(request, "security/recovery_codes.html", {"codes": codes, "next": target})
