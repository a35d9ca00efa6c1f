"""``--state FILE``: the world (vouchers, tokens, settings) survives a restart."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2

from payjournal.emulator import EmulatorConfig, ManualClock, create_app, emulator_of
from payjournal.emulator.persistence import load_state, save_state
from payjournal.emulator.server import run_in_thread
from payjournal.emulator.transport import EmulatorTransport
from tests.emulator.conftest import START, voucher


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    app = create_app(EmulatorConfig(clock=ManualClock(START)))
    emu = emulator_of(app)
    with httpx2.Client(transport=EmulatorTransport(app), base_url="http://v") as http:
        token = http.post(
            "/_emulator/tokens", json={"email": "anna@bakkerij.example", "company": "nl-bakkerij"}
        ).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        created = http.post("/v2/vouchers", json=voucher(), headers=auth).json()
    path = tmp_path / "state.json"
    save_state(emu.state, path)
    loaded = load_state(path)
    assert loaded == emu.state
    assert json.loads(path.read_text())["format"] == 1
    restarted = create_app(EmulatorConfig(clock=ManualClock(START)), state_file=path)
    with httpx2.Client(transport=EmulatorTransport(restarted), base_url="http://v") as http:
        fy = http.get("/v2/fiscalyears", headers=auth).json()["Data"][1]["Id"]
        again = http.get(f"/v2/vouchers/{fy}/{created['Id']}", headers=auth)
        assert again.json()["Rows"][1]["CreditAmount"] == 250.55
        assert (
            http.post("/v2/vouchers", json=voucher(), headers=auth).json()["NumberAndNumberSeries"]
            == "A4"
        )


def test_served_app_saves_on_change_and_at_exit(tmp_path: Path) -> None:
    path = tmp_path / "demo" / "state.json"
    config = EmulatorConfig(autosave_interval_s=0.05)
    app = create_app(config, state_file=path)
    with run_in_thread(app) as base, httpx2.Client(base_url=base) as http:
        http.put("/_emulator/companies/nl-bakkerij/settings", json={"api_module_enabled": False})
    assert load_state(path).company("nl-bakkerij").api_module_enabled is False  # type: ignore[union-attr]
    assert list(path.parent.iterdir()) == [path]


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"format": 99, "state": {}}))
    try:
        load_state(path)
    except ValueError as exc:
        assert "unsupported state format" in str(exc)
    else:
        raise AssertionError("a state file of another format was accepted")
