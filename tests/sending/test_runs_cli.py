"""``payjournal runs history|withdraw|send`` run as an operator runs them (Typer's runner, the
test database, the emulator in-process): a run's versions and legs, a withdrawal, unknown
companies and runs (exit 2), and a correction sent from the command line waiting for both of
its legs."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from payjournal.api.history import run_detail
from payjournal.cli import app
from payjournal.cli.history import print_history
from payjournal.emulator import Emulator
from payjournal.payroll.models import PayrollRun
from payjournal.sending.models import Submission
from payjournal.sending.services import import_run, request_send, set_send_automatically
from tests.fixtures.books import Books, drop_throwaway_dbos, throwaway_dbos_url
from tests.sending.netting import books_net
from tests.sending.story import (
    RUN,
    assert_books_net_to_the_latest,
    corrected,
    drain,
    legs,
    version_1,
)

WIDE = {"COLUMNS": "240"}


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


@pytest.fixture
def dbos_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Any) -> Iterator[str]:
    """The DBOS system database a CLI command in this test starts (``PAYJOURNAL_DBOS_URL``):
    a throw-away one, never the app's (PostgreSQL: dropped after)."""
    url = throwaway_dbos_url(tmp_path, settings)
    monkeypatch.setenv("PAYJOURNAL_DBOS_URL", url)
    _reopen_dbos_log()
    yield url
    _reopen_dbos_log()
    drop_throwaway_dbos(url)


def _reopen_dbos_log() -> None:
    """DBOS logs to the stderr of the moment its logger was first set up — under Typer's runner
    a stream closed once the command returned; point it at the real one again."""
    for handler in logging.getLogger("dbos").handlers:
        if isinstance(handler, logging.StreamHandler) and getattr(handler.stream, "closed", False):
            handler.stream = sys.stderr  # not setStream: it flushes the closed one first


def corrected_and_sent(books: Books) -> None:
    """2026-09 booked as v1, corrected to v2 and sent (reversal + rebooking); 2026-10 sent."""
    request_send(version_1(books))
    request_send(PayrollRun.objects.get(company=books.bakkerij, run_id="2026-10"))
    drain(books.bakkerij)
    v2 = import_run(books.bakkerij, corrected(), "run-2026-09-v2.json").run
    request_send(v2)
    drain(books.bakkerij)


def history(cli: CliRunner, books: Books, run: str, *options: str) -> str:
    args = ["runs", "history", run, "--company", str(books.bakkerij.pk), *options]
    result = cli.invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.django_db
def test_history_lists_versions_and_legs_of_a_sent_and_a_corrected_run(
    cli: CliRunner, books: Books, visma: Emulator
) -> None:
    corrected_and_sent(books)
    numbers = [
        leg.voucher_number
        for leg in Submission.objects.filter(company=books.bakkerij, run_key=RUN).order_by(
            "created_at"
        )
    ]
    lines = history(cli, books, RUN).splitlines()
    assert lines[0].startswith(f"Run {RUN} of nl-bakkerij: latest v2, sent ({numbers[2]})")
    assert lines[0].endswith("the books hold v2, settled.")
    versions = [line for line in lines if line.startswith("version  ")]
    assert [v.split("  ")[1] for v in versions] == ["v1", "v2"]
    assert versions[0].endswith("superseded") and versions[1].endswith("latest, booked")
    shown = [line.split("  ")[1:5] for line in lines if line.startswith("leg  ")]
    assert shown == [
        ["1", "v1 in full", "sent", numbers[0]],
        ["2", "reversal of v1", "sent", numbers[1]],
        ["3", "v2 in full", "sent", numbers[2]],
    ]
    assert "Nothing to book: the books hold what the payroll says." in lines

    plain = history(cli, books, "2026-10").splitlines()
    assert [line.split("  ")[2] for line in plain if line.startswith("leg  ")] == ["v1 in full"]

    as_json = json.loads(history(cli, books, RUN, "--format", "json"))
    assert as_json == json.loads(run_detail(books.bakkerij, RUN).model_dump_json())
    assert [leg["voucher_number"] for leg in as_json["legs"]] == numbers


@pytest.mark.django_db
def test_history_on_a_terminal_prints_tables_and_what_a_send_would_post(
    books: Books, visma: Emulator
) -> None:
    request_send(version_1(books))
    drain(books.bakkerij)
    import_run(books.bakkerij, corrected(), "run-2026-09-v2.json")
    out = StringIO()
    terminal = Console(file=out, force_terminal=True, width=200, color_system=None)
    print_history(terminal, books.bakkerij, run_detail(books.bakkerij, RUN))
    text = out.getvalue()
    assert "latest v2, not sent; the books hold v1, not settled." in text
    assert "┃ Version" in text and "┃ Leg" in text and "┃ Net change" in text
    assert "A send would post: reversal of v1, then v2 in full (2 vouchers)." in text


@pytest.mark.django_db
def test_withdraw_from_the_command_line(cli: CliRunner, books: Books, visma: Emulator) -> None:
    request_send(version_1(books))
    drain(books.bakkerij)
    args = ["runs", "withdraw", RUN, "--company", str(books.bakkerij.pk)]
    first = cli.invoke(app, args, env=WIDE)
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        f"Run {RUN} withdrawn.",
        "A send would post: reversal of v1 (1 voucher).",
    ]
    again = cli.invoke(app, args, env=WIDE)
    assert again.exit_code == 0 and f"Run {RUN} was already withdrawn." in again.stdout
    assert version_1(books).withdrawn_at is not None
    assert legs(books.bakkerij) == [("full", "sent")]  # no automatic sending: a send reverses
    request_send(version_1(books))
    drain(books.bakkerij)
    lines = history(cli, books, RUN).splitlines()
    assert "latest v1, withdrawn; the books hold nothing of it, settled." in lines[0]
    assert any("reversal of v1  sent" in line for line in lines)


@pytest.mark.django_db
def test_history_speaks_dutch_and_swedish(cli: CliRunner, books: Books, visma: Emulator) -> None:
    request_send(version_1(books))
    drain(books.bakkerij)
    dutch = history(cli, books, RUN, "--lang", "nl").splitlines()
    assert dutch[0].startswith(f"Verloning {RUN} van nl-bakkerij: laatste v1, verstuurd")
    assert any(line.startswith("boeking  1  v1 volledig  verstuurd") for line in dutch)
    swedish = history(cli, books, RUN, "--lang", "sv").splitlines()
    assert swedish[0].endswith("bokföringen innehåller v1, klar.")


@pytest.mark.django_db(transaction=True)
def test_withdraw_with_automatic_sending_posts_the_reversal(
    cli: CliRunner, books: Books, visma: Emulator, dbos_url: str
) -> None:
    request_send(version_1(books))
    drain(books.bakkerij)
    set_send_automatically(books.bakkerij, True)
    args = ["runs", "withdraw", RUN, "--company", str(books.bakkerij.pk), "--here"]
    result = cli.invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    assert f"Run {RUN} withdrawn." in result.stdout
    assert "reversal of v1" in result.stdout and "sent" in result.stdout
    assert legs(books.bakkerij) == [("full", "sent"), ("reversal", "sent")]
    assert books_net(visma, books.bakkerij, RUN) == {}


@pytest.mark.django_db
def test_unknown_company_or_run_exits_2(cli: CliRunner, books: Books) -> None:
    for command in ("history", "withdraw"):
        company = cli.invoke(app, ["runs", command, RUN, "--company", "999999"])
        assert company.exit_code == 2
        assert "No payroll company with id 999999." in company.stderr
        run = cli.invoke(app, ["runs", command, "nope", "--company", str(books.bakkerij.pk)])
        assert run.exit_code == 2
        assert f"No run 'nope' in nl-bakkerij (id {books.bakkerij.pk})." in run.stderr
    assert not PayrollRun.objects.filter(withdrawn_at__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_send_waits_for_the_rebooking_after_the_reversal(
    cli: CliRunner, books: Books, visma: Emulator, dbos_url: str
) -> None:
    request_send(version_1(books))
    drain(books.bakkerij)
    import_run(books.bakkerij, corrected(), "run-2026-09-v2.json")
    args = ["runs", "send", RUN, "--company", str(books.bakkerij.pk), "--here", "--wait", "60"]
    result = cli.invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    assert legs(books.bakkerij) == [("full", "sent"), ("reversal", "sent"), ("full", "sent")]
    assert "reversal of v1" in result.stdout and "v2 in full" in result.stdout
    # not on a terminal: the wait is a plain line per run id come to rest (a bar on a terminal)
    assert "Waiting for Visma: 1 of 1 runs, 0 to go" in result.stdout
    assert_books_net_to_the_latest(visma, books.bakkerij)
