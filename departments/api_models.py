"""The credentials a department's system signs its deliveries with (``departments.api``), and
the answer each delivery got, kept so that the same delivery sent again gets it again.

Imported at the end of ``departments.models``, so that Django finds these models there; it
names that module's models by their labels, so that neither module imports the other."""

import secrets

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policy_portal.encrypted import EncryptedCharField
from policy_portal.fields import person_fk

SECRET_PURPOSE = "department_api_secret"


def new_key_id() -> str:
    return f"dk_{secrets.token_hex(8)}"


def new_secret() -> str:
    # 256 bits, as text the department can paste into its configuration.
    return secrets.token_urlsafe(32)


class SourceKey(models.Model):
    """A source's one API credential: the key id it names itself with (X-Source-Key) and the
    secret it signs with. The secret is kept encrypted (HMAC needs it to verify) and shown
    once, when it is issued or rotated; a rotation replaces both, a revocation stops both."""

    source = models.OneToOneField(
        "departments.DataSource",
        verbose_name=_("数据来源部门"),
        on_delete=models.CASCADE,
        related_name="api_key",
    )
    key_id = models.CharField(_("密钥编号"), max_length=40, unique=True, editable=False)
    secret = EncryptedCharField(
        _("签名密钥"), max_length=64, purpose=SECRET_PURPOSE, editable=False
    )
    issued_by = person_fk(_("签发人"), null=True, blank=True, editable=False)
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now, editable=False)
    revoked_by = person_fk(_("吊销人"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("部门接口密钥")
        ordering = ["source"]

    def __str__(self) -> str:
        return f"{self.source.name} {self.key_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @classmethod
    @transaction.atomic
    def issue(cls, *, source, by) -> tuple["SourceKey", str]:
        """A new key id and secret for ``source``, replacing any it had (a rotation, which
        also lifts a revocation); returns the key and the secret, to be shown this once."""
        secret = new_secret()
        key, _created = cls.objects.select_for_update().update_or_create(
            source=source,
            defaults={
                "key_id": new_key_id(),
                "secret": secret,
                "issued_by": by,
                "issued_at": timezone.now(),
                "revoked_by": None,
                "revoked_at": None,
                "last_used_at": None,
            },
        )
        return key, secret

    def revoke(self, *, by) -> None:
        self.revoked_by = by
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_by", "revoked_at"])


class ApiDelivery(models.Model):
    """What a batch delivered by API was answered: the same batch id with the same body gets
    this answer again, and nothing is imported twice."""

    batch = models.OneToOneField(
        "departments.ImportBatch",
        verbose_name=_("导入批次"),
        on_delete=models.CASCADE,
        related_name="api_delivery",
    )
    answer = models.JSONField(_("应答"), default=dict)

    class Meta:
        verbose_name = verbose_name_plural = _("接口推送应答")

    def __str__(self) -> str:
        return str(self.batch)
