"""Which core an executing process holds its threads on, decided from what the cores did.

Pure: the per-core figures come in as a :class:`CoreSample`, the answer goes out as a
:class:`Placement`; :mod:`payjournal.site.affinity` reads ``/proc`` and moves the threads.

Why one core: Python runs one thread at a time, and the send threads hand that turn over at
every database call. Spread over two cores, each hand-over wakes a thread on the other core;
held on one core, month-end costs a third less CPU per journal (``docs/deploy.md``, "Eighth
look"). Why watched: a process held to one core cannot move away from another program that
takes that core, so every few seconds :func:`next_placement` compares the cores:

* **Held on one core**, the other programs' share of it is its busy share less this process's
  own CPU. The core is crowded when that share is :data:`CROWDED` (half the core) or more, or
  when the core is full (:data:`SATURATED`) and the others take :data:`MARGIN` of it: a process
  that shares the core with many threads of its own leaves another program less than half of
  it, and both wait. Not crowded, the process stays. Crowded, it moves to the quietest other
  core when that one is quieter than the others' share by at least :data:`MARGIN`, or, from a
  full core, when that one has room for all the process's work and :data:`ROOM` more; when
  every core is busy, nothing is gained by one core, and the process spreads over all of them,
  as the OS would.
* **Spread**, where its own CPU fell cannot be told per core, so it takes one core again, the
  quietest, after :data:`PROBE_CHECKS` checks, or at once when all the other programs
  together use less than :data:`CROWDED` of a core: then no core can be crowded. That is also
  how it starts: spread, with its first check a probe.
* After any change it stays put for :data:`SETTLE_CHECKS` checks, and the checks come at
  jittered intervals: two processes watching the same cores do not move in step, and the one
  that moves second sees where the first went.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "CROWDED",
    "MARGIN",
    "PROBE_CHECKS",
    "ROOM",
    "SATURATED",
    "SETTLE_CHECKS",
    "CoreSample",
    "Placement",
    "busy_shares",
    "next_placement",
    "starting_placement",
]

#: Other programs using this share of a core or more crowd it (0–1 of the core).
CROWDED = 0.5
#: A move must land on a core quieter by at least this share, so that a process never moves
#: for a difference that the next check could reverse.
MARGIN = 0.25
#: A core this busy (0–1) is full: the programs on it wait for each other.
SATURATED = 0.95
#: A process on a full core moves to a core with room for all its work and this much more
#: (more than ``1 - SATURATED``, so that it never finds room on the core it left).
ROOM = 0.1
#: Checks a new placement is kept before it is judged again.
SETTLE_CHECKS = 2
#: Checks spread over every core before one core is tried again.
PROBE_CHECKS = 10


@dataclass(frozen=True, slots=True)
class CoreSample:
    """One interval: each allowed core's busy share (0–1, every program, this one included)
    and this process's own CPU over it, in cores (0.6: six tenths of a core)."""

    busy: Mapping[int, float]
    own: float


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the threads are held: one core, or every allowed core (spread); and how many
    checks ago that was decided."""

    cores: frozenset[int]
    checks: int = 0

    @property
    def is_spread(self) -> bool:
        """Held on more than one core: wherever the OS runs the threads among them."""
        return len(self.cores) > 1


def starting_placement(allowed: frozenset[int]) -> Placement:
    """Spread over ``allowed``, with the first check a probe that takes the quietest core."""
    return Placement(allowed, checks=PROBE_CHECKS)


def next_placement(now: Placement, sample: CoreSample) -> Placement:
    """Where the threads should be after ``sample`` (module docstring); ``now`` with one
    more check when they should stay. ``sample.busy`` names the cores the process may use."""
    stay = Placement(now.cores, now.checks + 1)
    if len(sample.busy) < 2 or now.checks + 1 < SETTLE_CHECKS:
        return stay
    if now.is_spread:
        others = sum(sample.busy.values()) - sample.own
        if now.checks + 1 >= PROBE_CHECKS or others < CROWDED:
            return Placement(frozenset({_quietest(sample.busy)}))
        return stay
    (core,) = now.cores
    busy_here = sample.busy.get(core, 0.0)
    others_here = max(0.0, busy_here - sample.own)
    full = busy_here >= SATURATED and others_here >= MARGIN
    if others_here < CROWDED and not full:
        return stay
    elsewhere = {c: share for c, share in sample.busy.items() if c != core}
    quietest = _quietest(elsewhere)
    room = 1.0 - elsewhere[quietest]
    if elsewhere[quietest] + MARGIN <= others_here or (full and room >= sample.own + ROOM):
        return Placement(frozenset({quietest}))
    if elsewhere[quietest] >= CROWDED:
        return Placement(frozenset(sample.busy))
    return stay


def _quietest(busy: Mapping[int, float]) -> int:
    """The least busy core; of equals, the lowest number."""
    return min(busy, key=lambda core: (busy[core], core))


def busy_shares(before: str, after: str, cores: frozenset[int]) -> dict[int, float]:
    """Each of ``cores``' busy share between two readings of ``/proc/stat`` (0–1).

    A ``cpuN`` line counts time in ten fields: user, nice, system, idle, iowait, irq,
    softirq, steal, guest, guest_nice. Busy is everything but idle and iowait; steal counts
    as busy (another machine on the same host had the core). Guest time is already in user,
    so only the first eight add up to the whole. A core missing from either reading, or with
    no time passed, counts as idle.
    """
    first, second = _core_times(before), _core_times(after)
    shares: dict[int, float] = {}
    for core in cores:
        if core not in first or core not in second:
            shares[core] = 0.0
            continue
        total = second[core][0] - first[core][0]
        idle = second[core][1] - first[core][1]
        shares[core] = min(1.0, max(0.0, (total - idle) / total)) if total > 0 else 0.0
    return shares


def _core_times(stat: str) -> dict[int, tuple[int, int]]:
    """Each core's (all time, idle time) in clock ticks, from ``/proc/stat``'s text."""
    times: dict[int, tuple[int, int]] = {}
    for line in stat.splitlines():
        name, _, rest = line.partition(" ")
        if not name.startswith("cpu") or not name[3:].isdigit():
            continue
        fields = [int(field) for field in rest.split()[:8]]
        fields += [0] * (8 - len(fields))
        times[int(name[3:])] = (sum(fields), fields[3] + fields[4])
    return times
