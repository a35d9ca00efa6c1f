"""The command line speaks the language a Unix program reads from the environment (LC_ALL,
LC_MESSAGES, LANG, LANGUAGE), or the one ``--lang`` names, in English, Dutch or Swedish: the
same commands run with ``LANG=nl_NL.UTF-8`` and ``LANG=sv_SE.UTF-8`` print no English words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from payjournal.cli import app
from payjournal.cli.demo import banner, seed
from payjournal.cli.history import Language, language_from_environment, speaking
from payjournal.emulator import create_app, emulator_of
from payjournal.payroll.samples import samples_dir
from tests.fixtures.tenants import Tenant

#: The environment of a shell set to one locale; the other variables unset.
UNSET: dict[str, str | None] = {"LC_ALL": None, "LC_MESSAGES": None, "LANGUAGE": None}
DUTCH = {**UNSET, "LANG": "nl_NL.UTF-8", "COLUMNS": "240"}
SWEDISH = {**UNSET, "LANG": "sv_SE.UTF-8", "COLUMNS": "240"}
#: What each command says in each language, and English words that must not be left.
IMPORTED = {"nl": "geïmporteerd", "sv": "importerad"}
UNCHANGED = {"nl": "ongewijzigd", "sv": "oförändrad"}


def english_left(text: str, words: list[str]) -> list[str]:
    """The English ``words`` (whole words) still in ``text``."""
    return [word for word in words if re.search(rf"\b{re.escape(word)}\b", text)]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "nl_NL.UTF-8"}, Language.NL),
        ({"LANG": "nl_NL.UTF-8", "LC_ALL": "sv_SE.UTF-8"}, Language.SV),
        ({"LANG": "sv_SE", "LC_MESSAGES": "nl_BE@euro"}, Language.NL),
        ({"LANGUAGE": "sv:en"}, Language.SV),
        ({"LANG": "de_DE.UTF-8", "LANGUAGE": "nl"}, Language.EN),  # LANG decides first
        ({"LANG": "C.UTF-8"}, Language.EN),
        ({"LC_ALL": "", "LANG": "POSIX"}, Language.EN),
        ({}, Language.EN),
    ],
)
def test_the_language_comes_from_the_environment_as_for_any_unix_program(
    environ: dict[str, str], expected: Language
) -> None:
    assert language_from_environment(environ) is expected


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("environ", "lang"), [(DUTCH, "nl"), (SWEDISH, "sv")])
def test_runs_import_speaks_the_language_of_the_environment(
    tenant: Tenant, environ: dict[str, str | None], lang: str
) -> None:
    runs = sorted(str(p) for p in (samples_dir() / "se-nordisk").glob("run-*"))
    company = ["--company", str(tenant.nordisk.pk)]
    cli = CliRunner()

    first = cli.invoke(app, ["runs", "import", *runs, *company], env=environ)
    again = cli.invoke(app, ["runs", "import", runs[0], *company], env=environ)
    wrong = cli.invoke(app, ["runs", "import", runs[0], "--company", "999999"], env=environ)

    assert first.exit_code == 0, first.output
    assert first.output.count(IMPORTED[lang]) == len(runs), first.output
    assert UNCHANGED[lang] in again.output, again.output
    assert wrong.exit_code == 1 and "999999" in wrong.output
    english = ["imported", "unchanged", "Importing", "files", "to go", "No payroll company"]
    for result in (first, again, wrong):
        assert english_left(result.output, english) == [], result.output


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("environ", "said"),
    [(DUTCH, "0 werkgevers gecontroleerd"), (SWEDISH, "0 lönebolag kontrollerade")],
)
def test_checks_daily_sums_up_in_the_language_of_the_environment(
    tenant: Tenant, environ: dict[str, str | None], said: str
) -> None:
    result = CliRunner().invoke(app, ["checks", "daily"], env=environ)

    assert result.exit_code == 0, result.output
    assert said in result.stdout
    english = ["checked", "companies", "with drift", "not checkable"]
    assert english_left(result.stdout, english) == [], result.stdout  # the log line stays


def test_lang_names_the_language_before_the_environment() -> None:
    cli = CliRunner()
    dutch = cli.invoke(app, ["errors", "explain", "nope"], env=DUTCH)
    swedish = cli.invoke(app, ["errors", "explain", "nope", "--lang", "sv"], env=DUTCH)
    english = cli.invoke(app, ["errors", "explain", "nope"], env={**UNSET, "LANG": "C.UTF-8"})

    assert dutch.exit_code == swedish.exit_code == english.exit_code == 2
    assert "Onbekende foutcode: nope" in dutch.output
    assert "Okänd felkod: nope" in swedish.output
    assert "Unknown error code: nope" in english.output


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("locale_name", "heading", "in_order"),
    [
        ("nl_NL.UTF-8", "Wat elke Visma-administratie laat zien:", "alles in orde"),
        ("sv_SE.UTF-8", "Vad varje företag i Visma visar:", "allt i ordning"),
    ],
)
def test_the_demo_banner_speaks_the_language_of_the_environment(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    locale_name: str,
    heading: str,
    in_order: str,
) -> None:
    for variable in UNSET:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", locale_name)
    to_try = seed(tmp_path)
    emulator = emulator_of(create_app(seed="demo"))

    with speaking():  # as ``payjournal demo`` prints it
        text = "\n".join(banner(8123, "http://127.0.0.1:9999", tmp_path, emulator, to_try))

    assert heading in text and in_order in text
    assert "http://127.0.0.1:8123/notifications/demo-mail/" in text
    english = [
        "sign in",
        "What each Visma company shows",
        "everything in order",
        "default company",
        "default-company trap",
        "a run to import",
        "refused",
        "API module is off",
        "lock-date check",
        "only the fiscal year",
        "Ctrl-C stops",
        "master administrator",
        "payroll administrator",
    ]
    assert english_left(text, english) == [], text


@pytest.mark.django_db(transaction=True)
def test_api_token_says_what_it_did_in_the_language_of_the_environment() -> None:
    refused = CliRunner().invoke(app, ["api-token", "revoke", "999999"], env=SWEDISH)

    assert refused.exit_code == 1
    assert "Ingen token 999999." in refused.output and "No token" not in refused.output
