"""Emulator configuration: every guessed behaviour of the real Visma is a knob here.

The defaults follow ``visma-api-notes.md``; where the real behaviour is unknown the default is
the documented guess (see ``docs/emulator.md``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from payjournal.emulator.clock import Clock, SystemClock

#: ``VISMA_EMULATOR_CHECK_SPEC=1`` switches the spec check on for every emulator a process (and
#: its children) creates; ``VISMA_EMULATOR_SPEC_REPORT=FILE`` also appends departures to FILE.
CHECK_SPEC_ENV = "VISMA_EMULATOR_CHECK_SPEC"
SPEC_REPORT_ENV = "VISMA_EMULATOR_SPEC_REPORT"


def _check_spec_from_env() -> bool:
    return os.environ.get(CHECK_SPEC_ENV, "").strip().lower() not in {"", "0", "false", "no"}


def _spec_report_from_env() -> str | None:
    return os.environ.get(SPEC_REPORT_ENV) or None


#: Redirect URI patterns a registered client may use by default: any loopback callback.
DEFAULT_REDIRECT_PATTERNS: tuple[str, ...] = (
    "http://127.0.0.1:*/*",
    "http://localhost:*/*",
)


@dataclass
class EmulatorConfig:
    """Knobs for one emulator instance. Mutable on purpose: tests tweak one field and go."""

    clock: Clock = field(default_factory=SystemClock)
    #: Seed for ids of created objects (vouchers, attachments ...); ``None`` = random ids.
    id_seed: int | None = None
    #: Seed for the fault dice; the control API can reseed.
    fault_seed: int = 0

    # --- identity server -------------------------------------------------------------
    access_token_lifetime_s: int = 3600
    refresh_token_lifetime_s: int = 50 * 365 * 24 * 3600  # "50 years" (KB-refresh-token)
    authorization_code_lifetime_s: int = 300
    #: Seconds during which a used refresh token may be replayed for the same answer.
    #: Visma documents strict one-time use, so 0 (no grace).
    refresh_grace_period_s: float = 0.0
    #: The API refuses tokens without ``ea:api`` in their scope (4006).
    require_ea_api_scope: bool = True
    #: Patterns for redirect URIs of the seeded client (``*`` matches any run of characters).
    redirect_uri_patterns: tuple[str, ...] = DEFAULT_REDIRECT_PATTERNS
    #: 401 answers carry Visma's JSON error body (4005, "AuthorizationException - Authorization
    #: has been denied for this request.") besides ``WWW-Authenticate``, as production does;
    #: ``False`` sends an empty body (IdentityServer-protected Web API style).
    unauthorized_json_body: bool = True

    # --- API ---------------------------------------------------------------------------
    rate_limit_per_minute: int = 600
    #: What counts as one "endpoint" for the rate limit: method + route template
    #: (``/v2/vouchers/{fiscalyearId}``) or method + concrete path.
    rate_limit_key: Literal["template", "path"] = "template"
    #: The throttle's 429 carries ``Retry-After`` (the message always says "Try again in N
    #: seconds."); Visma documents the message but not the header.
    rate_limit_retry_after_header: bool = True
    default_page_size: int = 50
    max_page_size: int = 1000
    #: ``$pagesize`` above the maximum: clamp it, or answer 400/2000.
    page_size_over_max: Literal["clamp", "error"] = "clamp"
    #: ``Meta.TotalNumberOfPages`` of an empty list: 0 (``ceil(0 / size)``) or 1 (one empty
    #: page); production's choice is unknown.
    empty_list_total_pages: Literal[0, 1] = 0
    #: Order of ``GET /v2/fiscalyears`` (unknown in production; clients must not depend on it).
    fiscal_years_order: Literal["oldest_first", "newest_first"] = "oldest_first"
    #: ``GET /v2/accounts`` without a fiscal year: the accounts of every fiscal year (Visma's
    #: own 2018 Swagger says so; a number appears once per year) or only the current year's.
    accounts_without_year: Literal["all_years", "current_year"] = "all_years"
    #: ErrorCode for an unbalanced voucher (no documented code; 2000 is the guess).
    unbalanced_error_code: int = 2000
    #: Rows with both debit and credit zero are refused unless this is set.
    allow_zero_rows: bool = False
    #: No documented maximum; a generous guess.
    max_voucher_rows: int = 1000
    #: How many requests the control API keeps in its log.
    request_log_size: int = 10_000

    # --- conformance ----------------------------------------------------------------------
    #: Validate every ``/v2`` exchange served against the vendored official spec
    #: (``payjournal.emulator.conformance``; needs ``jsonschema``). Off by default: it costs
    #: milliseconds per request. The default comes from ``VISMA_EMULATOR_CHECK_SPEC``.
    check_spec: bool = field(default_factory=_check_spec_from_env)
    #: With the check on, append every departure to this file as one JSON line (several
    #: emulators and processes may share it). Default from ``VISMA_EMULATOR_SPEC_REPORT``.
    spec_report: str | None = field(default_factory=_spec_report_from_env)

    # --- persistence ----------------------------------------------------------------------
    #: Seconds between saves of a dirty state when ``--state`` is used.
    autosave_interval_s: float = 0.5
