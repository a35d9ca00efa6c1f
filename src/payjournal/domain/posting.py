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

All problems are collected in one pass and reported together: `assemble` yields the journal or
its problems; `check_run` and `build_journal` are its two halves.
"""

from __future__ import annotations

import operator
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
from payjournal.domain.run import MAX_AMOUNT_DECIMALS, CostShare, PayrollLine, PayrollRun
from payjournal.domain.scheme import ComponentMapping, CostCenterSide, DetailLevel, LedgerScheme

__all__ = [
    "VISMA_AMOUNT_LIMIT",
    "assemble",
    "build_journal",
    "check_run",
    "render_voucher_text",
]

#: Visma eAccounting accepts row amounts from 0 up to (not including) one billion.
VISMA_AMOUNT_LIMIT = Decimal(1_000_000_000)
FINEST_UNIT = Decimal(1).scaleb(-MAX_AMOUNT_DECIMALS)
HUNDRED = Decimal(100)

#: (account, side, dimension, employee id) → the exact sum booked there
RowKey = tuple[str, Side, str | None, str | None]


def assemble(run: PayrollRun, scheme: LedgerScheme) -> Journal | list[Problem]:
    """The balanced journal of `run` with `scheme`, or every reason it cannot be booked — one
    pass over the run either way."""
    problems, journal = _assemble(run, scheme)
    if problems or journal is None:
        return problems
    return journal


def check_run(run: PayrollRun, scheme: LedgerScheme) -> list[Problem]:
    """Every reason `run` cannot be booked with `scheme`; empty when it can."""
    assembled = assemble(run, scheme)
    return [] if isinstance(assembled, Journal) else assembled


def build_journal(run: PayrollRun, scheme: LedgerScheme) -> Journal:
    """The balanced journal of `run`; raises `JournalNotBuildableError` listing every problem."""
    assembled = assemble(run, scheme)
    if not isinstance(assembled, Journal):
        raise JournalNotBuildableError(assembled)
    return assembled


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
        self.messages: dict[tuple[ProblemCode, str], str] = {}
        self.lines: dict[tuple[ProblemCode, str], list[int]] = defaultdict(list)
        self.plain: list[Problem] = []

    def note(self, code: ProblemCode, subject: str, message: str) -> None:
        """A problem whose lines `locate_lines` will find, once all problems are known."""
        self.messages.setdefault((code, subject), message)

    def problems(self) -> list[Problem]:
        result = list(self.plain)
        for key, message in self.messages.items():
            lines = tuple(sorted(self.lines[key]))
            where = describe_lines(lines)
            result.append(
                Problem(key[0], f"{message} ({where})" if where else message, key[1], lines)
            )
        return result


#: (component, department, allocation, employee id): lines that are booked alike
Group = tuple[str, str | None, tuple[CostShare, ...], str | None]


def _assemble(run: PayrollRun, scheme: LedgerScheme) -> tuple[list[Problem], Journal | None]:
    found = _Collector()
    if not _check_run_header(run, scheme, found):
        return found.problems(), None
    groups, names = _group_lines(run, scheme, found)
    sums: dict[RowKey, Decimal] = defaultdict(Decimal)
    texts: dict[RowKey, set[str]] = defaultdict(set)
    for (component, department, allocation, employee), amount in groups.items():
        mapping = scheme.mapping_for(component)
        if mapping is None:
            found.note(
                ProblemCode.UNMAPPED_COMPONENT,
                component,
                f"Wage component {component!r} has no ledger accounts in scheme "
                f"{scheme.name!r}: add a debit and a credit account for it",
            )
            continue
        if amount != amount.quantize(FINEST_UNIT):  # a sum keeps its finest term's exponent
            found.note(
                ProblemCode.AMOUNT_TOO_PRECISE,
                component,
                f"Amounts of {component!r} have more than {MAX_AMOUNT_DECIMALS} decimals",
            )
            continue
        parts = _dimension_parts(
            amount, department, allocation, mapping, scheme, run.currency, found
        )
        for dimension, part in parts:
            for account, side, carries in (
                (mapping.debit_account, Side.DEBIT, CostCenterSide.DEBIT),
                (mapping.credit_account, Side.CREDIT, CostCenterSide.CREDIT),
            ):
                key = (
                    account,
                    side,
                    dimension if mapping.cost_center_side is carries else None,
                    employee,
                )
                sums[key] += part
                texts[key].add(component)
    _check_texts(run, scheme, found)
    rows = _rows(sums, texts, names, scheme, run.currency, found)
    if found.messages:
        _locate_lines(run, scheme, found)
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


def _group_lines(
    run: PayrollRun, scheme: LedgerScheme, found: _Collector
) -> tuple[dict[Group, Decimal], dict[str, str]]:
    """Sum the exact amounts of lines that are booked alike (the one pass over every line)."""
    per_employee = scheme.detail is DetailLevel.EMPLOYEE
    fields = ["component", "department", "allocation"] + (["employee_id"] if per_employee else [])
    group_of = operator.itemgetter(*(PayrollLine._fields.index(name) for name in fields))
    sums: dict[tuple[object, ...], Decimal] = {}
    zero = Decimal(0)
    low, high = -VISMA_AMOUNT_LIMIT, VISMA_AMOUNT_LIMIT
    for line in run.lines:
        amount = line.amount
        if not low < amount < high:
            found.note(
                ProblemCode.AMOUNT_OUT_OF_RANGE,
                line.component,
                f"An amount of {line.component!r} is one billion or more, beyond what Visma accepts",
            )
            continue
        key = group_of(line)
        sums[key] = sums.get(key, zero) + amount
    groups: dict[Group, Decimal] = {
        (key[0], key[1], key[2], key[3] if per_employee else None): total  # type: ignore[misc]
        for key, total in sums.items()
    }
    names: dict[str, str] = {}
    if per_employee:
        names = {line.employee_id: line.employee_name for line in run.lines if line.employee_name}
    return groups, names


def _locate_lines(run: PayrollRun, scheme: LedgerScheme, found: _Collector) -> None:
    """Attach to each noted problem the source lines it concerns (only runs with problems)."""
    noted = found.messages
    for line in run.lines:
        concerns = [
            (ProblemCode.UNMAPPED_COMPONENT, line.component),
            (ProblemCode.AMOUNT_OUT_OF_RANGE, line.component),
        ]
        if line.allocation:
            concerns.append((ProblemCode.ALLOCATION_NOT_100, _shares_label(line.allocation)))
        exponent = line.amount.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -MAX_AMOUNT_DECIMALS:
            concerns.append((ProblemCode.AMOUNT_TOO_PRECISE, line.component))
        mapping = scheme.mapping_for(line.component)
        if mapping is not None and mapping.cost_center_side is not CostCenterSide.NONE:
            codes = [share.cost_center for share in line.allocation] or [line.department or ""]
            concerns.extend((ProblemCode.UNMAPPED_DIMENSION, code) for code in codes)
        for key in concerns:
            if key in noted and (
                key[0] is not ProblemCode.AMOUNT_OUT_OF_RANGE or _out_of_range(line)
            ):
                found.lines[key].append(line.line_no)


def _out_of_range(line: PayrollLine) -> bool:
    return abs(line.amount) >= VISMA_AMOUNT_LIMIT


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


def _dimension_parts(
    amount: Decimal,
    department: str | None,
    allocation: tuple[CostShare, ...],
    mapping: ComponentMapping,
    scheme: LedgerScheme,
    currency: str,
    found: _Collector,
) -> Iterable[tuple[str | None, Decimal]]:
    """The amount per dimension item (one part unless it is allocated over several)."""
    if mapping.cost_center_side is CostCenterSide.NONE:
        return ((None, amount),)
    if not allocation:
        if not department:
            return ((None, amount),)
        return ((_dimension_item(department, "Department", scheme, found), amount),)
    if len(allocation) == 1 and allocation[0].percentage == HUNDRED:
        return ((_dimension_item(allocation[0].cost_center, "Cost center", scheme, found), amount),)
    total = sum((share.percentage for share in allocation), Decimal(0))
    if total != HUNDRED:
        shares = _shares_label(allocation)
        found.note(
            ProblemCode.ALLOCATION_NOT_100,
            shares,
            f"The cost center percentages {shares} add up to {total} %, not 100 %",
        )
        return ()
    unit = minor_unit(currency) if quantize(amount, currency) == amount else FINEST_UNIT
    parts = split_by_percentages(amount, [share.percentage for share in allocation], unit)
    return [
        (_dimension_item(share.cost_center, "Cost center", scheme, found), part)
        for share, part in zip(allocation, parts, strict=True)
    ]


def _shares_label(allocation: tuple[CostShare, ...]) -> str:
    return " | ".join(f"{share.cost_center} {share.percentage} %" for share in allocation)


def _dimension_item(code: str, what: str, scheme: LedgerScheme, found: _Collector) -> str | None:
    item = scheme.dimensions.get(code)
    if item is None:
        found.note(
            ProblemCode.UNMAPPED_DIMENSION,
            code,
            f"{what} {code!r} has no cost center item in scheme {scheme.name!r}: map it to one",
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
