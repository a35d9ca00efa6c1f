"""Writing a journal out: the JSON shape of ``payjournal journal preview --format json`` and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from payjournal.domain.journal import Journal

__all__ = ["journal_to_csv", "journal_to_dict", "spreadsheet_text"]

_FORMULA_STARTS = frozenset("=+-@\t\r")


def journal_to_dict(journal: Journal) -> dict[str, Any]:
    """The journal as JSON-ready data; amounts are decimal strings with the currency's decimals."""
    return {
        "company": journal.company,
        "run_id": journal.run_id,
        "voucher_date": journal.voucher_date.isoformat(),
        "voucher_text": journal.voucher_text,
        "currency": journal.currency,
        "rows": [
            {
                "account": row.account,
                "debit": str(row.debit.amount),
                "credit": str(row.credit.amount),
                "text": row.text,
                "dimension": row.dimension,
            }
            for row in journal.rows
        ],
        "debit_total": str(journal.debit_total.amount),
        "credit_total": str(journal.credit_total.amount),
        "balanced": journal.is_balanced,
    }


def journal_to_csv(journal: Journal) -> str:
    """The journal rows as semicolon CSV with decimal points (what Excel in NL/SE opens as columns).

    The text cells (row text, dimension) come from payroll and scheme files, so they are
    neutralised against formula injection: a spreadsheet runs ``=HYPERLINK(…)`` as a formula.
    Amounts are written as numbers and stay so (``-12.50`` is a number, not a formula).
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["voucher_date", "account", "debit", "credit", "text", "dimension"])
    date = journal.voucher_date.isoformat()
    for row in journal.rows:
        writer.writerow(
            [
                date,
                row.account,
                row.debit.amount,
                row.credit.amount,
                spreadsheet_text(row.text),
                spreadsheet_text(row.dimension or ""),
            ]
        )
    return out.getvalue()


def spreadsheet_text(text: str) -> str:
    """`text` made safe for a spreadsheet cell: one that a spreadsheet would read as a formula
    (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading
    apostrophe, which spreadsheets show as text (the OWASP advice on CSV injection)."""
    return "'" + text if text[:1] in _FORMULA_STARTS else text
