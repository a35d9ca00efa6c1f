"""Conformance: every implemented operation answers what the official spec (SW21) describes.

Every emulator of the suite checks each ``/v2`` exchange it serves (``SpecCheck``, switched on
in ``tests/conftest.py``); this module makes sure each implemented operation was exercised with
a success, that the vendored spec is the official file and its absence a failure, and that the
check catches departures — in a crafted exchange and in one the emulator really served.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx2

from payjournal.emulator import (
    DEMO_CLIENT_ID,
    EmulatorConfig,
    ManualClock,
    create_app,
    emulator_of,
    stable_id,
)
from payjournal.emulator import spec as official
from payjournal.emulator.conformance import IMPLEMENTED, SpecCheck, check_exchange, subset
from payjournal.emulator.transport import EmulatorTransport
from tests.emulator.conftest import START, Login, voucher

FULL = ["ea:api", "offline_access", "ea:accounting", "ea:sales_readonly"]


def test_every_implemented_operation_conforms(
    http: httpx2.Client, login: Login, conformance: SpecCheck
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
    # a paged list: every item is checked (each distinct item validated once, reported always)
    meta = {
        "CurrentPage": 1,
        "PageSize": 50,
        "TotalNumberOfPages": 1,
        "TotalNumberOfResults": 3,
        "ServerTimeUtc": "2026-11-23T09:00:00.000Z",
    }
    year = json.loads(good)
    page = {"Meta": meta, "Data": [year, year | {"BookkeepingMethod": 7}, year]}
    listed = json.dumps(page).encode()
    assert check_exchange("GET", "/v2/fiscalyears", b"", 200, "application/json", listed) == [
        "GET /v2/fiscalyears → 200 response: Data/1/BookkeepingMethod: 7 is not one of "
        "[0, 1, 2, None]"
    ]
    twice = json.dumps(page | {"Data": [year | {"BookkeepingMethod": 7}] * 2}).encode()
    found = check_exchange("GET", "/v2/fiscalyears", b"", 200, "application/json", twice)
    assert [p.split(":")[1].strip() for p in found] == [
        "Data/0/BookkeepingMethod",
        "Data/1/BookkeepingMethod",
    ]


def test_the_emulator_reports_what_it_served_outside_the_spec(tmp_path: Path) -> None:
    """The server-side check: an answer the spec does not allow (an enum value out of range) is
    logged, kept for ``GET /_emulator/conformance`` and appended to the report file, while the
    client still gets the answer."""
    report = tmp_path / "departures.jsonl"
    config = EmulatorConfig(clock=ManualClock(START), check_spec=True, spec_report=str(report))
    app = create_app(config, seed="demo")
    emu = emulator_of(app)
    token = emu.tokens.mint(
        DEMO_CLIENT_ID, "anna@bakkerij.example", stable_id("company", "nl-bakkerij"), FULL
    )
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    company = emu.state.company("nl-bakkerij")
    assert company is not None
    year = next(iter(company.fiscal_years.values()))
    with httpx2.Client(transport=EmulatorTransport(app), base_url="http://visma.test") as http:
        assert http.get(f"/v2/fiscalyears/{year.id}", headers=auth).status_code == 200
        assert http.get("/_emulator/conformance").json()["problems"] == []
        year.bookkeeping_method = 7  # SW21: 0, 1 or 2
        assert http.get(f"/v2/fiscalyears/{year.id}", headers=auth).status_code == 200
        summary = http.get("/_emulator/conformance").json()
    assert summary["checked"] == 2
    assert summary["operations"] == ["GET /v2/fiscalyears/{id}"]
    [problem] = summary["problems"]
    assert problem.startswith("GET /v2/fiscalyears/{id} → 200 response: BookkeepingMethod")
    [line] = report.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["problem"] == problem


def test_without_the_check_the_emulator_reports_nothing() -> None:
    app = create_app(EmulatorConfig(check_spec=False), seed="demo")
    assert emulator_of(app).spec_check is None
    with httpx2.Client(transport=EmulatorTransport(app), base_url="http://visma.test") as http:
        assert http.get("/_emulator/conformance").json() == {
            "enabled": False,
            "checked": 0,
            "operations": [],
            "problems": [],
            "report": None,
        }


def test_a_missing_spec_is_a_failure_not_a_skip(tmp_path: Path) -> None:
    """A checkout without the vendored file cannot start a checking emulator (nothing skips)."""
    package = Path(official.__file__).parents[2]
    copy = tmp_path / "payjournal"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", official.FILE_NAME))
    assert not (copy / "emulator" / "spec" / official.FILE_NAME).exists()
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            "from payjournal.emulator import EmulatorConfig, create_app;"
            "create_app(EmulatorConfig(check_spec=True))",
        ],
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode != 0
    assert "FileNotFoundError" in started.stderr
    assert official.FILE_NAME in started.stderr
