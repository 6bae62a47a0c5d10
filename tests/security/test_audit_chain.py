"""The audit trail is one chain: each record's hash covers its content and the hash before it.
``verify_audit`` recomputes it and names the first record that does not follow; nobody changes
or deletes a record, and appends from concurrent transactions still make one chain."""

import csv
import io
import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from applications import services
from disbursements import services as disbursement_services
from policy_portal.signals import security_event
from security.audit.chain import ALGORITHM, seal, verify
from security.models import AuditRecord
from tests.applications.factories import draft
from tests.disbursements.factories import finance
from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory
from tests.libreoffice import cells_as_shown, needs_libreoffice
from tests.publicity.factories import closed_publicity

from .audit import ON_POSTGRESQL, in_request

on_postgresql = pytest.mark.skipif(not ON_POSTGRESQL, reason="the guard and the tampering are SQL")
tampered = pytest.mark.audit_tampered


def _a_working_day(district_reviewer, municipal_reviewer):
    """Submit, review, approve, publicise, batch, freeze, pay: what the site writes in a day."""
    enterprise_user = EnterpriseUserFactory()
    application = draft(user=enterprise_user)
    in_request(
        enterprise_user,
        lambda: services.application_submit(application=application, by=enterprise_user),
    )
    application = in_request(
        district_reviewer,
        lambda: services.application_district_approve(
            application=application, by=district_reviewer, amount=Decimal("2000000")
        ),
    )
    application = in_request(
        municipal_reviewer,
        lambda: services.application_municipal_approve(
            application=application, by=municipal_reviewer, amount=Decimal("1900000")
        ),
    )
    closed_publicity([application])
    preparer, confirmer = finance(), finance()

    def prepare():
        batch = disbursement_services.batch_create(by=preparer)
        disbursement_services.batch_add_applications(
            batch=batch,
            applications=type(application).objects.filter(pk=application.pk),
            by=preparer,
        )
        return disbursement_services.batch_freeze(batch=batch, by=preparer)

    batch = in_request(preparer, prepare)
    in_request(
        confirmer,
        lambda: disbursement_services.batch_mark_paid(
            batch=batch, by=confirmer, payment_date=timezone.localdate(), bank_reference="B-7"
        ),
    )
    security_event.send(sender=__name__, kind="export", user=preparer, request=None, target=batch)
    return application


def _verify_audit(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def sealed_day(db, district_reviewer, municipal_reviewer):
    _a_working_day(district_reviewer, municipal_reviewer)
    seal()
    return list(AuditRecord.objects.order_by("seq"))


def test_a_working_day_seals_into_a_chain_that_verifies(sealed_day):
    assert len(sealed_day) > 20
    assert [r.seq for r in sealed_day] == list(range(1, len(sealed_day) + 1))
    assert all(r.algorithm == ALGORITHM and len(r.hash) == 64 for r in sealed_day)
    assert all(b.prev_hash == a.hash for a, b in zip(sealed_day, sealed_day[1:], strict=False))
    assert verify().ok

    status, out = _verify_audit()

    assert status == 0, out
    assert f"{len(sealed_day)}" in out and sealed_day[-1].hash in out


def test_the_digest_is_sm3_where_openssl_has_it():
    from cryptography.hazmat.backends.openssl import backend
    from cryptography.hazmat.primitives import hashes

    assert ("sm3" if backend.hash_supported(hashes.SM3()) else "sha256") == ALGORITHM


def test_records_written_after_a_seal_continue_the_chain(sealed_day):
    security_event.send(sender=__name__, kind="logout", user=None, request=None, target=None)
    assert seal() == 1

    last = AuditRecord.objects.get(kind="logout")
    assert (last.seq, last.prev_hash) == (sealed_day[-1].seq + 1, sealed_day[-1].hash)
    assert verify().ok


def _tamper(sql, params):
    """What only someone past the site can do: write SQL with the triggers off."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = origin")


@on_postgresql
@tampered
def test_an_edited_record_is_named(sealed_day):
    victim = sealed_day[10]
    _tamper("UPDATE security_auditrecord SET address = %s WHERE id = %s", ["10.9.9.9", victim.pk])

    status, out = _verify_audit()

    assert status != 0
    assert f"#{victim.seq}" in out and "内容与摘要不符" in out


@on_postgresql
@tampered
def test_a_deleted_record_is_named_by_the_one_after_it(sealed_day):
    victim, after = sealed_day[5], sealed_day[6]
    _tamper("DELETE FROM security_auditrecord WHERE id = %s", [victim.pk])

    status, out = _verify_audit()

    assert status != 0
    assert f"#{after.seq}" in out and "缺失" in out


@on_postgresql
@tampered
def test_a_reordered_record_is_named(sealed_day):
    first, second = sealed_day[3], sealed_day[4]
    _tamper(
        "UPDATE security_auditrecord SET seq = -seq WHERE id IN (%s, %s)", [first.pk, second.pk]
    )
    _tamper("UPDATE security_auditrecord SET seq = %s WHERE id = %s", [second.seq, first.pk])
    _tamper("UPDATE security_auditrecord SET seq = %s WHERE id = %s", [first.seq, second.pk])

    status, out = _verify_audit()

    assert status != 0
    assert f"#{first.seq}" in out


@on_postgresql
@tampered
def test_records_cut_from_the_end_show_against_an_anchor(sealed_day):
    head = sealed_day[-1]
    _tamper("DELETE FROM security_auditrecord WHERE id = %s", [head.pk])

    assert _verify_audit()[0] == 0  # the chain alone cannot tell
    status, out = _verify_audit("--anchor", f"{head.seq}:{head.hash}")

    assert status != 0 and f"#{head.seq}" in out


@on_postgresql
def test_the_database_refuses_to_change_or_delete_a_sealed_record(sealed_day):
    record = sealed_day[0]
    for sql in (
        "UPDATE security_auditrecord SET address = '1.1.1.1' WHERE id = %s",
        "UPDATE security_auditrecord SET hash = 'x' WHERE id = %s",
        "DELETE FROM security_auditrecord WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [record.pk])


@on_postgresql
def test_an_unsealed_record_s_content_cannot_be_changed_either(db):
    security_event.send(sender=__name__, kind="logout", user=None, request=None, target=None)
    record = AuditRecord.objects.get(kind="logout")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE security_auditrecord SET kind = 'login' WHERE id = %s", [record.pk])


def test_the_orm_refuses_to_change_or_delete_records(sealed_day):
    record = sealed_day[0]
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        AuditRecord.objects.filter(pk=record.pk).update(address="1.1.1.1")
    with pytest.raises(PermissionError):
        AuditRecord.objects.filter(pk=record.pk).delete()
    record.address = "1.1.1.1"
    with pytest.raises(PermissionError):
        record.save()


def test_export_audit_writes_the_records_with_their_hashes(sealed_day, tmp_path):
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    out = io.StringIO()
    call_command("export_audit", "--since", since, "--format", "jsonl", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]

    assert [line["seq"] for line in lines] == [r.seq for r in sealed_day]
    assert lines[-1]["hash"] == sealed_day[-1].hash and lines[-1]["algorithm"] == ALGORITHM

    out = io.StringIO()
    call_command("export_audit", "--since", since, "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["hash"] for row in rows][: len(sealed_day)] == [r.hash for r in sealed_day]
    assert AuditRecord.objects.filter(kind="export", detail__what="audit").exists()


def test_export_audit_names_each_person_by_login_and_name(sealed_day, district_reviewer):
    """``actor`` keeps the login, where it always was; ``actor_name``, the last column, adds how
    the site names the person. Both are read at export, so the chain is not touched."""
    district_reviewer.first_name = "张敏"
    district_reviewer.save(update_fields=["first_name"])
    seal()
    since = (timezone.localdate() - timedelta(days=1)).isoformat()

    out = io.StringIO()
    call_command("export_audit", "--since", since, "--format", "csv", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue().removeprefix("\ufeff"))))
    header, rows = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert header[header.index("actor") :] == [
        "actor",
        "algorithm",
        "prev_hash",
        "hash",
        "sealed_at",
        "actor_name",
    ]
    reviewers = [row for row in rows if row["actor_id"] == str(district_reviewer.pk)]
    assert reviewers and all(
        row["actor"] == district_reviewer.username and row["actor_name"] == "张敏"
        for row in reviewers
    )
    # The system's records have no person; an official without a name is named by the login.
    assert all(row["actor"] == row["actor_name"] == "" for row in rows if not row["actor_id"])
    others = [row for row in rows if row["actor"] and row["actor_id"] != str(district_reviewer.pk)]
    assert others and all(row["actor_name"] == row["actor"] for row in others)

    out = io.StringIO()
    call_command("export_audit", "--since", since, "--format", "jsonl", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {
        (line["actor"], line["actor_name"])
        for line in lines
        if line["actor_id"] == district_reviewer.pk
    } == {(district_reviewer.username, "张敏")}
    assert _verify_audit()[0] == 0


def test_export_audit_cut_short_by_its_reader_is_still_recorded(sealed_day):
    """``export_audit … | head``: the reader closes the pipe; the command stops quietly and the
    export is on the trail, marked as cut short."""

    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError

    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    call_command("export_audit", "--since", since, stdout=ClosedPipe())

    export = AuditRecord.objects.filter(kind="export").latest("id")
    assert export.detail["cut_short"] is True and export.detail["records"] >= len(sealed_day)


def test_export_audit_refuses_a_date_it_cannot_read():
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("export_audit", "--since", "yesterday")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_appends_from_concurrent_transactions_make_one_chain(committed_data):
    """Two connections write and seal at the same time, each in its own transactions: every
    record gets one place, the chain has no gap and verifies."""
    administrator = UserFactory(is_staff=True, is_superuser=True)
    errors = []
    start = threading.Barrier(2)

    def work(index):
        try:
            start.wait()
            for round_ in range(15):
                with transaction.atomic():
                    in_request(
                        administrator,
                        lambda: EnterpriseFactory(name=f"并发企业{index}-{round_}"),
                    )
                    security_event.send(
                        sender=__name__,
                        kind="export",
                        user=administrator,
                        request=None,
                        target=None,
                    )
                seal(wait=round_ % 2 == 0)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seal()

    assert not errors, errors
    result = verify()
    assert result.ok and result.unsealed == 0
    assert result.checked == AuditRecord.objects.count()
    assert AuditRecord.objects.filter(kind="export").count() == 30


@needs_libreoffice
def test_the_audit_csv_opens_in_libreoffice_as_written(sealed_day, district_reviewer, tmp_path):
    """An auditor double-clicks the CSV: the Chinese reads as Chinese, people's names too, a
    name tried at the login that looks like a formula shows as text, and every hash is there
    whole."""
    district_reviewer.first_name = "张敏"
    district_reviewer.save(update_fields=["first_name"])
    security_event.send(
        sender=__name__,
        kind="login_failed",
        user=None,
        request=None,
        target=None,
        detail={"username": '=HYPERLINK("http://x","点我")'},
    )
    seal()
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    out = tmp_path / "audit.csv"
    call_command("export_audit", "--since", since, "--format", "csv", "--output", str(out))

    # LibreOffice's import dialog reads the byte-order mark and offers UTF-8; headless there
    # is no dialog, so the test gives what it offers: comma, double quote, UTF-8 (76).
    shown = cells_as_shown(
        out.read_bytes(), suffix=".csv", workdir=tmp_path, import_filter="CSV:44,34,76,1"
    )
    header, rows = shown[0], shown[1:]
    # Every record up to the export's own (recorded once the file is written).
    export = AuditRecord.objects.filter(kind="export").latest("id")
    records = list(AuditRecord.objects.exclude(pk=export.pk).order_by("seq"))
    assert header[0] == "seq" and len(rows) == len(records) > len(sealed_day)
    column = {name: index for index, name in enumerate(header)}
    assert [row[column["hash"]] for row in rows] == [r.hash for r in records]
    # The person by login where the column always was, and by name in the last one.
    assert header[-1] == "actor_name" and header[header.index("actor") + 1] == "algorithm"
    by_seq = {record.seq: record for record in records}
    named = [row for row in rows if row[column["actor"]]]
    assert named and all(
        row[column["actor_name"]] == by_seq[int(row[column["seq"]])].actor.display_name
        for row in named
    )
    assert any(row[column["actor_name"]] == "张敏" for row in named)
    failed = rows[-1]
    assert failed[column["kind"]] == "login_failed"
    assert "=HYPERLINK" in failed[column["detail"]] and "点我" in failed[column["detail"]]
    # The measures' text, as recorded when the notice was loaded, reads as written.
    assert any("落实领军" in cell for row in rows for cell in row) or any(
        "审核" in cell or "区县" in cell for row in rows for cell in row
    )
