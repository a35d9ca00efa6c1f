"""A wiring of the test's own: the process's wiring (:mod:`payjournal.wiring`) rebuilt from the
settings a test changed, on another transport if given (the emulator's), the job backend of
the moment kept; the previous wiring is back after, and the new one's shared parts closed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx2

from payjournal import wiring


@contextmanager
def rewired(transport: httpx2.BaseTransport | None = None) -> Iterator[wiring.Wiring]:
    built = wiring.from_settings(transport=transport, jobs=wiring.current().jobs)
    previous = wiring.install(built)
    try:
        yield built
    finally:
        wiring.install(previous)
        built.close()
