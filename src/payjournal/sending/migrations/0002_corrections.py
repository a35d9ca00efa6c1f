# ruff: noqa: RUF012
"""Booking legs: a submission is one leg (full, reversal, difference) of a run id; corrections
settings per company with a master default; the run booking row. Existing submissions become
full legs with their journal's run id and voucher date."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import payjournal.domain.submission


def fill_legs(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Existing submissions are full postings of their journal, dated as the journal."""
    submission = apps.get_model("sending", "Submission")
    for row in submission.objects.select_related("journal__run").iterator():
        row.run_key = row.journal.run.run_id
        row.voucher_date = row.journal.voucher_date
        row.save(update_fields=("run_key", "voucher_date"))
    # Before legs, two versions of one run could both wait; keep the newest waiting one.
    waiting = submission.objects.filter(
        state__in=("queued", "needs_action"), needs_reconcile=False
    ).order_by("company_id", "run_key", "-created_at")
    seen = set()
    for row in waiting:
        key = (row.company_id, row.run_key)
        if key in seen:
            row.state = "superseded"
            row.save(update_fields=("state",))
        seen.add(key)


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0004_corrections"),
        ("sending", "0001_initial"),
        ("tenancy", "0002_membership_language"),
    ]

    operations = [
        migrations.CreateModel(
            name="CorrectionDefaults",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "correction_mode",
                    models.CharField(
                        choices=[
                            ("reverse_and_rebook", "Reverse and rebook"),
                            ("difference", "Difference"),
                        ],
                        default="reverse_and_rebook",
                        max_length=20,
                    ),
                ),
                (
                    "correction_date",
                    models.CharField(
                        choices=[
                            (
                                "original_or_first_open",
                                "The original date, or the first open day after the lock date",
                            ),
                            ("new_version", "The new version's date"),
                        ],
                        default="original_or_first_open",
                        max_length=24,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="RunBooking",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("run_key", models.CharField(max_length=64)),
                ("wanted_version", models.PositiveIntegerField(blank=True, null=True)),
            ],
        ),
        migrations.RemoveConstraint(
            model_name="submission",
            name="submission_one_sent_per_journal",
        ),
        migrations.RemoveConstraint(
            model_name="submission",
            name="submission_one_open_per_journal",
        ),
        migrations.AddField(
            model_name="sendingsettings",
            name="correction_date",
            field=models.CharField(
                blank=True,
                choices=[
                    (
                        "original_or_first_open",
                        "The original date, or the first open day after the lock date",
                    ),
                    ("new_version", "The new version's date"),
                ],
                max_length=24,
            ),
        ),
        migrations.AddField(
            model_name="sendingsettings",
            name="correction_mode",
            field=models.CharField(
                blank=True,
                choices=[
                    ("reverse_and_rebook", "Reverse and rebook"),
                    ("difference", "Difference"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="submission",
            name="base",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="difference_legs",
                to="payroll.journalsnapshot",
            ),
        ),
        migrations.AddField(
            model_name="submission",
            name="kind",
            field=models.CharField(
                choices=[("full", "Full"), ("reversal", "Reversal"), ("difference", "Difference")],
                default="full",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="submission",
            name="move_past_lock",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="submission",
            name="run_key",
            field=models.CharField(
                default="MIGRATE", help_text="The payroll run id the leg books.", max_length=64
            ),
        ),
        migrations.AddField(
            model_name="submission",
            name="voucher_date",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(fill_legs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="submission",
            name="run_key",
            field=models.CharField(help_text="The payroll run id the leg books.", max_length=64),
        ),
        migrations.AlterField(
            model_name="submission",
            name="voucher_date",
            field=models.DateField(),
        ),
        migrations.AlterField(
            model_name="attempt",
            name="state",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("sending", "Sending"),
                    ("reconciling", "Reconciling"),
                    ("sent", "Sent"),
                    ("needs_action", "Needs action"),
                    ("superseded", "Superseded"),
                ],
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="state",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("sending", "Sending"),
                    ("reconciling", "Reconciling"),
                    ("sent", "Sent"),
                    ("needs_action", "Needs action"),
                    ("superseded", "Superseded"),
                ],
                default=payjournal.domain.submission.SubmissionState["QUEUED"],
                max_length=16,
            ),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(
                fields=["company", "run_key"], name="sending_sub_company_581d0b_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "sent")),
                fields=("journal", "kind"),
                name="submission_one_sent_leg_per_kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("state__in", ["queued", "sending", "reconciling", "needs_action"])
                ),
                fields=("company", "run_key"),
                name="submission_one_open_leg_per_run",
            ),
        ),
        migrations.AddField(
            model_name="correctiondefaults",
            name="master",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="correction_defaults",
                to="tenancy.master",
            ),
        ),
        migrations.AddField(
            model_name="runbooking",
            name="company",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="payroll.payrollcompany",
            ),
        ),
        migrations.AddConstraint(
            model_name="runbooking",
            constraint=models.UniqueConstraint(
                fields=("company", "run_key"), name="run_booking_unique"
            ),
        ),
    ]
