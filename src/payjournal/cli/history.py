"""``payjournal runs history RUN --company ID``: a run id's versions, its vouchers (legs) in order,
where its books stand and what a send would post now.

On a terminal it prints Rich tables; piped, one plain line per version and leg (grep-able);
``--format json`` prints exactly what ``GET /api/v1/companies/{company}/runs/{run}`` answers
(:func:`payjournal.api.history.run_detail`). Exit code 2 when the company or the run is unknown.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from payjournal.site.bootstrap import start_django

if TYPE_CHECKING:
    from payjournal.api.schemas import LegOut, PreviewOut, RunDetailOut
    from payjournal.payroll.models import PayrollCompany

#: Exit code of an unknown company or run.
EXIT_UNKNOWN = 2


class Language(StrEnum):
    """The languages of the commands' texts (``--lang``)."""

    EN = "en"
    NL = "nl"
    SV = "sv"


#: Where a command without ``--lang`` looks for its language, in this order (the first one set
#: decides; ``LANGUAGE`` may list several, ``sv:en``).
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")

LANG_OPTION = typer.Option(
    None,
    "--lang",
    help="Language of the texts: en, nl or sv (default: LC_ALL, LC_MESSAGES, LANG, LANGUAGE).",
    show_default=False,
)


def language_from_environment(environ: Mapping[str, str] = os.environ) -> Language:
    """The language the environment asks for, as a Unix program reads it: the first of
    :data:`LOCALE_VARIABLES` that is set (``nl_NL.UTF-8`` → nl, ``sv_SE`` → sv); English when
    it names another language, ``C`` or ``POSIX``, or when none is set."""
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "").strip()
        if not value:
            continue
        for locale_name in value.split(":"):
            code = locale_name.split(".", 1)[0].split("@", 1)[0].split("_", 1)[0].lower()
            if code in {language.value for language in Language}:
                return Language(code)
        return Language.EN
    return Language.EN


def chosen_language(lang: Language | None = None) -> Language:
    """The command's language: ``--lang`` when given, else the environment's."""
    return lang if lang is not None else language_from_environment()


def speaking(lang: Language | None = None) -> AbstractContextManager[None]:
    """The command's texts in ``--lang`` or else the environment's language (Django set up),
    whatever was active before; every command wraps its work in it once."""
    from django.utils import translation

    return translation.override(chosen_language(lang).value)


class HistoryFormat(StrEnum):
    """How ``runs history`` prints: a table (plain lines when piped) or the API's JSON."""

    TABLE = "table"
    JSON = "json"


def find_company(company_id: int, errors: Console) -> PayrollCompany:
    """The payroll company with this id, or exit 2 saying so (Django must be set up)."""
    from django.utils.translation import gettext

    from payjournal.payroll.models import PayrollCompany

    company = PayrollCompany.objects.filter(pk=company_id).first()
    if company is None:
        errors.print(
            gettext("No payroll company with id %(id)s.") % {"id": company_id},
            markup=False,
            highlight=False,
        )
        raise typer.Exit(EXIT_UNKNOWN)
    return company


def no_such_run(company: PayrollCompany, run_key: str, errors: Console) -> typer.Exit:
    """Say that ``company`` has no run ``run_key``; returns the exit to raise."""
    from django.utils.translation import gettext

    errors.print(
        gettext("No run %(run)r in %(company)s (id %(id)s).")
        % {"run": run_key, "company": company.name, "id": company.pk},
        markup=False,
        highlight=False,
    )
    return typer.Exit(EXIT_UNKNOWN)


def describe_leg(kind: str, version: int, base: int | None = None) -> str:
    """A leg in words: "v2 in full", "reversal of v1", "difference v1 → v2"."""
    from django.utils.translation import gettext

    if kind == "reversal":
        return gettext("reversal of v%(version)s") % {"version": version}
    if kind == "difference":
        return gettext("difference v%(base)s → v%(version)s") % {"base": base, "version": version}
    return gettext("v%(version)s in full") % {"version": version}


def state_label(state: str) -> str:
    """A run's or a leg's state in words."""
    from payjournal.sending.run_story import state_word

    return state_word(state)


def _when(moment: datetime | None) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def leg_note(leg: LegOut) -> str:
    """What a leg's row adds: "no change to book", or why it needs action."""
    from django.utils.translation import gettext

    if leg.no_change:
        return gettext("no change to book")
    if leg.error_code:
        return f"{leg.error_code}: {leg.error_message or ''}".strip()
    return ""


def _books(detail: RunDetailOut) -> str:
    from django.utils.translation import gettext

    books = detail.books
    assert books is not None
    if books.booked_version is None:
        held = gettext("the books hold nothing of it")
    else:
        held = gettext("the books hold v%(version)s") % {"version": books.booked_version}
    settled = gettext("settled") if books.settled else gettext("not settled")
    return f"{held}, {settled}"


def _summary(company: PayrollCompany, detail: RunDetailOut) -> str:
    from django.utils.translation import gettext

    head = gettext("Run %(run)s of %(company)s: latest v%(version)s, %(state)s") % {
        "run": detail.run_id,
        "company": company.name,
        "version": detail.version,
        "state": state_label(detail.state),
    }
    if detail.voucher_number:
        head += f" ({detail.voucher_number})"
    return f"{head}; {_books(detail)}."


def _version_rows(detail: RunDetailOut) -> list[list[str]]:
    from django.utils.translation import gettext

    rows = []
    for version in detail.versions:
        status = [gettext("superseded") if version.superseded else gettext("latest")]
        if version.withdrawn:
            status.append(gettext("withdrawn"))
        if version.booked:
            status.append(gettext("booked"))
        rows.append(
            [
                f"v{version.version}",
                _when(version.imported_at),
                version.source_name,
                version.voucher_date.isoformat(),
                f"{version.total} {detail.currency}",
                ", ".join(status),
            ]
        )
    return rows


def _leg_rows(detail: RunDetailOut) -> list[list[str]]:
    return [
        [
            str(number),
            describe_leg(leg.kind, leg.version, leg.base_version),
            state_label(leg.state),
            leg.voucher_number or "",
            leg.voucher_date.isoformat(),
            _when(leg.sent_at),
            leg_note(leg),
        ]
        for number, leg in enumerate(detail.legs, start=1)
    ]


def to_book_line(preview: PreviewOut) -> str:
    """What a send would post, in one sentence."""
    from django.utils.translation import gettext, ngettext

    if not preview.legs:
        return gettext("Nothing to book: the books hold what the payroll says.")
    legs = gettext(", then ").join(
        describe_leg(leg.kind, leg.version, leg.base_version)
        + (f" ({gettext('no change to book')})" if leg.no_change else "")
        for leg in preview.legs
    )
    count = ngettext("%(count)s voucher", "%(count)s vouchers", preview.vouchers) % {
        "count": preview.vouchers
    }
    return gettext("A send would post: %(legs)s (%(count)s).") % {"legs": legs, "count": count}


def _change_rows(preview: PreviewOut) -> list[list[str]]:
    return [
        [change.account, change.dimension or "", change.booked, change.wanted, change.change]
        for change in preview.changes
    ]


def print_history(console: Console, company: PayrollCompany, detail: RunDetailOut) -> None:
    """Rich tables on a terminal, else one plain line per version, leg and account change
    (``version  v1  …``, ``leg  1  v1 in full  sent  A3  …``, ``change  4000  PROD  …``)."""
    from django.utils.translation import gettext

    console.print(_summary(company, detail), markup=False, highlight=False)
    sections: list[tuple[str, Sequence[str], list[list[str]]]] = [
        (
            gettext("Versions"),
            [
                gettext("Version"),
                gettext("Imported"),
                gettext("Source"),
                gettext("Date"),
                gettext("Total"),
                gettext("Status"),
            ],
            _version_rows(detail),
        ),
        (
            gettext("Legs"),
            [
                "#",
                gettext("Leg"),
                gettext("State"),
                gettext("Voucher"),
                gettext("Voucher date"),
                gettext("Sent at"),
                gettext("Note"),
            ],
            _leg_rows(detail),
        ),
    ]
    changes = (
        gettext("Change per account"),
        [
            gettext("Account"),
            gettext("Dimension"),
            gettext("Booked"),
            gettext("After the send"),
            gettext("Net change"),
        ],
        _change_rows(detail.to_book),
    )
    if console.is_terminal:
        for title, headers, rows in sections:
            _table(console, title, headers, rows)
        console.print(to_book_line(detail.to_book), markup=False, highlight=False)
        if changes[2]:
            _table(console, *changes)
        return
    prefixes = (gettext("version"), gettext("leg"))
    for prefix, (_, _, rows) in zip(prefixes, sections, strict=True):
        for row in rows:
            console.print(_plain(prefix, row), markup=False, highlight=False)
    console.print(to_book_line(detail.to_book), markup=False, highlight=False)
    for row in changes[2]:
        console.print(_plain(gettext("change"), row), markup=False, highlight=False)


def _plain(prefix: str, row: list[str]) -> str:
    """One plain line: the fields two spaces apart, "-" for an empty one (columns stay put)."""
    return "  ".join([prefix, *(cell or "-" for cell in row)])


def _table(console: Console, title: str, headers: Sequence[str], rows: list[list[str]]) -> None:
    if not rows:
        return
    table = Table(*headers, title=title, title_justify="left")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def history(
    run_key: str = typer.Argument(..., metavar="RUN", help="The payroll run id."),
    company: int = typer.Option(..., help="The payroll company's id."),
    output: HistoryFormat = typer.Option(
        HistoryFormat.TABLE, "--format", "-f", help="table (plain lines when piped) or json"
    ),
    lang: Language | None = LANG_OPTION,
) -> None:
    """Print a run's versions and vouchers (legs): what was booked in Visma, and what is next."""
    start_django(migrate=True)
    from payjournal.api.history import run_detail

    errors = Console(stderr=True, soft_wrap=True)
    with speaking(lang):
        target = find_company(company, errors)
        try:
            detail = run_detail(target, run_key)
        except LookupError:
            raise no_such_run(target, run_key, errors) from None
        if output is HistoryFormat.JSON:
            typer.echo(detail.model_dump_json(indent=2))
            return
        print_history(Console(soft_wrap=True), target, detail)
