"""How personal data reads to those who do not need it whole: a bank account as
``6228 **** **** 0005`` (its first four and last four digits), a phone as ``138****0005``, a
contact given as free text by what it looks like (``mask_contact``).

Who sees what: the enterprise its own data whole (its profile and application pages), finance
the payees' accounts whole on a batch's page and in the exports; every other official, the
admin's lists, change pages, inlines and logs, the dashboard, notifications and emails see them
masked. Each place that shows a whole account to an official reports it
(``policy_portal.signals.security_event``, kind "unmasked").
"""

from .signals import security_event

MASK = "****"


def mask_account(account: str) -> str:
    """The first four and the last four digits, as groups of four; a short account (under 12
    digits, where that would be most of it) shows its last four only."""
    account = (account or "").replace(" ", "")
    if not account:
        return ""
    if len(account) < 12:
        return f"{MASK} {MASK} {account[-4:]}"
    return f"{account[:4]} {MASK} {MASK} {account[-4:]}"


def mask_phone(phone: str) -> str:
    """The first three and the last four characters: 138****0005, 023****0000."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) < 8:
        return MASK
    return f"{phone[:3]}{MASK}{phone[-4:]}"


def mask_contact(contact: str) -> str:
    """A contact given as free text (an objection's 联系方式): a phone as ``mask_phone``, an
    email address as its first character and its domain (``z****@example.com``), anything else
    as its first character only."""
    contact = (contact or "").strip()
    if not contact:
        return ""
    local, at, domain = contact.partition("@")
    if at and local and domain:
        return f"{local[0]}{MASK}@{domain}"
    if sum(character.isdigit() for character in contact) >= 7:
        return mask_phone(contact)
    return f"{contact[0]}{MASK}"


def report_unmasked(*, sender: str, user, request=None, target=None, **detail) -> None:
    """Tell the audit that ``user`` was shown personal data whole (``detail``: what and how
    much, JSON-serialisable)."""
    security_event.send(
        sender=sender, kind="unmasked", user=user, request=request, target=target, detail=detail
    )
