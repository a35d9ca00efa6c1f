"""The :class:`CallObserver` port: told how every API call of a client ended.

The application watches its connections through it — the last call Visma answered, and a
refusal (a revoked grant, the API module switched off, no access to the company) the moment
any call meets one — without the client knowing where that is stored.
"""

from __future__ import annotations

from typing import Protocol

from payjournal.visma.errors import VismaError

__all__ = ["CallObserver"]


class CallObserver(Protocol):
    """Told once per API call, after its retries: answered, or failed with ``error``."""

    def answered(self) -> None:
        """Visma answered the call (a 2xx)."""
        ...

    def failed(self, error: VismaError) -> None:
        """The call ended with ``error`` (the observer decides whether it matters)."""
        ...
