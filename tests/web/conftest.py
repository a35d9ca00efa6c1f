"""Fixtures of the web tests: masters with members of each role, sample companies, and the
Visma emulator on loopback (real HTTP) with the app's Visma settings pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from django.test import Client

from payjournal.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, create_app
from payjournal.emulator.server import run_in_thread
from payjournal.payroll.models import PayrollCompany
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import create_company
from payjournal.tenancy.models import Master, Membership, Role
from payjournal.tenancy.users import create_user
from tests.emulator.spec import ConformingTransport
from tests.wiring import rewired

PASSWORD = "correct horse battery"
PUBLIC_URL = "http://127.0.0.1:8123"


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    with run_in_thread(create_app(seed="demo"), host="127.0.0.1", port=0) as url:
        yield url


@pytest.fixture
def visma(settings: Any, emulator_url: str) -> Iterator[str]:
    """The app's Visma settings and the process's wiring pointed at the loopback emulator; every
    ``/v2`` exchange the app makes through the process's shared transport is held to Visma's
    vendored spec."""
    settings.VISMA_IDENTITY_URL = emulator_url
    settings.VISMA_API_URL = f"{emulator_url}/v2/"
    settings.VISMA_CLIENT_ID = DEMO_CLIENT_ID
    settings.VISMA_CLIENT_SECRET = DEMO_CLIENT_SECRET
    settings.PAYJOURNAL_PUBLIC_URL = PUBLIC_URL
    transport = ConformingTransport(httpx2.HTTPTransport())
    with rewired(transport):
        yield emulator_url
    transport.close()


@dataclass
class Tenant:
    master: Master
    admin: Membership
    payroll: Membership
    viewer: Membership
    bakkerij: PayrollCompany
    nordisk: PayrollCompany

    def client(self, member: Membership) -> Client:
        client = Client()
        client.force_login(member.user)
        return client


def sample_company(master: Master, key: str, name: str) -> PayrollCompany:
    scheme = next((samples_dir() / key).glob("scheme.*"))
    return create_company(master, name, key, scheme.read_bytes(), scheme.name)


def make_tenant(prefix: str) -> Tenant:
    name = f"{prefix} Payroll"
    admin = create_user(f"{prefix}-admin", PASSWORD, master_name=name, role=Role.MASTER_ADMIN)
    payroll = create_user(f"{prefix}-payroll", PASSWORD, master_name=name, role=Role.PAYROLL_ADMIN)
    viewer = create_user(f"{prefix}-viewer", PASSWORD, master_name=name, role=Role.VIEWER)
    bakkerij = sample_company(admin.master, "nl-bakkerij", f"{prefix} Bakkerij")
    nordisk = sample_company(admin.master, "se-nordisk", f"{prefix} Nordisk")
    bakkerij.assignees.add(payroll.user, viewer.user)
    return Tenant(admin.master, admin, payroll, viewer, bakkerij, nordisk)


@pytest.fixture
def tenant(db: None) -> Tenant:
    return make_tenant("a")


@pytest.fixture
def other_tenant(db: None) -> Tenant:
    return make_tenant("b")


@pytest.fixture
def browser_http() -> Iterator[httpx2.Client]:
    """A cookie-keeping HTTP client playing the user's browser at the emulator."""
    with httpx2.Client() as http:
        yield http
