"""Python's garbage collector in a long-running payjournal process (``serve``, ``web``,
``worker``, ``demo``).

CPython frees most objects by reference counting; its cycle collector is for the rest. With
the default thresholds it looks at the youngest objects every 700 container objects allocated
(net), and at every object the process holds about once in a hundred of those looks. A send
allocates thousands (the leg and its related rows, the day's chart of accounts unpickled, the
voucher, the request and its answer), so at month-end the collector ran about 240 times in a
ten-second window and walked the process's 220,000 objects twice: 0.44 ms of CPU in a journal
of 6.2 ms, for garbage that reference counting had already freed (measured with
``gc.callbacks`` in ``payjournal bench month-end``; ``docs/deploy.md``, *Twelfth look*).

:func:`tune_for_serving`, called once the process has started (``start_jobs``):

* freezes what start-up made (modules, settings, DBOS, the compiled queries): it lives as long
  as the process, so the collector no longer walks it (``gc.freeze``);
* looks at the youngest objects every :data:`YOUNGEST_THRESHOLD` allocations instead of 700.
  The cyclic garbage that waits longer is at most that many objects, a few megabytes.
"""

from __future__ import annotations

import gc

__all__ = ["YOUNGEST_THRESHOLD", "tune_for_serving"]

#: Net container allocations between two collections of the youngest generation (CPython: 700).
YOUNGEST_THRESHOLD = 50_000


def tune_for_serving() -> None:
    """Freeze the objects start-up made, after collecting any garbage among them, and raise the
    youngest generation's threshold; the older generations keep CPython's."""
    gc.collect()
    gc.freeze()
    _youngest, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_THRESHOLD, middle, oldest)
