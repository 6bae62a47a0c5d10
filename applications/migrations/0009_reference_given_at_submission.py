"""References are given at the first submission: a draft has none.

Every existing reference is kept, drafts' included. A draft's reference has already left the
site: the portal showed it when the draft was created, and the reminders that its window is
closing carry it in their titles, in the enterprise's notifications and in emails sent. Clearing
it would leave the enterprise holding a number that names nothing, and a later draft could never
be given it again anyway (the counters only go up). Such a draft keeps it when submitted; new
drafts take none until then.
"""

from django.db import migrations, models


def give_drafts_references(apps, schema_editor):
    """Going back to references at draft creation: the drafts made since get theirs now, from
    the same counters, so that the column can be required again."""
    Application = apps.get_model("applications", "Application")
    ReferenceCounter = apps.get_model("applications", "ReferenceCounter")
    drafts = Application.objects.filter(reference__isnull=True).select_related(
        "track__measure", "window"
    )
    for application in drafts.order_by("pk"):
        number, year = application.track.measure.number, application.window.year
        counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
            measure_number=number, year=year
        )
        counter.last += 1
        counter.save(update_fields=["last"])
        application.reference = f"CQJX-{year}-{number:02d}-{counter.last:06d}"
        application.save(update_fields=["reference"])


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0008_municipal_scope_index'),
    ]

    operations = [
        migrations.AlterField(
            model_name='application',
            name='reference',
            field=models.CharField(blank=True, editable=False, max_length=32, null=True, unique=True, verbose_name='申报编号'),
        ),
        # Forward nothing to do; backward, before the column is required again.
        migrations.RunPython(migrations.RunPython.noop, give_drafts_references),
    ]
