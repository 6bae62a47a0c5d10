import pytest

from enterprises.districts import District
from measures.models import Division
from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def enterprise_user(policy):
    return EnterpriseUserFactory(enterprise=EnterpriseFactory(district=District.YUBEI))


@pytest.fixture
def other_enterprise_user(policy):
    return EnterpriseUserFactory(enterprise=EnterpriseFactory(district=District.JIANGBEI))


@pytest.fixture
def district_reviewer(policy):
    return UserFactory(district=District.YUBEI, is_staff=True, roles=["district_reviewer"])


@pytest.fixture
def other_district_reviewer(policy):
    return UserFactory(district=District.JIANGBEI, is_staff=True, roles=["district_reviewer"])


@pytest.fixture
def municipal_reviewer(policy):
    user = UserFactory(is_staff=True, roles=["municipal_reviewer"])
    user.divisions.add(
        Division.objects.get(code="economic-operation"), Division.objects.get(code="electronics")
    )
    return user


@pytest.fixture
def other_municipal_reviewer(policy):
    user = UserFactory(is_staff=True, roles=["municipal_reviewer"])
    user.divisions.add(Division.objects.get(code="automotive"))
    return user


@pytest.fixture
def finance_user(policy):
    return UserFactory(is_staff=True, roles=["finance"])
