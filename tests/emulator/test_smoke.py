"""The core loop in-process: token, company settings, post a voucher, read it back."""

from __future__ import annotations

import httpx2

from tests.emulator.conftest import Login, voucher


def test_post_then_read_back(http: httpx2.Client, login: Login) -> None:
    auth = login()
    settings = http.get("/v2/companysettings", headers=auth)
    assert settings.status_code == 200
    assert settings.json()["CurrencyCode"] == "EUR"
    created = http.post("/v2/vouchers", json=voucher(), headers=auth)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["NumberAndNumberSeries"] == "A3"
    assert body["Rows"][0]["AccountDescription"] == "Lonen en salarissen"
    fy_id = http.get("/v2/fiscalyears", headers=auth).json()["Data"][1]["Id"]
    again = http.get(f"/v2/vouchers/{fy_id}/{body['Id']}", headers=auth)
    assert again.status_code == 200
    assert again.json()["VoucherText"] == "Payroll 2026-11 run 1"
