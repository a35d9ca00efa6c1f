"""The parts every Visma client of a process shares (:class:`payjournal.wiring.SharedParts`)."""

from __future__ import annotations

import pytest

from payjournal.wiring import SharedParts, VismaSettings


@pytest.mark.django_db
def test_build_makes_every_part_once_and_later_uses_get_the_same() -> None:
    parts = SharedParts(VismaSettings.from_django())
    try:
        parts.build()
        built = {
            "http": parts._http,  # what build made, before anyone asked
            "oauth": parts._oauth,
            "limiter": parts._limiter,
        }
        assert all(part is not None for part in built.values())
        assert parts.http() is built["http"]
        assert parts.oauth() is built["oauth"]
        assert parts.limiter() is built["limiter"]
    finally:
        parts.close()
