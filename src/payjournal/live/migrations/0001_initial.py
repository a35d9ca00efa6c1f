# ruff: noqa: RUF012
"""The change stamps and the triggers that bump them: every insert or update of a payroll run or
a leg (``company:<id>``), every account added, deleted, or changed in what the Accounts tab
shows (``accounts:<master id>``: not a token's ciphertext or refresh lease, nor the time of the
last answered call, which a busy account writes every minute). Triggers, not Python: a change
made by any process (the web, a DBOS worker, the API, ``runs import``) through any code path
(``save``, ``update``, ``bulk_create``) counts, in the transaction that makes it."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

#: The columns of an account the Accounts tab shows: a change of one of them is a change.
_ACCOUNT_SHOWN = (
    "name",
    "status",
    "status_reason",
    "refusal_code",
    "visma_company_name",
    "tokens_issued_at",
)
#: (trigger, table, events, the row's topic, the row's master) — ``{row}`` is NEW or OLD.
_COMPANY = (
    "'company:' || {row}.company_id",
    "(SELECT master_id FROM payroll_payrollcompany WHERE id = {row}.company_id)",
)
_ACCOUNTS = ("'accounts:' || {row}.master_id", "{row}.master_id")
_TRIGGERS = (
    ("live_run_insert", "payroll_payrollrun", "INSERT", "NEW", _COMPANY),
    ("live_run_update", "payroll_payrollrun", "UPDATE", "NEW", _COMPANY),
    ("live_leg_insert", "sending_submission", "INSERT", "NEW", _COMPANY),
    ("live_leg_update", "sending_submission", "UPDATE", "NEW", _COMPANY),
    ("live_account_insert", "integrations_vismaaccount", "INSERT", "NEW", _ACCOUNTS),
    ("live_account_update", "integrations_vismaaccount", "UPDATE", "NEW", _ACCOUNTS),
    ("live_account_delete", "integrations_vismaaccount", "DELETE", "OLD", _ACCOUNTS),
)


def _bump(row: str, topic: str, master: str) -> str:
    return (
        "INSERT INTO live_livestamp (topic, master_id, counter) "
        f"SELECT {topic.format(row=row)}, {master.format(row=row)}, 1 WHERE true "
        "ON CONFLICT (topic) DO UPDATE SET counter = live_livestamp.counter + 1;"
    )


def _when(name: str, postgres: bool) -> str:
    """The condition of an account update: a shown column changed (NULL-safe)."""
    if name != "live_account_update":
        return ""
    differs = "IS DISTINCT FROM" if postgres else "IS NOT"
    changed = " OR ".join(f"OLD.{column} {differs} NEW.{column}" for column in _ACCOUNT_SHOWN)
    return f"WHEN ({changed}) "


def create_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, table, events, row, (topic, master) in _TRIGGERS:
        bump = _bump(row, topic, master)
        when = _when(name, postgres)
        if postgres:
            schema_editor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {bump} RETURN NULL; END $$;"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {events} ON {table} "
                f"FOR EACH ROW {when}EXECUTE FUNCTION {name}();"
            )
        else:
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH ROW {when}"
                f"BEGIN {bump} END;"
            )


def drop_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, table, *_ in _TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{' ON ' + table if postgres else ''};")
        if postgres:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}();")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("integrations", "0002_vismaaccount_last_call_ok_at_and_more"),
        ("payroll", "0006_journal_sent_is_derived"),
        ("sending", "0002_corrections"),
    ]

    operations = [
        migrations.CreateModel(
            name="LiveStamp",
            fields=[
                ("topic", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("master_id", models.BigIntegerField(db_index=True)),
                ("counter", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
