"""Reading runs and schemes from files, writing journals and schemes: the file formats of
``docs/formats.md``.

Readers take the file's bytes and its name (for messages) and never touch the file system;
JSON or CSV is recognised from the content. Every reader raises :class:`InputError` listing
all the problems of a file, and returns nothing partial.
"""

from __future__ import annotations

from payjournal.domain.formats.fields import FileProblem, InputError
from payjournal.domain.formats.journalfile import journal_to_csv, journal_to_dict
from payjournal.domain.formats.runcsv import read_run_csv
from payjournal.domain.formats.runfile import read_run_json
from payjournal.domain.formats.schemefile import read_scheme_csv, read_scheme_json
from payjournal.domain.formats.schemewriter import write_scheme
from payjournal.domain.run import PayrollRun
from payjournal.domain.scheme import LedgerScheme

__all__ = [
    "FileProblem",
    "InputError",
    "is_json",
    "journal_to_csv",
    "journal_to_dict",
    "read_run",
    "read_scheme",
    "write_scheme",
]


def is_json(data: bytes) -> bool:
    """True when the content looks like a JSON document rather than CSV."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def read_run(data: bytes, source: str) -> PayrollRun:
    """A payroll run from JSON or CSV content."""
    return read_run_json(data, source) if is_json(data) else read_run_csv(data, source)


def read_scheme(data: bytes, source: str) -> LedgerScheme:
    """A ledger scheme from JSON or CSV content."""
    return read_scheme_json(data, source) if is_json(data) else read_scheme_csv(data, source)
