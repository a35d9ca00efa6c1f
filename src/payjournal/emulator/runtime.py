"""One running emulator: configuration, state and the live services around it.

``create_app`` puts an :class:`Emulator` on ``app.state.emulator``; tests reach it with
:func:`payjournal.emulator.emulator_of`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from payjournal.emulator.config import EmulatorConfig
from payjournal.emulator.faults import Faults
from payjournal.emulator.ratelimit import RateLimiter
from payjournal.emulator.seed import build_seed
from payjournal.emulator.state import EmulatorState, Ids, shifted
from payjournal.emulator.tokens import TokenService

if TYPE_CHECKING:
    from payjournal.emulator.conformance import SpecCheck


@dataclass(frozen=True)
class RequestRecord:
    """One request as the control API reports it."""

    at: datetime
    method: str
    path: str
    endpoint: str
    status: int
    client_id: str | None
    company: str | None
    fault: str | None


class Emulator:
    """Holds everything one emulator instance needs; handlers get it from ``app.state``."""

    def __init__(self, config: EmulatorConfig, state: EmulatorState) -> None:
        self.config = config
        self.ids = Ids(config.id_seed)
        self.faults = Faults(config.fault_seed)
        self.limiter = RateLimiter(config.rate_limit_per_minute)
        self.requests: deque[RequestRecord] = deque(maxlen=config.request_log_size)
        self.on_change: Callable[[], None] | None = None
        self.state = state
        self.tokens = TokenService(state, config, self.now)
        self.spec_check = _spec_check(config)

    def now(self) -> datetime:
        """The emulator's time: the configured clock plus the control API's offset."""
        return shifted(self.config.clock.now(), self.state)

    def changed(self) -> None:
        """Tell persistence that the state moved."""
        if self.on_change is not None:
            self.on_change()

    def replace_state(self, state: EmulatorState) -> None:
        """Swap the whole world (reset, load)."""
        self.state = state
        self.tokens = TokenService(state, self.config, self.now)
        self.limiter.reset()
        self.requests.clear()
        self.changed()

    def reseed(self, seed: str) -> None:
        """Throw the world away and build ``seed`` again, faults cleared."""
        self.faults.clear()
        fresh = build_seed(seed, self.config.clock.now().date(), self.config.redirect_uri_patterns)
        self.replace_state(fresh)

    def log(self, record: RequestRecord) -> None:
        """Append to the request log."""
        self.requests.append(record)


def _spec_check(config: EmulatorConfig) -> SpecCheck | None:
    """The spec check when the config asks for it (``jsonschema`` is imported only then)."""
    if not config.check_spec:
        return None
    from payjournal.emulator.conformance import SpecCheck

    return SpecCheck(Path(config.spec_report) if config.spec_report else None)
