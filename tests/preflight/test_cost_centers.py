"""One rule for which cost center item a dimension names, for the check and the voucher alike:
an active item of an active center, by short name or name, in any case; the lowest-numbered
center first; a dimension the check passes is one the voucher resolves."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from payjournal.domain.journal import Journal, Side
from payjournal.domain.journal import JournalRow as Row
from payjournal.domain.money import Money
from payjournal.domain.run import PayPeriod, RunKind
from payjournal.integrations.identity import company_key
from payjournal.preflight.checklist import CheckKey
from payjournal.preflight.checks import JournalRow, Target, run_checks
from payjournal.preflight.cost_centers import CostCenterItems
from payjournal.sending.voucher import CostCenterNotFoundError, build_voucher
from payjournal.visma import CostCenter, CostCenterItem
from tests.preflight.fakes import FY_2026, FakeBooks, account

DAY = date(2026, 9, 25)
MARKER = "[pj:0123456789abcdef]"
CENTER_1, CENTER_2 = uuid4(), uuid4()
SALES_1, SALES_2, OLD, IDLE = uuid4(), uuid4(), uuid4(), uuid4()
CENTERS = (
    CostCenter(
        CENTER_2,
        "Projekt",
        2,
        True,
        (CostCenterItem(SALES_2, CENTER_2, "Sales", "SALES", True),),
    ),
    CostCenter(
        CENTER_1,
        "Avdelning",
        1,
        True,
        (
            CostCenterItem(OLD, CENTER_1, "Old shop", "OLD", False),
            CostCenterItem(SALES_1, CENTER_1, "Försäljning", "SALES", True),
        ),
    ),
    CostCenter(uuid4(), "Off", 3, False, (CostCenterItem(IDLE, uuid4(), "Idle", "IDLE", True),)),
)


@pytest.mark.parametrize(
    ("dimension", "found"),
    [
        ("SALES", (1, SALES_1)),  # the lowest-numbered center's, wherever it is listed
        ("sales", (1, SALES_1)),
        ("FÖRSÄLJNING", (1, SALES_1)),  # by its name too
        ("OLD", None),  # an inactive item
        ("IDLE", None),  # an item of an inactive center
        ("NOPE", None),
    ],
)
def test_a_dimension_names_an_active_item_of_an_active_center(
    dimension: str, found: tuple[int, object] | None
) -> None:
    assert CostCenterItems(CENTERS).find(dimension) == found
    books = FakeBooks(centers=CENTERS, charts={FY_2026.id: {"4000": account("4000")}})
    target = Target(company_key(books.company), DAY, (JournalRow("4000", dimension),))
    checked = {item.key: item.code for item in run_checks(target, books)}
    one = Money.of(Decimal(1), "SEK")
    row = Row("4000", Side.DEBIT, one, "Lön", dimension)
    period = PayPeriod(2026, 9, date(2026, 9, 1), date(2026, 9, 30))
    journal = Journal(
        "se",
        "2026-09",
        RunKind.REGULAR,
        period,
        "SEK",
        DAY,
        "Lön",
        (row, Row("2710", Side.CREDIT, one, "Lön")),
    )
    if found is None:
        assert checked[CheckKey.COST_CENTERS] == "cost_center_item_missing"
        with pytest.raises(CostCenterNotFoundError):
            build_voucher(journal, MARKER, CENTERS)
    else:
        assert checked[CheckKey.COST_CENTERS] == ""  # passed
        voucher = build_voucher(journal, MARKER, CENTERS)
        number, item = found
        assert getattr(voucher.rows[0], f"cost_center_item_id{number}") == item
