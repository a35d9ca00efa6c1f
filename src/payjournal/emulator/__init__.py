"""A local, faithful stand-in for Visma eAccounting: identity server and API v2.

Public surface::

    from payjournal.emulator import create_app, emulator_of, EmulatorConfig, ManualClock
    from payjournal.emulator.server import run_in_thread      # real uvicorn on loopback
    from payjournal.emulator.transport import EmulatorTransport, AsyncEmulatorTransport

The emulator imports nothing else of payjournal: it stands for a server we do not own.
"""

from payjournal.emulator.app import EmulatorApp, create_app, emulator_of
from payjournal.emulator.clock import Clock, ManualClock, SystemClock
from payjournal.emulator.config import EmulatorConfig
from payjournal.emulator.drop import ConnectionDropped
from payjournal.emulator.faults import FaultPlan
from payjournal.emulator.runtime import Emulator
from payjournal.emulator.seed import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_USERS, stable_id

__all__ = [
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_USERS",
    "Clock",
    "ConnectionDropped",
    "Emulator",
    "EmulatorApp",
    "EmulatorConfig",
    "FaultPlan",
    "ManualClock",
    "SystemClock",
    "create_app",
    "emulator_of",
    "stable_id",
]
