"""``GET`` / ``PATCH /_emulator/config``: the behaviours where production is unknown or varies.

Each knob picks one of the known variants, so a client can be run against every one of them
(``docs/emulator.md``, "Behaviours you can switch"). Only these fields can be changed at run
time; the rest of :class:`~payjournal.emulator.config.EmulatorConfig` is fixed at start.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from payjournal.emulator.config import EmulatorConfig
from payjournal.emulator.control import ControlError, body_of, control_route
from payjournal.emulator.runtime import Emulator

#: knob → its variants (the first is the default).
BEHAVIOURS: dict[str, tuple[object, ...]] = {
    "unauthorized_json_body": (True, False),
    "rate_limit_retry_after_header": (True, False),
    "empty_list_total_pages": (0, 1),
    "fiscal_years_order": ("oldest_first", "newest_first"),
    "accounts_without_year": ("all_years", "current_year"),
    "page_size_over_max": ("clamp", "error"),
}


def behaviours(config: EmulatorConfig) -> dict[str, Any]:
    """The current variant of every knob."""
    return {name: getattr(config, name) for name in BEHAVIOURS}


def apply_behaviours(config: EmulatorConfig, data: dict[str, Any]) -> None:
    """Set knobs from ``data``; ``ValueError`` names the first unknown knob or variant."""
    for name, value in data.items():
        variants = BEHAVIOURS.get(name)
        if variants is None:
            raise ValueError(f"unknown behaviour {name!r} (known: {', '.join(BEHAVIOURS)})")
        if not any(type(value) is type(v) and value == v for v in variants):
            raise ValueError(f"{name} must be one of {list(variants)!r}")
    for name, value in data.items():
        setattr(config, name, value)


async def get_config(request: Request, emu: Emulator) -> Any:
    """Every switchable behaviour with its current variant."""
    return behaviours(emu.config)


async def patch_config(request: Request, emu: Emulator) -> Any:
    """``{"fiscal_years_order": "newest_first", …}``: all or nothing."""
    try:
        apply_behaviours(emu.config, await body_of(request))
    except ValueError as exc:
        raise ControlError(400, str(exc)) from exc
    return behaviours(emu.config)


async def get_conformance(request: Request, emu: Emulator) -> Any:
    """The spec check (``--check-spec``): exchanges checked, operations answered with a
    success, every departure from Visma's official spec."""
    if emu.spec_check is None:
        return {"enabled": False, "checked": 0, "operations": [], "problems": [], "report": None}
    return emu.spec_check.summary()


ROUTES: list[Route] = [
    control_route("/_emulator/config", "GET", get_config),
    control_route("/_emulator/config", "PATCH", patch_config),
    control_route("/_emulator/conformance", "GET", get_conformance),
]
