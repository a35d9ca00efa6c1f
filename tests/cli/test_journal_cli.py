"""The `payjournal journal preview`, `demo` and `bench build` commands, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from payjournal.cli import app

SAMPLES = Path(__file__).parents[2] / "src" / "payjournal" / "samples"
NL_RUN = SAMPLES / "nl-bakkerij" / "run-2026-09.json"
NL_SCHEME = SAMPLES / "nl-bakkerij" / "scheme.json"


@pytest.fixture
def cli():
    return CliRunner()


def test_preview_as_json_prints_the_documented_shape(cli):
    result = cli.invoke(
        app, ["journal", "preview", str(NL_RUN), "--scheme", str(NL_SCHEME), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    journal = json.loads(result.stdout)
    assert journal["voucher_date"] == "2026-09-30"
    assert journal["currency"] == "EUR"
    assert journal["voucher_text"].startswith("Loonjournaal 2026-09")
    assert journal["debit_total"] == journal["credit_total"] == "44542.23"
    first = journal["rows"][0]
    assert set(first) == {"account", "debit", "credit", "text", "dimension"}
    assert all(row["debit"] == "0.00" or row["credit"] == "0.00" for row in journal["rows"])


def test_preview_as_table_shows_totals_and_balance(cli):
    result = cli.invoke(
        app, ["journal", "preview", str(NL_RUN), "-s", str(NL_SCHEME)], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0
    assert "44542.23" in result.stdout
    assert "Balanced: yes" in result.stdout


def test_preview_as_csv_has_one_line_per_row(cli):
    result = cli.invoke(app, ["journal", "preview", str(NL_RUN), "-s", str(NL_SCHEME), "-f", "csv"])
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "voucher_date;account;debit;credit;text;dimension"
    assert len(lines) == 21


def test_preview_lists_every_problem_and_exits_1(cli, tmp_path):
    scheme = json.loads(NL_SCHEME.read_text())
    scheme["components"] = [
        c for c in scheme["components"] if c["component"] not in {"NET_PAY", "ER_ZVW"}
    ]
    scheme["dimensions"].pop("WINK")
    (tmp_path / "scheme.json").write_text(json.dumps(scheme))
    result = cli.invoke(
        app, ["journal", "preview", str(NL_RUN), "-s", str(tmp_path / "scheme.json")]
    )
    assert result.exit_code == 1
    assert "3 problem(s)" in result.stderr
    assert "'NET_PAY' has no ledger accounts" in result.stderr
    assert "'ER_ZVW' has no ledger accounts" in result.stderr
    assert "Department 'WINK' has no cost center item" in result.stderr


def test_preview_of_a_broken_file_names_it_and_exits_2(cli, tmp_path):
    broken = tmp_path / "run.csv"
    broken.write_text("company,run_id\nacme\n")
    result = cli.invoke(app, ["journal", "preview", str(broken), "-s", str(NL_SCHEME)])
    assert result.exit_code == 2
    assert f"{broken}, line 1: missing column(s)" in result.stderr


def test_preview_of_a_missing_file_says_so_and_exits_2(cli, tmp_path):
    result = cli.invoke(
        app, ["journal", "preview", str(tmp_path / "nope.csv"), "-s", str(NL_SCHEME)]
    )
    assert result.exit_code == 2
    assert "nope.csv" in result.stderr


def test_bench_build_prints_its_figures(cli):
    result = cli.invoke(
        app, ["bench", "build", "--employees", "40", "--components", "6", "--repeat", "1"]
    )
    assert result.exit_code == 0, result.output
    for label in (
        "lines",
        "csv module parse",
        "import + build",
        "ratio to csv parse",
        "peak memory",
    ):
        assert label in result.stdout
    assert "240 (" in result.stdout


def test_bench_build_gives_the_median_ratio_of_its_pairs(cli):
    result = cli.invoke(
        app, ["bench", "build", "--employees", "20", "--components", "3", "--repeat", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "(target ≤ 3, the median)  (min / median / max of 3 pairs: " in result.stdout
