"""A run id's story in plain words, as tables of legs: the row's status and mark, the line per
version ("v1 sent A3 · reversed by A9", "v2 superseded by v3"), the withdrawal, and the
timeline's leg titles. No database: the story is built from plain values."""

from __future__ import annotations

import pytest

from payjournal.domain.booking import LegKind
from payjournal.sending.run_story import LegFacts, RunStory

FULL, REVERSAL, DIFFERENCE = LegKind.FULL, LegKind.REVERSAL, LegKind.DIFFERENCE


def leg(
    kind: LegKind, version: int, state: str = "sent", number: str = "", base: int | None = None
) -> LegFacts:
    voucher_id = f"id-{number}" if state == "sent" and number else ""
    return LegFacts("", kind, version, base, state, voucher_id, number)


def story(versions: int, *legs: LegFacts, withdrawn: bool = False) -> RunStory:
    return RunStory(tuple(range(1, versions + 1)), withdrawn, tuple(legs))


@pytest.mark.parametrize(
    ("shown", "status", "red", "lines"),
    [
        (story(1), "not_sent", False, []),
        (story(1, leg(FULL, 1, number="A3")), "sent", True, ["v1 sent A3"]),
        (story(2, leg(FULL, 1, number="A3")), "correction_to_send", False, ["v1 sent A3"]),
        (
            story(2, leg(FULL, 1, number="A3"), leg(REVERSAL, 1, "queued")),
            "queued",
            False,
            ["v1 sent A3 · reversal: queued"],
        ),
        (
            story(
                2,
                leg(FULL, 1, number="A3"),
                leg(REVERSAL, 1, number="A9"),
                leg(FULL, 2, number="A10"),
            ),
            "sent",
            True,
            ["v1 sent A3 · reversed by A9", "v2 sent A10"],
        ),
        (
            story(2, leg(FULL, 1, number="A3"), leg(DIFFERENCE, 2, number="A10", base=1)),
            "sent",
            True,
            ["v1 sent A3", "v2 sent A10 (difference from v1)"],
        ),
        (
            story(2, leg(FULL, 1, number="A3"), leg(DIFFERENCE, 2, base=1)),
            "sent",
            True,
            ["v1 sent A3", "v2: no change to book"],
        ),
        (
            story(
                3,
                leg(FULL, 1, number="A3"),
                leg(FULL, 2, "superseded"),
                leg(DIFFERENCE, 3, "needs_action", base=1),
            ),
            "needs_action",
            False,
            ["v1 sent A3", "v2 superseded by v3", "v3 as difference from v1: needs action"],
        ),
        (
            story(1, leg(FULL, 1, number="A3"), withdrawn=True),
            "reversal_to_send",
            False,
            ["v1 sent A3", "withdrawn — reversal of A3 to send"],
        ),
        (
            story(1, leg(FULL, 1, number="A3"), leg(REVERSAL, 1, number="A9"), withdrawn=True),
            "withdrawn",
            True,
            ["v1 sent A3 · reversed by A9", "withdrawn"],
        ),
        (story(1, withdrawn=True), "withdrawn", True, ["withdrawn — nothing was booked"]),
    ],
)
def test_status_mark_and_lines(shown: RunStory, status: str, red: bool, lines: list[str]) -> None:
    assert shown.status == status
    assert shown.is_booked is red
    assert shown.lines() == lines


def test_a_version_that_needed_no_voucher_is_booked_through_its_base() -> None:
    shown = story(2, leg(FULL, 1, number="A3"), leg(DIFFERENCE, 2, base=1), withdrawn=True)
    assert shown.voucher_of(2) == "A3"
    assert shown.lines()[-1] == "withdrawn — reversal of A3 to send"


def test_the_timeline_names_each_leg_with_its_kind_and_version() -> None:
    legs = (
        leg(FULL, 1, number="A3"),
        leg(REVERSAL, 1, number="A9"),
        leg(FULL, 2, "queued"),
        leg(DIFFERENCE, 2, "superseded", base=1),
    )
    shown = story(2, *legs)
    assert [(shown.leg_title(x), shown.leg_outcome(x)) for x in legs] == [
        ("v1 in full", "sent as A3"),
        ("Reversal of v1 (A3)", "sent as A9"),
        ("v2 in full", "queued"),
        ("Difference v1 → v2", "superseded"),
    ]
