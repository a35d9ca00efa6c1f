"""The webhook signature: HMAC-SHA256 with the endpoint's secret over ``"<timestamp>.<body>"``.

Headers of every delivery (``docs/notifications.md`` has a receiver's check):

* ``Payjournal-Timestamp``: Unix seconds when this attempt was signed;
* ``Payjournal-Signature``: ``v1=<hex digest>``;
* ``Payjournal-Event-Id`` / ``Payjournal-Event-Type``: the event (a retry carries the same id).

A receiver recomputes the digest over the raw body it received and refuses a timestamp more
than :data:`TOLERANCE_S` from its clock (a replayed request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["TOLERANCE_S", "new_secret", "signature", "verify"]

TIMESTAMP = "Payjournal-Timestamp"
SIGNATURE = "Payjournal-Signature"
EVENT_ID = "Payjournal-Event-Id"
EVENT_TYPE = "Payjournal-Event-Type"
#: How far a receiver should accept a timestamp from its own clock.
TOLERANCE_S = 300


def new_secret() -> str:
    """A fresh signing secret (shown once to the administrator who adds the endpoint)."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Payjournal-Signature`` value for ``body`` sent at ``timestamp``."""
    signed = str(timestamp).encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str, now: float) -> bool:
    """What a receiver checks: a fresh timestamp and the signature over it and the body."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > TOLERANCE_S:
        return False
    return hmac.compare_digest(signature(secret, sent, body), header)
