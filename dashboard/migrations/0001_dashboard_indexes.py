"""Two partial covering indexes on the applications, for the dashboard's aggregates on
PostgreSQL: the counts and sums per state, district, track and window read the first alone
(an index-only scan, a tenth of the table's pages), the processing times the second.

They are the dashboard's and kept with it, so the application model's migrations stay as they
are; SQLite (``make run`` without settings) reads a few rows and goes without them.
"""

from django.db import migrations

INDEXES = {
    "application_dashboard_idx": (
        "(district, state, track_id) INCLUDE (window_id, approved_amount)"
        " WHERE submitted_at IS NOT NULL"
    ),
    "application_dashboard_times_idx": (
        "(district) INCLUDE (state, submitted_at, first_submitted_at, municipal_review_at,"
        " approved_at, disbursed_at, payment_due_at)"
        " WHERE submitted_at IS NOT NULL AND municipal_review_at IS NOT NULL"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON applications_application {definition}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("applications", "0015_objection_upheld")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
