from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from . import personal_data, selectors, services
from .access import enterprise_required
from .forms import (
    AccountEmailForm,
    AccountRegistrationForm,
    DisagreementForm,
    EnterprisePasswordResetForm,
    EnterpriseProfileForm,
    EnterpriseRegistrationForm,
    FileFiguresForm,
    FileYearChoiceForm,
    RecognitionForm,
    YesNoDisagreementForm,
    last_file_year,
)
from .models import FILE_FIRST_YEAR
from .personal_data import personal_data_file
from .services import (
    enterprise_register,
    enterprise_update_profile,
    user_update_email,
    user_update_name,
)


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
    )(auth_views.PasswordResetView.as_view(form_class=EnterprisePasswordResetForm))
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
                    first_name=account_form.cleaned_data["first_name"],
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
                    user_update_name(user=user, first_name=email_form.cleaned_data["first_name"])
            except ValidationError as error:
                _show_service_errors(error, [profile_form, email_form])
            else:
                messages.success(request, _("企业信息已保存。"))
                return redirect("enterprises:profile")
    else:
        profile_form = EnterpriseProfileForm(instance=enterprise)
        email_form = AccountEmailForm(initial={"email": user.email, "first_name": user.first_name})
    return render(
        request,
        "enterprises/profile.html",
        {"enterprise": enterprise, "profile_form": profile_form, "email_form": email_form},
    )


@enterprise_required
@require_GET
def profile_export(request):
    """个人信息查阅/复制: the signed-in person's own data and their enterprise's contact, as a
    JSON file; there is no id to reach anyone else's."""
    name, content = personal_data_file(user=request.user, by=request.user, request=request)
    response = HttpResponse(content, content_type=personal_data.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ── the enterprise's file (一企一档) ─────────────────────────────────────────────────────────


@enterprise_required
@require_http_methods(["GET", "POST"])
def file(request):
    """企业档案: the recognitions held and the figures by year; POST records a recognition."""
    enterprise = request.user.enterprise
    recognition_form = RecognitionForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and recognition_form.is_valid():
        try:
            recognition, created = services.enterprise_recognition_add(
                enterprise=enterprise, by=request.user, **recognition_form.cleaned_data
            )
        except ValidationError as error:
            _show_service_errors(error, [recognition_form])
        else:
            named = {"kind": recognition.get_kind_display(), "year": recognition.year}
            if created:
                messages.success(request, _("已登记认定：%(year)s年%(kind)s。") % named)
            else:
                messages.info(request, _("%(year)s年%(kind)s此前已登记，未重复登记。") % named)
            return redirect("enterprises:file")
    fields = selectors.file_fields()
    return render(
        request,
        "enterprises/file.html",
        {
            "enterprise": enterprise,
            "recognition_form": recognition_form,
            "recognitions": selectors.recognitions_by_source(enterprise=enterprise),
            "years": selectors.figures_by_year(enterprise=enterprise, fields=fields),
            "year_form": FileYearChoiceForm(initial={"year": timezone.localdate().year - 1}),
            "disagreements": [
                (
                    disagreement,
                    fields.get(disagreement.figure.name) if disagreement.figure_id else None,
                )
                for disagreement in selectors.disagreements_of(enterprise=enterprise)
            ],
        },
    )


def _disagreement_page(request, *, figure=None, recognition=None, spec=None, form):
    """The report's form about ``figure`` or ``recognition``; a valid POST records it."""
    enterprise = request.user.enterprise
    if request.method == "POST" and form.is_valid():
        try:
            services.disagreement_report(
                enterprise=enterprise,
                figure=figure,
                recognition=recognition,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            _show_service_errors(error, [form])
        else:
            messages.success(request, _("异议已提交，系统管理员答复后将通知您。"))
            return redirect(reverse("enterprises:file") + "#disagreements")
    return render(
        request,
        "enterprises/disagreement.html",
        {
            "enterprise": enterprise,
            "target": figure if figure is not None else recognition,
            "figure": figure,
            "recognition": recognition,
            "spec": spec,
            "form": form,
        },
    )


@enterprise_required
@require_http_methods(["GET", "POST"])
def disagreement_report(request, figure: int):
    """对部门数据有异议: the enterprise reports that a department's figure about it (a number or
    a yes/no) is wrong. Another enterprise's figure, or one no longer current, is not found."""
    department_figure = selectors.department_figure_of(
        enterprise=request.user.enterprise, pk=figure
    )
    if department_figure is None:
        raise Http404(_("没有这项部门数据。"))
    spec = selectors.file_fields().get(department_figure.name)
    data = request.POST if request.method == "POST" else None
    if department_figure.decimal_value is None:
        form = YesNoDisagreementForm(data=data)
    else:
        form = DisagreementForm(data=data, money=spec is None or spec.track_field.is_money)
    return _disagreement_page(request, figure=department_figure, spec=spec, form=form)


@enterprise_required
@require_http_methods(["GET", "POST"])
def disagreement_report_recognition(request, recognition: int):
    """对部门数据有异议 about a recognition: a department says the enterprise holds, or does not
    hold, a recognition of a year, and the enterprise says otherwise. Another enterprise's, or
    one no longer current, is not found."""
    department_recognition = selectors.department_recognition_of(
        enterprise=request.user.enterprise, pk=recognition
    )
    if department_recognition is None:
        raise Http404(_("没有这项部门数据。"))
    form = YesNoDisagreementForm(
        data=request.POST if request.method == "POST" else None, about_recognition=True
    )
    return _disagreement_page(request, recognition=department_recognition, form=form)


@enterprise_required
@require_GET
def file_year_choose(request):
    """The year typed in 填写年度数据 → that year's form."""
    form = FileYearChoiceForm(data=request.GET)
    if form.is_valid():
        return redirect("enterprises:file-year", year=form.cleaned_data["year"])
    for error in form.errors.get("year", []):
        messages.error(request, error)
    return redirect("enterprises:file")


@enterprise_required
@require_http_methods(["GET", "POST"])
def file_year(request, year: int):
    """One year's figures: every figure the policy data asks about, each optional."""
    if not FILE_FIRST_YEAR <= year <= last_file_year():
        raise Http404(_("没有这个年度。"))
    enterprise = request.user.enterprise
    fields = selectors.file_fields()
    departments = selectors.department_figures_of_year(enterprise=enterprise, year=year)
    if request.method == "POST":
        form = FileFiguresForm(data=request.POST, file_fields=fields, departments=departments)
        if form.is_valid():
            try:
                changed = services.enterprise_figures_set(
                    enterprise=enterprise, by=request.user, year=year, values=form.values()
                )
            except ValidationError as error:
                _show_service_errors(error, [form])
            else:
                messages.success(
                    request,
                    _("已保存%(year)s年度数据（%(count)s项有变化）。")
                    % {"year": year, "count": changed},
                )
                return redirect("enterprises:file")
    else:
        existing = selectors.figures_of_year(enterprise=enterprise, year=year)
        initial = {}
        for name, figure in existing.items():
            if name not in fields:
                continue
            value = selectors.typed_value(figure, fields[name].field_type)
            initial[name] = ("true" if value else "false") if isinstance(value, bool) else value
        form = FileFiguresForm(initial=initial, file_fields=fields, departments=departments)
    return render(
        request,
        "enterprises/file_year.html",
        {"enterprise": enterprise, "year": year, "form": form},
    )


@enterprise_required
@require_POST
def recognition_delete(request, pk: int):
    recognition = get_object_or_404(
        selectors.recognitions_of(enterprise=request.user.enterprise), pk=pk
    )
    services.enterprise_recognition_delete(recognition=recognition, by=request.user)
    messages.success(request, _("已删除认定记录。"))
    return redirect("enterprises:file")
