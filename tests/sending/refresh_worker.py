"""One of the two processes of ``test_refresh_race``: Django on the test database and a
:class:`VismaClient` for one Visma account, calling the API back to back for a while. Run as
``python -m tests.sending.refresh_worker ACCOUNT_ID CALLING_S MARGIN_S``: it prints ``ready``
once set up and starts calling when a line arrives on stdin (so both processes start together
however long their start took); at the end it prints one JSON line.

The client is built like :meth:`payjournal.wiring.Wiring.client` (the
:class:`DatabaseTokenStore`, the process's OAuth client) with no client-side rate limiter (the budget is not the subject) and a refresh margin shorter than the 3-second
token. The store is subclassed only to count how often a refresh was asked for and how often
this process actually spent a refresh token. No token is ever printed.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections import Counter
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payjournal.site.settings")
django.setup()

from payjournal import wiring  # noqa: E402
from payjournal.integrations.tokenstore import DatabaseTokenStore  # noqa: E402
from payjournal.visma import NoRateLimit, RefreshFn, TokenSet, VismaClient, VismaError  # noqa: E402


class CountingTokenStore(DatabaseTokenStore):
    """The real store; counts refresh requests (``asked``) and refresh tokens spent (``spent``)."""

    asked = 0
    spent = 0

    def refresh(self, refresh: RefreshFn, stale: TokenSet) -> TokenSet:
        self.asked += 1

        def counted(tokens: TokenSet) -> TokenSet:
            self.spent += 1
            return refresh(tokens)

        return super().refresh(counted, stale)


def main(account_id: int, calling_s: float, margin_s: float) -> None:
    logging.getLogger("payjournal").setLevel(logging.WARNING)
    store = CountingTokenStore(account_id)
    client = VismaClient(
        store,
        wiring.current().shared.oauth(),
        rate_limiter=NoRateLimit(),
        refresh_margin=timedelta(seconds=margin_s),
        timeout=10.0,
    )
    errors: Counter[str] = Counter()
    calls = 0
    print("ready", flush=True)
    sys.stdin.readline()
    stop_at = time.monotonic() + calling_s
    while time.monotonic() < stop_at:
        try:
            client.get_company_settings()
            calls += 1
        except VismaError as exc:
            errors[f"{exc.code} {exc.status}"] += 1
    summary = {"calls": calls, "errors": dict(errors), "asked": store.asked, "spent": store.spent}
    sys.stdout.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]))
