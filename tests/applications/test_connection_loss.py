"""The database connection drops in the middle of a request: the transaction rolls back, the
user gets the error page, nothing is half-written, and the same request tried again succeeds.

The connection is ended from a second one with pg_terminate_backend, as a database restart or
a failover ends it; these run on PostgreSQL (CI always does). Behind PgBouncer (`.ci/run`) it is
the pooler's connection to the server that ends, and the same must hold.
"""

import time
from contextlib import contextmanager

import environ
import psycopg
import pytest
from django.conf import settings
from django.core import mail
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from applications.models import Application, OutboxEvent, State, TransitionLog
from enterprises.districts import District
from notifications.models import Notification
from reviews.models import Review
from tests.applications.factories import draft
from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ends a PostgreSQL backend; CI runs these there"
)


def _terminate(pid: int) -> None:
    """End backend ``pid`` from a connection of its own and wait until it is gone."""
    params = connection.get_connection_params()
    keys = ("dbname", "user", "password", "host", "port")
    server = {k: params[k] for k in keys if params.get(k)}
    if settings.DATABASE_DIRECT_URL:
        # Not through the pooler, which could hand this very server connection to the session
        # that ends it.
        direct = environ.Env.db_url_config(settings.DATABASE_DIRECT_URL)
        server.update(host=direct["HOST"], port=direct["PORT"])
    with psycopg.connect(**server, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(200):
            if other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                time.sleep(0.025)
            else:
                return
    raise AssertionError(f"backend {pid} is still there")


def server_pid(wrapper) -> int:
    """The PostgreSQL backend serving the connection ``wrapper`` now: asked of the server, as a
    pooler between them (PgBouncer, `.ci/run`) gives its clients process ids of its own."""
    return wrapper.connection.execute("SELECT pg_backend_pid()").fetchone()[0]


@contextmanager
def connection_dropped_after_first_update(table: str):
    """Ends the connection right after its first UPDATE of ``table``: the row is written, the
    transaction still open. Yields the ids of the backends ended."""
    ended = []

    def drop(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not ended and sql.startswith(f'UPDATE "{table}"'):
            ended.append(server_pid(context["connection"]))
            _terminate(ended[-1])
        return result

    with connection.execute_wrapper(drop):
        yield ended


def written(application) -> dict:
    """Everything a transition writes about ``application``."""
    return {
        "application": Application.objects.filter(pk=application.pk).values().get(),
        "log": list(TransitionLog.objects.filter(application=application).values_list("pk")),
        "outbox": list(
            OutboxEvent.objects.filter(log_entry__application=application).values_list("pk")
        ),
        "reviews": list(Review.objects.filter(application=application).values_list("pk")),
        "notifications": Notification.objects.count(),
        "mail": len(mail.outbox),
    }


@pytest.fixture
def people(committed_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    applicant = EnterpriseUserFactory(enterprise=EnterpriseFactory(district=District.YUBEI))
    reviewer = UserFactory(district=District.YUBEI, is_staff=True, roles=["district_reviewer"])
    return applicant, reviewer


def client_for(user) -> Client:
    # As a server does: the exception is answered with the error page, not raised here.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_a_submission_whose_connection_drops_writes_nothing_and_succeeds_when_tried_again(
    people,
):
    applicant, reviewer = people
    application = draft(user=applicant)
    client = client_for(applicant)
    url = reverse("applications:submit", args=[application.pk])
    before = written(application)

    with connection_dropped_after_first_update("applications_application") as ended:
        response = client.post(url)

    assert ended, "the connection was not dropped"
    assert response.status_code == 500
    assert "服务暂时出错" in response.content.decode()
    assert written(application) == before

    retry = client.post(url)

    assert retry.status_code == 302
    assert server_pid(connection) != ended[0]
    application.refresh_from_db()
    assert application.state == State.DISTRICT_REVIEW
    entry = TransitionLog.objects.get(application=application)
    assert entry.transition == "submit"
    assert OutboxEvent.objects.get(log_entry=entry).delivered_at is not None
    assert sorted(Notification.objects.values_list("recipient", flat=True)) == sorted(
        [applicant.pk, reviewer.pk]
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant.email, reviewer.email])


def test_a_review_decision_whose_connection_drops_writes_nothing_and_succeeds_when_tried_again(
    people,
):
    from applications import services

    applicant, reviewer = people
    application = services.application_submit(application=draft(user=applicant), by=applicant)
    client = client_for(reviewer)
    url = reverse(
        "admin:applications_application_decide", args=[application.pk, "district_approve"]
    )
    decision = {"amount": "1800000", "comment": "材料齐全，同意推荐", "comment_public": "on"}
    before = written(application)

    with connection_dropped_after_first_update("applications_application") as ended:
        response = client.post(url, decision)

    assert ended, "the connection was not dropped"
    assert response.status_code == 500
    assert written(application) == before

    retry = client.post(url, decision)

    assert retry.status_code == 302
    application.refresh_from_db()
    assert application.state == State.MUNICIPAL_REVIEW
    entry = TransitionLog.objects.get(application=application, transition="district_approve")
    assert Review.objects.get(application=application).log_entry == entry
    assert OutboxEvent.objects.get(log_entry=entry).delivered_at is not None
    assert Notification.objects.filter(recipient=applicant, log_entry=entry).count() == 1


def wsgi_get(path: str, client: Client) -> int:
    """A GET through Django's WSGI handler, as a server sends it: the request signals that
    look after the database connection fire, unlike with the test client."""
    cookies = "; ".join(f"{key}={morsel.value}" for key, morsel in client.cookies.items())
    environ = RequestFactory().get(path, HTTP_COOKIE=cookies).environ
    statuses = []
    response = WSGIHandler()(environ, lambda status, headers, *exc: statuses.append(status))
    try:
        b"".join(response)
    finally:
        response.close()
    return int(statuses[0].split()[0])


def test_a_persistent_connection_dropped_between_requests_is_replaced_before_the_next(
    people,
):
    applicant, _reviewer = people
    client = client_for(applicant)
    url = reverse("applications:home")
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.close()
    try:
        assert wsgi_get(url, client) == 200
        assert connection.connection is not None, "the connection was not kept"
        pid = server_pid(connection)

        _terminate(pid)

        assert wsgi_get(url, client) == 200
        assert server_pid(connection) != pid
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = saved
        connection.close()
