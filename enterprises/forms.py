"""Forms of the enterprise accounts: they parse and validate input; the services write."""

import copy

from django import forms
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from measures.fields import TRUE_TEXTS, StrictBooleanField, StrictDecimalField
from measures.forms import declared_form_field
from measures.recognitions import Recognition

from .models import FILE_FIRST_YEAR, Enterprise, User
from .selectors import FileField
from .services import (
    CREDIT_CODE_TAKEN,
    PROFILE_FIELDS,
    REGISTRATION_PROFILE_FIELDS,
    USERNAME_UNAVAILABLE,
)
from .validators import normalize_credit_code, validate_no_bidi_controls

ENTERPRISE_WIDGETS = {
    "credit_code": forms.TextInput(
        attrs={
            "autocapitalize": "characters",
            "autocomplete": "off",
            "spellcheck": "false",
            "maxlength": 18,
        }
    ),
    "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    "bank_account": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
}

ENTERPRISE_HELP_TEXTS = {
    "credit_code": _("营业执照上的18位代码；小写字母会自动转为大写。"),
    "contact_phone": _("11位手机号，或带区号的固定电话，例如 023-63890000。"),
    "bank_name": _("选填；申报资金拨付到此账户。"),
    "bank_account": _("选填；8至32位数字，不含空格。"),
}


class PleaseChooseMixin:
    """Drop-downs open on 请选择 rather than Django's row of dashes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.ChoiceField):
                continue
            choices = list(field.choices)
            if choices and choices[0][0] == "":
                field.choices = [("", _("请选择")), *choices[1:]]


class BankAccountPairMixin:
    """A payout account needs both the bank and the number; half of one cannot be paid into."""

    def clean(self):
        cleaned_data = super().clean()
        bank_name = cleaned_data.get("bank_name")
        bank_account = cleaned_data.get("bank_account")
        message = _("开户银行和银行账号请同时填写，或都不填。")
        if bank_name and not bank_account and "bank_account" not in self.errors:
            self.add_error("bank_account", message)
        if bank_account and not bank_name and "bank_name" not in self.errors:
            self.add_error("bank_name", message)
        return cleaned_data


class EnterpriseRegistrationForm(PleaseChooseMixin, BankAccountPairMixin, forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ("name", "credit_code", "district", *REGISTRATION_PROFILE_FIELDS)
        widgets = ENTERPRISE_WIDGETS
        help_texts = ENTERPRISE_HELP_TEXTS
        error_messages = {
            "credit_code": {
                "unique": CREDIT_CODE_TAKEN,
            },
        }

    def clean_credit_code(self) -> str:
        return normalize_credit_code(self.cleaned_data["credit_code"])


PERSON_NAME_LABEL = _("联系人姓名")
PERSON_NAME_HELP = _("使用本账号的人的姓名；站内、通知和邮件中以此称呼您，不显示登录用户名。")
PERSON_NAME_REQUIRED = _("请填写联系人姓名。")


def _require_person_name(field: forms.CharField) -> None:
    field.required = True
    field.error_messages["required"] = PERSON_NAME_REQUIRED
    field.validators.append(validate_no_bidi_controls)
    field.widget.attrs["autocomplete"] = "name"


class AccountRegistrationForm(UserCreationForm):
    """The enterprise's first user; Django's form brings the password validators."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("first_name", "username", "email")
        labels = {
            "first_name": PERSON_NAME_LABEL,
            "username": _("登录用户名"),
            "email": _("电子邮箱"),
        }
        help_texts = {
            "first_name": PERSON_NAME_HELP,
            "username": _("150个字符以内，可使用字母、数字和 @ . + - _。"),
            "email": _("用于找回密码。"),
        }

    def clean_username(self):
        username = self.cleaned_data.get("username")
        if username and User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(USERNAME_UNAVAILABLE, code="unique")
        return username

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _require_person_name(self.fields["first_name"])
        self.fields["email"].required = True
        self.fields["password1"].label = _("密码")
        self.fields["password2"].label = _("确认密码")
        self.fields["password2"].help_text = _("请再次输入相同的密码。")
        # The page opens on the enterprise's name, not on the account below it.
        self.fields["username"].widget.attrs.pop("autofocus", None)


class EnterpriseProfileForm(PleaseChooseMixin, BankAccountPairMixin, forms.ModelForm):
    """What an enterprise may change about itself; its name and credit code are not here."""

    class Meta:
        model = Enterprise
        fields = PROFILE_FIELDS
        widgets = ENTERPRISE_WIDGETS
        help_texts = ENTERPRISE_HELP_TEXTS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # static/js/industry.js offers only the chosen section's divisions (the server checks).
        self.fields["industry_division"].widget.attrs["data-section-field"] = "industry_section"


class AccountEmailForm(forms.Form):
    """The signed-in person's own name and email, on the profile page."""

    first_name = forms.CharField(
        label=PERSON_NAME_LABEL,
        max_length=150,
        help_text=PERSON_NAME_HELP,
        validators=[validate_no_bidi_controls],
        error_messages={"required": PERSON_NAME_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("电子邮箱"),
        max_length=254,
        help_text=_("用于找回密码。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


# ── the enterprise's file ─────────────────────────────────────────────────────────────────


def last_file_year() -> int:
    """A file holds figures and recognitions up to the current year (next year's plans too)."""
    return timezone.localdate().year + 1


class FileYearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", FILE_FIRST_YEAR)
        super().__init__(**kwargs)

    def clean(self, value):
        # The last year moves with the date: checked here, not fixed when the form is defined.
        value = super().clean(value)
        if value is not None and value > last_file_year():
            raise forms.ValidationError(
                _("年度不能晚于%(year)s年。") % {"year": last_file_year()}, code="max_value"
            )
        return value


class RecognitionForm(PleaseChooseMixin, forms.Form):
    # Shares the file's page with FileYearChoiceForm: the prefix keeps the two 年度 inputs'
    # ids (and so their labels) apart.
    prefix = "recognition"

    kind = forms.ChoiceField(label=_("认定名称"), choices=[("", ""), *Recognition.choices])
    year = FileYearField(
        label=_("认定年度"),
        help_text=_("认定文件印发的年度，例如 2025。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class FileYearChoiceForm(forms.Form):
    """Which year of figures to fill in or change."""

    year = FileYearField(label=_("年度"), widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class YesNoUnknownField(forms.Field):
    """A yes/no figure of the file, where 未填写 is an answer of its own: the file may not know.
    Yes and no are read as the declared-figures form reads them; nothing else is taken."""

    widget = forms.Select(choices=[("", _("未填写")), ("true", _("是")), ("false", _("否"))])
    default_error_messages = StrictBooleanField.default_error_messages

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE_TEXTS:
            return True
        if text == "false":
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def _file_form_field(file_field: FileField) -> forms.Field:
    if file_field.field_type == "boolean":
        field = YesNoUnknownField(required=False, label=file_field.label)
    else:
        # The same field the application's figures are entered with, optional here.
        field = copy.deepcopy(declared_form_field(file_field.track_field))
        field.required = False
    if len(file_field.measures) > 1:
        field.help_text = format_lazy(
            "{} {}",
            _("用于通知第%(numbers)s条。")
            % {"numbers": "、".join(str(n) for n in file_field.measures)},
            _("不同类别对此项的称呼可能不同，请填写企业当年的实际数据。"),
        )
    else:
        field.help_text = _("用于通知第%(numbers)s条。") % {"numbers": file_field.measures[0]}
    return field


class FileFiguresForm(forms.Form):
    """One year's figures of the file: every declared-field name of the policy data, optional;
    an empty input removes the figure. A figure a department gives (``departments``: {name:
    DepartmentValue}) is shown read-only with its source: the enterprise cannot change it."""

    def __init__(self, *args, file_fields: dict[str, FileField], departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = {
            name: given for name, given in (departments or {}).items() if name in file_fields
        }
        for name, file_field in file_fields.items():
            field = _file_form_field(file_field)
            given = self.departments.get(name)
            if given is not None:
                field.disabled = True
                # The department's value, whatever the enterprise's own figure says.
                self.initial[name] = _shown_initial(given.value, file_field)
                field.help_text = _("该项为%(source)s的数据，以部门数据为准，企业不能修改。") % {
                    "source": given.provenance
                }
            self.fields[name] = field

    def clean(self):
        cleaned = super().clean()
        for name, given in self.departments.items():
            if name not in self.data:
                continue
            try:
                posted = self.fields[name].to_python(self.data.get(name))
            except forms.ValidationError:
                posted = None
            if posted != given.value:
                self.add_error(
                    name,
                    _("该项数据由%(source)s提供，以部门数据为准，企业不能修改。")
                    % {"source": given.provenance.source_name},
                )
        return cleaned

    def values(self) -> dict:
        return {
            name: value for name, value in self.cleaned_data.items() if name not in self.departments
        }


def _shown_initial(value, file_field: FileField):
    if isinstance(value, bool):
        return "true" if value else "false"
    if file_field.field_type == "integer" and value is not None:
        return int(value)
    return value


class EnterprisePasswordResetForm(PasswordResetForm):
    """找回密码 by email, for enterprises' accounts only. An official's password is reset by the
    security administrator (三员分立): otherwise whoever may change an official's email address
    (the system administrator) could take the account over by mail. The page answers the same
    whatever the address, so it tells a visitor nothing about who has an account."""

    def get_users(self, email):
        return (
            user for user in super().get_users(email) if not (user.is_staff or user.is_superuser)
        )


class DisagreementForm(forms.Form):
    """对部门数据有异议: the value the enterprise holds to be right, read by the one number
    parser, and why."""

    value = StrictDecimalField(label=_("企业认为的数值"), decimal_places=2, min_value=0)
    reason = forms.CharField(
        label=_("异议理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_no_bidi_controls],
        help_text=_("请说明部门数据哪里有误，以及企业数值的依据（例如审计报告、纳税申报表）。"),
    )

    def __init__(self, *args, money: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["value"]
        field.money = money
        if money:
            field.widget.attrs["data-money"] = "yuan"


class YesNoDisagreementForm(forms.Form):
    """对部门数据有异议 about a yes/no: a figure's, or whether a recognition is held. The
    enterprise picks the answer it holds to be right (是/否), and says why."""

    value = YesNoUnknownField(
        label=_("企业认为应为"),
        # A select, as the file's own yes/no figures are entered: one labelled control.
        widget=forms.Select(choices=[("", _("请选择")), ("true", _("是")), ("false", _("否"))]),
        error_messages={"required": _("请选择是或否。")},
    )
    reason = DisagreementForm.base_fields["reason"]

    def __init__(self, *args, about_recognition: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _(
            "请说明部门数据哪里有误，以及企业主张的依据（例如证明文件、批复文件）。"
        )
        if about_recognition:
            # A recognition: what 是 and 否 mean here.
            self.fields["value"].widget.choices = [
                ("", _("请选择")),
                ("true", _("是（已获得该认定）")),
                ("false", _("否（未获得该认定）")),
            ]
            self.fields["reason"].help_text = _(
                "请说明部门数据哪里有误，以及企业主张的依据（例如认定文件的文号）。"
            )
