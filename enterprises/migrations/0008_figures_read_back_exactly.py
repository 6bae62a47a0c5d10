from decimal import Decimal

from django.db import migrations
from django.db.models import Q

import measures.fields

# measures.numbers.FIGURE_CEILING when this migration was written: 10万亿.
FIGURE_CEILING = Decimal(10) ** 13


def remove_figures_beyond_the_ceiling(apps, schema_editor):
    """A figure above 10万亿 was a slip of the keyboard (99999999999999.99, or an Excel cell's
    1.23457E+11 read as a number) that the file took before figures had a ceiling. SQLite cannot
    even read it back, which stopped the enterprise's file pages and every sweep over the files;
    PostgreSQL reads it, but no form takes it any more. It is removed (without reading it: a
    DELETE by value) so that the enterprise enters the figure again as it is."""
    figure = apps.get_model("enterprises", "EnterpriseFigure")
    figure.objects.filter(
        Q(decimal_value__gt=FIGURE_CEILING) | Q(decimal_value__lt=-FIGURE_CEILING)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0007_enterprise_file"),
    ]

    operations = [
        migrations.AlterField(
            model_name="enterprisefigure",
            name="decimal_value",
            field=measures.fields.ExactDecimalField(
                blank=True,
                decimal_places=2,
                max_digits=16,
                money=False,
                null=True,
                verbose_name="数值",
            ),
        ),
        migrations.RunPython(remove_figures_beyond_the_ceiling, migrations.RunPython.noop),
    ]
