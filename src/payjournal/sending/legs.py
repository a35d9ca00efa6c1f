"""What one booking leg posts: its voucher text and rows, from the stored journals.

* a full posting: the journal's text and rows;
* a reversal: "Reversal of A3: <text>" and the rows with debit and credit swapped;
* a difference: "Correction of A3 (v1 → v2): <text>" and new − booked per account + side +
  dimension (:func:`payjournal.domain.booking.difference_rows`).

The words payjournal adds are in the company's language (:func:`voucher_language`), like the
journal text the ledger scheme writes, so a voucher never mixes two languages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext, pgettext

from payjournal.domain.booking import LegKind, difference_rows, reversed_rows
from payjournal.domain.journal import JournalRow
from payjournal.domain.submission import SubmissionState
from payjournal.payroll.models import CURRENCY_LANGUAGES, JournalSnapshot
from payjournal.sending.booking import journal_rows
from payjournal.sending.models import Submission

__all__ = ["LegContent", "leg_content"]


@dataclass(frozen=True, slots=True)
class LegContent:
    """The human voucher text and the rows of one leg (the marker is added when it is sent)."""

    text: str
    rows: tuple[JournalRow, ...]


def _booked_as(leg: Submission, journal: JournalSnapshot) -> str:
    """The vouchers that together hold what the books have of the run id before ``leg``: the
    last full posting and every difference since ("A3 + A10"); what a reversal undoes and a
    difference corrects. ``run R vN`` of ``journal`` when no number is known."""
    numbers: list[str] = []
    settled = Submission.objects.filter(
        company_id=leg.company_id,
        run_key=leg.run_key,
        state=SubmissionState.SENT.value,
        created_at__lt=leg.created_at,
    ).order_by("created_at", "id")
    for kind, voucher_id, number in settled.values_list("kind", "voucher_id", "voucher_number"):
        if kind == LegKind.REVERSAL:
            numbers = []
        elif kind == LegKind.FULL:
            numbers = [number or voucher_id]
        elif voucher_id:  # a difference that needed a voucher
            numbers.append(number or voucher_id)
    if numbers:
        return " + ".join(numbers)
    return gettext("run %(run)s v%(version)s") % {
        "run": journal.run.run_id,
        "version": journal.run.version,
    }


def voucher_language(leg: Submission) -> str:
    """The company's chosen language, else the one its currency implies, else English."""
    return leg.company.language or CURRENCY_LANGUAGES.get(leg.journal.currency, "en")


def leg_content(leg: Submission) -> LegContent:
    """The text and rows ``leg`` posts (its journal and base are read as needed)."""
    journal = leg.journal
    kind = leg.kind_enum
    if kind is LegKind.FULL:
        return LegContent(journal.voucher_text, journal_rows(journal))
    with translation.override(voucher_language(leg)):
        if kind is LegKind.REVERSAL:
            text = pgettext("voucher text", "Reversal of %(voucher)s: %(text)s") % {
                "voucher": _booked_as(leg, journal),
                "text": journal.voucher_text,
            }
            return LegContent(text, reversed_rows(journal_rows(journal)))
        base = leg.base
        assert base is not None, "a difference leg names the booked version it is netted against"
        rows = difference_rows(journal_rows(base), journal_rows(journal), journal.currency)
        text = pgettext(
            "voucher text", "Correction of %(voucher)s (v%(old)s → v%(new)s): %(text)s"
        ) % {
            "voucher": _booked_as(leg, base),
            "old": base.run.version,
            "new": journal.run.version,
            "text": journal.voucher_text,
        }
        return LegContent(text, rows)
