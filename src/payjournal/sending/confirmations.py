"""What a person confirms before a send that corrects the books, and before a withdrawal.

* :func:`send_preview` — Send on a run id whose books hold another version (a correction, or a
  withdrawn run still booked): the vouchers the send posts, in order ("Reversal of A3", "v2 in
  full"; or one difference voucher; or nothing: no change to book), and the change per account
  + dimension (:func:`payjournal.sending.booking.preview`). A first send needs none.
* :func:`withdraw_confirmation` — what withdrawing reverses, and when.

A preview carries a :attr:`SendPreview.token` naming what it showed (booked, wanted, mode); the
send goes ahead only with the token of the preview as it stands, so nobody confirms vouchers
they were not shown (a new version or a settings change in between shows the preview again).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from payjournal.catalog.formats import Reading
from payjournal.domain.booking import NOTHING, LegKind
from payjournal.domain.submission import IN_FLIGHT_STATES
from payjournal.payroll.models import PayrollCompany
from payjournal.sending import booking
from payjournal.sending.booking import BookingPreview, PlannedLeg
from payjournal.sending.correction_settings import date_label
from payjournal.sending.run_history import story_of
from payjournal.sending.run_story import RunStory

__all__ = [
    "ChangeRow",
    "SendPreview",
    "WithdrawConfirmation",
    "send_preview",
    "withdraw_confirmation",
]


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One account + dimension the send changes: debit − credit now, after, and the change."""

    account: str
    dimension: str
    booked: str
    wanted: str
    change: str


@dataclass(frozen=True, slots=True)
class SendPreview:
    """What Send posts for a run id whose books hold another version."""

    run_key: str
    title: str
    intro: str
    vouchers: tuple[str, ...]  # in the order they are posted; empty: nothing is posted
    heading: str  # "This send posts 2 vouchers:"
    date_rule: str
    changes: tuple[ChangeRow, ...]
    currency: str
    token: str
    confirm_label: str
    count: int  # vouchers posted

    @property
    def posts_nothing(self) -> bool:
        """The new version books like the booked one: the send only records it."""
        return self.count == 0


def _voucher_text(leg: PlannedLeg, story: RunStory) -> str:
    if leg.kind is LegKind.REVERSAL:
        return _(
            "Reversal of %(voucher)s (v%(version)s): the same rows, debit and credit swapped"
        ) % {
            "voucher": story.voucher_of(leg.version) or f"v{leg.version}",
            "version": leg.version,
        }
    if leg.is_empty:
        return _("Nothing: v%(version)s books the same as v%(base)s — no change to book") % {
            "version": leg.version,
            "base": leg.base,
        }
    if leg.kind is LegKind.DIFFERENCE:
        return _("One difference voucher: v%(version)s minus v%(base)s, per account") % {
            "version": leg.version,
            "base": leg.base,
        }
    return _("v%(version)s in full") % {"version": leg.version}


def _intro(shown: BookingPreview, story: RunStory) -> str:
    holds = {"booked": shown.booked, "voucher": story.voucher_of(shown.booked)}
    if shown.wanted == NOTHING:
        return (
            _(
                "Visma holds v%(booked)s (%(voucher)s). The run was withdrawn: after this send Visma "
                "holds nothing of it."
            )
            % holds
        )
    return _("Visma holds v%(booked)s (%(voucher)s). After this send it holds v%(wanted)s.") % {
        **holds,
        "wanted": shown.wanted,
    }


def send_preview(company: PayrollCompany, run_key: str) -> SendPreview | None:
    """The preview of sending ``run_key`` now, or None when a send needs none (nothing booked
    yet, the books already hold what the payroll says, or a leg is on its way)."""
    story = story_of(booking.run_state(company, run_key))
    if story.booked in (NOTHING, story.target) or story.open_leg is not None:
        return None
    shown = booking.preview(company, run_key)
    count = shown.vouchers
    title = (
        _("Send the withdrawal of run %(run)s")
        if shown.wanted == NOTHING
        else _("Send the correction of run %(run)s")
    ) % {"run": run_key}
    reading = Reading()
    return SendPreview(
        run_key=run_key,
        title=title,
        intro=_intro(shown, story),
        vouchers=tuple(_voucher_text(leg, story) for leg in shown.legs),
        heading=ngettext(
            "This send posts %(count)s voucher:", "This send posts %(count)s vouchers:", count
        )
        % {"count": count},
        date_rule=_("Date of correction vouchers: %(rule)s.")
        % {"rule": date_label(booking.correction_policy(company).date)},
        changes=tuple(
            ChangeRow(
                change.account,
                change.dimension,
                reading.amount(change.booked),
                reading.amount(change.wanted),
                reading.amount(change.change),
            )
            for change in shown.changes
        ),
        currency=shown.currency,
        token=f"{shown.booked}:{shown.wanted}:{shown.mode.value}",
        confirm_label=(
            ngettext("Send %(count)s voucher", "Send %(count)s vouchers", count) % {"count": count}
            if count
            else _("Record: no change to book")
        ),
        count=count,
    )


@dataclass(frozen=True, slots=True)
class WithdrawConfirmation:
    """What withdrawing a run id does to the books, in sentences."""

    run_key: str
    title: str
    sentences: tuple[str, ...]
    confirm_label: str


def withdraw_confirmation(
    company: PayrollCompany, run_key: str, *, automatic: bool
) -> WithdrawConfirmation:
    """What withdrawing ``run_key`` reverses (the booked version's voucher) and when."""
    story = story_of(booking.run_state(company, run_key))
    values = {"run": run_key, "booked": story.booked, "voucher": story.voucher_of(story.booked)}
    sentences = []
    if story.booked == NOTHING:
        sentences.append(
            _("Nothing of run %(run)s is booked in Visma: withdrawing it posts no voucher.")
            % values
        )
    else:
        sentences.append(
            _(
                "Visma holds v%(booked)s of run %(run)s (%(voucher)s). Withdrawing the run "
                "reverses %(voucher)s: a reversal voucher with the same rows, debit and credit "
                "swapped, so the books hold nothing of the run."
            )
            % values
        )
        sentences.append(
            _("This company sends automatically: the reversal is posted at once.")
            if automatic
            else _("The reversal is posted when you click Send on the run.")
        )
    leg = story.open_leg  # queued or needs action is replaced; in flight is not (booking)
    if leg is not None and leg.state in IN_FLIGHT_STATES:
        sentences.append(
            _(
                "A voucher of this run is on its way to Visma and cannot be stopped; once it is "
                "settled, the reversal covers it too."
            )
        )
    elif leg is not None and not automatic:
        sentences.append(_("The send waiting for this run is cancelled."))
    return WithdrawConfirmation(
        run_key,
        _("Withdraw run %(run)s?") % values,
        tuple(sentences),
        _("Withdraw run %(run)s") % values,
    )
