"""`payjournal journal preview` output with texts from the files that look like Rich markup
(the table) or spreadsheet formulas (the CSV)."""

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


def nl_scheme_with(tmp_path: Path, description: str, item: str) -> Path:
    scheme = json.loads(NL_SCHEME.read_text())
    scheme["components"][0]["description"] = description
    scheme["dimensions"] = {key: item for key in scheme["dimensions"]}
    path = tmp_path / "scheme.json"
    path.write_text(json.dumps(scheme))
    return path


def test_preview_shows_texts_that_look_like_markup_as_they_are(cli, tmp_path):
    scheme = nl_scheme_with(tmp_path, "Loon [/red] [bold]", "[link=x]P")
    result = cli.invoke(
        app, ["journal", "preview", str(NL_RUN), "-s", str(scheme)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "Loon [/red] [bold]" in result.stdout and "[link=x]P" in result.stdout


def test_preview_as_csv_neutralises_formulas_in_texts(cli, tmp_path):
    scheme = nl_scheme_with(tmp_path, '=HYPERLINK("http://evil.example","Loon")', "@PROD")
    result = cli.invoke(app, ["journal", "preview", str(NL_RUN), "-s", str(scheme), "-f", "csv"])
    assert result.exit_code == 0, result.output
    cells = [line.split(";") for line in result.stdout.splitlines()[1:]]
    texts = [cell for row in cells for cell in row[4:] if cell]
    assert texts and all(not cell.lstrip('"').startswith(("=", "@")) for cell in texts)
    assert any(cell.startswith("\"'=HYPERLINK(") for cell in texts)
    assert all(
        row[2].replace(".", "").isdigit() and row[3].replace(".", "").isdigit() for row in cells
    )
