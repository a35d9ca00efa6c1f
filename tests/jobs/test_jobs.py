"""The DBOS job backend end to end: submissions enqueued after commit run to ``sent`` on the
partitioned, rate-limited queue; the sweep enqueues what never reached DBOS."""

from __future__ import annotations

from datetime import timedelta

import pytest

from payjournal import wiring
from payjournal.domain.submission import SubmissionState
from payjournal.emulator import Emulator, FaultPlan
from payjournal.payroll.models import PayrollRun
from payjournal.sending.models import Submission
from payjournal.sending.services import request_send_many, sweep
from tests.fixtures.books import Books, wait_until_done


@pytest.mark.django_db(transaction=True)
def test_dbos_sends_every_run_exactly_once_under_faults(
    books: Books, visma: Emulator, executor: None
) -> None:
    visma.faults.set(FaultPlan(drop_next=1, error_next=1, endpoints=["POST /v2/vouchers"]))
    runs = list(PayrollRun.objects.all())
    result = request_send_many(runs)
    assert len(result.queued) == len(runs)
    done = wait_until_done(len(runs))
    assert any(s.state == SubmissionState.NEEDS_ACTION for s in done)  # se-nordisk is locked
    for submission in done:
        company = visma.state.company(submission.company.key)
        assert company is not None
        matching = [v for v in company.vouchers.values() if submission.marker in v.text]
        if submission.state == SubmissionState.SENT:
            assert len(matching) == 1
        else:
            assert submission.error_code == "period_locked"
            assert matching == []


@pytest.mark.django_db(transaction=True)
def test_the_sweep_enqueues_submissions_that_never_reached_dbos(
    books: Books, visma: Emulator, executor: None
) -> None:
    executing = wiring.install(wiring.current().with_jobs(None))  # the enqueue is lost
    run = PayrollRun.objects.filter(company=books.bakkerij).first()
    assert run is not None
    request_send_many([run])
    wiring.install(executing)
    assert Submission.objects.get().state == SubmissionState.QUEUED
    assert sweep(older_than=timedelta(0)) == 1
    (done,) = wait_until_done(1)
    assert done.state == SubmissionState.SENT
