import django.db.models.deletion
import django.utils.timezone
from django.conf import settings

"""免申即享: drafts the site prepares, and the runs that prepare them (for administrators)."""

from django.db import migrations, models

from policy_portal.roles import create_role_groups, ensure_permissions


def grant(apps, schema_editor):
    ensure_permissions(apps)
    create_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0011_library_documents"),
        ("measures", "0007_section_and_measure_audience"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="proposed_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="免申即享准备时间"
            ),
        ),
        migrations.CreateModel(
            name="ProposalRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "requested_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="发起时间"
                    ),
                ),
                (
                    "enterprises",
                    models.PositiveIntegerField(default=0, verbose_name="待测算企业数"),
                ),
                ("done", models.PositiveIntegerField(default=0, verbose_name="已测算企业数")),
                ("proposed", models.PositiveIntegerField(default=0, verbose_name="新准备的申报")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="完成时间"),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="发起人",
                    ),
                ),
                (
                    "window",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="proposal_runs",
                        to="measures.applicationwindow",
                        verbose_name="申报批次",
                    ),
                ),
            ],
            options={
                "verbose_name": "免申即享准备",
                "verbose_name_plural": "免申即享准备",
                "ordering": ["-requested_at"],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
