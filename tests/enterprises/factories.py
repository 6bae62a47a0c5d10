import random

import factory

from enterprises.districts import District
from enterprises.models import Enterprise, User
from enterprises.validators import CHARSET, credit_code_check_character


def make_credit_code(seed: int | None = None) -> str:
    rng = random.Random(seed)
    # 91 = enterprise registered with market regulation; 500000 = Chongqing.
    body = "91500000" + "".join(rng.choice(CHARSET) for _ in range(9))
    return body + credit_code_check_character(body)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"重庆测试制造有限公司{n}")
    credit_code = factory.Sequence(make_credit_code)
    district = District.YUBEI
    industry = Enterprise.Industry.EQUIPMENT
    scale = Enterprise.Scale.MEDIUM
    contact_name = "张三"
    contact_phone = "13800138000"
    bank_name = "中国工商银行重庆分行"
    bank_account = "6222020000000000001"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        _add_roles(self, create, extracted or [])


class EnterpriseUserFactory(UserFactory):
    enterprise = factory.SubFactory(EnterpriseFactory)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        _add_roles(self, create, ["enterprise"] if extracted is None else extracted)


def _add_roles(user: User, create: bool, roles: list[str]) -> None:
    from django.contrib.auth.models import Group

    if not create:
        return
    user.save()
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
