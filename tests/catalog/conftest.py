"""Fixtures reused from the Visma client tests (the in-process emulator world, to provoke
every error) and from the web tests (tenants, the emulator on loopback)."""

from tests.visma.conftest import connect_client, make_world, nordisk, world
from tests.web.conftest import browser_http, emulator_url, tenant, visma

__all__ = [
    "browser_http",
    "connect_client",
    "emulator_url",
    "make_world",
    "nordisk",
    "tenant",
    "visma",
    "world",
]
