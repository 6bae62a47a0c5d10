"""The two-node test's data, written and read in the nodes' own environment (their settings,
their database, their storage): ``python -m tests.cluster.data setup|inspect|redeliver``, run
from the repository's root; each prints one JSON object.

setup: the roles, the notice and the calendar (the database is a copy of the test database,
which may have been emptied by a transactional test), then the people of the test: an
enterprise that applies over HTTP, enterprises with drafts ready to submit for the load, a
district reviewer, two finance officials and a frozen batch to export. Their documents go
through the storage the nodes use. Whatever the set-up queued for the workers is marked handled,
so that only what the test does is counted afterwards.

inspect: the applications, the log entries after the set-up's last one, their outbox events and
their notifications, with the people each entry should reach (DESIGN.md, "Notifications").

redeliver: what beat's 送达遗漏的通知 does a minute later: hand on the events still pending.
"""

import json
import os
import sys
from datetime import timedelta


def _django():
    import django

    django.setup()


def setup(arguments: dict) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, Permission
    from django.core.files.storage import storages
    from django.db import transaction
    from django.utils import timezone

    from applications.models import OutboxEvent, TransitionLog
    from enterprises.districts import District
    from measures.models import Measure, Track
    from measures.services import calendar_seed, policy_load
    from notifications.models import Notification
    from policy_portal.roles import create_role_groups
    from security.second_factor import enrolment_given
    from tests.applications.factories import WindowFactory, draft
    from tests.disbursements.factories import approved_applications, frozen_batch
    from tests.enterprises.factories import EnterpriseFactory, EnterpriseUserFactory, UserFactory

    password = make_password(arguments["password"])
    district = District.YUBEI

    def person(factory, username, **attrs):
        user = factory(username=username, **attrs)
        # One hash for every account: hashing is the login's work, not the set-up's.
        type(user).objects.filter(pk=user.pk).update(password=password)
        return user

    with transaction.atomic():
        create_role_groups(Group, Permission)
        if not Measure.objects.exists():
            policy_load()
        calendar_seed()
        reviewer = person(
            UserFactory,
            "cluster-district",
            district=district,
            is_staff=True,
            roles=["district_reviewer"],
        )
        preparer = person(UserFactory, "cluster-finance", is_staff=True, roles=["finance"])
        officials = [reviewer, preparer]
        for official in officials:
            enrolment_given(user=official)
        applicant = person(
            EnterpriseUserFactory,
            "cluster-applicant",
            enterprise=EnterpriseFactory(district=district),
        )
        window = WindowFactory()
        track = Track.objects.get(code="supply-chain")
        # Drafts of the load: each enterprise one per window (one live application per
        # enterprise, track and window).
        windows = [WindowFactory() for _ in range(arguments["drafts"])]
        load = []
        for number in range(arguments["enterprises"]):
            user = person(
                EnterpriseUserFactory,
                f"cluster-load-{number:02d}",
                enterprise=EnterpriseFactory(district=district),
            )
            load.append(
                {
                    "username": user.username,
                    "drafts": [draft(user=user, window=w).pk for w in windows],
                }
            )
        batch = frozen_batch(approved_applications(3), by=preparer)

    devices = {
        official.username: official.totpdevice_set.get(confirmed=True).key for official in officials
    }
    # Nothing the set-up did is the test's: its events count as delivered, its notices as sent.
    now = timezone.now()
    OutboxEvent.objects.filter(delivered_at__isnull=True).update(delivered_at=now)
    Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=now)
    last = TransitionLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return {
        "storage": f"{type(storages['default']).__module__}.{type(storages['default']).__name__}",
        "applicant": applicant.username,
        "window": window.pk,
        "track": track.pk,
        "documents": list(track.required_documents),
        "reviewer": reviewer.username,
        "finance": preparer.username,
        "devices": devices,
        "load": load,
        "batch": {"pk": batch.pk, "number": batch.number},
        "last_log_entry": last,
    }


def inspect(arguments: dict) -> dict:
    from applications.models import Application, OutboxEvent, TransitionLog
    from enterprises.models import User
    from notifications.models import Notification
    from policy_portal import roles

    applications = {
        a.pk: a
        for a in Application.objects.filter(pk__in=arguments["applications"]).select_related(
            "track__measure"
        )
    }
    entries = list(
        TransitionLog.objects.filter(pk__gt=arguments["after"])
        .order_by("pk")
        .select_related("application__track__measure")
    )
    delivered = dict(
        OutboxEvent.objects.filter(log_entry__in=entries).values_list(
            "log_entry_id", "delivered_at"
        )
    )
    notices = {}
    for notification in Notification.objects.filter(log_entry__in=entries).select_related(
        "recipient"
    ):
        notices.setdefault(notification.log_entry_id, []).append(
            {
                "recipient": notification.recipient.username,
                "email": notification.recipient.email,
                "emailed": notification.emailed_at is not None,
            }
        )
    next_role = {
        "submit": roles.DISTRICT_REVIEWER,
        "district_approve": roles.MUNICIPAL_REVIEWER,
        "municipal_approve": roles.FINANCE,
    }

    def recipients(application, transition) -> list[str]:
        people = set(
            User.objects.filter(
                enterprise_id=application.enterprise_id,
                groups__name=roles.ENTERPRISE,
                is_active=True,
            ).values_list("username", flat=True)
        )
        role = next_role.get(transition)
        if role is None:
            return sorted(people)
        others = User.objects.filter(groups__name=role, is_active=True)
        if role == roles.DISTRICT_REVIEWER:
            others = others.filter(district=application.district)
        elif role == roles.MUNICIPAL_REVIEWER:
            others = others.filter(divisions=application.track.measure.division_id)
        return sorted(people | set(others.values_list("username", flat=True)))

    return {
        "states": {pk: a.state for pk, a in applications.items()},
        "entries": [
            {
                "pk": entry.pk,
                "application": entry.application_id,
                "transition": entry.transition,
                "has_event": entry.pk in delivered,
                "delivered": delivered.get(entry.pk) is not None,
                "expected": recipients(entry.application, entry.transition),
                "notices": notices.get(entry.pk, []),
            }
            for entry in entries
        ],
    }


def redeliver(arguments: dict) -> dict:
    from django.utils import timezone

    from notifications.tasks import outbox_redeliver

    return {"handed_on": outbox_redeliver(now=timezone.now() + timedelta(minutes=2))}


if __name__ == "__main__":
    command = sys.argv[1]
    arguments = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    sys.path.insert(0, os.getcwd())
    _django()
    result = {"setup": setup, "inspect": inspect, "redeliver": redeliver}[command](arguments)
    print(json.dumps(result, default=str))
