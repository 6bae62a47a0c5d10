"""The model field for personal data encrypted at rest, and the keyed hash that finds it.

``EncryptedCharField`` is a CharField to everything above the database: forms, validators
(digits, lengths, the Chinese messages) and templates see the clear value; the column holds
``policy_portal.crypto``'s ciphertext, as text. ``KeyedHashField(of=...)`` beside it keeps the
keyed hash of the clear value, written with it, so that the site can find or compare by value:
``Enterprise.objects.filter(bank_account="6228…")`` compares the hash column. Any other lookup
(contains, ordering by the clear text in SQL) is refused: the database cannot read the value.

A model with a keyed hash takes ``KeyedHashesKept``, so that a save of some fields
(``save(update_fields=["bank_account"])``) writes the hash of each encrypted field among them.
``QuerySet.update()`` saves no model: one that sets an encrypted field sets its hash too, as
the batch's snapshot does by copying both columns.

Below every app: imports Django and ``policy_portal.crypto`` only.
"""

from django.core.exceptions import FieldError
from django.db import models
from django.db.models import Lookup

from . import crypto


class EncryptedCharField(models.CharField):
    """A CharField kept encrypted; ``purpose`` names what the value is ("bank_account",
    "phone"), bound into its ciphertext so that a value cannot be moved into a field of another
    purpose. ``max_length`` is the clear value's; the column is text."""

    def __init__(self, *args, purpose: str, **kwargs):
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def db_type(self, connection):
        return connection.data_types["TextField"]

    def cast_db_type(self, connection):
        return self.db_type(connection)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return crypto.decrypt(value, purpose=self.purpose)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        return crypto.encrypt(value, purpose=self.purpose)

    @property
    def hash_field(self):
        """The KeyedHashField kept beside this field, or None."""
        for field in self.model._meta.concrete_fields:
            if isinstance(field, KeyedHashField) and field.of == self.name:
                return field
        return None

    def get_lookup(self, lookup_name):
        if lookup_name in ("exact", "iexact"):
            return EncryptedExact
        # isnull, and the audit triggers' IS [NOT] DISTINCT FROM between a row's old and new
        # column (django-pgtrigger's df/ndf): both compare what is stored, never a clear value.
        if lookup_name in ("isnull", "df", "ndf"):
            return super().get_lookup(lookup_name)
        return None  # Django then refuses the lookup with a FieldError

    def get_transform(self, lookup_name):
        return None


class EncryptedExact(Lookup):
    """``field=value`` on an encrypted field: the empty value by its column, any other by the
    keyed hash kept beside it."""

    lookup_name = "exact"
    prepare_rhs = False
    can_use_none_as_rhs = False

    def as_sql(self, compiler, connection):
        field = self.lhs.output_field
        if not isinstance(self.rhs, str):
            raise FieldError(
                f"{field.model.__name__}.{field.name} is encrypted: it is compared with a "
                "text only, not with another column or expression."
            )
        if self.rhs == "":
            column, params = compiler.compile(self.lhs)
            return f"{column} = %s", [*params, ""]
        hash_field = field.hash_field
        if hash_field is None:
            raise FieldError(
                f"{field.model.__name__}.{field.name} is encrypted and has no keyed hash "
                "beside it: it cannot be found by value."
            )
        column, params = compiler.compile(hash_field.get_col(self.lhs.alias))
        return f"{column} = %s", [*params, crypto.keyed_hash(self.rhs, purpose=field.purpose)]


class KeyedHashField(models.CharField):
    """The keyed hash of the encrypted field ``of``, written whenever the row is saved."""

    def __init__(self, *args, of: str, **kwargs):
        self.of = of
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["of"] = self.of
        for key, default in (
            ("max_length", 100),
            ("editable", False),
            ("blank", True),
            ("default", ""),
            ("db_index", True),
        ):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def source(self) -> EncryptedCharField:
        return self.model._meta.get_field(self.of)

    def hash_of(self, instance) -> str:
        return crypto.keyed_hash(getattr(instance, self.of) or "", purpose=self.source().purpose)

    def pre_save(self, model_instance, add):
        value = self.hash_of(model_instance)
        setattr(model_instance, self.attname, value)
        return value


class KeyedHashesKept:
    """For a model with keyed hashes: a save of some fields writes the hashes of those fields."""

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None:
            update_fields = set(update_fields)
            update_fields |= {
                field.name
                for field in self._meta.concrete_fields
                if isinstance(field, KeyedHashField) and field.of in update_fields
            }
        return super().save(*args, update_fields=update_fields, **kwargs)


def encrypted_fields(model) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


def hash_fields(model) -> list[KeyedHashField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, KeyedHashField)]
