"""Routes of ``/api/v1`` (OpenAPI at ``/api/docs``). Errors become HTTP answers in one place
(the exception handlers below); the routes call the same services as the pages and the CLI."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle

from payjournal.api.models import ApiToken, Scope
from payjournal.api.schemas import ImportOut, JournalOut, LineOut, ProblemOut, RunOut, SendOut
from payjournal.api.tokens import authenticate
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.services import RunRejectedError, import_run
from payjournal.sending.models import Submission
from payjournal.sending.services import SendRefusedError, request_send

MAX_BODY = 5 * 1024 * 1024


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return authenticate(token)


class ScopeMissingError(Exception):
    """The token lacks the scope the route needs."""


api = NinjaAPI(
    title="payjournal API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    auth=TokenAuth(),
    throttle=[AuthRateThrottle("600/m")],
)


@api.exception_handler(RunRejectedError)
def _rejected(request: HttpRequest, exc: RunRejectedError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "The run was not imported.", "problems": exc.problems}, status=422
    )


@api.exception_handler(SendRefusedError)
def _refused(request: HttpRequest, exc: SendRefusedError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc), "problems": []}, status=409)


@api.exception_handler(ScopeMissingError)
def _scope(request: HttpRequest, exc: ScopeMissingError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc), "problems": []}, status=403)


def _token(request: HttpRequest, scope: Scope) -> ApiToken:
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)
    if not token.allows(scope):
        raise ScopeMissingError(f"This token lacks the {scope.value!r} scope.")
    return token


def _company(token: ApiToken, key: str) -> PayrollCompany:
    company = PayrollCompany.objects.filter(master=token.master, key=key).first()
    if company is None:
        raise Http404(f"No company {key!r}.")
    return company


def _run(company: PayrollCompany, run_id: str) -> PayrollRun:
    run = (
        PayrollRun.objects.filter(company=company, run_id=run_id)
        .select_related("journal")
        .order_by("-version")
        .first()
    )
    if run is None:
        raise Http404(f"No run {run_id!r}.")
    return run


def _amount(minor: int) -> str:
    return str((Decimal(minor) / 100).quantize(Decimal("0.01")))


def _run_out(run: PayrollRun) -> RunOut:
    submission: Submission | None = run.journal.submissions.order_by("-created_at").first()
    return RunOut(
        run_id=run.run_id,
        version=run.version,
        kind=run.kind,
        period=run.period_label,
        payment_date=run.payment_date,
        currency=run.currency,
        total=_amount(run.journal.total_minor),
        state=submission.state if submission else "not_sent",
        voucher_number=(submission.voucher_number or None) if submission else None,
        sent_at=submission.sent_at if submission else None,
        error_code=(submission.error_code or None) if submission else None,
        error_message=(submission.error_message or None) if submission else None,
    )


@api.post(
    "/v1/companies/{company}/runs",
    response={200: ImportOut, 201: ImportOut, 422: ProblemOut},
    summary="Push a processed run (the run file's JSON); the same content again is a no-op",
)
def push_run(request: HttpRequest, company: str) -> tuple[int, ImportOut]:
    token = _token(request, Scope.RUNS_WRITE)
    target = _company(token, company)
    result = import_run(target, request.body[:MAX_BODY], "api.json")
    return (201 if result.created else 200), ImportOut(
        run=_run_out(result.run), created=result.created
    )


@api.get(
    "/v1/companies/{company}/runs", response=list[RunOut], summary="The latest version of every run"
)
def list_runs(request: HttpRequest, company: str) -> list[RunOut]:
    target = _company(_token(request, Scope.RUNS_READ), company)
    latest: dict[str, PayrollRun] = {}
    for run in (
        PayrollRun.objects.filter(company=target)
        .select_related("journal")
        .order_by("run_id", "-version")
    ):
        latest.setdefault(run.run_id, run)
    return [_run_out(run) for run in latest.values()]


@api.get("/v1/companies/{company}/runs/{run}", response=RunOut, summary="A run's status")
def get_run(request: HttpRequest, company: str, run: str) -> RunOut:
    return _run_out(_run(_company(_token(request, Scope.RUNS_READ), company), run))


@api.get(
    "/v1/companies/{company}/runs/{run}/journal", response=JournalOut, summary="A run's journal"
)
def get_journal(request: HttpRequest, company: str, run: str) -> JournalOut:
    found = _run(_company(_token(request, Scope.RUNS_READ), company), run)
    journal = found.journal
    return JournalOut(
        run_id=found.run_id,
        version=found.version,
        voucher_date=journal.voucher_date,
        voucher_text=journal.voucher_text,
        currency=journal.currency,
        total=_amount(journal.total_minor),
        lines=[
            LineOut(
                account=line.account,
                debit=_amount(line.amount_minor if line.side == "debit" else 0),
                credit=_amount(line.amount_minor if line.side == "credit" else 0),
                text=line.text,
                dimension=line.dimension or None,
            )
            for line in journal.lines.all()
        ],
    )


@api.post(
    "/v1/companies/{company}/runs/{run}/send",
    response={202: SendOut, 409: ProblemOut},
    summary="Send the run's journal to Visma (queued; poll the run for the outcome)",
)
def send_run(request: HttpRequest, company: str, run: str) -> tuple[int, SendOut]:
    found = _run(_company(_token(request, Scope.SEND), company), run)
    submission = request_send(found)
    return 202, SendOut(submission_id=str(submission.pk), state=submission.state)
