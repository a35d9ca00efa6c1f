# ruff: noqa: RUF012
"""The wage components a company's scheme does not map, counted on its summary row. Every row
is marked out of date (stamp -1), so the cockpit recomputes it once, with the count."""

from typing import Any

from django.db import migrations, models


def mark_out_of_date(apps: Any, schema_editor: Any) -> None:
    apps.get_model("sending", "CompanySummary").objects.update(stamp=-1)


class Migration(migrations.Migration):
    dependencies = [
        ("sending", "0004_summary_stamp"),
    ]

    operations = [
        migrations.AddField(
            model_name="companysummary",
            name="unmapped",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Wage components seen in the run files that the scheme does not map.",
            ),
        ),
        migrations.RunPython(mark_out_of_date, migrations.RunPython.noop),
    ]
