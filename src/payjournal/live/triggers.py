"""The database triggers that bump the change stamps, for SQLite and PostgreSQL.

Every insert or update of a payroll run or a leg, every wage component seen for the first time
(an import the scheme refused included) and every change of the company's name, code, ledger
scheme or mapping bumps ``company:<id>``; every account added,
deleted, or changed in what the Accounts tab shows bumps ``accounts:<master id>`` (its status and
Visma's refusal reason, a failed authorization's explanation, the Visma company, the token's age;
not a token's ciphertext or refresh lease, nor the time of the last answered call, which a busy
account writes every minute and the tab refreshes on its own each minute). Each of them also
bumps ``master:<master id>``, the master-wide stamp the cockpit follows (a run's or leg's master
found through its company's primary key), and bumps it first.

Triggers, not Python: a change made by any process (the web, a DBOS worker, the API, ``runs
import``) through any code path (``save``, ``update``, ``bulk_create``, raw SQL) counts, in the
transaction that makes it.

On PostgreSQL they are *deferred* constraint triggers: the stamps are bumped when the
transaction commits, after everything else it locked. A stamp bumped in the middle of a
transaction would hold its row lock while the transaction goes on to lock other rows (a leg, a
company's summary), and two transactions of one company then deadlock crosswise (seen: a run
imported while a leg of the company changed state). At commit a transaction takes only stamp
locks, the master's first, so two of them wait for each other at most for a commit. SQLite has
one writer at a time, so its triggers fire at once.

They are dropped before every ``migrate`` and installed again after it (``apps.py``): SQLite
remakes a table to alter it, which drops the table's triggers and refuses to rename a table
that a trigger names, so no migration of any app has to know about them.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["drop", "install"]

#: The columns of an account the Accounts tab shows: a change of one of them is a change.
ACCOUNT_SHOWN = (
    "name",
    "status",
    "status_reason",
    "refusal_code",
    "authorization_problem",
    "visma_company_name",
    "tokens_issued_at",
)
#: The columns of a payroll company the cockpit and the company page show, or that decide what
#: they show (the ledger scheme decides which wage components are unmapped).
COMPANY_SHOWN = ("name", "key", "scheme_source", "visma_account_id", "visma_company_id")
#: The master-wide topic of a row that belongs to a company (a run, a leg), as SQL.
_MASTER_OF_COMPANY = (
    "'master:' || (SELECT master_id FROM payroll_payrollcompany WHERE id = NEW.company_id)"
)
#: (trigger, table, event, the row: NEW or OLD, the topics the row bumps, as SQL)
TRIGGERS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    (
        "live_run_insert",
        "payroll_payrollrun",
        "INSERT",
        "NEW",
        (_MASTER_OF_COMPANY, "'company:' || NEW.company_id"),
    ),
    (
        "live_run_update",
        "payroll_payrollrun",
        "UPDATE",
        "NEW",
        (_MASTER_OF_COMPANY, "'company:' || NEW.company_id"),
    ),
    (
        "live_leg_insert",
        "sending_submission",
        "INSERT",
        "NEW",
        (_MASTER_OF_COMPANY, "'company:' || NEW.company_id"),
    ),
    (
        "live_leg_update",
        "sending_submission",
        "UPDATE",
        "NEW",
        (_MASTER_OF_COMPANY, "'company:' || NEW.company_id"),
    ),
    (
        "live_seen_component_insert",
        "payroll_seencomponent",
        "INSERT",
        "NEW",
        (_MASTER_OF_COMPANY, "'company:' || NEW.company_id"),
    ),
    (
        "live_company_update",
        "payroll_payrollcompany",
        "UPDATE",
        "NEW",
        ("'master:' || NEW.master_id", "'company:' || NEW.id"),
    ),
    (
        "live_account_insert",
        "integrations_vismaaccount",
        "INSERT",
        "NEW",
        ("'master:' || NEW.master_id", "'accounts:' || NEW.master_id"),
    ),
    (
        "live_account_update",
        "integrations_vismaaccount",
        "UPDATE",
        "NEW",
        ("'master:' || NEW.master_id", "'accounts:' || NEW.master_id"),
    ),
    (
        "live_account_delete",
        "integrations_vismaaccount",
        "DELETE",
        "OLD",
        ("'master:' || OLD.master_id", "'accounts:' || OLD.master_id"),
    ),
)
STAMPS = "live_livestamp"


def _bump(topic: str) -> str:
    """Count a change of ``topic`` (none when the topic is NULL: at PostgreSQL's commit, a run of a
    company deleted in the same transaction has no master left to tell)."""
    return (
        f"INSERT INTO {STAMPS} (topic, counter) SELECT {topic}, 1 WHERE {topic} IS NOT NULL "
        f"ON CONFLICT (topic) DO UPDATE SET counter = {STAMPS}.counter + 1;"
    )


def _bumps(topics: tuple[str, ...]) -> str:
    return " ".join(_bump(topic) for topic in topics)


#: The updates that count only when one of these columns changed.
_WATCHED = {"live_account_update": ACCOUNT_SHOWN, "live_company_update": COMPANY_SHOWN}


def _when(name: str, postgres: bool) -> str:
    """The condition of an account's or a company's update: a shown column changed
    (NULL-safe)."""
    if name not in _WATCHED:
        return ""
    differs = "IS DISTINCT FROM" if postgres else "IS NOT"
    changed = " OR ".join(f"OLD.{column} {differs} NEW.{column}" for column in _WATCHED[name])
    return f"WHEN ({changed}) "


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove every trigger of the stamps (before a migration)."""
    postgres = connection.vendor == "postgresql"
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for name, table, *_ in TRIGGERS:
            if postgres:
                if table in tables:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}();")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name};")


def install(connection: BaseDatabaseWrapper) -> None:
    """(Re)create every trigger of the stamps whose tables exist (after a migration)."""
    drop(connection)
    postgres = connection.vendor == "postgresql"
    tables = set(connection.introspection.table_names())
    if STAMPS not in tables:
        return
    with connection.cursor() as cursor:
        for name, table, event, _row, topics in TRIGGERS:
            if table not in tables:
                continue
            when = _when(name, postgres)
            if postgres:
                cursor.execute(
                    f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    f"BEGIN {_bumps(topics)} RETURN NULL; END $$;"
                )
                cursor.execute(
                    f"CREATE CONSTRAINT TRIGGER {name} AFTER {event} ON {table} "
                    f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW {when}EXECUTE FUNCTION {name}();"
                )
            else:
                cursor.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {when}"
                    f"BEGIN {_bumps(topics)} END;"
                )
