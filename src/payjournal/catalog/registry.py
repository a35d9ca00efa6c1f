"""The one catalog: every entry by code, aliases, and how an error or a code finds its entry."""

from __future__ import annotations

from collections.abc import Mapping

from payjournal.catalog.entries_app import APP_ENTRIES
from payjournal.catalog.entries_domain import DOMAIN_ENTRIES
from payjournal.catalog.entries_visma import VISMA_ENTRIES
from payjournal.catalog.model import Entry
from payjournal.domain.problems import Problem, ProblemCode
from payjournal.visma import FieldError, ValidationFailedError, VismaError

__all__ = ["ALIASES", "ENTRIES", "Subject", "UnknownErrorCodeError", "entry_for", "resolve"]

ENTRIES: Mapping[str, Entry] = {e.code: e for e in (*VISMA_ENTRIES, *APP_ENTRIES, *DOMAIN_ENTRIES)}

#: Other names for an entry: the client's code for a denied consent, the OAuth pages' former
#: codes, and the seed integration's wording for a row without an account.
ALIASES: Mapping[str, str] = {
    "authorization_denied": "access_denied",
    "unreachable": "network_error",
    "ledger_account_missing": "unmapped_component",
    "default_company": "module_not_activated",
    "visma_down": "server_error",
    # codes of the sending package's own errors
    "cost_center_not_found": "cost_center_item_missing",
    "not_connected": "not_authorized",
    # the send step gave up after Visma failed (5xx, 429, unreachable) on every attempt
    "retries_exhausted": "server_error",
}

#: What ``explain`` accepts: a client error, any exception, a domain problem or its code, or
#: a catalog code (an entry's, an alias, or Visma's own wording of a known failure).
Subject = BaseException | Problem | ProblemCode | str

# Visma's 2000 field messages that name a failure the catalog explains on its own.
_FIELD_HINTS: tuple[tuple[str, str], ...] = (
    ("blocked for manual booking", "account_blocked_for_manual_booking"),
    ("does not allow cost centers", "cost_center_not_allowed"),
    ("cost center item", "cost_center_item_missing"),
    ("is inactive", "account_inactive"),
    ("cannot be empty", "unmapped_component"),
)


class UnknownErrorCodeError(KeyError):
    """A code that is neither an entry, an alias nor a known wording: a programming error."""


def _from_fields(field_errors: tuple[FieldError, ...]) -> str | None:
    for field in field_errors:
        text = field.message.lower()
        for hint, code in _FIELD_HINTS:
            if hint in text:
                return code
    return None


def _by_visma_number(number: int) -> str | None:
    """The first entry for Visma's numeric ``ErrorCode`` (2000 is the generic refusal)."""
    return next((e.code for e in ENTRIES.values() if e.visma_error_code == number), None)


def _from_text(text: str) -> str | None:
    lowered = text.lower()
    for entry in ENTRIES.values():
        wordings = (entry.original, *entry.also_seen) if entry.original else entry.also_seen
        if any(w and w.lower() in lowered for w in wordings):
            return entry.code
    return None


def resolve(subject: Subject) -> tuple[str, str]:
    """The catalog code of ``subject`` and the original text that came with it (or "")."""
    if isinstance(subject, ValidationFailedError):
        return _from_fields(subject.field_errors) or subject.code, subject.message
    if isinstance(subject, VismaError):
        code = ALIASES.get(subject.code, subject.code)
        return (code if code in ENTRIES else "api_error"), subject.message
    if isinstance(subject, BaseException):
        return "internal_error", ""
    if isinstance(subject, Problem):
        return subject.code.value, subject.message
    if isinstance(subject, ProblemCode):
        return subject.value, ""
    code = ALIASES.get(subject, subject)
    if code in ENTRIES:
        return code, ""
    if subject.isdigit():
        by_number = _by_visma_number(int(subject))
        if by_number is not None:
            return by_number, ""
    matched = _from_text(subject)
    if matched is None:
        raise UnknownErrorCodeError(subject)
    return matched, subject


def entry_for(subject: Subject) -> Entry:
    """The entry that explains ``subject``."""
    return ENTRIES[resolve(subject)[0]]
