"""Notifications name their event (a key unique per recipient), not only a log entry: deadline
reminders and escalations have none."""

import django.db.models.deletion
from django.db import migrations, models


def key_existing(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for notification in Notification.objects.select_related("log_entry").iterator():
        notification.key = f"log:{notification.log_entry_id}"
        notification.application_id = notification.log_entry.application_id
        notification.save(update_fields=["key", "application"])


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0006_outbox"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="notification", name="notification_once_per_event"),
        migrations.AddField(
            model_name="notification",
            name="key",
            field=models.CharField(default="", max_length=80, verbose_name="事件"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("transition", "办理进展"),
                    ("reminder", "到期提醒"),
                    ("escalation", "逾期督办"),
                ],
                default="transition",
                max_length=16,
                verbose_name="类型",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="application",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="notifications",
                to="applications.application",
                verbose_name="申报",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="log_entry",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="notifications",
                to="applications.transitionlog",
                verbose_name="办理记录",
            ),
        ),
        migrations.RunPython(key_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                fields=("key", "recipient"), name="notification_once_per_event"
            ),
        ),
    ]
