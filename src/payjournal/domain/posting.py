"""From a payroll run and a ledger scheme to a balanced journal: `check_run` and `build_journal`.

The journal is built in three steps:

1. Every line is routed by its component's mapping to a debit key and a credit key
   (account, side, dimension, and the employee at employee detail). A line whose cost center
   is a percentage allocation is split by largest remainder first, so the parts add up to the
   line exactly. Exact amounts are summed per key; nothing is rounded yet.
2. Each key's sum is rounded half-up to the currency's minor unit, once. A negative sum moves
   to the other side; a zero sum is not a row.
3. If rounding left debit and credit apart, the difference becomes a visible row on the
   scheme's rounding account. A journal that still does not balance is refused.

All problems are collected in one pass and reported together (`check_run`); `build_journal`
refuses a run that has any.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from payjournal.domain.allocation import split_by_percentages
from payjournal.domain.journal import MAX_ROW_TEXT, MAX_VOUCHER_TEXT, Journal, JournalRow, Side
from payjournal.domain.money import CURRENCY_EXPONENTS, Money, minor_unit, quantize
from payjournal.domain.problems import (
    JournalNotBuildableError,
    Problem,
    ProblemCode,
    describe_lines,
)
from payjournal.domain.run import MAX_AMOUNT_DECIMALS, PayrollLine, PayrollRun
from payjournal.domain.scheme import ComponentMapping, CostCenterSide, DetailLevel, LedgerScheme

__all__ = ["VISMA_AMOUNT_LIMIT", "build_journal", "check_run", "render_voucher_text"]

#: Visma eAccounting accepts row amounts from 0 up to (not including) one billion.
VISMA_AMOUNT_LIMIT = Decimal(1_000_000_000)
FINEST_UNIT = Decimal(1).scaleb(-MAX_AMOUNT_DECIMALS)
HUNDRED = Decimal(100)

#: (account, side, dimension, employee id) → the exact sum booked there
RowKey = tuple[str, Side, str | None, str | None]


def check_run(run: PayrollRun, scheme: LedgerScheme) -> list[Problem]:
    """Every reason `run` cannot be booked with `scheme`; empty when it can."""
    problems, _ = _assemble(run, scheme)
    return problems


def build_journal(run: PayrollRun, scheme: LedgerScheme) -> Journal:
    """The balanced journal of `run`; raises `JournalNotBuildableError` listing every problem."""
    problems, journal = _assemble(run, scheme)
    if problems or journal is None:
        raise JournalNotBuildableError(problems)
    return journal


def render_voucher_text(run: PayrollRun, scheme: LedgerScheme) -> str:
    """The human part of the voucher text, from the scheme's template."""
    return scheme.voucher_text.format(
        company=run.company,
        run_id=run.run_id,
        kind=run.kind.value.replace("_", "-"),
        period=run.period.label,
        payment_date=run.payment_date.isoformat(),
    )


class _Collector:
    """Gathers problems by kind and subject so each is reported once, with all its lines."""

    def __init__(self) -> None:
        self.lines: dict[tuple[ProblemCode, str], list[int]] = defaultdict(list)
        self.messages: dict[tuple[ProblemCode, str], str] = {}
        self.plain: list[Problem] = []

    def add(self, code: ProblemCode, subject: str, message: str, line_no: int) -> None:
        key = (code, subject)
        self.messages.setdefault(key, message)
        self.lines[key].append(line_no)

    def problems(self) -> list[Problem]:
        result = list(self.plain)
        for key, message in self.messages.items():
            lines = tuple(self.lines[key])
            where = describe_lines(lines)
            text = f"{message} ({where})" if where else message
            result.append(Problem(key[0], text, key[1], lines))
        return result


def _assemble(run: PayrollRun, scheme: LedgerScheme) -> tuple[list[Problem], Journal | None]:
    found = _Collector()
    if not _check_run_header(run, scheme, found):
        return found.problems(), None
    sums: dict[RowKey, Decimal] = defaultdict(Decimal)
    texts: dict[RowKey, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    per_employee = scheme.detail is DetailLevel.EMPLOYEE
    for line in run.lines:
        mapping = scheme.mapping_for(line.component)
        if mapping is None:
            found.add(
                ProblemCode.UNMAPPED_COMPONENT,
                line.component,
                f"Wage component {line.component!r} has no ledger accounts in scheme "
                f"{scheme.name!r}: add a debit and a credit account for it",
                line.line_no,
            )
            continue
        if not _amount_is_valid(line, found):
            continue
        employee = line.employee_id if per_employee else None
        if employee is not None and line.employee_name:
            names[employee] = line.employee_name
        for dimension, amount in _dimension_parts(line, mapping, scheme, run.currency, found):
            for account, side, carries in (
                (mapping.debit_account, Side.DEBIT, CostCenterSide.DEBIT),
                (mapping.credit_account, Side.CREDIT, CostCenterSide.CREDIT),
            ):
                dim = dimension if mapping.cost_center_side is carries else None
                key = (account, side, dim, employee)
                sums[key] += amount if side is Side.DEBIT else -amount
                texts[key].add(mapping.component)
    _check_texts(run, scheme, found)
    rows = _rows(sums, texts, names, scheme, run.currency, found)
    problems = found.problems()
    if problems:
        return problems, None
    if not rows:
        return [Problem(ProblemCode.NOTHING_TO_BOOK, _NOTHING_TO_BOOK)], None
    journal = Journal(
        company=run.company,
        run_id=run.run_id,
        run_kind=run.kind,
        period=run.period,
        currency=run.currency,
        voucher_date=scheme.voucher_date.voucher_date(run.period, run.payment_date),
        voucher_text=render_voucher_text(run, scheme),
        rows=_with_rounding_row(rows, scheme, run.currency),
    )
    return [], journal


_NOTHING_TO_BOOK = "Every account nets to zero in this run, so there is nothing to book"


def _check_run_header(run: PayrollRun, scheme: LedgerScheme, found: _Collector) -> bool:
    """Record problems of the run as a whole; False when its lines cannot even be summed."""
    if not run.lines:
        found.plain.append(
            Problem(
                ProblemCode.EMPTY_RUN, f"Run {run.run_id!r} has no lines: nothing was paid in it"
            )
        )
    if run.currency not in CURRENCY_EXPONENTS:
        found.plain.append(
            Problem(
                ProblemCode.UNKNOWN_CURRENCY,
                f"Run {run.run_id!r} is in {run.currency!r}, which is not a currency payjournal knows",
                run.currency,
            )
        )
        return False
    if scheme.currency is not None and scheme.currency != run.currency:
        found.plain.append(
            Problem(
                ProblemCode.CURRENCY_MISMATCH,
                f"Run {run.run_id!r} is in {run.currency} but scheme {scheme.name!r} books in "
                f"{scheme.currency}: use the company's own scheme or convert the run",
                run.currency,
            )
        )
    return True


def _amount_is_valid(line: PayrollLine, found: _Collector) -> bool:
    exponent = line.amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_AMOUNT_DECIMALS:
        found.add(
            ProblemCode.AMOUNT_TOO_PRECISE,
            line.component,
            f"Amounts of {line.component!r} have more than {MAX_AMOUNT_DECIMALS} decimals",
            line.line_no,
        )
        return False
    if abs(line.amount) >= VISMA_AMOUNT_LIMIT:
        found.add(
            ProblemCode.AMOUNT_OUT_OF_RANGE,
            line.component,
            f"An amount of {line.component!r} is one billion or more, beyond what Visma accepts",
            line.line_no,
        )
        return False
    return True


def _dimension_parts(
    line: PayrollLine,
    mapping: ComponentMapping,
    scheme: LedgerScheme,
    currency: str,
    found: _Collector,
) -> Iterable[tuple[str | None, Decimal]]:
    """The line's amount per dimension item (one part unless it is allocated over several)."""
    if mapping.cost_center_side is CostCenterSide.NONE:
        return ((None, line.amount),)
    if not line.allocation:
        if not line.department:
            return ((None, line.amount),)
        return ((_dimension_item(line.department, "Department", line, scheme, found), line.amount),)
    if len(line.allocation) == 1 and line.allocation[0].percentage == HUNDRED:
        cost_center = line.allocation[0].cost_center
        return ((_dimension_item(cost_center, "Cost center", line, scheme, found), line.amount),)
    total = sum((share.percentage for share in line.allocation), Decimal(0))
    if total != HUNDRED:
        found.add(
            ProblemCode.ALLOCATION_NOT_100,
            line.employee_id,
            f"The cost center percentages of employee {line.employee_id} add up to {total} %, not 100 %",
            line.line_no,
        )
        return ()
    unit = minor_unit(currency)
    if quantize(line.amount, currency) != line.amount:
        unit = FINEST_UNIT
    parts = split_by_percentages(line.amount, [share.percentage for share in line.allocation], unit)
    return [
        (_dimension_item(share.cost_center, "Cost center", line, scheme, found), part)
        for share, part in zip(line.allocation, parts, strict=True)
    ]


def _dimension_item(
    code: str, what: str, line: PayrollLine, scheme: LedgerScheme, found: _Collector
) -> str | None:
    item = scheme.dimensions.get(code)
    if item is None:
        found.add(
            ProblemCode.UNMAPPED_DIMENSION,
            code,
            f"{what} {code!r} has no cost center item in scheme {scheme.name!r}: map it to one",
            line.line_no,
        )
    return item


def _check_texts(run: PayrollRun, scheme: LedgerScheme, found: _Collector) -> None:
    used = {line.component for line in run.lines}
    for code in sorted(used):
        mapping = scheme.mapping_for(code)
        if mapping is not None and len(mapping.text) > MAX_ROW_TEXT:
            found.plain.append(
                Problem(
                    ProblemCode.TEXT_TOO_LONG,
                    f"The description of wage component {code!r} has {len(mapping.text)} characters; "
                    f"Visma allows {MAX_ROW_TEXT} per row: shorten it",
                    code,
                )
            )
    try:
        text = render_voucher_text(run, scheme)
    except (KeyError, IndexError, ValueError) as error:
        found.plain.append(
            Problem(
                ProblemCode.TEXT_TOO_LONG,
                f"The voucher text template of scheme {scheme.name!r} is not valid ({error}); "
                "use the placeholders {company}, {run_id}, {kind}, {period}, {payment_date}",
                "voucher_text",
            )
        )
        return
    if len(text) > MAX_VOUCHER_TEXT:
        found.plain.append(
            Problem(
                ProblemCode.TEXT_TOO_LONG,
                f"The voucher text has {len(text)} characters; Visma allows {MAX_VOUCHER_TEXT}",
                "voucher_text",
            )
        )


def _rows(
    sums: dict[RowKey, Decimal],
    texts: dict[RowKey, set[str]],
    names: dict[str, str],
    scheme: LedgerScheme,
    currency: str,
    found: _Collector,
) -> list[JournalRow]:
    rows: list[JournalRow] = []
    for key in sorted(sums, key=_row_order):
        account, side, dimension, employee = key
        rounded = quantize(sums[key], currency)
        if not rounded:
            continue
        if rounded < 0:  # a net negative moves to the other side
            side, rounded = side.other, -rounded
        if rounded >= VISMA_AMOUNT_LIMIT:
            found.plain.append(
                Problem(
                    ProblemCode.AMOUNT_OUT_OF_RANGE,
                    f"Account {account} would get {rounded} {currency} in one row, beyond what "
                    "Visma accepts: book this run at employee detail or split it",
                    account,
                )
            )
            continue
        text = _row_text(texts[key], scheme, employee, names)
        rows.append(JournalRow(account, side, Money(rounded, currency), text, dimension, employee))
    return rows


def _row_order(key: RowKey) -> tuple[str, int, str, str]:
    account, side, dimension, employee = key
    return (account.zfill(12), 0 if side is Side.DEBIT else 1, dimension or "", employee or "")


def _row_text(
    components: set[str], scheme: LedgerScheme, employee: str | None, names: dict[str, str]
) -> str:
    descriptions = []
    for code in sorted(components):
        mapping = scheme.mapping_for(code)
        text = mapping.text if mapping else code
        if text not in descriptions:
            descriptions.append(text)
    text = ", ".join(descriptions)
    if employee is not None:
        who = f"{employee} {names[employee]}" if employee in names else employee
        text = f"{who}: {text}"
    return text if len(text) <= MAX_ROW_TEXT else text[: MAX_ROW_TEXT - 1] + "…"


def _with_rounding_row(
    rows: list[JournalRow], scheme: LedgerScheme, currency: str
) -> tuple[JournalRow, ...]:
    debit = sum((row.amount.amount for row in rows if row.side is Side.DEBIT), Decimal(0))
    credit = sum((row.amount.amount for row in rows if row.side is Side.CREDIT), Decimal(0))
    if debit == credit:
        return tuple(rows)
    side = Side.CREDIT if debit > credit else Side.DEBIT
    rounding = JournalRow(
        scheme.rounding_account,
        side,
        Money(abs(debit - credit), currency),
        "Rounding difference",
        is_rounding=True,
    )
    return (*rows, rounding)
