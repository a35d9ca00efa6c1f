"""Change stamps (:mod:`payjournal.live`): every write of a company's runs and legs and every
visible change of a master's accounts moves its stamp on, and the master-wide stamp the cockpit
and the home page follow — through the ORM, a raw ``UPDATE``,
a ``bulk_create``, or another process writing the same database — and the pollers' question
answers ``204`` while nothing changed, the new stamp and the page's event once it did, and
nothing to whom may not see it. Again on PostgreSQL (the triggers are written per database)."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payjournal.integrations import services as accounts
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.live import triggers
from payjournal.live.stamps import Kind, Topic, read
from payjournal.payroll.models import PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import map_company
from payjournal.sending.models import Submission
from payjournal.sending.services import import_run, request_send
from tests.fixtures.tenants import Tenant, make_tenant
from tests.on_postgres import assert_passes_on_postgresql
from tests.waiting import PATIENCE_S

HX = {"HTTP_HX_REQUEST": "true"}


def company_topic(tenant: Tenant) -> Topic:
    return Topic(Kind.COMPANY, tenant.bakkerij.pk)


def import_september(tenant: Tenant) -> Any:
    """The bakkerij's September run, its company mapped (so it can be sent; nothing posts)."""
    account = VismaAccount.objects.create(
        master=tenant.master,
        name="Bakkerij",
        status=AccountStatus.AUTHORIZED,
        visma_company_id="bakkerij-in-visma",
    )
    map_company(tenant.bakkerij, account)
    run_file = next((samples_dir() / "nl-bakkerij").glob("run-2026-09.*"))
    return import_run(tenant.bakkerij, run_file.read_bytes(), run_file.name).run


def test_runs_and_legs_move_the_company_stamp_on(tenant: Tenant) -> None:
    topic = company_topic(tenant)
    other = read(Topic(Kind.COMPANY, tenant.nordisk.pk))
    before = read(topic)
    run = import_september(tenant)
    after_import = read(topic)
    assert after_import > before
    request_send(run)  # a leg written
    after_send = read(topic)
    assert after_send > after_import
    Submission.objects.filter(run_key=run.run_id).update(state="sending")  # no save(), no signal
    assert read(topic) > after_send
    assert read(Topic(Kind.COMPANY, tenant.nordisk.pk)) == other  # another company's is its own


def test_visible_changes_of_accounts_move_the_masters_stamp_on(tenant: Tenant) -> None:
    topic = Topic(Kind.ACCOUNTS, tenant.master.pk)
    before = read(topic)
    account = accounts.create_account(tenant.master, "Nordisk – Erik")
    added = read(topic)
    assert added > before
    VismaAccount.objects.filter(pk=account.pk).update(token_ciphertext=b"x", token_version=2)
    VismaAccount.objects.filter(pk=account.pk).update(refresh_lease_owner="worker-1")
    VismaAccount.objects.filter(pk=account.pk).update(last_call_ok_at=timezone.now())
    VismaAccount.objects.filter(pk=account.pk).update(status=F("status"), name=F("name"))
    assert read(topic) == added  # a lease, a call answered, nothing changed: nothing to show
    VismaAccount.objects.filter(pk=account.pk).update(tokens_issued_at=timezone.now())
    refreshed = read(topic)
    assert refreshed > added  # the token's age is shown
    VismaAccount.objects.filter(pk=account.pk).update(refusal_code="module_not_activated")
    assert read(topic) > refreshed
    added = read(topic)
    VismaAccount.objects.filter(pk=account.pk).update(status=AccountStatus.AUTHORIZATION_NEEDED)
    changed = read(topic)
    assert changed > added
    VismaAccount.objects.filter(pk=account.pk).update(name="Nordisk – Erik S.")
    renamed = read(topic)
    assert renamed > changed
    VismaAccount.objects.filter(pk=account.pk).delete()
    assert read(topic) > renamed


def test_a_failed_authorization_shown_on_its_row_moves_the_masters_stamp_on(
    tenant: Tenant,
) -> None:
    """The explanation of a failed authorization appears on the account's row, and goes once
    the next authorization succeeds: both are changes the Accounts tab shows."""
    topic = Topic(Kind.ACCOUNTS, tenant.master.pk)
    account = accounts.create_account(tenant.master, "Nordisk – Erik")
    added = read(topic)
    accounts.record_authorization_problem(account, "access_denied")
    failed = read(topic)
    assert failed > added
    VismaAccount.objects.filter(pk=account.pk).update(authorization_problem="")
    assert read(topic) > failed


def test_a_change_written_by_another_process_moves_the_stamp_on(transactional_db: None) -> None:
    """A worker process, and not even through Django: a plain ``UPDATE`` of the database."""
    tenant = make_tenant("p")
    run = import_september(tenant)
    request_send(run)
    topic = company_topic(tenant)
    before = read(topic)
    _update_in_another_process(
        "UPDATE sending_submission SET state = 'sending' WHERE run_key = %s", run.run_id
    )
    assert read(topic) == before + 1


def test_on_postgresql_the_stamp_moves_on_when_the_change_commits(
    transactional_db: None,
) -> None:
    """A stamp bumped mid-transaction would hold its row lock while the transaction locks other
    rows, and two transactions of one company deadlock crosswise: PostgreSQL bumps at commit."""
    tenant = make_tenant("c")
    run = import_september(tenant)
    topic = company_topic(tenant)
    before = read(topic)
    with transaction.atomic():
        PayrollRun.objects.filter(pk=run.pk).update(run_id=run.run_id)
        inside = read(topic)
    assert inside == (before if connection.vendor == "postgresql" else before + 1)
    assert read(topic) == before + 1


def _update_in_another_process(sql: str, pk: Any) -> None:
    """Run ``sql`` (one ``%s``) in a new Python process with the database's own driver."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        program = (
            "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); "
            "db.execute(sys.argv[2].replace('%s', '?'), (sys.argv[3],)); db.commit()"
        )
        args = [str(settings["NAME"]), sql, str(pk)]
    else:
        program = (
            "import json, sys, psycopg; db = psycopg.connect(**json.loads(sys.argv[1])); "
            "db.execute(sys.argv[2], (sys.argv[3],)); db.commit()"
        )
        params = {"dbname": settings["NAME"], "user": settings["USER"], "host": settings["HOST"]}
        params.update(password=settings["PASSWORD"] or None, port=settings["PORT"] or None)
        args = [json.dumps({k: v for k, v in params.items() if v}), sql, str(pk)]
    done = subprocess.run(
        [sys.executable, "-c", program, *args], capture_output=True, text=True, timeout=PATIENCE_S
    )
    assert done.returncode == 0, done.stderr


def import_nordisk(tenant: Tenant) -> Any:
    """A run of Nordisk, the master's other company (nothing assigned to the viewer)."""
    run_file = sorted((samples_dir() / "se-nordisk").glob("run-*"))[0]
    return import_run(tenant.nordisk, run_file.read_bytes(), run_file.name).run


def master_topic(tenant: Tenant) -> Topic:
    return Topic(Kind.MASTER, tenant.master.pk)


def test_the_master_stamp_counts_every_company_and_account_of_the_master(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    topic = master_topic(tenant)
    elsewhere = read(master_topic(other_tenant))
    before = read(topic)
    run = import_september(tenant)  # an account created and mapped, a run of the bakkerij
    after_bakkerij = read(topic)
    assert after_bakkerij > before
    import_nordisk(tenant)
    after_nordisk = read(topic)
    assert after_nordisk > after_bakkerij
    PayrollRun.objects.filter(pk=run.pk).update(source_name="again")
    assert read(topic) == after_nordisk + 1
    request_send(run)  # a leg
    after_leg = read(topic)
    assert after_leg > after_nordisk + 1
    VismaAccount.objects.filter(master=tenant.master).update(last_call_ok_at=timezone.now())
    assert read(topic) == after_leg  # not shown anywhere: no change
    VismaAccount.objects.filter(master=tenant.master).update(name="Renamed")
    assert read(topic) == after_leg + 1
    assert read(master_topic(other_tenant)) == elsewhere  # another master's is its own


def test_the_cockpit_question(tenant: Tenant, other_tenant: Tenant) -> None:
    """The cockpit follows the master's stamp: 204 while nothing changed, the master's event on
    a change of any of its companies, and a stop to another master's member or a signed-out
    tab; its table asks for itself on that event, not on a clock."""
    admin = tenant.client(tenant.admin)
    page = admin.get("/cockpit/").content.decode()
    assert (
        'hx-trigger="live-master from:body"' in page
        and "every " not in page.split('id="cockpit-table"')[1].split(">")[0]
    )
    asked = poller_url(admin, "/cockpit/")
    assert ask(admin, asked).status_code == 204
    import_nordisk(tenant)  # a company of the master
    changed = ask(admin, asked)
    assert changed.status_code == 200 and changed["HX-Trigger"] == "live-master"
    again = re.search(r'hx-get="([^"]+)"', html.unescape(changed.content.decode()))
    assert again is not None
    assert ask(admin, again.group(1)).status_code == 204
    import_september(tenant)  # another company of the master
    assert ask(admin, again.group(1)).status_code == 200
    other = other_tenant.client(other_tenant.admin)
    assert ask(other, asked).status_code == 286  # another master's ticket
    theirs = poller_url(other, "/cockpit/")
    assert ask(admin, theirs).status_code == 286
    import_september(other_tenant)
    assert ask(other, theirs).status_code == 200
    admin.post("/logout/")
    assert ask(admin, asked).status_code == 286


def test_the_home_page_and_the_run_page_follow_their_stamps(tenant: Tenant) -> None:
    """The home page follows its master (its lists ask for the page again on ``live-master``),
    the run page its company (the state above the journal, on ``live-company``)."""
    client = tenant.client(tenant.payroll)
    home = client.get("/").content.decode()
    assert re.search(r'<div id="today" hx-get="/" hx-trigger="live-master from:body"', home)
    asked = poller_url(client, "/")
    assert ask(client, asked).status_code == 204
    run = import_september(tenant)
    assert ask(client, asked)["HX-Trigger"] == "live-master"
    page = f"/companies/{tenant.bakkerij.pk}/runs/{run.pk}/"
    text = client.get(page).content.decode()
    assert 'id="run-live"' in text and 'hx-trigger="live-company from:body"' in text
    asked = poller_url(client, page)
    assert ask(client, asked).status_code == 204
    request_send(run)
    assert ask(client, asked)["HX-Trigger"] == "live-company"


def poller_url(client: Client, page: str) -> str:
    """The question the poller of ``page`` (as ``client`` sees it) asks."""
    text = client.get(page).content.decode()
    found = re.search(r'<div id="live-\w+" hidden hx-get="([^"]+)"', text)
    assert found is not None, f"{page} has no live poller"
    return html.unescape(found.group(1))


def ask(client: Client, url: str) -> Any:
    return client.get(url, **HX)


def test_the_question_answers_204_until_the_stamp_moves_on(tenant: Tenant) -> None:
    client = tenant.client(tenant.viewer)  # the bakkerij is assigned to the viewer
    asked = poller_url(client, f"/companies/{tenant.bakkerij.pk}/")
    unchanged = ask(client, asked)
    assert unchanged.status_code == 204 and unchanged.content == b""
    import_september(tenant)
    changed = ask(client, asked)
    assert changed.status_code == 200
    assert changed["HX-Trigger"] == "live-company"
    assert "no-store" in changed["Cache-Control"]
    text = html.unescape(changed.content.decode())
    seen = read(company_topic(tenant))
    assert f'data-seen="{seen}"' in text and f"&seen={seen}" in text
    assert 'hx-trigger="every 1s, visibilitychange from:document"' in text
    again = re.search(r'hx-get="([^"]+)"', text)
    assert again is not None
    assert ask(client, again.group(1)).status_code == 204


def test_the_accounts_question(tenant: Tenant) -> None:
    client = tenant.client(tenant.admin)
    asked = poller_url(client, "/integrations/visma/accounts/")
    assert ask(client, asked).status_code == 204
    accounts.create_account(tenant.master, "Bakkerij – Anna")
    changed = ask(client, asked)
    assert changed.status_code == 200 and changed["HX-Trigger"] == "live-accounts"


def test_the_question_tells_nothing_to_whom_may_not_see_it(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    """A poller's ticket is for its user in a live session: another user, a signed-out tab or
    a forged ticket gets htmx's "stop polling" (286), and tells nothing."""
    admin = tenant.client(tenant.admin)
    asked = poller_url(admin, f"/companies/{tenant.bakkerij.pk}/")
    import_september(tenant)  # the stamp moved on: only the ticket's user may learn it
    assert ask(other_tenant.client(other_tenant.admin), asked).status_code == 286
    assert ask(tenant.client(tenant.payroll), asked).status_code == 286
    assert ask(Client(), asked).status_code == 286
    forged = re.sub(r"ticket=([^&]+)", lambda m: "ticket=" + m.group(1)[:-2] + "AA", asked)
    assert ask(admin, forged).status_code == 286
    assert ask(admin, asked).status_code == 200
    admin.post("/logout/")
    assert ask(admin, asked).status_code == 286
    viewer = tenant.client(tenant.viewer)  # Nordisk is not assigned to the viewer: no page
    assert viewer.get(f"/companies/{tenant.nordisk.pk}/").status_code == 404
    assert viewer.get("/integrations/visma/accounts/").status_code == 403


@pytest.mark.parametrize("seen", ["", "x", "-1", "²", "1.5", str(2**63)])
def test_a_seen_that_is_no_count_is_a_400(tenant: Tenant, seen: str) -> None:
    client = tenant.client(tenant.admin)
    url = re.sub(
        r"seen=\d+", f"seen={quote(seen)}", poller_url(client, f"/companies/{tenant.bakkerij.pk}/")
    )
    answer = client.get(url, **HX)
    assert answer.status_code == 400
    assert answer.content.decode().startswith("seen: ")


def test_only_a_get_is_answered(tenant: Tenant) -> None:
    client = tenant.client(tenant.admin)
    url = poller_url(client, f"/companies/{tenant.bakkerij.pk}/")
    assert client.post(url, **HX).status_code == 405


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "sqlite", reason="this session already runs on PostgreSQL")
@pytest.mark.postgres_again(__file__)
def test_the_stamps_work_on_postgresql(request: pytest.FixtureRequest) -> None:
    assert_passes_on_postgresql(request)


def test_the_triggers_are_dropped_before_a_migration_and_installed_after(tenant: Tenant) -> None:
    """``migrate`` drops them first (SQLite remakes a table to alter it, and refuses to rename
    a table a trigger names) and installs them again after, however often it runs."""
    topic = company_topic(tenant)
    triggers.drop(connection)
    import_september(tenant)
    assert read(topic) == 0  # no trigger: nothing counted
    triggers.install(connection)
    triggers.install(connection)  # again: still one trigger per event
    before = read(topic)
    PayrollRun.objects.filter(company=tenant.bakkerij).update(source_name="again")
    assert read(topic) == before + 1


def test_a_migrate_with_nothing_to_apply_leaves_the_triggers_alone(tenant: Tenant) -> None:
    """Every process migrates at start-up: with nothing to apply it does no DDL, so processes
    starting together never take the tables' exclusive locks crosswise (two workers deadlocked
    on PostgreSQL) and no change made meanwhile goes uncounted."""
    with CaptureQueriesContext(connection) as migrating:
        call_command("migrate", interactive=False, verbosity=0)
    ddl = [
        q["sql"]
        for q in migrating.captured_queries
        if re.match(r"\s*(CREATE|DROP)\b", q["sql"], re.IGNORECASE)
    ]
    assert ddl == []
    topic = company_topic(tenant)
    import_september(tenant)
    assert read(topic) > 0  # still counting


def test_the_triggers_of_an_earlier_release_are_replaced(tenant: Tenant) -> None:
    """A trigger's name carries a hash of the triggers' SQL: one left by a release whose SQL
    differed is missing to this one, dropped, and replaced once."""
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TRIGGER live_run_insert AFTER INSERT ON payroll_payrollrun FOR EACH ROW "
            "BEGIN SELECT 1; END;"
            if connection.vendor == "sqlite"
            else "CREATE FUNCTION live_run_insert() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RETURN NULL; END $$; CREATE TRIGGER live_run_insert AFTER INSERT ON "
            "payroll_payrollrun FOR EACH ROW EXECUTE FUNCTION live_run_insert();"
        )
    assert "live_run_insert" in triggers.present(connection)
    assert len(triggers.missing(connection)) == len(triggers.TRIGGERS)
    assert triggers.ensure(connection) is True
    there = triggers.present(connection)
    assert "live_run_insert" not in there and len(there) == len(triggers.TRIGGERS)
    assert triggers.ensure(connection) is False and triggers.missing(connection) == []
