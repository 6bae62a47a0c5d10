"""The bank's CSV with the accounts encrypted at rest: COPY passes the stored account on and
Python decrypts it as the rows stream, giving the bytes the csv module gives."""

import pytest
from django.db import connection

from disbursements.exports import _copied_rows, csv_bytes, csv_rows_sql
from tests.disbursements.factories import approved_applications, frozen_batch

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")


def test_copy_never_sees_an_account_in_clear(finance_user):
    batch = frozen_batch(
        approved_applications(2, bank_account="6228480000000000005"), by=finance_user
    )

    copied = b"".join(_copied_rows(csv_rows_sql(batch))).decode().splitlines()

    assert len(copied) == 2
    assert all(line.rpartition(",")[2].startswith("v1:") for line in copied)
    assert all("6228480000000000005" not in line for line in copied)


def test_an_account_the_validators_would_refuse_still_reads_the_same_both_ways(finance_user):
    # Written past the validators: whatever a line holds, both paths write it alike.
    applications = [
        *approved_applications(1, bank_account='=1+1,"x"'),
        *approved_applications(1, bank_account="6228 4800\n0005"),
        *approved_applications(1, bank_account="0310012345678901"),
    ]
    batch = frozen_batch(applications, by=finance_user)

    copied = b"".join(csv_bytes(batch, use_copy=True))

    assert copied == b"".join(csv_bytes(batch, use_copy=False))
    assert b'\'=1+1,""x"""' in copied and b"6228 4800 0005" in copied


def test_rows_split_across_copys_blocks_are_put_together(finance_user, monkeypatch):
    from disbursements import exports

    batch = frozen_batch(approved_applications(3), by=finance_user)
    whole = b"".join(csv_bytes(batch, use_copy=True))
    original = exports._copied_rows

    def in_small_pieces(rows):
        data = b"".join(original(rows))
        for at in range(0, len(data), 7):
            yield data[at : at + 7]

    monkeypatch.setattr(exports, "_copied_rows", in_small_pieces)

    assert b"".join(csv_bytes(batch, use_copy=True)) == whole
