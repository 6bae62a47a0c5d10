"""The time limit to payment of applications submitted before it was kept: counted from each
one's first submission as its log records it (its latest submission time where the log has
none), with its window's limit."""

from django.db import migrations
from django.db.models import Min

from measures.workdays import due_after_workdays


def backfill(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    TransitionLog = apps.get_model("applications", "TransitionLog")
    first_submissions = dict(
        TransitionLog.objects.filter(transition__in=("submit", "resubmit"))
        .values("application")
        .annotate(first=Min("created_at"))
        .values_list("application", "first")
    )
    pending = (
        Application.objects.filter(first_submitted_at__isnull=True, submitted_at__isnull=False)
        .select_related("window")
        .only("pk", "submitted_at", "window__processing_days")
    )
    changed = []
    for application in pending.iterator(chunk_size=2000):
        first = first_submissions.get(application.pk, application.submitted_at)
        application.first_submitted_at = first
        application.payment_due_at = due_after_workdays(first, application.window.processing_days)
        changed.append(application)
        if len(changed) >= 2000:
            Application.objects.bulk_update(changed, ["first_submitted_at", "payment_due_at"])
            changed = []
    Application.objects.bulk_update(changed, ["first_submitted_at", "payment_due_at"])


class Migration(migrations.Migration):
    dependencies = [("applications", "0013_payment_time_limit")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
