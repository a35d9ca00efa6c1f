"""`payjournal journal preview` with every file of the bad-input corpus: exit 2 and a message
naming the file, the line and the field — never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from payjournal.cli import app
from tests.domain.bad_inputs import BadInput, every_case

SAMPLES = Path(__file__).parents[2] / "src" / "payjournal" / "samples"
NL_RUN = SAMPLES / "nl-bakkerij" / "run-2026-09.json"
NL_SCHEME = SAMPLES / "nl-bakkerij" / "scheme.json"


@pytest.fixture
def cli():
    return CliRunner()


@pytest.mark.parametrize("case", every_case(), ids=str)
def test_preview_of_a_bad_file_exits_2_naming_the_line_and_field(cli, tmp_path, case: BadInput):
    path = tmp_path / case.name
    path.write_bytes(case.data)
    run, scheme = (NL_RUN, path) if case.is_scheme else (path, NL_SCHEME)
    result = cli.invoke(app, ["journal", "preview", str(run), "--scheme", str(scheme)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for fragment in case.expect:
        assert fragment in result.stderr
    assert result.stdout == ""
