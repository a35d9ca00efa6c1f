"""Conformance: every implemented operation answers what the official spec (SW21) describes.

Every test in this package already checks each ``/v2`` exchange through the ``Conformance``
response hook (see ``spec.py``); this module makes sure each implemented operation was
exercised with a success, that the stored spec subset matches the official file, and that the
checker itself catches departures.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx2

from payjournal.emulator import spec as official
from tests.emulator.conftest import Conformance, Login, voucher
from tests.emulator.spec import IMPLEMENTED, check_exchange, subset


def test_every_implemented_operation_conforms(
    http: httpx2.Client, login: Login, conformance: Conformance
) -> None:
    auth = login()
    fy = http.get("/v2/fiscalyears", headers=auth).json()["Data"][1]["Id"]
    http.get(f"/v2/fiscalyears/{fy}", headers=auth)
    http.post(
        "/v2/fiscalyears", json={"StartDate": "2028-01-01", "EndDate": "2028-12-31"}, headers=auth
    )
    http.get("/v2/companysettings", headers=auth)
    http.get("/v2/accounts", headers=auth)
    http.get(f"/v2/accounts/{fy}", headers=auth)
    http.get(f"/v2/accounts/{fy}/4000", headers=auth)
    centers = http.get("/v2/costcenters", headers=auth).json()["Data"]
    http.get(f"/v2/costcenteritems/{centers[0]['Items'][0]['Id']}", headers=auth)
    project = http.get("/v2/projects", headers=auth).json()["Data"][0]["Id"]
    http.get(f"/v2/projects/{project}", headers=auth)
    row = voucher()
    row["Rows"][0] |= {
        "CostCenterItemId1": centers[0]["Items"][0]["Id"],
        "ProjectId": project,
        "VatCodeId": None,
    }
    created = http.post("/v2/vouchers", json=row, headers=auth).json()
    http.get("/v2/vouchers", headers=auth)
    http.get(f"/v2/vouchers/{fy}", headers=auth)
    http.get(f"/v2/vouchers/{fy}/{created['Id']}", headers=auth)
    draft = http.post("/v2/voucherdrafts", json=voucher(), headers=auth).json()
    http.get("/v2/voucherdrafts", headers=auth)
    http.get(f"/v2/voucherdrafts/{draft['Id']}", headers=auth)
    http.post(f"/v2/voucherdrafts/{draft['Id']}/convert", headers=auth)
    upload = http.post(
        "/v2/attachments",
        headers=auth,
        json={
            "ContentType": "application/pdf",
            "FileName": "j.pdf",
            "Data": base64.b64encode(b"%PDF").decode(),
        },
    ).json()
    http.get("/v2/attachments", headers=auth)
    http.get(f"/v2/attachments/{upload['Id']}", headers=auth)
    http.post(
        "/v2/attachmentlinks",
        headers=auth,
        json={"DocumentId": created["Id"], "DocumentType": 3, "AttachmentIds": [upload["Id"]]},
    )
    assert conformance.seen == IMPLEMENTED


def test_the_vendored_spec_is_the_recorded_official_file() -> None:
    """The spec ships with the package, unedited: its digest is the one its README records."""
    readme = (Path(official.__file__).parent / "README.md").read_text(encoding="utf-8")
    assert official.spec_digest() == official.SHA256
    assert f"`{official.SHA256}`" in readme
    spec = official.load_spec()
    assert spec["info"]["title"] == "Visma eAccounting API V2"
    assert len(spec["paths"]) == 130
    checked = subset()
    assert {(m, p) for p, ops in checked["paths"].items() for m in ops} == IMPLEMENTED
    assert "VoucherApi" in checked["definitions"]


def test_the_emulator_serves_the_official_spec(http: httpx2.Client) -> None:
    answer = http.get("/swagger/docs/v2")
    assert answer.status_code == 200
    assert answer.content == official.spec_bytes()


def test_the_checker_catches_departures() -> None:
    good = json.dumps(
        {
            "Id": "6f1c2f0e-7a4b-4d53-9a59-3f0e8c1d2b7a",
            "StartDate": "2026-01-01T00:00:00",
            "EndDate": "2026-12-31T00:00:00",
            "IsLockedForAccounting": False,
            "BookkeepingMethod": 0,
        }
    ).encode()
    assert check_exchange("GET", "/v2/fiscalyears/x", b"", 200, "application/json", good) == []
    invented = json.dumps({"Id": "6f1c2f0e-7a4b-4d53-9a59-3f0e8c1d2b7a", "Extra": 1}).encode()
    assert check_exchange("GET", "/v2/fiscalyears/x", b"", 200, "application/json", invented)
    bad_enum = json.dumps({"BookkeepingMethod": 7}).encode()
    assert check_exchange("GET", "/v2/fiscalyears/x", b"", 200, "application/json", bad_enum)
    bad_uuid = json.dumps({"Id": "nope"}).encode()
    assert check_exchange("GET", "/v2/fiscalyears/x", b"", 200, "application/json", bad_uuid)
    bad_date = json.dumps({"StartDate": "2026-13-45T00:00:00"}).encode()
    assert check_exchange("GET", "/v2/fiscalyears/x", b"", 200, "application/json", bad_date)
    wrong_type = json.dumps({"IsLockedForAccounting": "no"}).encode()
    assert check_exchange("GET", "/v2/fiscalyears/x", b"", 200, "application/json", wrong_type)
    assert check_exchange("POST", "/v2/vouchers", b"", 200, "application/json", b"{}")
    negative = json.dumps(voucher(rows=[{"AccountNumber": 1, "DebitAmount": -1}])).encode()
    assert check_exchange("POST", "/v2/vouchers", negative, 201, "application/json", b"{}")
    assert check_exchange("GET", "/v2/vouchers", b"", 400, "application/json", b'{"x": 1}')
    assert check_exchange("GET", "/v2/vouchers", b"", 400, "text/plain", b"oops")
    assert check_exchange("GET", "/_emulator/state", b"", 200, "application/json", b"[]") == []
