"""The database's refusal to change the audit trail (PostgreSQL): no record is deleted, a
sealed record is never changed, and an unsealed one only gets its place in the chain.

A superuser of the database can still switch triggers off (``session_replication_role``,
``ALTER TABLE … DISABLE TRIGGER``): what that changes, the chain shows (``verify_audit``).
"""

import pgtrigger

# The columns the sealer fills; every other column is the record's content.
SEAL_COLUMNS = ("seq", "algorithm", "prev_hash", "hash", "sealed_at")
CONTENT_COLUMNS = (
    "id",
    "created_at",
    "actor_id",
    "address",
    "kind",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "detail",
    "event_model",
    "event_id",
)

_content_changed = " OR ".join(f'NEW."{c}" IS DISTINCT FROM OLD."{c}"' for c in CONTENT_COLUMNS)

GUARD_TRIGGERS = [
    pgtrigger.Trigger(
        name="audit_record_no_delete",
        when=pgtrigger.Before,
        operation=pgtrigger.Delete,
        level=pgtrigger.Row,
        func="RAISE EXCEPTION 'audit records cannot be deleted (审计记录不可删除)';",
    ),
    pgtrigger.Trigger(
        name="audit_record_sealed",
        when=pgtrigger.Before,
        operation=pgtrigger.Update,
        level=pgtrigger.Row,
        func=f"""
            IF OLD."seq" IS NOT NULL THEN
                RAISE EXCEPTION 'sealed audit records cannot be changed (审计记录不可修改)';
            END IF;
            IF {_content_changed} THEN
                RAISE EXCEPTION 'audit records cannot be changed (审计记录不可修改)';
            END IF;
            RETURN NEW;
        """,
    ),
]
