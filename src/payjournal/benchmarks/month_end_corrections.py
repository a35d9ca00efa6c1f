"""Corrections during the month-end benchmark: runs that arrive again as a corrected version
(version 2: other amounts, same run id) while the first versions are being sent.

A share of the runs gets one correction each, at one of three moments, in about equal parts:

* *while queued*: the run's first leg is still waiting, so the correction supersedes it and
  only the new version is posted;
* *in flight*: the first leg is claimed (``sending``): the correction waits until that leg
  settles and is then booked (a reversal and the new version, or one difference);
* *after sent*: the first leg was just sent.

Which runs are corrected is decided during the window, from the legs' states (the executors do
not take the queue in the order it was filled): for each moment a thread of the
:class:`Corrector` waits until its next correction is due — the corrections of a moment are
spread evenly over the time until three quarters of the first versions are sent — and then
corrects a run whose first leg is in that state. The corrections are imported in this process,
as a push to ``payjournal web``'s API is, and booked by automatic sending. Where each one really
arrived is read back afterwards from the legs (:func:`arrivals`): a leg may be claimed between
a look and an import.
"""

from __future__ import annotations

import copy
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import connections
from django.db.models import QuerySet

from payjournal.domain.money import Money
from payjournal.domain.submission import (
    IN_FLIGHT_STATES,
    MOVING_STATES,
    SubmissionState,
)
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.sending.models import Submission
from payjournal.sending.services import import_run

__all__ = ["Correction", "Corrector", "Moment", "arrivals", "corrected_file"]

#: The corrections are spread over the time until this share of the first versions is sent.
SPREAD_OVER = 0.75


class Moment(StrEnum):
    """When a correction arrives, relative to its run's first leg."""

    QUEUED = "while queued"
    IN_FLIGHT = "in flight"
    AFTER_SENT = "after sent"

    @property
    def leg_states(self) -> frozenset[SubmissionState]:
        """The states the first leg of a run corrected at this moment is found in."""
        return {
            Moment.QUEUED: frozenset({SubmissionState.QUEUED}),
            Moment.IN_FLIGHT: IN_FLIGHT_STATES,
            Moment.AFTER_SENT: frozenset({SubmissionState.SENT}),
        }[self]


@dataclass(frozen=True, slots=True)
class Correction:
    """A correction imported during the window: the run id, its first journal, the moment."""

    company_id: int
    run_id: str
    journal_id: int  # the first version's
    moment: Moment


def corrected_file(template: dict[str, Any], company_key: str, run_id: str, number: int) -> bytes:
    """The run file of ``template`` for ``company_key`` with other amounts: the first line
    raised by 100 plus ``number`` modulo 50 (in the run's currency), the second by 37 % of
    that, rounded to the currency's minor unit."""
    data = copy.deepcopy(template)
    data.update(company=company_key, run_id=run_id)
    currency = data["currency"]
    raise_by = Money.of(100 + number % 50, currency)
    first, second = data["lines"][0], data["lines"][1]
    first["amount"] = (Money.of(first["amount"], currency) + raise_by).formatted()
    share = Money.of(raise_by.amount * Decimal("0.37"), currency)
    second["amount"] = (Money.of(second["amount"], currency) + share).formatted()
    return json.dumps(data).encode()


def _first_legs() -> QuerySet[Submission]:
    """The legs that book the runs' first versions (the ones the bulk send queued)."""
    return Submission.objects.filter(kind="full", journal__run__version=1)


class Corrector:
    """Imports ``share`` of ``runs`` again, corrected, at mixed moments during the window.

    :meth:`start` once the bulk send's legs are committed; wait while :meth:`is_alive`; then ``error`` holds what
    stopped a thread and ``made`` the corrections imported. A moment whose legs ran out (every
    first leg was claimed before the last correction while queued was due) makes fewer; the
    benchmark prints how many. Gives up after ``timeout_s``.
    """

    def __init__(
        self,
        runs: Sequence[PayrollRun],
        share: float,
        template: dict[str, Any],
        poll_s: float = 0.1,
        timeout_s: float = 600.0,
    ) -> None:
        self.runs = len(runs)
        self.companies: dict[int, PayrollCompany] = {run.company_id: run.company for run in runs}
        self.run_id = runs[0].run_id if runs else ""
        self.template = template
        self.poll_s = poll_s
        self.timeout_s = timeout_s
        wanted = round(len(runs) * share)
        self.planned = {
            Moment.QUEUED: wanted // 3,
            Moment.IN_FLIGHT: wanted // 3,
            Moment.AFTER_SENT: wanted - 2 * (wanted // 3),
        }
        self.made: list[Correction] = []
        self.error: BaseException | None = None
        #: CPU seconds of this process the threads spent importing, and looking for moments.
        self.import_cpu = 0.0
        self.look_cpu = 0.0
        #: Wall seconds the imports took, summed (they overlap the sends: a share of the window).
        self.import_wall = 0.0
        self._lock = threading.Lock()
        self._taken: set[int] = set()
        self._sent_seen = (0.0, 0)  # (monotonic time, first legs sent then)
        self._threads = [
            threading.Thread(
                target=self._run, args=(moment,), name=f"bench-{moment.name.lower()}", daemon=True
            )
            for moment, count in self.planned.items()
            if count
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def is_alive(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def _run(self, moment: Moment) -> None:
        started = time.thread_time()
        try:
            self._correct(moment)
        except BaseException as exc:  # reported by the benchmark, which waits for the threads
            self.error = exc
        finally:
            connections.close_all()
            with self._lock:
                self.look_cpu += time.thread_time() - started

    def _due(self, moment: Moment, sent: int) -> int:
        """How many corrections of ``moment`` should have arrived once ``sent`` first legs are."""
        step = SPREAD_OVER * self.runs / self.planned[moment]
        return min(self.planned[moment], int(sent / step) + 1)

    def _correct(self, moment: Moment) -> None:
        choose = random.Random(f"{moment.name}-{self.runs}")  # noqa: S311 (picks, not secrets)
        made = 0
        deadline = time.monotonic() + self.timeout_s
        while made < self.planned[moment]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"corrections {moment.value}: {made} made in time")
            sent = self._sent()
            if made < self._due(moment, sent):
                candidates = list(
                    _first_legs()
                    .filter(state__in=moment.leg_states)
                    .order_by("-updated_at")  # the last claimed or sent first
                    .values_list("company_id", "journal_id")[:200]
                )
                with self._lock:
                    candidates = [c for c in candidates if c[0] not in self._taken]
                if not candidates and self._first_legs_settled():
                    return  # this moment makes fewer
                if candidates:
                    # while queued: any (the executors' order is unknown); else the latest
                    pick = choose.choice(candidates) if moment is Moment.QUEUED else candidates[0]
                    if self._take(pick[0]):
                        self._import(Correction(pick[0], self.run_id, pick[1], moment))
                        made += 1
                        continue
            time.sleep(self.poll_s)

    def _sent(self) -> int:
        """First legs sent so far, counted at most once per ``poll_s`` for all threads (the
        counting is the benchmark's own cost, not the sending's)."""
        with self._lock:
            at, sent = self._sent_seen
            if time.monotonic() - at < self.poll_s:
                return sent
            sent = _first_legs().filter(state=SubmissionState.SENT).count()
            self._sent_seen = (time.monotonic(), sent)
            return sent

    def _first_legs_settled(self) -> bool:
        legs = _first_legs()
        return legs.count() >= self.runs and not legs.filter(state__in=MOVING_STATES).exists()

    def _take(self, company_id: int) -> bool:
        with self._lock:
            if company_id in self._taken:
                return False
            self._taken.add(company_id)
            return True

    def _import(self, correction: Correction) -> None:
        company = self.companies[correction.company_id]
        with self._lock:
            number = len(self.made)
        started, began = time.thread_time(), time.monotonic()
        content = corrected_file(self.template, company.key, correction.run_id, number)
        import_run(company, content, f"{company.key}-v2.json")
        spent = time.thread_time() - started
        with self._lock:
            self.made.append(correction)
            self.import_cpu += spent
            self.import_wall += time.monotonic() - began
            self.look_cpu -= spent  # the thread's total counts it too


def arrivals(corrections: Sequence[Correction]) -> Counter[Moment]:
    """Where the corrections really arrived: the first leg superseded → while queued; the new
    version imported before the first leg was sent → in flight; otherwise after sent."""
    first_legs = {
        leg.journal_id: leg
        for leg in Submission.objects.filter(
            journal_id__in=[c.journal_id for c in corrections], kind="full"
        )
    }
    imported = {
        (company_id, run_id): at
        for company_id, run_id, at in PayrollRun.objects.filter(
            company_id__in=[c.company_id for c in corrections], version=2
        ).values_list("company_id", "run_id", "imported_at")
    }
    found: Counter[Moment] = Counter()
    for correction in corrections:
        leg = first_legs[correction.journal_id]
        at = imported[(correction.company_id, correction.run_id)]
        if leg.state == SubmissionState.SUPERSEDED:
            found[Moment.QUEUED] += 1
        elif leg.sent_at is not None and at < leg.sent_at:
            found[Moment.IN_FLIGHT] += 1
        else:
            found[Moment.AFTER_SENT] += 1
    return found
