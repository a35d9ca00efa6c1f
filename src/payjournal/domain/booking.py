"""Booking a payroll run across its versions: which voucher comes next, and what it holds.

Visma cannot change or delete a voucher, yet payroll is corrected all the time. What payjournal
posted for one payroll run id is therefore a sequence of **legs**, each one voucher:

* ``full`` — the journal of one version, as it is;
* ``reversal`` — the journal of a booked version with debit and credit swapped;
* ``difference`` — new − booked per account + side + dimension (zero rows left out).

Invariant 7 (``docs/architecture.md``): once the legs of a run id settle, the vouchers posted
for it net, per account + dimension, to exactly the journal of the version that was asked for —
the latest — or to nothing after a withdrawal. This module decides the next leg from what is
booked (:func:`booked_version`) and what is wanted (:func:`next_leg`), and computes the rows of
a reversal and a difference; it never touches a database.

```
 nothing booked ──full(vN)──▶ vN booked ──(vM arrives)──┬─ reverse and rebook: reversal(vN),
      ▲                           │                     │      then full(vM) ──▶ vM booked
      │                           │ (withdrawn)         └─ difference: difference(vM − vN)
      └──────── reversal(vN) ◀────┘                            ──▶ vM booked
```

A new version whose journal books the same as the booked one is "no change to book": an empty
difference leg records that it is booked, and no voucher is posted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from payjournal.domain.journal import JournalRow, Side
from payjournal.domain.money import Money

__all__ = [
    "NOTHING",
    "CorrectionDate",
    "CorrectionMode",
    "LegKind",
    "LegPlan",
    "SettledLeg",
    "booked_version",
    "difference_rows",
    "legs_to",
    "net_by_account",
    "next_leg",
    "reversed_rows",
]

#: The version number that stands for "nothing": a withdrawn run is wanted as nothing.
NOTHING = 0


class LegKind(StrEnum):
    """What one voucher of a run id does to the books."""

    FULL = "full"
    REVERSAL = "reversal"
    DIFFERENCE = "difference"


class CorrectionMode(StrEnum):
    """How a company books a corrected run (a setting with a master default)."""

    REVERSE_AND_REBOOK = "reverse_and_rebook"
    DIFFERENCE = "difference"


class CorrectionDate(StrEnum):
    """The date of a correction leg (a reversal, a difference, a rebooking)."""

    #: The corrected voucher's date while its period is open, else the first open day after
    #: Visma's lock date (the default: the correction lands next to what it corrects).
    ORIGINAL_OR_FIRST_OPEN = "original_or_first_open"
    #: Always the new version's voucher date (a withdrawal keeps the original date).
    NEW_VERSION = "new_version"


@dataclass(frozen=True, slots=True)
class SettledLeg:
    """A leg that Visma holds (or that needed no voucher): its kind and the version it is of."""

    kind: LegKind
    version: int


@dataclass(frozen=True, slots=True)
class LegPlan:
    """The next leg to post: ``kind`` of ``version``; a difference also names its ``base``.

    ``is_empty`` marks a version that books exactly like the booked one: it is recorded as
    booked with no voucher ("no change to book").
    """

    kind: LegKind
    version: int
    base: int | None = None
    is_empty: bool = False


def booked_version(legs: Iterable[SettledLeg]) -> int:
    """The version the settled ``legs`` (oldest first) net to, or :data:`NOTHING`."""
    booked = NOTHING
    for leg in legs:
        if leg.kind is LegKind.REVERSAL:
            if leg.version != booked:
                raise ValueError(f"a reversal of v{leg.version} while v{booked} is booked")
            booked = NOTHING
        else:
            booked = leg.version
    return booked


def next_leg(
    booked: int, wanted: int, mode: CorrectionMode, *, books_the_same: bool = False
) -> LegPlan | None:
    """The leg that brings the books from version ``booked`` to version ``wanted`` (either may
    be :data:`NOTHING`), or ``None`` when they are there.

    ``books_the_same`` says that the journals of ``booked`` and ``wanted`` post the same
    amounts on the same accounts and dimensions (the caller compares them): then nothing is
    posted in either mode, the new version is only recorded as booked.
    """
    if booked == wanted:
        return None
    if booked == NOTHING:
        return LegPlan(LegKind.FULL, wanted)
    if wanted == NOTHING:
        return LegPlan(LegKind.REVERSAL, booked)
    if books_the_same:
        return LegPlan(LegKind.DIFFERENCE, wanted, base=booked, is_empty=True)
    if mode is CorrectionMode.DIFFERENCE:
        return LegPlan(LegKind.DIFFERENCE, wanted, base=booked)
    return LegPlan(LegKind.REVERSAL, booked)


def legs_to(
    booked: int, wanted: int, mode: CorrectionMode, *, books_the_same: bool = False
) -> tuple[LegPlan, ...]:
    """Every leg from ``booked`` to ``wanted``, in order (what a preview shows before a send)."""
    legs: list[LegPlan] = []
    while (leg := next_leg(booked, wanted, mode, books_the_same=books_the_same)) is not None:
        legs.append(leg)
        booked = NOTHING if leg.kind is LegKind.REVERSAL else leg.version
    return tuple(legs)


def reversed_rows(rows: Iterable[JournalRow]) -> tuple[JournalRow, ...]:
    """The rows of a reversal: every row with debit and credit swapped, nothing else changed."""
    return tuple(
        JournalRow(
            row.account,
            row.side.other,
            row.amount,
            row.text,
            row.dimension,
            row.employee_id,
            row.is_rounding,
        )
        for row in rows
    )


Key = tuple[str, Side, str]


def _totals(rows: Iterable[JournalRow]) -> dict[Key, Money]:
    totals: dict[Key, Money] = {}
    for row in rows:
        key = (row.account, row.side, row.dimension or "")
        totals[key] = totals[key] + row.amount if key in totals else row.amount
    return totals


def difference_rows(
    booked: Sequence[JournalRow], new: Sequence[JournalRow], currency: str
) -> tuple[JournalRow, ...]:
    """new − booked per account + side + dimension, zero rows left out.

    A key whose amount rose gets a row on its own side for the rise; one whose amount fell
    gets a row on the other side for the fall. Both journals balance, so the result does.
    Rows come in the new journal's order, then the keys only the booked one had.
    """
    old, now = _totals(booked), _totals(new)
    zero = Money.zero(currency)
    rows: list[JournalRow] = []
    for key in [*now, *(k for k in old if k not in now)]:
        account, side, dimension = key
        change = now.get(key, zero) - old.get(key, zero)
        if change.is_zero():
            continue
        text = _text_of(key, new) or _text_of(key, booked)
        row_side = side if not change.is_negative() else side.other
        rows.append(JournalRow(account, row_side, abs(change), text, dimension or None))
    return tuple(rows)


def _text_of(key: Key, rows: Iterable[JournalRow]) -> str:
    for row in rows:
        if (row.account, row.side, row.dimension or "") == key:
            return row.text
    return ""


def net_by_account(rows: Iterable[JournalRow]) -> dict[tuple[str, str], Money]:
    """Debit − credit per account + dimension, zero balances left out: what the books hold."""
    net: dict[tuple[str, str], Money] = {}
    for row in rows:
        key = (row.account, row.dimension or "")
        signed = row.amount if row.side is Side.DEBIT else -row.amount
        net[key] = net[key] + signed if key in net else signed
    return {key: amount for key, amount in net.items() if not amount.is_zero()}
