"""A run's frozen journal in the database, and back: the one place that writes and reads
:class:`JournalSnapshot` and :class:`JournalLine` rows.

:func:`store_journal` freezes the domain's :class:`~payjournal.domain.journal.Journal` in
integer minor units (:meth:`Money.minor_units`); :func:`load_journal` gives the same journal
back, amounts through :meth:`Money.from_minor_units` — so a currency without cents (ISK, JPY)
reads back as it was stored, and a journal that no longer balances is refused on the way out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from payjournal.domain.journal import MAX_VOUCHER_TEXT, Journal, JournalRow, Side
from payjournal.domain.money import Money
from payjournal.domain.run import PayPeriod, RunKind
from payjournal.payroll.models import JournalLine, JournalSnapshot, PayrollRun
from payjournal.site.compiled import CompiledValues

__all__ = ["journal_total", "load_journal", "store_journal", "store_journals"]

#: The length of ``JournalLine.text`` (a longer row text is cut when it is stored).
_MAX_LINE_TEXT = 200


def store_journal(run: PayrollRun, journal: Journal) -> JournalSnapshot:
    """Freeze ``journal`` as the snapshot of ``run``, its rows as lines in their order."""
    return store_journals([(run, journal)])[0]


def store_journals(journals: Sequence[tuple[PayrollRun, Journal]]) -> list[JournalSnapshot]:
    """:func:`store_journal` for many runs at once (two inserts in all)."""
    snapshots = JournalSnapshot.objects.bulk_create(
        JournalSnapshot(
            run=run,
            voucher_date=journal.voucher_date,
            voucher_text=journal.voucher_text[:MAX_VOUCHER_TEXT],
            currency=journal.currency,
            total_minor=journal.debit_total.minor_units(),
            fingerprint=journal.fingerprint(),
        )
        for run, journal in journals
    )
    JournalLine.objects.bulk_create(
        line
        for snapshot, (_run, journal) in zip(snapshots, journals, strict=True)
        for line in _lines(snapshot, journal.rows)
    )
    return snapshots


def _lines(snapshot: JournalSnapshot, rows: Iterable[JournalRow]) -> Iterable[JournalLine]:
    for position, row in enumerate(rows, start=1):
        yield JournalLine(
            journal=snapshot,
            position=position,
            account=row.account,
            side=str(row.side),
            amount_minor=row.amount.minor_units(),
            text=row.text[:_MAX_LINE_TEXT],
            dimension=row.dimension or "",
            employee_id=row.employee_id or "",
            is_rounding=row.is_rounding,
        )


#: A journal's lines as tuples (a send reads a journal, and a model per line costs more), in
#: SQL compiled once (:mod:`payjournal.site.compiled`).
_LINES = CompiledValues(
    lambda: JournalLine.objects.order_by("position").values_list(
        "account", "side", "amount_minor", "text", "dimension", "employee_id", "is_rounding"
    ),
    key="journal_id",
)


def load_journal(snapshot: JournalSnapshot) -> Journal:
    """The journal ``snapshot`` froze, with its rows in their order (reads the lines, and the
    run and its company unless they came with the snapshot)."""
    run = snapshot.run
    currency = snapshot.currency
    lines = _LINES.rows(snapshot.pk)
    return Journal(
        company=run.company.key,
        run_id=run.run_id,
        run_kind=RunKind(run.kind),
        period=PayPeriod.from_label(run.period_label, run.period_start, run.period_end),
        currency=currency,
        voucher_date=snapshot.voucher_date,
        voucher_text=snapshot.voucher_text,
        rows=tuple(
            JournalRow(
                account,
                Side(side),
                Money.from_minor_units(amount_minor, currency),
                text,
                dimension or None,
                employee_id or None,
                is_rounding,
            )
            for account, side, amount_minor, text, dimension, employee_id, is_rounding in lines
        ),
    )


def journal_total(snapshot: JournalSnapshot) -> Money:
    """The debit total (= the credit total) of ``snapshot``, without reading its lines."""
    return Money.from_minor_units(snapshot.total_minor, snapshot.currency)
