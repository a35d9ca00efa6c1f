"""The line between "never sent" and "sent, no answer" for httpx2 transport failures.

That line decides whether a voucher POST may be repeated: a request that never completely
left (connect, DNS, TLS, pool timeout, a failed write) cannot have been applied, so it maps
to :class:`NetworkError`; a request that left and got no (complete) answer (read timeout,
dropped connection, protocol error) maps to :class:`OutcomeUnknownError`. Anything not known
to be safe is treated as sent.
"""

from __future__ import annotations

import httpx2

from payjournal.visma.errors import NetworkError, OutcomeUnknownError, RequestInfo, VismaError

__all__ = ["NEVER_SENT", "error_from_exception"]

#: httpx2 exceptions raised before the request was completely handed to the network.
NEVER_SENT: tuple[type[Exception], ...] = (
    httpx2.ConnectError,
    httpx2.ConnectTimeout,
    httpx2.PoolTimeout,
    httpx2.WriteError,
    httpx2.WriteTimeout,
    httpx2.UnsupportedProtocol,
    httpx2.LocalProtocolError,
    httpx2.ProxyError,
)


def error_from_exception(exc: httpx2.HTTPError, request: RequestInfo) -> VismaError:
    """Map an httpx2 failure to :class:`NetworkError` or :class:`OutcomeUnknownError`."""
    kind = type(exc).__name__
    if isinstance(exc, NEVER_SENT):
        return NetworkError(f"request not sent: {kind}: {exc}", request=request)
    return OutcomeUnknownError(f"request sent, no answer: {kind}: {exc}", request=request)
