"""Visma's official eAccounting API v2 Swagger 2.0 document, vendored (see ``README.md`` here).

The emulator serves it at ``GET /swagger/docs/v2`` (where production published it) and the
conformance tests validate every exchange against it. Nothing here is generated from it.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

FILE_NAME = "visma-eaccounting-v2.swagger.json"
#: sha256 of the file as published (recorded in README.md); a test holds the two together.
SHA256 = "d02c0299dd72502165aa46a6d263ff06c0818e9e0662a0a9082e60f91e8fd656"

__all__ = ["FILE_NAME", "SHA256", "load_spec", "spec_bytes", "spec_digest"]


def spec_bytes() -> bytes:
    """The vendored file, byte for byte (a missing file raises: the package is broken)."""
    return resources.files(__name__).joinpath(FILE_NAME).read_bytes()


def spec_digest() -> str:
    """The sha256 of the vendored file as it is now."""
    return hashlib.sha256(spec_bytes()).hexdigest()


@cache
def load_spec() -> dict[str, Any]:
    """The parsed document (cached; do not mutate it)."""
    data: dict[str, Any] = json.loads(spec_bytes())
    return data
