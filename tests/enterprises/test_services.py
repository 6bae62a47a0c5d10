from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from enterprises.districts import District
from enterprises.models import Enterprise, User
from enterprises.services import enterprise_register, enterprise_update_profile, user_update_email
from policy_portal import roles

from .factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory, make_credit_code

pytestmark = pytest.mark.django_db

PASSWORD = "Chongqing-2023-subsidy"


def register(**overrides) -> User:
    values = {
        "name": "重庆渝北精工机械有限公司",
        "credit_code": make_credit_code(1),
        "district": District.YUBEI,
        "industry": Enterprise.Industry.EQUIPMENT,
        "scale": Enterprise.Scale.SMALL,
        "contact_name": "李四",
        "contact_phone": "13912345678",
        "first_name": "李四",
        "username": "jinggong",
        "email": "jinggong@example.com",
        "password": PASSWORD,
    } | overrides
    return enterprise_register(**values)


def refusal(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


def nothing_was_created() -> bool:
    return not Enterprise.objects.exists() and not User.objects.exists()


class TestEnterpriseRegister:
    def test_creates_the_enterprise_and_its_first_user(self):
        user = register()

        enterprise = Enterprise.objects.get()
        assert user.enterprise == enterprise
        assert enterprise.name == "重庆渝北精工机械有限公司"
        assert enterprise.credit_code == make_credit_code(1)
        assert enterprise.district == District.YUBEI
        assert enterprise.bank_name == enterprise.bank_account == ""
        assert user.username == "jinggong"
        assert user.email == "jinggong@example.com"

    def test_the_user_can_log_in_with_the_password_given(self):
        user = register()

        assert User.objects.get(pk=user.pk).check_password(PASSWORD)

    def test_the_user_gets_the_enterprise_role_and_no_staff_rights(self):
        user = register()

        assert list(user.groups.values_list("name", flat=True)) == [roles.ENTERPRISE]
        assert not user.is_staff
        assert not user.is_superuser

    def test_keeps_the_bank_account_when_given(self):
        user = register(bank_name="重庆银行", bank_account="6217000012345678")

        assert user.enterprise.has_payout_account

    def test_lowercase_credit_code_is_stored_in_capitals(self):
        register(credit_code=f" {make_credit_code(1).lower()} ")

        assert Enterprise.objects.get().credit_code == make_credit_code(1)

    def test_registered_credit_code_is_refused_and_not_attached_to(self):
        existing = EnterpriseFactory(credit_code=make_credit_code(1))

        errors = refusal(register, credit_code=make_credit_code(1).lower(), username="intruder")

        assert errors == {
            "credit_code": ["该统一社会信用代码无法注册。如本企业已有账号，请登录或找回密码。"]
        }
        assert not User.objects.filter(username="intruder").exists()
        assert not existing.users.exists()
        assert Enterprise.objects.count() == 1

    def test_taken_username_is_refused_in_any_case_and_leaves_no_enterprise(self):
        UserFactory(username="jinggong")

        errors = refusal(register, username="JingGong")

        assert list(errors) == ["username"]
        assert not Enterprise.objects.exists()

    def test_bad_check_character_is_refused(self):
        code = make_credit_code(1)
        wrong = "0" if code[-1] != "0" else "1"

        errors = refusal(register, credit_code=code[:17] + wrong)

        assert errors == {"credit_code": ["统一社会信用代码校验位不正确，请核对后重新输入。"]}
        assert nothing_was_created()

    def test_invalid_phone_is_refused(self):
        errors = refusal(register, contact_phone="12345")

        assert list(errors) == ["contact_phone"]
        assert nothing_was_created()

    def test_weak_password_is_refused_by_the_password_validators(self):
        errors = refusal(register, password="12345678")

        assert list(errors) == ["password"]
        assert nothing_was_created()

    def test_password_like_the_username_is_refused(self):
        errors = refusal(register, username="jinggong2023", password="jinggong2023")

        assert list(errors) == ["password"]
        assert nothing_was_created()

    def test_credit_code_registered_by_a_concurrent_request_gets_the_same_message(self):
        # Both requests pass the existence check before either inserts; the unique index decides.
        EnterpriseFactory(credit_code=make_credit_code(1))

        with mock.patch("django.db.models.QuerySet.exists", return_value=False):
            errors = refusal(register)

        assert errors == {
            "credit_code": ["该统一社会信用代码无法注册。如本企业已有账号，请登录或找回密码。"]
        }
        assert Enterprise.objects.count() == 1
        assert not User.objects.exists()

    def test_username_taken_by_a_concurrent_request_leaves_no_enterprise(self):
        UserFactory(username="jinggong")

        with mock.patch("django.db.models.QuerySet.exists", return_value=False):
            errors = refusal(register)

        assert list(errors) == ["username"]
        assert not Enterprise.objects.exists()

    def test_nothing_is_kept_when_the_role_group_is_missing(self):
        Group.objects.filter(name=roles.ENTERPRISE).delete()

        with pytest.raises(Group.DoesNotExist):
            register()

        assert nothing_was_created()


class TestEnterpriseUpdateProfile:
    def test_saves_the_editable_fields(self):
        user = EnterpriseUserFactory()

        enterprise = enterprise_update_profile(
            enterprise=user.enterprise,
            by=user,
            data={
                "contact_name": "王五",
                "contact_phone": "023-63890000",
                "industry": Enterprise.Industry.ELECTRONICS,
                "scale": Enterprise.Scale.LARGE,
                "bank_name": "重庆农村商业银行",
                "bank_account": "12345678901234",
            },
        )

        stored = Enterprise.objects.get(pk=user.enterprise.pk)
        assert stored == enterprise
        assert stored.contact_name == "王五"
        assert stored.contact_phone == "023-63890000"
        assert stored.industry == Enterprise.Industry.ELECTRONICS
        assert stored.scale == Enterprise.Scale.LARGE
        assert stored.bank_name == "重庆农村商业银行"
        assert stored.bank_account == "12345678901234"

    def test_leaves_fields_not_given_alone(self):
        user = EnterpriseUserFactory()

        enterprise_update_profile(
            enterprise=user.enterprise, by=user, data={"contact_name": "王五"}
        )

        stored = Enterprise.objects.get(pk=user.enterprise.pk)
        assert stored.contact_name == "王五"
        assert stored.contact_phone == "13800138000"

    @pytest.mark.parametrize("field", ["name", "credit_code"])
    def test_name_and_credit_code_cannot_be_changed(self, field):
        user = EnterpriseUserFactory()
        before = Enterprise.objects.get(pk=user.enterprise.pk)

        with pytest.raises(ValueError, match=field):
            enterprise_update_profile(
                enterprise=user.enterprise,
                by=user,
                data={"contact_name": "王五", field: make_credit_code(99)},
            )

        after = Enterprise.objects.get(pk=user.enterprise.pk)
        assert (after.name, after.credit_code, after.contact_name) == (
            before.name,
            before.credit_code,
            before.contact_name,
        )

    def test_user_of_another_enterprise_is_refused(self):
        user = EnterpriseUserFactory()
        other = EnterpriseFactory()

        with pytest.raises(PermissionDenied):
            enterprise_update_profile(enterprise=other, by=user, data={"contact_name": "王五"})

        assert Enterprise.objects.get(pk=other.pk).contact_name == "张三"

    def test_user_without_enterprise_is_refused(self):
        official = UserFactory(roles=[roles.DISTRICT_REVIEWER], is_staff=True)
        enterprise = EnterpriseFactory()

        with pytest.raises(PermissionDenied):
            enterprise_update_profile(enterprise=enterprise, by=official, data={"scale": "large"})

    def test_invalid_values_are_refused_and_nothing_is_saved(self):
        user = EnterpriseUserFactory()

        errors = refusal(
            enterprise_update_profile,
            enterprise=user.enterprise,
            by=user,
            data={"contact_name": "王五", "contact_phone": "call me", "scale": "huge"},
        )

        assert set(errors) == {"contact_phone", "scale"}
        assert Enterprise.objects.get(pk=user.enterprise.pk).contact_name == "张三"


class TestUserUpdateEmail:
    def test_saves_the_new_email(self):
        user = EnterpriseUserFactory()

        user_update_email(user=user, email="new@Example.COM")

        assert User.objects.get(pk=user.pk).email == "new@example.com"

    @pytest.mark.parametrize("email", ["", "   ", "not-an-email"])
    def test_empty_or_malformed_email_is_refused(self, email):
        user = EnterpriseUserFactory()
        before = user.email

        errors = refusal(user_update_email, user=user, email=email)

        assert list(errors) == ["email"]
        assert User.objects.get(pk=user.pk).email == before
