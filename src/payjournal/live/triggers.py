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

They are dropped before a ``migrate`` that applies migrations and installed again after it
(``apps.py``): SQLite remakes a table to alter it, which drops the table's triggers and refuses
to rename a table that a trigger names, so no migration of any app has to know about them. A
``migrate`` with nothing to apply — every process's start-up — only installs what is missing
(:func:`ensure`): each trigger's name carries a hash of the triggers' SQL, so a release that
changes them replaces them. Start-up migrations of several processes take turns on PostgreSQL
(:func:`payjournal.site.bootstrap.start_django`).
"""

from __future__ import annotations

import hashlib

from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["drop", "ensure", "install", "missing", "present"]

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


def _created(postgres: bool, version: str = "") -> list[tuple[str, str, list[str]]]:
    """Each trigger's (name, table, the statements that create it) on this database; with
    ``version``, the trigger (and its function) is named ``<name>_<version>``."""
    found = []
    for base, table, event, _row, topics in TRIGGERS:
        when = _when(base, postgres)
        name = f"{base}_{version}" if version else base
        if postgres:
            statements = [
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {_bumps(topics)} RETURN NULL; END $$;",
                f"CREATE CONSTRAINT TRIGGER {name} AFTER {event} ON {table} "
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW {when}EXECUTE FUNCTION {name}();",
            ]
        else:
            statements = [
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {when}"
                f"BEGIN {_bumps(topics)} END;"
            ]
        found.append((base, table, statements))
    return found


def _fingerprint() -> str:
    """A short hash of every trigger's SQL on both databases: part of each trigger's name, so a
    release that changes what a trigger does finds its old triggers "missing" and replaces them."""
    text = repr((_created(postgres=True), _created(postgres=False)))
    return hashlib.sha256(text.encode()).hexdigest()[:8]


#: The prefix of every trigger (and, on PostgreSQL, trigger function) of the stamps.
PREFIX = "live_"


def present(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The stamps' triggers in the database now: name → its table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE %s",
                [PREFIX + "%"],
            )
        else:
            cursor.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [PREFIX + "%"],
            )
        return {str(name): str(table) for name, table in cursor.fetchall()}


def missing(connection: BaseDatabaseWrapper) -> list[str]:
    """The triggers this release wants whose tables exist but that are not there (all of them
    after a release changed their SQL); empty when the stamps' table does not exist yet."""
    tables = set(connection.introspection.table_names())
    if STAMPS not in tables:
        return []
    version = _fingerprint()
    there = present(connection)
    return [
        f"{name}_{version}"
        for name, table, _statements in _created(connection.vendor == "postgresql")
        if table in tables and f"{name}_{version}" not in there
    ]


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove every trigger of the stamps, of this release or an earlier one (before a
    migration)."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for name, table in present(connection).items():
            if postgres:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}";')
            else:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}";')
        if postgres:
            cursor.execute(
                "SELECT proname FROM pg_proc WHERE proname LIKE %s AND prorettype = "
                "'trigger'::regtype",
                [PREFIX + "%"],
            )
            for (function,) in cursor.fetchall():
                cursor.execute(f'DROP FUNCTION IF EXISTS "{function}"();')


def install(connection: BaseDatabaseWrapper) -> None:
    """(Re)create every trigger of the stamps whose tables exist (after a migration)."""
    drop(connection)
    tables = set(connection.introspection.table_names())
    if STAMPS not in tables:
        return
    version = _fingerprint()
    with connection.cursor() as cursor:
        for _name, table, statements in _created(connection.vendor == "postgresql", version):
            if table in tables:
                for statement in statements:
                    cursor.execute(statement)


def ensure(connection: BaseDatabaseWrapper) -> bool:
    """Install the triggers when one of this release's is missing; whether it did. A start-up
    that finds them all does no DDL: two processes starting together never take the tables'
    exclusive locks crosswise (a deadlock seen with two workers), and the stamps never miss a
    change made meanwhile by a third."""
    if not missing(connection):
        return False
    install(connection)
    return True
