"""The emulator's whole world in one object: what the control API reads and persistence saves."""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from payjournal.emulator.model import (
    AccessToken,
    AuthorizationCode,
    AuthorizationSession,
    Company,
    OAuthClient,
    RefreshToken,
    TokenEvent,
    TokenFamily,
    User,
)


@dataclass
class EmulatorState:
    """Users, companies and the identity server's grants. Persisted as one JSON document."""

    seed: str = "empty"
    users: dict[str, User] = field(default_factory=dict)
    companies: dict[UUID, Company] = field(default_factory=dict)
    clients: dict[str, OAuthClient] = field(default_factory=dict)
    auth_sessions: dict[str, AuthorizationSession] = field(default_factory=dict)
    #: Browser login cookie value -> e-mail of the logged-in user.
    login_sessions: dict[str, str] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    families: dict[str, TokenFamily] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    token_events: list[TokenEvent] = field(default_factory=list)
    #: Added to the configured clock (control API ``/_emulator/clock``).
    clock_offset_s: float = 0.0

    def user(self, email: str) -> User | None:
        """Look a user up by e-mail, case-insensitively."""
        return self.users.get(email.strip().lower())

    def company(self, ref: str | UUID) -> Company | None:
        """Find a company by id or by its seed key (``nl-bakkerij``)."""
        if isinstance(ref, UUID):
            return self.companies.get(ref)
        try:
            return self.companies.get(UUID(ref))
        except ValueError:
            return next((c for c in self.companies.values() if c.key == ref), None)


class Ids:
    """Id source: deterministic when seeded, random otherwise."""

    def __init__(self, seed: int | None) -> None:
        self._random = random.Random(seed) if seed is not None else None  # noqa: S311
        self._lock = threading.Lock()

    def new(self) -> UUID:
        """A fresh version-4 UUID."""
        if self._random is None:
            return uuid.uuid4()
        with self._lock:
            return UUID(int=self._random.getrandbits(128), version=4)


def shifted(now: datetime, state: EmulatorState) -> datetime:
    """Apply the control API's clock offset to a reading of the configured clock."""
    if not state.clock_offset_s:
        return now
    return now + timedelta(seconds=state.clock_offset_s)
