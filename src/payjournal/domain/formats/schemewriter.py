"""Writing a ledger scheme back to its file format (JSON or CSV, as ``docs/formats.md`` has them).

The scheme editor stores a changed scheme as a file again, so the stored scheme always is a
file that the readers accept: :func:`write_scheme` writes it in the format of the file it came
from (JSON stays JSON; CSV stays CSV with the same delimiter), and reading the result gives the
same :class:`~payjournal.domain.scheme.LedgerScheme`.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from payjournal.domain.scheme import DEFAULT_VOUCHER_TEXT, DetailLevel, LedgerScheme

__all__ = ["scheme_to_csv", "scheme_to_dict", "scheme_to_json", "write_scheme"]

_BOM = b"\xef\xbb\xbf"


def scheme_to_dict(scheme: LedgerScheme) -> dict[str, Any]:
    """The JSON document of ``scheme`` (optional settings only when they differ from defaults)."""
    document: dict[str, Any] = {"name": scheme.name}
    if scheme.currency is not None:
        document["currency"] = scheme.currency
    document["rounding_account"] = scheme.rounding_account
    rule: dict[str, Any] = {"rule": scheme.voucher_date.rule.value}
    if scheme.voucher_date.day is not None:
        rule["day"] = scheme.voucher_date.day
    document["voucher_date"] = rule
    document["detail"] = scheme.detail.value
    if scheme.voucher_text != DEFAULT_VOUCHER_TEXT:
        document["voucher_text"] = scheme.voucher_text
    document["components"] = [
        {
            "component": mapping.component,
            **({"description": mapping.description} if mapping.description else {}),
            "debit_account": mapping.debit_account,
            "credit_account": mapping.credit_account,
            "cost_center_side": mapping.cost_center_side.value,
        }
        for mapping in scheme.components.values()
    ]
    document["dimensions"] = dict(scheme.dimensions)
    return document


def scheme_to_json(scheme: LedgerScheme) -> str:
    """``scheme`` as an indented JSON document."""
    return json.dumps(scheme_to_dict(scheme), ensure_ascii=False, indent=2) + "\n"


def scheme_to_csv(scheme: LedgerScheme, delimiter: str = ";") -> str:
    """``scheme`` as CSV lines of type setting, component and dimension."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["type", "key", "value", "debit_account", "credit_account", "cost_center_side"])
    settings: list[tuple[str, str]] = [("name", scheme.name)]
    if scheme.currency is not None:
        settings.append(("currency", scheme.currency))
    settings.append(("rounding_account", scheme.rounding_account))
    settings.append(("voucher_date", scheme.voucher_date.rule.value))
    if scheme.voucher_date.day is not None:
        settings.append(("voucher_day", str(scheme.voucher_date.day)))
    if scheme.detail is not DetailLevel.ACCOUNT:
        settings.append(("detail", scheme.detail.value))
    if scheme.voucher_text != DEFAULT_VOUCHER_TEXT:
        settings.append(("voucher_text", scheme.voucher_text))
    for key, value in settings:
        writer.writerow(["setting", key, value, "", "", ""])
    for mapping in scheme.components.values():
        writer.writerow(
            [
                "component",
                mapping.component,
                mapping.description or "",
                mapping.debit_account,
                mapping.credit_account,
                mapping.cost_center_side.value,
            ]
        )
    for key, item in scheme.dimensions.items():
        writer.writerow(["dimension", key, item, "", "", ""])
    return out.getvalue()


def write_scheme(scheme: LedgerScheme, like: bytes) -> bytes:
    """``scheme`` as UTF-8 in the format of ``like`` (the file it was read from)."""
    body = like.removeprefix(_BOM).lstrip(b" \t\r\n")
    if body[:1] in (b"{", b"["):
        return scheme_to_json(scheme).encode()
    header = body.split(b"\n", 1)[0]
    delimiter = ";" if header.count(b";") > header.count(b",") else ","
    bom = _BOM if like.startswith(_BOM) else b""
    return bom + scheme_to_csv(scheme, delimiter).encode()
