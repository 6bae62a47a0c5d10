"""An import and its roll-back are in the audit trail (GB/T 22239-2019 第三级 安全审计); a
preview leaves nothing there."""

import pytest

from departments.models import ImportBatch
from departments.rollback import batch_rollback
from tests.enterprises.factories import UserFactory
from tests.security.audit import ADDRESS, ON_POSTGRESQL, changes_of, in_request, mark

from .factories import code, csv_bytes, run, statistics_bureau

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not ON_POSTGRESQL, reason="the audit's triggers are PostgreSQL's"),
]


def test_an_import_and_its_rollback_are_recorded(policy):
    administrator = UserFactory(is_staff=True, roles=["administrator"])
    source = statistics_bureau()
    content = csv_bytes([[code(1), 2024, "100", "", ""]])
    since = mark()

    in_request(administrator, lambda: run(source, content, by=administrator, apply=False))
    assert not ImportBatch.objects.exists()
    batch = in_request(administrator, lambda: run(source, content, by=administrator).batch)
    in_request(administrator, lambda: batch_rollback(batch=batch, by=administrator))

    created, *_saved, rolled_back = changes_of(batch, since=since)
    assert created.action == "insert" and created.actor == administrator
    assert rolled_back.action == "update" and rolled_back.address == ADDRESS
    assert rolled_back.before["rolled_back_at"] is None and rolled_back.after["rolled_back_at"]
    assert "report" not in rolled_back.after
