"""On SQLite, where there are no triggers (pgtrigger installs nothing there), the changes
made through the ORM's save, delete and many-to-many add, remove and clear are recorded from
Django's signals instead: the same records, with the row before read from the database.

A set-based ``QuerySet.update()``, ``bulk_create``/``bulk_update`` and raw SQL send no signal
and are not recorded here. SQLite is for development only; the site's data lives on
PostgreSQL, whose triggers see every statement.
"""

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from policy_portal.crypto import encrypt
from policy_portal.encrypted import EncryptedCharField

from .chain import seal_on_commit
from .context import current_request, request_actor
from .tracked import TRACKED, object_type, recorded_fields

_OLD = "_audit_before"


def _plain(fields, values: dict) -> dict:
    """Values as JSON holds them, the same however they were given: decimals to their field's
    places, times in UTC, as text."""
    for field in fields:
        value = values.get(field.attname)
        if isinstance(value, Decimal) and getattr(field, "decimal_places", None) is not None:
            try:
                values[field.attname] = value.quantize(Decimal(1).scaleb(-field.decimal_places))
            except InvalidOperation:  # more digits than the column holds: kept as given
                values[field.attname] = str(value)
        elif isinstance(value, datetime) and value.tzinfo is not None:
            values[field.attname] = value.astimezone(UTC)
    return json.loads(json.dumps(values, cls=_Encoder))


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)  # a time zone, say: as its name


def _stored(field, value):
    """A value as its column keeps it: an encrypted field's encrypted, as the triggers copy it
    on PostgreSQL, so that the trail never holds personal data in clear."""
    if isinstance(field, EncryptedCharField) and value:
        return encrypt(value, purpose=field.purpose)
    return value


def _snapshot(instance, fields) -> dict:
    return _plain(
        fields,
        {field.attname: _stored(field, getattr(instance, field.attname)) for field in fields},
    )


def _record(tracked, action: str, object_id, before, after) -> None:
    from .records import CHANGE, AuditRecord

    request = current_request()
    actor = request_actor(request) if request is not None else None
    AuditRecord.objects.create(
        kind=CHANGE,
        action=action,
        actor=actor,
        address=_address(request),
        object_type=object_type(tracked),
        object_id=str(object_id),
        before=before,
        after=after,
        event_model="",
    )
    seal_on_commit()


def _address(request) -> str:
    from policy_portal.client_ip import client_ip

    return client_ip(request) if request is not None else ""


class _ModelFollower:
    """save and delete of one tracked model (its proxies included)."""

    def __init__(self, tracked):
        self.tracked = tracked
        self.fields = recorded_fields(tracked)
        self.model = tracked.tracked_model()

    def before_save(self, instance):
        if instance._state.adding or instance.pk is None:
            setattr(instance, _OLD, None)
            return
        row = (
            self.model._base_manager.filter(pk=instance.pk)
            .values(*(field.attname for field in self.fields))
            .first()
        )
        if row is not None:
            row = {field.attname: _stored(field, row[field.attname]) for field in self.fields}
        setattr(instance, _OLD, _plain(self.fields, row) if row is not None else None)

    def after_save(self, instance, created):
        after = _snapshot(instance, self.fields)
        before = None if created else getattr(instance, _OLD, None)
        if before == after:
            return
        _record(self.tracked, "insert" if before is None else "update", instance.pk, before, after)

    def after_delete(self, instance):
        _record(self.tracked, "delete", instance.pk, _snapshot(instance, self.fields), None)


class _LinkFollower:
    """add, remove and clear of one many-to-many field, from either side."""

    def __init__(self, tracked):
        self.tracked = tracked
        self.field = tracked.owner_model()._meta.get_field(tracked.m2m)
        self.through = self.field.remote_field.through
        self.owner = self.field.m2m_field_name()
        self.other = self.field.m2m_reverse_field_name()

    def changed(self, instance, action, reverse, pk_set):
        if action == "pre_clear":
            # What a clear removes, read before it goes.
            side = self.other if reverse else self.owner
            setattr(
                instance,
                _OLD,
                set(
                    self.through.objects.filter(**{side: instance.pk}).values_list(
                        (self.owner if reverse else self.other) + "_id", flat=True
                    )
                ),
            )
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if action == "post_clear":
            pk_set = getattr(instance, _OLD, set())
        for pk in sorted(pk_set or ()):
            owner_id, other_id = (pk, instance.pk) if reverse else (instance.pk, pk)
            link = {f"{self.owner}_id": owner_id, f"{self.other}_id": other_id}
            added = action == "post_add"
            _record(
                self.tracked,
                "add" if added else "remove",
                owner_id,
                None if added else link,
                link if added else None,
            )


def connect() -> None:
    models, links = {}, {}
    for tracked in TRACKED:
        if tracked.m2m:
            follower = _LinkFollower(tracked)
            links[follower.through] = follower
        else:
            follower = _ModelFollower(tracked)
            models[follower.model] = follower

    def follower_of(sender):
        return models.get(sender._meta.concrete_model)

    def before_save(sender, instance, raw=False, **kwargs):
        if (follower := follower_of(sender)) and not raw:
            follower.before_save(instance)

    def after_save(sender, instance, created, raw=False, **kwargs):
        if (follower := follower_of(sender)) and not raw:
            follower.after_save(instance, created)

    def after_delete(sender, instance, **kwargs):
        if follower := follower_of(sender):
            follower.after_delete(instance)

    def links_changed(sender, instance, action, reverse, pk_set, **kwargs):
        if follower := links.get(sender):
            follower.changed(instance, action, reverse, pk_set)

    # Connected to the tracked models (and their proxies) only: a receiver of every model's
    # post_delete would stop Django deleting any other model's rows without reading them.
    for model in apps.get_models():
        if model._meta.concrete_model in models:
            uid = f"security.audit.{model._meta.label_lower}"
            pre_save.connect(before_save, sender=model, weak=False, dispatch_uid=f"{uid}.pre")
            post_save.connect(after_save, sender=model, weak=False, dispatch_uid=f"{uid}.post")
            post_delete.connect(
                after_delete, sender=model, weak=False, dispatch_uid=f"{uid}.delete"
            )
    for through in links:
        m2m_changed.connect(
            links_changed,
            sender=through,
            weak=False,
            dispatch_uid=f"security.audit.{through._meta.label_lower}",
        )
