"""Python's garbage collector in a long-running payjournal process (``serve``, ``web``,
``worker``, ``demo``).

CPython frees most objects by reference counting; its cycle collector is for the rest. With
the default thresholds it looks at the youngest objects every 700 container objects allocated
(net), and at every object the process holds about once in a hundred of those looks. A send
allocates thousands (the leg and its related rows, the day's chart of accounts unpickled, the
voucher, the request and its answer), so at month-end the collector ran 260 times in a
ten-second window and walked all of the process's 225,000 objects twice: 0.44 ms of CPU in a
journal of 6.2 ms, mostly walking objects a send still used and reference counting freed a
moment later (measured with ``gc.callbacks`` in ``payjournal bench month-end``;
``docs/deploy.md``, *Twelfth look*).

:func:`tune_for_serving`, called once Django is set up in a process that serves until stopped
(``start_jobs(long_running=True)``: serve, demo, web, worker; not a command that sends and
ends):

* freezes what start-up made (modules, settings, the URL and template machinery): it lives as
  long as the process, so the collector no longer walks it (``gc.freeze``);
* looks at the youngest objects every :data:`YOUNGEST_THRESHOLD` allocations instead of 700.
  Cyclic garbage waits longer to be freed: at most that many container objects more. At
  month-end the embedded process's peak resident memory went from 207 to 210 MB.
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
