import pytest

from tests.enterprises.factories import UserFactory


@pytest.fixture
def administrator(policy):
    return UserFactory(is_staff=True, roles=["administrator"])
