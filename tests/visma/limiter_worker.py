"""A worker process for the cross-process limiter test: it waits for "go" on stdin, sends
``count`` requests through a shared limiter and prints what happened as JSON.

Run as ``python -m tests.visma.limiter_worker BASE_URL ACCESS_TOKEN BACKEND TARGET NAMESPACE
COUNT PER_MINUTE BURST``, where BACKEND is ``sqlite`` (TARGET = file), ``postgres`` (TARGET =
conninfo) or ``memory`` (a private budget: the control case)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta

from payjournal.visma import (
    ClientCredentials,
    InMemoryTokenStore,
    RateLimit,
    RateLimitedError,
    RetryPolicy,
    SlotRateLimiter,
    TokenSet,
    VismaClient,
    VismaEndpoints,
    VismaOAuth,
)


def main() -> None:
    base_url, access, backend, target, namespace, count, per_minute, burst = sys.argv[1:9]
    limit = RateLimit(per_minute=int(per_minute), burst=int(burst), max_wait=0.3)
    if backend == "sqlite":
        limiter = SlotRateLimiter.sqlite(target, limit, namespace=namespace)
    elif backend == "postgres":
        limiter = SlotRateLimiter.postgres(target, limit, namespace=namespace)
    else:
        limiter = SlotRateLimiter.in_memory(limit)
    tokens = TokenSet(access, None, datetime.now(UTC) + timedelta(hours=1))
    oauth = VismaOAuth(
        ClientCredentials("unused", "unused", "http://127.0.0.1/cb"), VismaEndpoints.at(base_url)
    )
    client = VismaClient(
        InMemoryTokenStore(tokens), oauth, rate_limiter=limiter, retry=RetryPolicy.never()
    )
    print("ready", flush=True)
    sys.stdin.readline()
    sent = server_429 = held_back = 0
    for _ in range(int(count)):
        try:
            client.get_company_settings()
            sent += 1
        except RateLimitedError as error:
            if error.status == 429:
                server_429 += 1
            else:
                held_back += 1
    print(json.dumps({"ok": sent, "server_429": server_429, "held_back": held_back}), flush=True)
    client.close()
    limiter.close()


if __name__ == "__main__":
    main()
