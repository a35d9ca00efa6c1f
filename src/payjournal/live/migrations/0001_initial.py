# ruff: noqa: RUF012
"""The change stamps' table. Its triggers are not part of a migration: they are installed after
every ``migrate`` (:mod:`payjournal.live.triggers`)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="LiveStamp",
            fields=[
                ("topic", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("counter", models.BigIntegerField(default=0)),
            ],
        ),
    ]
