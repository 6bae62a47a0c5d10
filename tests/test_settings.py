import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from policy_portal.celery import app as celery_app

# Production refuses to start without the keys of the personal data encrypted at rest.
FIELD_KEYS = {
    "FIELD_ENCRYPTION_KEYS": "k1:" + "A" * 43 + "=",
    "FIELD_HASH_KEY": "h1:" + "B" * 43 + "=",
}


def _run(*args: str, env: dict, check: bool = False):
    """Python in a fresh process in the project's folder, with ``env`` as its environment: the
    settings are read at start-up, so only a new process sees them as a deployment would."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=check,
    )


def test_site_speaks_chinese_first_in_shanghai_time():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def test_database_is_the_one_the_environment_names():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_redis_is_the_broker_and_a_working_cache_when_configured():
    assert celery_app.conf.broker_url == os.environ["REDIS_URL"]
    cache.set("policy-portal-test", "ok", 5)
    assert cache.get("policy-portal-test") == "ok"
    # One redis-py client per connection pool, not one per call (policy_portal/cache.py).
    assert cache._cache.get_client() is cache._cache.get_client()
    assert cache._cache.get_client(write=True) is cache._cache.get_client()


@pytest.mark.skipif(
    bool(os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL")),
    reason="a broker is configured",
)
def test_without_settings_the_broker_needs_no_server():
    assert celery_app.conf.broker_url.startswith("filesystem://")


def test_email_url_names_the_smtp_server_in_production(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_USER)"
    )
    environment = {
        **os.environ,
        **FIELD_KEYS,
        "DJANGO_SETTINGS_MODULE": "policy_portal.settings.production",
        "SECRET_KEY": "for-the-test",
        "EMAIL_URL": "smtp+tls://noreply%40example.cn:secret@smtp.example.cn:587",
    }

    output = _run("-c", script, env=environment, check=True).stdout.split()

    assert output == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.cn",
        "587",
        "True",
        "noreply@example.cn",
    ]


def test_production_settings_pass_the_deployment_check_without_a_warning():
    import secrets

    environment = {
        **os.environ,
        **FIELD_KEYS,
        "DJANGO_SETTINGS_MODULE": "policy_portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "EMAIL_URL": "smtp+tls://noreply:secret@smtp.example.cn:587",
    }

    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=environment)

    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_somewhere_to_send_mail():
    environment = {
        key: value for key, value in os.environ.items() if key not in {"EMAIL_URL", "EMAIL_BACKEND"}
    }
    environment.update(
        {"DJANGO_SETTINGS_MODULE": "policy_portal.settings.production", "SECRET_KEY": "k" * 50}
    )

    result = _run("-c", "import django; django.setup()", env=environment)

    assert result.returncode != 0 and "EMAIL_URL" in result.stderr


def _production_without(*names: str, **settings: str) -> dict:
    environment = {key: value for key, value in os.environ.items() if key not in FIELD_KEYS}
    environment.update(
        {
            **FIELD_KEYS,
            "DJANGO_SETTINGS_MODULE": "policy_portal.settings.production",
            "SECRET_KEY": "k" * 50,
            "EMAIL_URL": "smtp://localhost:25",
            **settings,
        }
    )
    for name in names:
        environment.pop(name)
    return environment


def test_production_refuses_to_start_without_the_keys_of_the_personal_data():
    for name in FIELD_KEYS:
        result = _run("-c", "import django; django.setup()", env=_production_without(name))

        assert result.returncode != 0 and name in result.stderr


def test_production_refuses_a_malformed_key():
    environment = _production_without(FIELD_ENCRYPTION_KEYS="k1:" + "A" * 20)

    result = _run("-c", "import django; django.setup()", env=environment)

    assert result.returncode != 0 and "32 bytes" in result.stderr


def test_every_deployment_keeps_its_database_connections_and_checks_them():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CONN_MAX_AGE", "CONN_HEALTH_CHECKS"}
    }
    environment.update(
        {
            **FIELD_KEYS,
            "DJANGO_SETTINGS_MODULE": "policy_portal.settings.production",
            "SECRET_KEY": "k" * 50,
            "EMAIL_URL": "smtp://localhost:25",
        }
    )

    output = _run("-c", script, env=environment, check=True).stdout.split()

    assert int(output[0]) >= 60 and output[1] == "True"


def test_make_run_shows_the_sites_chinese_error_pages_with_its_static_files(tmp_path):
    """`make run` uses the local settings: Django's English debug pages only when asked for
    with DEBUG=true, and the static files served all the same."""
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "from django.test import Client; "
        "c = Client(HTTP_HOST='127.0.0.1'); missing = c.get('/no/such/page/'); "
        "css = c.get('/static/css/site.css'); "
        "print(s.DEBUG, missing.status_code, '页面不存在' in missing.content.decode(), "
        "css.status_code)"
    )
    environment = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    environment["DJANGO_SETTINGS_MODULE"] = "policy_portal.settings.local"
    result = _run("-c", script, env=environment)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "404", "True", "200"]
