"""The demo's approved applications through their 公示."""

from datetime import timedelta

from django.utils import timezone

from applications.models import Application, State
from enterprises.models import User
from publicity import services as publicity_services
from publicity.selectors import applications_to_publicise

from .common import DemoReport

# Where the demo's approved applications stand in their 公示 (by applicant and track): under
# one still open to objections, or not publicised yet for an administrator to publicise; the
# others passed a 公示 that closed without objection, so that finance has a batch to build.
DEMO_OPEN_PUBLICITY = {("demo-enterprise-3", "financing-interest")}
DEMO_UNPUBLICISED = {("demo-enterprise-2", "financing-interest")}


def _demo_publicity(administrator: User, report: DemoReport) -> None:
    """The demo's approved applications through their 公示 as DEMO_OPEN_PUBLICITY and
    DEMO_UNPUBLICISED say: closed (published a month ago, without objection), open since today,
    or none yet. Running the demo again publicises nothing twice."""
    approved = Application.objects.filter(state=State.APPROVED).select_related("track__measure")
    pairs = {(a.window, a.track.measure) for a in approved}
    for window, measure in sorted(pairs, key=lambda pair: (pair[0].pk, pair[1].number)):
        fates = {"closed": [], "open": []}
        candidates = applications_to_publicise(window=window, measure=measure)
        for application in candidates.prefetch_related("enterprise__users"):
            usernames = {u.username for u in application.enterprise.users.all()}
            keys = {(username, application.track.code) for username in usernames}
            if keys & DEMO_UNPUBLICISED:
                continue
            fates["open" if keys & DEMO_OPEN_PUBLICITY else "closed"].append(application.pk)
        for fate, ids in fates.items():
            if not ids:
                continue
            publicity = _publicised(
                window, measure, administrator, Application.objects.filter(pk__in=ids), fate
            )
            report.created.append(f"publicity {publicity.pk} ({fate}): {publicity.title}")


def _publicised(window, measure, administrator: User, applications, fate: str):
    """A 公示 of ``applications``: open since today, or ("closed") published a month ago and
    closed without objection, so that finance may pay what it holds."""
    publicity = publicity_services.publicity_create(
        window=window, measure=measure, by=administrator, applications=applications
    )
    opened = timezone.now() - timedelta(days=30 if fate == "closed" else 0)
    publicity = publicity_services.publicity_publish(
        publicity=publicity, by=administrator, at=opened
    )
    if fate == "closed":
        publicity = publicity_services.publicity_close(publicity=publicity, by=administrator)
    return publicity
