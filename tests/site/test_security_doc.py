"""docs/security.md names a test for every defence: each test file it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_test_file_named_in_the_security_page_exists() -> None:
    page = (ROOT / "docs" / "security.md").read_text()
    named = set(re.findall(r"`(tests/[\w/]+?\.py)`", page))
    assert len(named) >= 10
    assert sorted(p for p in named if not (ROOT / p).is_file()) == []
