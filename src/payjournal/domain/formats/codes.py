"""Identifiers and texts from files: run ids, company codes, wage component and dimension codes,
employee ids and names — checked the same way whatever database stores them.

Run ids, company codes and codes land in columns of 64 characters; PostgreSQL refuses a
longer value or a NUL byte where SQLite stores it, so the readers refuse both before either
sees them. Run ids appear in URLs of the API and in voucher texts, so they take a small safe
set of characters: letters, digits, spaces and ``- _ . :`` (payroll systems use ids such as
``2026-09``, ``2026-10-C1`` or ``Run 12``), beginning with a letter or digit (never ``..``).
Company codes are the app's slugs. Other codes are any printable text.
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_CODE_LENGTH",
    "MAX_NAME_LENGTH",
    "parse_code",
    "parse_company_key",
    "parse_name",
    "parse_run_id",
    "shown",
]

#: The columns of run ids, company codes, component codes, employee ids and cost center items.
MAX_CODE_LENGTH = 64
#: Longer than any person's name, and the width of a journal row's text column.
MAX_NAME_LENGTH = 200

_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._:-]*")
_COMPANY_KEY = re.compile(r"[A-Za-z0-9_-]+")
#: Control characters other than tab and line breaks (a quoted CSV field may span lines).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def shown(raw: str, width: int = 24) -> str:
    """`raw` quoted for a message, cut after `width` characters (a value may be megabytes)."""
    if len(raw) <= width:
        return repr(raw)
    quoted = repr(raw[:width])
    return f"{quoted[:-1]}…{quoted[-1]}"


def _too_long(text: str, limit: int) -> str | None:
    if len(text) <= limit:
        return None
    return f"{shown(text)} is too long ({len(text):,} characters; at most {limit})"


def parse_run_id(raw: str) -> str:
    """A run id: 1–64 letters, digits, spaces and ``- _ . :``, starting with a letter or digit."""
    text = raw.strip()
    problem = _too_long(text, MAX_CODE_LENGTH)
    if problem:
        raise ValueError(problem)
    if not _RUN_ID.fullmatch(text):
        raise ValueError(
            f"{shown(text)} is not a run id: use letters, digits, spaces and - _ . : "
            "(starting with a letter or digit)"
        )
    return text


def parse_company_key(raw: str) -> str:
    """A company code as the app stores it: 1–64 letters, digits, ``-`` and ``_``."""
    text = raw.strip()
    problem = _too_long(text, MAX_CODE_LENGTH)
    if problem:
        raise ValueError(problem)
    if not _COMPANY_KEY.fullmatch(text):
        raise ValueError(f"{shown(text)} is not a company code: use letters, digits, - and _")
    return text


def parse_code(raw: str) -> str:
    """A code (wage component, employee, department, cost center): printable, at most 64
    characters; empty when `raw` is blank (the caller decides whether it is required)."""
    text = raw.strip()
    problem = _too_long(text, MAX_CODE_LENGTH)
    if problem:
        raise ValueError(problem)
    if not text.isprintable():
        raise ValueError(f"{shown(text)} contains a control or invisible character")
    return text


def parse_name(raw: str, limit: int = MAX_NAME_LENGTH) -> str:
    """A text such as a name or a description: no control characters but tab and line breaks,
    at most `limit` characters."""
    text = raw.strip()
    problem = _too_long(text, limit)
    if problem:
        raise ValueError(problem)
    if _CONTROL.search(text):
        raise ValueError(f"{shown(text)} contains a control character")
    return text
