# ruff: noqa: RUF012
"""The workflow that sends a leg together with other legs of a bulk send (empty: its own)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sending", "0005_summary_unmapped"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="batch",
            field=models.CharField(
                blank=True,
                help_text=(
                    "The workflow that sends this round together with other legs of a bulk "
                    "send; empty when the leg's own workflow sends it."
                ),
                max_length=64,
            ),
        ),
    ]
