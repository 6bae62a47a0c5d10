import pytest
from django.db import connection

from enterprises.districts import District
from measures.models import Division, Measure
from measures.services import calendar_seed, policy_load
from security.audit.chain import head, seal, verify
from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Behind PgBouncer (`.ci/run`), the test databases are created and dropped on a direct
    connection to PostgreSQL (DATABASE_DIRECT_URL) while the tests connect through the pooler;
    and dropped even while the pooler still holds server connections to them
    (tests/pooling.py)."""
    from tests.pooling import test_databases_made_directly

    with test_databases_made_directly():
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The notice's data is loaded once into the test database; each test's transaction rolls
    # back to it. Transactional tests flush the database and load it again through `policy`.
    with django_db_blocker.unblock():
        policy_load()
        # Its audit records sealed once, for every test to build on (audit_chain_holds).
        seal()


DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


@pytest.fixture(autouse=True)
def audit_chain_holds(request):
    """On PostgreSQL, whatever a test writes is sealed into the audit trail's chain when it
    ends, and the chain from where it stood must verify: the whole suite's writes prove it.
    A test that breaks the chain on purpose says so (``audit_tampered``)."""
    uses_db = request.node.get_closest_marker("django_db") or DB_FIXTURES & set(
        request.fixturenames
    )
    if (
        not uses_db
        or connection.vendor != "postgresql"
        or request.node.get_closest_marker("audit_tampered")
    ):
        yield
        return
    # Set up before this fixture, so torn down after it: the test's writes are still there.
    request.getfixturevalue("_django_db_helper")
    start = head()
    yield
    if connection.needs_rollback:
        # The test ended inside a failed transaction (it checks a refusal of the database):
        # nothing more can be read until it is rolled back, and nothing it wrote will stay.
        return
    seal()
    result = verify(after=start)
    assert result.ok, f"the audit trail's chain breaks: {result.broken}"


@pytest.fixture(scope="session", autouse=True)
def static_files_found_once():
    """Each test client loads the middleware, WhiteNoise's with it, which lists every static
    file the finders know (WHITENOISE_USE_FINDERS): the list is made once for each set of the
    settings it depends on and shared, as the files do not change while the tests run."""
    from django.conf import settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    found = {}
    find = WhiteNoiseMiddleware.add_files_from_finders

    def add_files_from_finders(self):
        key = repr(
            [
                getattr(settings, name, None)
                for name in sorted(dir(settings))
                if name.startswith(("STATIC", "WHITENOISE_", "INSTALLED_APPS", "DEBUG"))
            ]
        )
        if key not in found:
            before = dict(self.files)
            find(self)
            found[key] = {
                url: file for url, file in self.files.items() if before.get(url) is not file
            }
        self.files.update(found[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhiteNoiseMiddleware, "add_files_from_finders", add_files_from_finders)
        yield


@pytest.fixture(autouse=True)
def officials_signed_in_with_second_factor(monkeypatch):
    """The test client's ``force_login`` and ``login`` sign an official in as the login form and
    the code page together do: with a confirmed authenticator (made if the official has none)
    and a session that gave its code; so does an enterprise that enrolled. The form itself
    still asks for the code (tests/security/test_second_factor.py)."""
    from django.test import Client

    signed_in = Client._login

    def _login(self, user, backend=None):
        signed_in(self, user, backend)
        second_factor_given(self, user)

    monkeypatch.setattr(Client, "_login", _login)


def second_factor_given(client, user) -> None:
    """The session of ``client``, signed in as ``user``, as the code page leaves it: with the
    confirmed authenticator of an official (made if there is none) or of an enterprise that
    enrolled."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from security.second_factor import app_device, needs_second_factor

    device = app_device(user)
    if device is None and needs_second_factor(user):
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture
def policy(db):
    """The notice's 23 measures, loaded from the repository's data file."""
    if not Measure.objects.exists():
        policy_load()


@pytest.fixture
def track(policy):
    """Look up a track: track(2) for a single-track measure, track(10, "ic-design") otherwise."""
    from measures.models import Track

    def get(measure_number: int, code: str | None = None) -> Track:
        tracks = Track.objects.filter(measure__number=measure_number)
        return tracks.get(code=code) if code else tracks.get()

    return get


@pytest.fixture
def committed_data(transactional_db):
    """For tests that commit (threads, a live server): the flush that ends each such test
    empties every table, so the roles and the notice are created again before it."""
    from django.contrib.auth.models import Group, Permission

    from policy_portal.roles import create_role_groups

    create_role_groups(Group, Permission)
    if not Measure.objects.exists():
        policy_load()
    calendar_seed()


# ── people in each role ─────────────────────────────────────────────────────────────────────


@pytest.fixture(autouse=True)
def policy_version_read_afresh():
    """Each test reads the policy version from its own database: a token cached by an earlier
    test may name data that its rollback undid (the cache outlives the test's transaction)."""
    from measures.cache import forget_policy_version

    forget_policy_version()


@pytest.fixture(autouse=True)
def calendar_read_afresh():
    """Each test reads the holiday schedule from its own database: the years a process keeps
    may hold an earlier test's rolled-back entries."""
    from measures.workdays import drop_local_calendar

    drop_local_calendar()


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
