"""Writing a ledger scheme back to a file: what the editor stores reads back as the same scheme,
in the format (and CSV delimiter) it came in."""

from __future__ import annotations

from pathlib import Path

import pytest

from payjournal.domain.formats import read_scheme, write_scheme
from payjournal.domain.scheme import ComponentMapping, CostCenterSide, DateRule, VoucherDateRule

SAMPLE_DIR = Path(__file__).parents[2] / "src" / "payjournal" / "samples"
SAMPLES = sorted(SAMPLE_DIR.glob("*/scheme.*"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.parent.name)
def test_a_sample_scheme_reads_back_the_same_in_its_own_format(path):
    original = path.read_bytes()
    scheme = read_scheme(original, path.name)
    written = write_scheme(scheme, like=original)
    assert read_scheme(written, path.name) == scheme
    assert written.lstrip(b"\xef\xbb\xbf")[:1] == original.lstrip(b"\xef\xbb\xbf")[:1]
    if path.suffix == ".csv":
        assert written.startswith(b"\xef\xbb\xbftype;key;value;")


def test_a_changed_and_an_added_mapping_are_written_and_nothing_else_moves():
    path = SAMPLE_DIR / "nl-bakkerij" / "scheme.json"
    scheme = read_scheme(path.read_bytes(), path.name)
    changed = scheme.with_mapping(ComponentMapping("GROSS", "4300", "1650", CostCenterSide.DEBIT))
    added = changed.with_mapping(ComponentMapping("BONUS", "4000", "1650", description="Bonus"))
    again = read_scheme(write_scheme(added, like=path.read_bytes()), path.name)
    assert again.components["GROSS"].debit_account == "4300"
    assert again.components["GROSS"].description is None
    assert again.components["BONUS"] == ComponentMapping(
        "BONUS", "4000", "1650", CostCenterSide.NONE, "Bonus"
    )
    assert list(again.components)[-1] == "BONUS"
    assert scheme.components["GROSS"].debit_account == "4000"  # the original is untouched
    for setting in ("name", "currency", "rounding_account", "voucher_text", "dimensions"):
        assert getattr(again, setting) == getattr(scheme, setting)


def test_a_fixed_voucher_day_and_a_comma_csv_survive_the_round_trip():
    original = (
        b"type,key,value,debit_account,credit_account,cost_center_side\n"
        b"setting,name,Test,,,\n"
        b"setting,rounding_account,9990,,,\n"
        b"setting,voucher_date,fixed_day,,,\n"
        b"setting,voucher_day,25,,,\n"
        b'component,GROSS,"Gross, monthly",4000,1650,debit\n'
    )
    scheme = read_scheme(original, "s.csv")
    assert scheme.voucher_date == VoucherDateRule(DateRule.FIXED_DAY, 25)
    written = write_scheme(scheme, like=original)
    assert written.startswith(b"type,key,value,")
    assert read_scheme(written, "s.csv") == scheme
