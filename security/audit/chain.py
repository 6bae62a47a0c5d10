"""The chain over the audit trail: each sealed record's hash covers its content and the hash
of the record before it, so that editing, removing or reordering any record breaks every
link from there on.

Records are written unsealed, by whatever transaction made the change, concurrently and
without waiting for each other. ``seal`` then gives the committed unsealed records their places
one after the other (``seq``), under a lock only sealers take: so the chain has one order
however many transactions append at once, and appending costs a writer nothing but the insert.
It runs when a request that may have written ends, on commit of a transaction that recorded
an event, and from beat every minute (``security.audit.tasks``).

The digest is SM3 (GB/T 32905-2016) where the OpenSSL under ``cryptography`` offers it, else
SHA-256; each record names the one it was sealed with.
"""

import json
from dataclasses import dataclass
from datetime import UTC

from cryptography.hazmat.backends.openssl import backend
from cryptography.hazmat.primitives import hashes
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .guard import CONTENT_COLUMNS

ALGORITHMS = {"sm3": hashes.SM3, "sha256": hashes.SHA256}
ALGORITHM = "sm3" if backend.hash_supported(hashes.SM3()) else "sha256"
# The key of PostgreSQL's advisory lock the sealers take (any number no other lock uses).
SEAL_LOCK = 0x5A_0D_17
SEAL_BATCH = 2000


def canonical(record) -> bytes:
    """The record's content and its place in the chain, as the bytes its hash covers: JSON with
    sorted keys, times in UTC to the microsecond."""
    content = {column: getattr(record, column) for column in CONTENT_COLUMNS}
    content["created_at"] = record.created_at.astimezone(UTC).isoformat(timespec="microseconds")
    content |= {"seq": record.seq, "algorithm": record.algorithm, "prev_hash": record.prev_hash}
    return json.dumps(
        content, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()


def digest(record) -> str:
    hasher = hashes.Hash(ALGORITHMS[record.algorithm]())
    hasher.update(canonical(record))
    return hasher.finalize().hex()


def _lock(wait: bool) -> bool:
    """Take the sealers' lock until the transaction ends. On SQLite the transaction itself
    holds the database's one write lock (settings: BEGIN IMMEDIATE)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s), TRUE"
            if wait
            else "SELECT pg_try_advisory_xact_lock(%s)",
            [SEAL_LOCK],
        )
        return cursor.fetchone()[-1]


def seal(*, wait: bool = True) -> int:
    """Seal every committed record not yet in the chain, oldest first; return how many. With
    ``wait=False`` it returns 0 at once while another sealer is at work (it seals them)."""
    from .records import AuditRecord

    sealed = 0
    while True:
        with transaction.atomic():
            if not _lock(wait):
                return sealed
            pending = list(
                AuditRecord._base_manager.filter(seq__isnull=True).order_by("id")[:SEAL_BATCH]
            )
            if not pending:
                return sealed
            seq, previous = head()
            now = timezone.now()
            for record in pending:
                seq += 1
                record.seq, record.algorithm, record.prev_hash = seq, ALGORITHM, previous
                record.hash = previous = digest(record)
                record.sealed_at = now
            _write_seals(pending, now)
            sealed += len(pending)
        if len(pending) < SEAL_BATCH:
            return sealed


def _write_seals(records, now) -> None:
    """Store the records' places and hashes: on PostgreSQL in one UPDATE from arrays (Django's
    bulk_update would build a CASE of every row for every column)."""
    from .records import AuditRecord

    if connection.vendor != "postgresql":
        AuditRecord._base_manager.bulk_update(
            records, ["seq", "algorithm", "prev_hash", "hash", "sealed_at"], batch_size=500
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE "{AuditRecord._meta.db_table}" AS record
            SET seq = sealed.seq, algorithm = sealed.algorithm,
                prev_hash = sealed.prev_hash, hash = sealed.hash, sealed_at = %s
            FROM UNNEST(%s::BIGINT[], %s::BIGINT[], %s::TEXT[], %s::TEXT[], %s::TEXT[])
                AS sealed (id, seq, algorithm, prev_hash, hash)
            WHERE record.id = sealed.id
            """,  # noqa: S608 (the table's name from the model)
            [
                now,
                [r.pk for r in records],
                [r.seq for r in records],
                [r.algorithm for r in records],
                [r.prev_hash for r in records],
                [r.hash for r in records],
            ],
        )


def _seal_after_commit() -> None:
    seal(wait=False)


def seal_on_commit() -> None:
    """Seal once the current transaction commits (at once outside one), without waiting for
    another sealer; once per transaction however often it is asked."""
    if not any(entry[1] is _seal_after_commit for entry in connection.run_on_commit):
        transaction.on_commit(_seal_after_commit)


@dataclass
class Break:
    """Where the chain breaks: the first record that does not follow from the one before."""

    seq: int
    record_id: int | None
    reason: str


@dataclass
class Verification:
    checked: int
    unsealed: int
    head_seq: int
    head_hash: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def head() -> tuple[int, str]:
    """The chain's last place and hash: (0, "") while it is empty."""
    from .records import AuditRecord

    last = (
        AuditRecord._base_manager.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    return last or (0, "")


def verify(
    *, anchor: tuple[int, str] | None = None, after: tuple[int, str] = (0, "")
) -> Verification:
    """Recompute the chain from its first record, or from the one after ``after`` (a head
    already verified). ``anchor`` (seq, hash), a head written down earlier, must still be in
    the chain: records removed from the end show there."""
    from .records import AuditRecord

    expected_seq, previous, checked, broken = after[0] + 1, after[1], 0, None
    records = AuditRecord._base_manager.filter(seq__gte=expected_seq).order_by("seq")
    for record in records.iterator(chunk_size=2000):
        if record.seq != expected_seq:
            broken = Break(
                record.seq,
                record.pk,
                _("其前缺失第 %(first)s—%(last)s 条")
                % {"first": expected_seq, "last": record.seq - 1},
            )
        elif record.prev_hash != previous:
            broken = Break(record.seq, record.pk, _("与前一条记录的摘要不衔接"))
        elif record.algorithm not in ALGORITHMS or digest(record) != record.hash:
            broken = Break(record.seq, record.pk, _("内容与摘要不符"))
        if broken:
            break
        if anchor and record.seq == anchor[0] and record.hash != anchor[1]:
            broken = Break(record.seq, record.pk, _("与锚点的摘要不同"))
            break
        checked, expected_seq, previous = checked + 1, expected_seq + 1, record.hash
    if not broken and anchor and anchor[0] >= expected_seq:
        broken = Break(anchor[0], None, _("锚点所在的记录已不存在"))
    return Verification(
        checked=checked,
        unsealed=AuditRecord._base_manager.filter(seq__isnull=True).count(),
        head_seq=expected_seq - 1,
        head_hash=previous,
        broken=broken,
    )
