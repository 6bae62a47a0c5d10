"""What the audit trail follows: the data that decides money or access, each model with the
fields that matter, and the PostgreSQL triggers that record every change of them.

Each tracked model gets an event model in this app (django-pghistory: the tables of other
apps, Django's and beat's included, stay as they are) and one statement-level trigger per
kind of write. The trigger stores pghistory's event and, in the same statement, appends the
change to the audit trail (``AuditRecord``) with the row before and after, who made it and from
where (the context the middleware hands to the database). A set-based UPDATE is recorded row
by row, as it happens, whatever code ran it.
"""

from dataclasses import dataclass

import pghistory
import pgtrigger
from django.apps import apps
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from pghistory.trigger import Event

# The context pghistory's middleware hands to the database with each statement, as JSON.
CONTEXT_JSON = "NULLIF(CURRENT_SETTING('pghistory.context_metadata', TRUE), '')::JSONB"
CONTEXT_ID = "NULLIF(CURRENT_SETTING('pghistory.context_id', TRUE), '')::UUID"


@dataclass(frozen=True)
class Tracked:
    """A model the audit follows. ``fields``: the fields recorded (all when empty); ``exclude``:
    fields left out of all; ``m2m``: for the link table of a many-to-many field, that field's
    name on ``model`` (a membership is recorded under the person or group it belongs to)."""

    model: str
    event: str
    fields: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    m2m: str = ""

    def owner_model(self) -> type[models.Model]:
        # Read while the models load: security's come after every app it follows.
        return apps.get_registered_model(*self.model.split("."))

    def tracked_model(self) -> type[models.Model]:
        model = self.owner_model()
        return model._meta.get_field(self.m2m).remote_field.through if self.m2m else model

    def owner_column(self) -> str:
        """The link table's column naming the record a membership belongs to."""
        if not self.m2m:
            return ""
        return self.owner_model()._meta.get_field(self.m2m).m2m_column_name()


TRACKED = (
    # The notice as data: what is paid, to whom, on which conditions, when.
    Tracked("measures.Measure", "MeasureEvent"),
    Tracked("measures.Track", "TrackEvent"),
    Tracked("measures.TrackField", "TrackFieldEvent"),
    Tracked("measures.EligibilityThreshold", "EligibilityThresholdEvent"),
    Tracked("measures.ApplicationWindow", "ApplicationWindowEvent"),
    Tracked("measures.CalendarDay", "CalendarDayEvent"),
    # 部门数据: which departments' files are read and how, each import and its roll-back (the
    # rows they write are kept whole in their own tables, never updated in place).
    Tracked("departments.DataSource", "DataSourceEvent"),
    Tracked("departments.SourceField", "SourceFieldEvent"),
    Tracked("departments.ImportBatch", "ImportBatchEvent", exclude=("report",)),
    # An enterprise's report against a department's data and the administrators' answer to
    # it: who said the department was wrong, and what they were told.
    Tracked("enterprises.DepartmentDisagreement", "DepartmentDisagreementEvent"),
    # Who is paid and where the money goes.
    Tracked("enterprises.Enterprise", "EnterpriseEvent", exclude=("created_at", "updated_at")),
    # Who may do what: accounts (never the password's hash, nor each login's time), their
    # divisions, groups and permissions, and the groups' permissions.
    Tracked(
        "enterprises.User",
        "UserEvent",
        fields=(
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "phone",
            "is_active",
            "is_staff",
            "is_superuser",
            "enterprise",
            "district",
        ),
    ),
    Tracked("enterprises.User", "UserDivisionEvent", m2m="divisions"),
    Tracked("enterprises.User", "UserGroupEvent", m2m="groups"),
    Tracked("enterprises.User", "UserPermissionEvent", m2m="user_permissions"),
    Tracked("auth.Group", "GroupEvent"),
    Tracked("auth.Group", "GroupPermissionEvent", m2m="permissions"),
    # Applications' states and amounts, batches and their lines.
    Tracked(
        "applications.Application",
        "ApplicationEvent",
        fields=(
            "id",
            "reference",
            "enterprise",
            "district",
            "track",
            "window",
            "state",
            "calculated_amount",
            "recommended_amount",
            "approved_amount",
            "disbursed_on",
        ),
    ),
    Tracked(
        "disbursements.DisbursementBatch",
        "DisbursementBatchEvent",
        exclude=("prepared_at", "frozen_at", "paid_confirmed_at", "cancelled_at"),
    ),
    Tracked("disbursements.BatchLine", "BatchLineEvent"),
    # What runs when: beat's schedule (not each run's count and time).
    Tracked(
        "django_celery_beat.PeriodicTask",
        "PeriodicTaskEvent",
        exclude=("last_run_at", "total_run_count", "date_changed"),
    ),
    Tracked("django_celery_beat.IntervalSchedule", "IntervalScheduleEvent"),
    Tracked("django_celery_beat.CrontabSchedule", "CrontabScheduleEvent"),
)


def recorded_fields(tracked: Tracked) -> list[models.Field]:
    """The concrete fields of the tracked model that a record keeps, in the model's order."""
    model = tracked.tracked_model()
    return [
        field
        for field in model._meta.local_fields
        if (not tracked.fields or field.name in tracked.fields)
        and field.name not in tracked.exclude
    ]


def object_type(tracked: Tracked) -> str:
    """What a record of this model is filed under: the model, or for a link table the model
    whose many-to-many it is."""
    return tracked.owner_model()._meta.label_lower


# ── the trigger ─────────────────────────────────────────────────────────────────────────────


class AuditedEvent(Event):
    """pghistory's statement-level event trigger, which also appends one audit record a row."""

    def __init__(self, *, tracked: Tracked, action: str, **kwargs):
        self.tracked = tracked
        self.action = action
        super().__init__(**kwargs)

    def get_func(self, model):
        from .records import AuditRecord

        event_model = self.event_model
        alias = "new_values" if self.row == "NEW" else "old_values"
        columns = [field.column for field in recorded_fields(self.tracked)]
        values = {column: f'{alias}."{column}"' for column in columns}
        values |= {
            "pgh_created_at": "NOW()",
            "pgh_label": f"'{self.label}'",
            "pgh_context": CONTEXT_JSON,
            "pgh_context_id": CONTEXT_ID,
        }
        pk = model._meta.pk.column
        if hasattr(event_model, "pgh_obj"):
            values["pgh_obj_id"] = f'{alias}."{pk}"'

        def snapshot(table: str) -> str:
            # Amounts as text, to the fen as stored ("2000000.00"), never as a JSON number.
            pairs = ", ".join(
                f"'{field.attname}', {table}.\"{field.column}\""
                + ("::TEXT" if isinstance(field, models.DecimalField) else "")
                for field in recorded_fields(self.tracked)
            )
            return f"JSONB_BUILD_OBJECT({pairs})"

        # The event row holds the row the trigger stores (NEW for an insert or an update, OLD
        # for a delete); an update's row before is read from the statement's old rows.
        joins = ""
        before = after = "NULL"
        if self.operation == pgtrigger.Update:
            joins = f'JOIN old_values ON old_values."{pk}" = _event."{pk}"'
            before, after = snapshot("old_values"), snapshot("_event")
        elif self.operation == pgtrigger.Insert:
            after = snapshot("_event")
        else:
            before = snapshot("_event")
        owner = self.tracked.owner_column()
        object_id = f'_event."{owner or pk}"::TEXT'

        audit = AuditRecord._meta.db_table
        sql = f"""
            WITH _event AS (
                INSERT INTO "{event_model._meta.db_table}" ({", ".join(f'"{c}"' for c in values)})
                SELECT {", ".join(values.values())}
                FROM (SELECT {alias}.* FROM {{cond_{alias}}}) AS {alias}
                RETURNING *
            )
            INSERT INTO "{audit}" (
                "created_at", "kind", "action", "object_type", "object_id", "before", "after",
                "detail", "actor_id", "address", "event_model", "event_id",
                "algorithm", "prev_hash", "hash"
            )
            SELECT
                _event.pgh_created_at, 'change', '{self.action}', '{object_type(self.tracked)}',
                {object_id}, {before}, {after}, '{{{{}}}}'::JSONB,
                NULLIF(_event.pgh_context->>'user', '')::BIGINT,
                COALESCE(_event.pgh_context->>'address', ''),
                '{event_model._meta.label_lower}', _event.pgh_id, '', '', ''
            FROM _event {joins};
            RETURN NULL;
        """  # noqa: S608 (names and labels from the models, not input)
        return pgtrigger.Func(" ".join(line.strip() for line in sql.split("\n") if line.strip()))


class AuditedRowEvent(pghistory.RowEvent):
    """A pghistory tracker whose trigger is an ``AuditedEvent``."""

    def __init__(self, label, *, tracked: Tracked, action: str, **kwargs):
        self.tracked = tracked
        self.action = action
        super().__init__(label, level=pgtrigger.Statement, **kwargs)

    def add_event_trigger(self, event_model):
        pgtrigger.register(
            AuditedEvent(
                event_model=event_model,
                label=self.label,
                name=self.trigger_name,
                row=self.row,
                operation=self.operation,
                condition=self.condition,
                level=self.level,
                tracked=self.tracked,
                action=self.action,
            )
        )(event_model.pgh_tracked_model)


def trackers(tracked: Tracked) -> tuple:
    """Inserts, updates of a recorded field, deletes; a link row is added or removed only."""
    if tracked.m2m:
        return (
            AuditedRowEvent(
                "add", operation=pgtrigger.Insert, row="NEW", tracked=tracked, action="add"
            ),
            AuditedRowEvent(
                "remove", operation=pgtrigger.Delete, row="OLD", tracked=tracked, action="remove"
            ),
        )
    return (
        AuditedRowEvent(
            "insert", operation=pgtrigger.Insert, row="NEW", tracked=tracked, action="insert"
        ),
        AuditedRowEvent(
            "update", operation=pgtrigger.Update, row="NEW", tracked=tracked, action="update"
        ),
        AuditedRowEvent(
            "delete", operation=pgtrigger.Delete, row="OLD", tracked=tracked, action="delete"
        ),
    )


def create_event_models() -> dict[str, type[models.Model]]:
    """Define each tracked model's event model in ``security.models``; called from there."""
    created = {}
    for tracked in TRACKED:
        model = tracked.tracked_model()
        created[tracked.event] = pghistory.create_event_model(
            model,
            *trackers(tracked),
            fields=[field.name for field in recorded_fields(tracked)],
            # A link table has no model of its own in migrations: its rows are named by value.
            obj_field=None if tracked.m2m else pghistory.ObjForeignKey(related_name="+"),
            context_field=pghistory.ContextJSONField(),
            context_id_field=pghistory.ContextUUIDField(),
            model_name=tracked.event,
            app_label="security",
            abstract=False,
            meta={"verbose_name": format_lazy(_("{}变更事件"), model._meta.verbose_name)},
        )
    return created
