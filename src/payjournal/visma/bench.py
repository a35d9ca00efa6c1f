"""Throughput benchmark of the client: post many vouchers from several threads through one
rate-limited :class:`VismaClient` and report vouchers per minute against the limit.

The server is whatever ``base_url`` points at; ``payjournal bench client`` starts the local
emulator on loopback (with added latency and the same limit) and calls :func:`run`, which
measures in a separate worker process — as a payjournal worker would run — so the client does
not share an interpreter lock with an in-process server. Never point this at a real Visma
company: every voucher it posts is permanent.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal

from payjournal.visma.client import VismaClient
from payjournal.visma.config import VismaEndpoints
from payjournal.visma.errors import RateLimitedError, VismaError
from payjournal.visma.oauth import ClientCredentials, VismaOAuth
from payjournal.visma.ratelimit import RateLimit, SlotRateLimiter
from payjournal.visma.retry import RetryPolicy
from payjournal.visma.tokens import InMemoryTokenStore, TokenSet
from payjournal.visma.vouchers import NewVoucher, VoucherRow

__all__ = ["BenchResult", "measure", "payroll_vouchers", "post_all", "report", "run"]


@dataclass(frozen=True, slots=True)
class BenchResult:
    vouchers: int
    posted: int
    rate_limited_429: int
    elapsed_s: float
    per_minute_limit: int
    burst: int
    threads: int
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def vouchers_per_minute(self) -> float:
        return self.posted / self.elapsed_s * 60 if self.elapsed_s else 0.0

    @property
    def ratio(self) -> float:
        return self.vouchers_per_minute / self.per_minute_limit


def payroll_vouchers(
    count: int, day: date, debit_account: int, credit_account: int
) -> list[NewVoucher]:
    """``count`` balanced two-row vouchers with distinct markers and amounts."""
    vouchers = []
    for number in range(count):
        amount = Decimal(1000 + number) + Decimal("0.25")
        rows = (
            VoucherRow(debit_account, debit_amount=amount, transaction_text="Bench salaries"),
            VoucherRow(credit_account, credit_amount=amount, transaction_text="Bench net pay"),
        )
        vouchers.append(NewVoucher(day, f"Bench payroll [pj:bench:{number}]", rows))
    return vouchers


def post_all(
    client: VismaClient, vouchers: Sequence[NewVoucher], threads: int
) -> tuple[int, Counter[str], float]:
    """Post every voucher from ``threads`` threads; return (posted, error codes, seconds)."""
    errors: Counter[str] = Counter()
    lock = threading.Lock()

    def post(voucher: NewVoucher) -> bool:
        try:
            client.create_voucher(voucher)
        except VismaError as error:
            key = (
                "429" if isinstance(error, RateLimitedError) and error.status == 429 else error.code
            )
            with lock:
                errors[key] += 1
            return False
        return True

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        posted = sum(pool.map(post, vouchers))
    return posted, errors, time.monotonic() - started


def measure(
    base_url: str,
    tokens: TokenSet,
    credentials: ClientCredentials,
    *,
    vouchers: int = 2000,
    threads: int = 8,
    per_minute: int = 6000,
    day: date,
    debit_account: int,
    credit_account: int,
) -> BenchResult:
    """Run the benchmark in this process against ``base_url`` with an already issued token.

    The limiter spreads the minute's budget evenly after a burst of one second's share
    (:meth:`RateLimit.smoothed`), which is how a worker pool stays at the ceiling instead of
    bursting into it.
    """
    limit = RateLimit.smoothed(per_minute)
    limiter = SlotRateLimiter.in_memory(limit)
    oauth = VismaOAuth(credentials, VismaEndpoints.at(base_url))
    client = VismaClient(
        InMemoryTokenStore(tokens), oauth, rate_limiter=limiter, retry=RetryPolicy.never()
    )
    batch = payroll_vouchers(vouchers, day, debit_account, credit_account)
    try:
        posted, errors, elapsed = post_all(client, batch, threads)
    finally:
        client.close()
        oauth.close()
        limiter.close()
    rate_limited = errors.pop("429", 0)
    return BenchResult(
        vouchers=vouchers,
        posted=posted,
        rate_limited_429=rate_limited,
        elapsed_s=elapsed,
        per_minute_limit=per_minute,
        burst=limit.burst,
        threads=threads,
        errors=dict(errors),
    )


def run(
    base_url: str,
    tokens: TokenSet,
    credentials: ClientCredentials,
    *,
    vouchers: int = 2000,
    threads: int = 8,
    per_minute: int = 6000,
    day: date,
    debit_account: int,
    credit_account: int,
) -> BenchResult:
    """:func:`measure` in a fresh worker process; the token travels over a pipe, not argv."""
    job = {
        "base_url": base_url,
        "access_token": tokens.access_token,
        "expires_at": tokens.expires_at.isoformat(),
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "redirect_uri": credentials.redirect_uri,
        "vouchers": vouchers,
        "threads": threads,
        "per_minute": per_minute,
        "day": day.isoformat(),
        "debit_account": debit_account,
        "credit_account": credit_account,
    }
    worker = subprocess.run(
        [sys.executable, "-m", "payjournal.visma.bench"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=True,
    )
    return BenchResult(**json.loads(worker.stdout))


def _worker() -> None:
    job = json.loads(sys.stdin.read())
    result = measure(
        job["base_url"],
        TokenSet(job["access_token"], None, datetime.fromisoformat(job["expires_at"])),
        ClientCredentials(job["client_id"], job["client_secret"], job["redirect_uri"]),
        vouchers=job["vouchers"],
        threads=job["threads"],
        per_minute=job["per_minute"],
        day=date.fromisoformat(job["day"]),
        debit_account=job["debit_account"],
        credit_account=job["credit_account"],
    )
    sys.stdout.write(json.dumps(asdict(result)))


def report(result: BenchResult, server_429: int | None = None) -> str:
    lines = [
        f"vouchers posted      {result.posted} / {result.vouchers} from {result.threads} threads",
        f"elapsed              {result.elapsed_s:.2f} s",
        f"throughput           {result.vouchers_per_minute:,.0f} vouchers/min",
        f"limit                {result.per_minute_limit:,}/min per endpoint "
        f"(client: bursts of {result.burst}, then evenly spaced)",
        f"ratio to the limit   {result.ratio:.3f}  (target >= 0.9)",
        f"429s seen by client  {result.rate_limited_429}  (target 0)",
    ]
    if server_429 is not None:
        lines.append(f"429s in server log   {server_429}")
    if result.errors:
        lines.append(f"other errors         {dict(sorted(result.errors.items()))}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    _worker()
