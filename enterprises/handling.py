"""Whether an official has handled anything: then the account is deactivated, never deleted,
so that what they did keeps its name (办理记录保留)."""

# What belongs to the account alone and goes with it: the person's own inbox, authenticators
# and password history, the request context pghistory keeps, and the audit trail, which keeps
# the actor's id and name without a constraint.
_THE_ACCOUNTS_OWN = {
    "notifications.notification",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
    "security.passwordhistory",
    "security.auditrecord",
    "pghistory.middlewareevents",
}


def has_handled(user) -> bool:
    """Any row, other than the account's own, that names the person: a decision, a log entry,
    an upload, a batch, an admin change (Django's LogEntry)."""
    for relation in user._meta.concrete_model._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete or relation.many_to_many:
            continue
        model = relation.related_model
        label = model._meta.label_lower
        if model._meta.auto_created or label in _THE_ACCOUNTS_OWN:
            continue  # m2m rows (divisions, groups) and the account's own
        if any(field.name == "pgh_created_at" for field in model._meta.concrete_fields):
            continue  # a history of the row, kept by pghistory
        if model._base_manager.filter(**{relation.field.name: user.pk}).exists():
            return True
    return False
