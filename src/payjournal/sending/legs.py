"""What one booking leg posts, as a journal of its own: text and rows from the stored journals.

* a full posting: the journal's text and rows;
* a reversal: "Reversal of A3: <text>" and the rows with debit and credit swapped;
* a difference: "Correction of A3 (v1 → v2): <text>" and new − booked per account + side +
  dimension (:func:`payjournal.domain.booking.difference_rows`).

The words payjournal adds are in the company's language (:func:`voucher_language`), like the
journal text the ledger scheme writes, so a voucher never mixes two languages.
"""

from __future__ import annotations

from dataclasses import replace

from django.utils import translation
from django.utils.translation import gettext, pgettext

from payjournal.domain.booking import LegKind, difference_rows, reversed_rows
from payjournal.domain.journal import Journal
from payjournal.domain.submission import SubmissionState
from payjournal.payroll.journals import load_journal
from payjournal.payroll.models import JournalSnapshot
from payjournal.sending.models import Submission

__all__ = ["leg_journal"]


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
    return leg.company.voucher_language(leg.journal.currency)


def leg_journal(leg: Submission) -> Journal:
    """The journal ``leg`` posts: its version's journal with the leg's text and rows (the
    voucher date and the marker are the send step's). Reads its journal and base as needed."""
    snapshot = leg.journal
    journal = load_journal(snapshot)
    kind = leg.kind_enum
    if kind is LegKind.FULL:
        return journal
    with translation.override(voucher_language(leg)):
        if kind is LegKind.REVERSAL:
            text = pgettext("voucher text", "Reversal of %(voucher)s: %(text)s") % {
                "voucher": _booked_as(leg, snapshot),
                "text": journal.voucher_text,
            }
            return replace(journal, voucher_text=text, rows=reversed_rows(journal.rows))
        base = leg.base
        assert base is not None, "a difference leg names the booked version it is netted against"
        rows = difference_rows(load_journal(base).rows, journal.rows, journal.currency)
        text = pgettext(
            "voucher text", "Correction of %(voucher)s (v%(old)s → v%(new)s): %(text)s"
        ) % {
            "voucher": _booked_as(leg, base),
            "old": base.run.version,
            "new": snapshot.run.version,
            "text": journal.voucher_text,
        }
        return replace(journal, voucher_text=text, rows=rows)
