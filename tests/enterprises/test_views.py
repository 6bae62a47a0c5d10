import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from enterprises.districts import District
from enterprises.models import Enterprise, User
from policy_portal import roles

from .factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory, make_credit_code

pytestmark = pytest.mark.django_db

REGISTER_URL = reverse("enterprises:register")
PROFILE_URL = reverse("enterprises:profile")
PASSWORD = "Chongqing-2023-subsidy"


def registration_data(**overrides) -> dict[str, str]:
    return {
        "name": "重庆渝北精工机械有限公司",
        "credit_code": make_credit_code(7),
        "district": District.YUBEI,
        "industry": Enterprise.Industry.EQUIPMENT,
        "scale": Enterprise.Scale.SMALL,
        "contact_name": "李四",
        "contact_phone": "13912345678",
        "bank_name": "",
        "bank_account": "",
        "first_name": "李四",
        "username": "jinggong",
        "email": "jinggong@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    } | overrides


def profile_data(**overrides) -> dict[str, str]:
    return {
        "contact_name": "王五",
        "contact_phone": "023-63890000",
        "industry": Enterprise.Industry.ELECTRONICS,
        "scale": Enterprise.Scale.LARGE,
        "district": District.JIANGBEI,
        "bank_name": "重庆农村商业银行",
        "bank_account": "12345678901234",
        "first_name": "王五",
        "email": "wangwu@example.com",
    } | overrides


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


class TestRegistration:
    def test_page_asks_for_the_enterprise_and_the_account(self, client):
        response = client.get(REGISTER_URL)

        assert response.status_code == 200
        content = response.content.decode()
        for name in ["name", "credit_code", "district", "contact_phone", "username", "password2"]:
            assert f'name="{name}"' in content
        assert "统一社会信用代码" in content
        assert 'name="viewport"' in content

    def test_registering_creates_enterprise_and_user_and_logs_in(self, client):
        response = client.post(
            REGISTER_URL, registration_data(credit_code=make_credit_code(7).lower())
        )

        assert response.status_code == 302
        assert response.url == PROFILE_URL
        enterprise = Enterprise.objects.get()
        assert enterprise.credit_code == make_credit_code(7)
        user = User.objects.get(username="jinggong")
        assert user.enterprise == enterprise
        assert user.groups.filter(name=roles.ENTERPRISE).exists()
        assert client.session["_auth_user_id"] == str(user.pk)

        page = client.get(PROFILE_URL)
        assert page.status_code == 200
        assert "注册成功" in page.content.decode()

    def test_registered_credit_code_is_refused_and_nothing_is_created(self, client):
        existing = EnterpriseFactory(credit_code=make_credit_code(7))

        response = client.post(
            REGISTER_URL,
            registration_data(credit_code=make_credit_code(7).lower(), username="intruder"),
        )

        assert response.status_code == 200
        assert (
            "该统一社会信用代码无法注册。如本企业已有账号，请登录或找回密码。"
            in response.content.decode()
        )
        assert Enterprise.objects.count() == 1
        assert not User.objects.exists()
        assert not existing.users.exists()
        assert "_auth_user_id" not in client.session

    def test_wrong_check_character_shows_the_checksum_message(self, client):
        code = make_credit_code(7)
        wrong = "0" if code[-1] != "0" else "1"

        response = client.post(REGISTER_URL, registration_data(credit_code=code[:17] + wrong))

        assert response.status_code == 200
        assert "统一社会信用代码校验位不正确，请核对后重新输入。" in response.content.decode()
        assert not Enterprise.objects.exists()
        assert not User.objects.exists()

    def test_invalid_phone_is_refused(self, client):
        response = client.post(REGISTER_URL, registration_data(contact_phone="6389000"))

        assert response.status_code == 200
        assert response.context["enterprise_form"].errors["contact_phone"] == [
            "请输入11位手机号或带区号的固定电话，例如 023-63890000。"
        ]
        assert not Enterprise.objects.exists()

    def test_mismatched_passwords_are_refused(self, client):
        response = client.post(REGISTER_URL, registration_data(password2=PASSWORD + "x"))

        assert response.status_code == 200
        assert "password2" in response.context["account_form"].errors
        assert not Enterprise.objects.exists()

    def test_common_password_is_refused_by_django_validators(self, client):
        response = client.post(
            REGISTER_URL, registration_data(password1="password123", password2="password123")
        )

        assert response.status_code == 200
        assert "password2" in response.context["account_form"].errors
        assert not Enterprise.objects.exists()

    def test_bank_name_without_account_is_refused(self, client):
        response = client.post(REGISTER_URL, registration_data(bank_name="重庆银行"))

        assert response.status_code == 200
        assert "bank_account" in response.context["enterprise_form"].errors
        assert not Enterprise.objects.exists()

    def test_errors_of_both_parts_are_shown_together(self, client):
        response = client.post(
            REGISTER_URL, registration_data(contact_phone="6389000", email="not-an-email")
        )

        assert "contact_phone" in response.context["enterprise_form"].errors
        assert "email" in response.context["account_form"].errors

    def test_required_fields_are_marked_and_the_mark_explained(self, client):
        page = client.get(REGISTER_URL).content.decode()

        required = set(re.findall(r'<label for="id_(\w+)" class="required">', page))
        assert required == {
            "name",
            "credit_code",
            "district",
            "industry",
            "scale",
            "contact_name",
            "contact_phone",
            "first_name",
            "username",
            "email",
            "password1",
            "password2",
        }
        assert '<label for="id_bank_name">' in page and '<label for="id_bank_account">' in page
        assert '<span class="required-mark">*</span> 为必填项' in page

    def test_drop_downs_open_on_please_choose(self, client):
        page = client.get(REGISTER_URL).content.decode()

        assert "---------" not in page
        for name in ("district", "industry", "scale"):
            select = re.search(rf'<select name="{name}".*?</select>', page, re.DOTALL).group(0)
            assert re.search(r'<option value="" selected>请选择</option>', select), name

    def test_after_an_error_what_was_typed_stays_but_the_passwords_are_asked_again(self, client):
        data = registration_data(contact_phone="6389000", bank_name="重庆银行")

        response = client.post(REGISTER_URL, data)

        page = response.content.decode()
        assert response.status_code == 200
        for name in ("name", "credit_code", "contact_name", "contact_phone", "bank_name"):
            assert f'value="{data[name]}"' in page, name
        assert f'value="{data["username"]}"' in page and f'value="{data["email"]}"' in page
        for name in ("district", "industry", "scale"):
            select = re.search(rf'<select name="{name}".*?</select>', page, re.DOTALL).group(0)
            assert f'<option value="{data[name]}" selected>' in select, name
        assert PASSWORD not in page
        assert not re.search(r'<input type="password"[^>]*value=', page)
        assert "请重新输入密码和确认密码" in page

    def test_no_word_about_passwords_unless_some_were_typed_and_refused(self, client):
        assert "请重新输入密码" not in client.get(REGISTER_URL).content.decode()
        without = client.post(
            REGISTER_URL, registration_data(contact_phone="6389000", password1="", password2="")
        )
        assert "请重新输入密码" not in without.content.decode()
        assert client.post(REGISTER_URL, registration_data()).status_code == 302

    def test_signed_in_user_is_sent_to_the_profile(self, client):
        client.force_login(EnterpriseUserFactory())

        response = client.get(REGISTER_URL)

        assert response.status_code == 302
        assert response.url == PROFILE_URL


class TestProfile:
    def test_anonymous_visitor_is_redirected_to_login(self, client):
        response = client.get(PROFILE_URL)

        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={PROFILE_URL}"

    def test_anonymous_post_changes_nothing(self, client):
        enterprise = EnterpriseFactory()

        response = client.post(PROFILE_URL, profile_data())

        assert response.status_code == 302
        assert Enterprise.objects.get(pk=enterprise.pk).contact_name == "张三"

    def test_shows_only_the_users_own_enterprise(self, client):
        user = EnterpriseUserFactory(enterprise__name="重庆自己的公司")
        other = EnterpriseFactory(name="重庆别人的公司")
        client.force_login(user)

        response = client.get(PROFILE_URL)

        content = response.content.decode()
        assert response.status_code == 200
        assert "重庆自己的公司" in content
        assert user.enterprise.credit_code in content
        assert "重庆别人的公司" not in content
        assert other.credit_code not in content

    def test_profile_marks_required_fields_and_opens_no_drop_down_on_dashes(self, client):
        client.force_login(EnterpriseUserFactory())

        page = client.get(PROFILE_URL).content.decode()

        assert '<label for="id_contact_phone" class="required">' in page
        assert '<label for="id_bank_account">' in page
        assert "---------" not in page and "为必填项" in page

    def test_name_and_credit_code_are_shown_but_not_editable(self, client):
        user = EnterpriseUserFactory()
        client.force_login(user)

        response = client.get(PROFILE_URL)

        assert set(response.context["profile_form"].fields).isdisjoint(
            {"name", "credit_code", "district"}
        )
        content = response.content.decode()
        assert 'name="credit_code"' not in content
        assert 'name="name"' not in content

    def test_editing_saves_the_enterprise_and_the_email(self, client):
        user = EnterpriseUserFactory()
        client.force_login(user)

        response = client.post(PROFILE_URL, profile_data())

        assert response.status_code == 302
        assert response.url == PROFILE_URL
        assert messages_of(response) == ["企业信息已保存。"]
        enterprise = Enterprise.objects.get(pk=user.enterprise.pk)
        assert enterprise.contact_name == "王五"
        assert enterprise.contact_phone == "023-63890000"
        assert enterprise.industry == Enterprise.Industry.ELECTRONICS
        assert enterprise.scale == Enterprise.Scale.LARGE
        assert enterprise.district == user.enterprise.district  # only an administrator moves it
        assert enterprise.bank_name == "重庆农村商业银行"
        assert enterprise.bank_account == "12345678901234"
        assert User.objects.get(pk=user.pk).email == "wangwu@example.com"

    def test_credit_code_and_name_cannot_be_changed_through_a_post(self, client):
        user = EnterpriseUserFactory()
        before = Enterprise.objects.get(pk=user.enterprise.pk)
        client.force_login(user)

        response = client.post(
            PROFILE_URL, profile_data(credit_code=make_credit_code(99), name="改名公司")
        )

        assert response.status_code == 302
        after = Enterprise.objects.get(pk=user.enterprise.pk)
        assert after.credit_code == before.credit_code
        assert after.name == before.name
        assert after.contact_name == "王五"

    def test_post_cannot_reach_another_enterprise(self, client):
        user = EnterpriseUserFactory()
        other = EnterpriseFactory()
        client.force_login(user)

        client.post(f"{PROFILE_URL}?enterprise={other.pk}", profile_data(id=other.pk, pk=other.pk))

        assert Enterprise.objects.get(pk=other.pk).contact_name == "张三"
        assert Enterprise.objects.get(pk=user.enterprise.pk).contact_name == "王五"

    def test_invalid_input_is_shown_and_nothing_is_saved(self, client):
        user = EnterpriseUserFactory()
        client.force_login(user)

        response = client.post(PROFILE_URL, profile_data(contact_phone="x", email="wangwu"))

        assert response.status_code == 200
        assert "contact_phone" in response.context["profile_form"].errors
        assert "email" in response.context["email_form"].errors
        assert Enterprise.objects.get(pk=user.enterprise.pk).contact_name == "张三"
        assert User.objects.get(pk=user.pk).email == user.email

    def test_user_without_enterprise_is_redirected_with_a_message(self, client):
        client.force_login(UserFactory())

        response = client.get(PROFILE_URL)

        assert response.status_code == 302
        assert response.url == reverse("measures:catalogue")
        assert messages_of(response) == ["当前账号未关联企业，没有企业信息可以查看。"]

    def test_official_without_enterprise_is_sent_to_the_admin(self, client):
        client.force_login(UserFactory(is_staff=True, roles=[roles.DISTRICT_REVIEWER]))

        response = client.get(PROFILE_URL)

        assert response.status_code == 302
        assert response.url == reverse("admin:index")


class TestLogin:
    def test_login_page_links_to_registration_and_password_reset(self, client):
        response = client.get(reverse("login"))

        content = response.content.decode()
        assert response.status_code == 200
        assert f'href="{REGISTER_URL}"' in content
        assert f'href="{reverse("password_reset")}"' in content

    def test_enterprise_user_lands_on_their_applications_after_login(self, client):
        user = EnterpriseUserFactory()

        response = client.post(
            reverse("login"), {"username": user.username, "password": "correct-horse-battery"}
        )

        assert response.status_code == 302
        assert response.url == reverse("applications:home")


class TestPasswordReset:
    def test_sends_an_email_with_a_chinese_subject_and_a_working_link(self, client):
        user = EnterpriseUserFactory(email="reset@example.com")

        response = client.post(reverse("password_reset"), {"email": "reset@example.com"})

        assert response.status_code == 302
        assert response.url == reverse("password_reset_done")
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["reset@example.com"]
        assert message.subject == "【政策申报平台】重置密码"
        assert user.username in message.body

        link = re.search(r"https?://testserver(/accounts/reset/\S+)", message.body).group(1)
        form_page = client.get(link, follow=True)
        assert form_page.status_code == 200
        assert form_page.context["validlink"]
        done = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "Another-2024-password", "new_password2": "Another-2024-password"},
        )
        assert done.status_code == 302
        assert User.objects.get(pk=user.pk).check_password("Another-2024-password")

    def test_unknown_email_sends_nothing_but_looks_the_same(self, client):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

        assert response.status_code == 302
        assert mail.outbox == []

    @pytest.mark.parametrize(
        "url_name",
        ["password_reset", "password_reset_done", "password_reset_complete"],
    )
    def test_password_reset_pages_are_in_chinese(self, client, url_name):
        response = client.get(reverse(url_name))

        assert response.status_code == 200
        assert "密码" in response.content.decode()
        assert response.templates[0].name.startswith("registration/")
        assert "base.html" in [template.name for template in response.templates]

    def test_invalid_reset_link_says_so(self, client):
        response = client.get(
            reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "bad-token"})
        )

        assert response.status_code == 200
        assert not response.context["validlink"]
        assert "重置链接无效" in response.content.decode()


def test_names_cannot_hide_or_reorder_text_with_direction_controls(client):
    spoofed = "重庆\u202e司公限有\u202c科技有限公司"

    response = client.post(
        REGISTER_URL,
        registration_data(name=spoofed, credit_code=make_credit_code(8)),
    )

    assert response.status_code == 200
    assert "改变文字方向" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_registration_never_confirms_who_is_registered(client):
    from tests.enterprises.factories import EnterpriseUserFactory

    taken = EnterpriseUserFactory(username="taken-name")

    by_code = client.post(
        REGISTER_URL,
        registration_data(credit_code=taken.enterprise.credit_code, username="someone-new"),
    ).content.decode()
    by_name = client.post(
        REGISTER_URL, registration_data(credit_code=make_credit_code(9), username="TAKEN-name")
    ).content.decode()

    assert "已注册" not in by_code and "无法注册" in by_code
    assert "已存在" not in by_name and "不可用" in by_name
