"""The one size limit on what payjournal imports.

A run or ledger scheme file — uploaded on a page, pushed as the body of ``POST …/runs`` or
given to ``payjournal runs import`` — is at most ``PAYJOURNAL_MAX_UPLOAD_BYTES``
(:attr:`payjournal.config.Settings.max_upload_bytes`, Django's
``settings.PAYJOURNAL_MAX_UPLOAD_BYTES``). A larger one is refused before any of it is parsed,
with one message everywhere — ``run.csv: file too large (limit 64 MiB)`` — and nothing of it is
stored. A file is never cut to the limit: the prefix of a run file can itself be a valid run,
with lines missing and the last amount cut short (``12,50`` read as ``12``).

:func:`read_within_limit` reads at most one byte more than the limit, so an oversized file is
refused without being held in memory; :func:`check_within_limit` is the last line of defence
in the import services, for bytes that came some other way.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from payjournal.domain.problems import Problem, ProblemCode
from payjournal.payroll.errors import RunUnreadableError

__all__ = [
    "FileTooLargeError",
    "check_within_limit",
    "read_within_limit",
    "size_text",
    "too_large_message",
    "upload_limit",
]

KIB = 1024
MIB = 1024 * KIB
_CHUNK = MIB


class Readable(Protocol):
    """A binary stream: an uploaded file, an open file, a request."""

    def read(self, size: int = ..., /) -> bytes: ...


class FileTooLargeError(RunUnreadableError):
    """The file is over the limit; it was not read (``problems``: the one message)."""

    def __init__(self, source: str) -> None:
        super().__init__([Problem(ProblemCode.FILE_TOO_LARGE, too_large_message(source), source)])
        self.source = source


def upload_limit() -> int:
    """The largest file imported, in bytes (``PAYJOURNAL_MAX_UPLOAD_BYTES``)."""
    return int(settings.PAYJOURNAL_MAX_UPLOAD_BYTES)


def size_text(size: int) -> str:
    """``64 MiB``, ``512 KiB``, ``1,000 bytes``: a size as a limit is written."""
    if size and size % MIB == 0:
        return f"{size // MIB} MiB"
    if size and size % KIB == 0:
        return f"{size // KIB} KiB"
    count = number_format(size, force_grouping=True)
    return ngettext("%(count)s byte", "%(count)s bytes", size) % {"count": count}


def too_large_message(source: str) -> str:
    """The refusal, in the active language: ``run.csv: file too large (limit 64 MiB)``."""
    return gettext("%(file)s: file too large (limit %(limit)s)") % {
        "file": source,
        "limit": size_text(upload_limit()),
    }


def check_within_limit(data: bytes, source: str) -> None:
    """Raise :class:`FileTooLargeError` when ``data`` is over the limit."""
    if len(data) > upload_limit():
        raise FileTooLargeError(source)


def read_within_limit(stream: Readable, source: str, size: int | None = None) -> bytes:
    """The bytes of ``stream``, refused (:class:`FileTooLargeError`) when they are over the
    limit: at once when the declared ``size`` (an upload's, a file's, a Content-Length) is,
    else after reading at most one byte past the limit."""
    limit = upload_limit()
    if size is not None and size > limit:
        raise FileTooLargeError(source)
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise FileTooLargeError(source)
    return b"".join(chunks)
