"""``visma-emulator`` (or ``python -m payjournal.emulator``): the emulator on its own.

A stdlib command line (no Typer, no Django, nothing else of payjournal), so any Visma
eAccounting integrator can run it: ``pip install 'payjournal[emulator]'`` and
``visma-emulator --port 8765``. Every guessed behaviour is a ``--behave KNOB=VARIANT`` (see
``GET /_emulator/config``); faults and the world are driven through the control API.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Sequence
from pathlib import Path

from payjournal.emulator.app import create_app, emulator_of
from payjournal.emulator.banner import banner
from payjournal.emulator.config import EmulatorConfig
from payjournal.emulator.control_config import BEHAVIOURS, apply_behaviours
from payjournal.emulator.seed import SEEDS


def _behaviour(text: str) -> tuple[str, object]:
    name, sep, raw = text.partition("=")
    if not sep or name not in BEHAVIOURS:
        raise argparse.ArgumentTypeError(f"expected KNOB=VARIANT, knobs: {', '.join(BEHAVIOURS)}")
    try:
        value: object = json.loads(raw)
    except ValueError:
        value = raw  # a bare string variant: newest_first
    return name, value


def parser() -> argparse.ArgumentParser:
    """The command's options."""
    p = argparse.ArgumentParser(
        prog="visma-emulator",
        description="A local Visma eAccounting (identity server + API v2) with seed data, "
        "faults on cue and a control API under /_emulator/.",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface (keep it loopback)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--state", type=Path, help="JSON file: loaded at start, saved on changes")
    p.add_argument("--seed", choices=SEEDS, default="demo", help="world when no state exists")
    p.add_argument("--rate-limit", type=int, default=600, help="requests/min per endpoint")
    p.add_argument("--access-token-lifetime", type=int, default=3600, help="seconds")
    p.add_argument(
        "--behave",
        type=_behaviour,
        action="append",
        default=[],
        metavar="KNOB=VARIANT",
        help=f"pick a variant where production is unknown ({', '.join(BEHAVIOURS)})",
    )
    p.add_argument(
        "--check-spec",
        action="store_true",
        help="validate every /v2 exchange served against Visma's official spec "
        "(departures: log, GET /_emulator/conformance)",
    )
    p.add_argument(
        "--spec-report",
        metavar="FILE",
        help="with --check-spec: append every departure to FILE as a JSON line",
    )
    p.add_argument("--log-level", default="info")
    return p


def main(argv: Sequence[str] | None = None) -> None:
    """Parse ``argv``, print the banner, serve until Ctrl-C."""
    from payjournal.emulator.server import serve  # uvicorn only when serving

    args = parser().parse_args(argv)
    config = EmulatorConfig(
        rate_limit_per_minute=args.rate_limit, access_token_lifetime_s=args.access_token_lifetime
    )
    if args.check_spec or args.spec_report:
        config.check_spec = True
        config.spec_report = args.spec_report or config.spec_report
    try:
        apply_behaviours(config, dict(args.behave))
    except ValueError as exc:
        parser().error(str(exc))
    try:
        app = create_app(config, seed=args.seed, state_file=args.state)
    except ModuleNotFoundError as exc:  # --check-spec without jsonschema
        parser().error(f"{exc}: --check-spec needs pip install 'payjournal[emulator]'")
    base = f"http://{args.host}:{args.port}"
    for line in banner(emulator_of(app), base, str(args.state) if args.state else None):
        print(line, flush=True)  # noqa: T201 - a command's output
    # Ctrl-C is how it stops (the state file was saved at shutdown): not an error
    with contextlib.suppress(KeyboardInterrupt):
        serve(app, args.host, args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
