"""Routes of ``/api/v1`` (OpenAPI at ``/api/docs``). Errors become HTTP answers in one place
(the exception handlers below), always as :class:`~payjournal.api.schemas.ProblemOut` JSON in
the request's language (``Accept-Language``) with a ``code`` (:mod:`payjournal.api.errors`,
which also answers the failures around the routes); the routes call the same services as the
pages and the CLI.

A pushed body is read only within ``PAYJOURNAL_MAX_UPLOAD_BYTES`` (the limit of uploads and
``runs import`` too, :mod:`payjournal.payroll.limits`): a larger one is refused unread, 413.
It is read from the request's stream, not ``request.body``, so Django's cap on form fields
(``DATA_UPLOAD_MAX_MEMORY_SIZE``, 2.5 MB) does not apply to it.

A run is addressed by its payroll run id; its answers describe the run id across its versions
(:mod:`payjournal.api.history`): pushing other content makes the next version, a send books
the latest one (a correction as a reversal and the rebooking, or as one difference voucher),
``DELETE`` withdraws the run so the books hold nothing of it.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Status
from ninja.errors import HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle

from payjournal.api.docs import VendoredSwagger
from payjournal.api.errors import GENERIC, ProblemCode, problem_body
from payjournal.api.history import (
    amount,
    leg_out,
    preview_out,
    refusal,
    run_detail,
    run_out,
)
from payjournal.api.models import ApiToken, Scope
from payjournal.api.openapi import DocumentedApi, codes_table, push_body
from payjournal.api.schemas import (
    ImportOut,
    JournalOut,
    LineOut,
    ProblemOut,
    RefusalCode,
    RunDetailOut,
    RunOut,
    SendOut,
    WithdrawOut,
)
from payjournal.api.tokens import authenticate
from payjournal.payroll.journals import load_journal
from payjournal.payroll.limits import FileTooLargeError, read_within_limit
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.services import RunRejectedError
from payjournal.sending.booking import preview, run_state, run_states
from payjournal.sending.services import SendRefusedError, import_run, request_send, withdraw

#: The file name a pushed body goes by in problems and in a version's ``source_name``.
BODY_NAME = "api.json"
log = logging.getLogger("payjournal.api")


def _content_length(request: HttpRequest) -> int | None:
    """The declared body size (None when absent or not a number: the read counts)."""
    raw = str(request.META.get("CONTENT_LENGTH") or "")
    return int(raw) if raw.isascii() and raw.isdigit() else None


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return authenticate(token)


class ScopeMissingError(Exception):
    """The token lacks the scope the route needs."""


class NotFoundError(Exception):
    """The company, run or version named in the path is not there (for this token)."""


class SendConflictError(Exception):
    """A send was refused: the books already hold what the payroll says, or cannot be sent."""

    def __init__(self, code: RefusalCode, detail: str) -> None:
        super().__init__(detail)
        self.code = code


api = DocumentedApi(
    title="payjournal API",
    version="1",
    description=(
        "Push processed payroll runs, read their journals and where their books stand in Visma "
        "eAccounting, send or withdraw them. A run id has versions (other content pushed again "
        "is the next version) and legs: the vouchers that bring Visma's books to the latest "
        "version — a full posting, a reversal, or a difference.\n\n"
        "Authenticate with an API token (`payjournal api-token create`): "
        "`Authorization: Bearer pj_…`; each token has scopes (`runs:read`, "
        "`runs:write`, `send`) and reaches the companies of its master only. At most 600 "
        "requests a minute per token.\n\n"
        'Every error is `{"detail": …, "problems": […], "code": …}`: `detail` in the language '
        "of `Accept-Language` (en, nl, sv), `problems` every reason found, `code` stable for "
        "programs:\n\n" + codes_table()
    ),
    urls_namespace="api",
    docs_url="/docs",
    docs=VendoredSwagger(),
    auth=TokenAuth(),
    throttle=[AuthRateThrottle("600/m")],
)

#: The error answers every route may give (documented in the OpenAPI document).
ERRORS: dict[int, Any] = {
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    405: ProblemOut,
    429: ProblemOut,
    500: ProblemOut,
}


def _problem(
    request: HttpRequest,
    status: int,
    detail: str,
    problems: list[str] | None = None,
    code: ProblemCode = "bad_request",
) -> HttpResponse:
    return api.create_response(request, problem_body(detail, problems or [], code), status=status)


@api.exception_handler(RunRejectedError)
def _rejected(request: HttpRequest, exc: RunRejectedError) -> HttpResponse:
    if isinstance(exc, FileTooLargeError):
        return _problem(
            request, 413, gettext("The run was not imported."), exc.messages, "too_large"
        )
    return _problem(
        request, 422, gettext("The run was not imported."), exc.messages, "not_imported"
    )


@api.exception_handler(SendConflictError)
def _conflict(request: HttpRequest, exc: SendConflictError) -> HttpResponse:
    return _problem(request, 409, str(exc), code=exc.code)


@api.exception_handler(SendRefusedError)
def _refused(request: HttpRequest, exc: SendRefusedError) -> HttpResponse:
    return _problem(request, 409, str(exc), code="refused")


@api.exception_handler(ScopeMissingError)
def _scope(request: HttpRequest, exc: ScopeMissingError) -> HttpResponse:
    return _problem(request, 403, str(exc), code="scope_missing")


@api.exception_handler(NotFoundError)
def _not_found(request: HttpRequest, exc: NotFoundError) -> HttpResponse:
    return _problem(request, 404, str(exc), code="not_found")


@api.exception_handler(Http404)
def _no_route(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _problem(request, 404, str(GENERIC[404][1]), code="not_found")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [
        f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', '')}"
        for error in exc.errors
    ]
    return _problem(request, 422, gettext("The request is not valid."), problems, "invalid")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own: 401 (no or a revoked token), 429 (throttled, with Retry-After), …"""
    code, detail = GENERIC.get(exc.status_code, GENERIC[400])
    response = _problem(request, exc.status_code, str(detail), code=code)
    wait = getattr(exc, "wait", None)
    if exc.status_code == 429 and wait:
        response["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _problem(request, 413, gettext("The request body is too large."), code="too_large")


@api.exception_handler(Exception)
def _failed(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything else: logged with its traceback (never the body), answered as JSON 500."""
    log.error(
        "api request failed",
        exc_info=exc,
        extra={"path": request.path, "method": request.method},
    )
    return _problem(request, 500, str(GENERIC[500][1]), code="server_error")


def _token(request: HttpRequest, scope: Scope) -> ApiToken:
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)
    if not token.allows(scope):
        raise ScopeMissingError(
            gettext("This token lacks the %(scope)r scope.") % {"scope": scope.value}
        )
    return token


def _company(token: ApiToken, key: str) -> PayrollCompany:
    company = PayrollCompany.objects.filter(master=token.master, key=key).first()
    if company is None:
        raise NotFoundError(gettext("No payroll company %(company)r.") % {"company": key})
    return company


def _run(company: PayrollCompany, run_id: str) -> PayrollRun:
    run = (
        PayrollRun.objects.filter(company=company, run_id=run_id)
        .select_related("journal", "company")
        .order_by("-version")
        .first()
    )
    if run is None:
        raise NotFoundError(
            gettext("No run %(run)r in company %(company)r.")
            % {"run": run_id, "company": company.key}
        )
    return run


@api.post(
    "/v1/companies/{company}/runs",
    response={200: ImportOut, 201: ImportOut, 413: ProblemOut, 422: ProblemOut, **ERRORS},
    summary="Push a processed run (the run file's JSON); the same content again is a no-op",
    openapi_extra=push_body(),
    description=(
        "Other content for a run id becomes its next version (201); the same content as the "
        "latest version changes nothing (200). The answer says what a send would post now "
        "(`to_book`: a first posting, or for a correction the reversal and the rebooking or "
        "one difference voucher) and, when the company sends automatically, the voucher on its "
        "way (`leg`)."
    ),
)
def push_run(request: HttpRequest, company: str) -> Status[ImportOut]:
    target = _company(_token(request, Scope.RUNS_WRITE), company)
    body = read_within_limit(request, BODY_NAME, _content_length(request))
    result = import_run(target, body, BODY_NAME)
    state = run_state(target, result.run.run_id)
    leg = state.open_leg
    return Status(
        201 if result.created else 200,
        ImportOut(
            run=run_out(state),
            created=result.created,
            version=result.run.version,
            leg=leg_out(state, leg) if leg is not None else None,
            to_book=preview_out(preview(target, result.run.run_id)),
        ),
    )


@api.get(
    "/v1/companies/{company}/runs",
    response={200: list[RunOut], **ERRORS},
    summary="The latest version of every run",
)
def list_runs(request: HttpRequest, company: str) -> list[RunOut]:
    target = _company(_token(request, Scope.RUNS_READ), company)
    return [run_out(state) for state in run_states(target).values()]


@api.get(
    "/v1/companies/{company}/runs/{run}",
    response={200: RunDetailOut, **ERRORS},
    summary="A run's status: its versions, its vouchers (legs) and where its books stand",
)
def get_run(request: HttpRequest, company: str, run: str) -> RunDetailOut:
    target = _company(_token(request, Scope.RUNS_READ), company)
    return run_detail(target, _run(target, run).run_id)


@api.delete(
    "/v1/companies/{company}/runs/{run}",
    response={200: WithdrawOut, **ERRORS},
    summary="Withdraw a run: the books should hold nothing of it (a reversal of what is booked)",
    description=(
        "Withdrawing again changes nothing. With automatic sending the reversal is queued at "
        "once (`leg`); otherwise `to_book` shows what a send would post. Pushing the run again "
        "brings it back as its next version."
    ),
)
def withdraw_run(request: HttpRequest, company: str, run: str) -> WithdrawOut:
    target = _company(_token(request, Scope.SEND), company)
    withdraw(_run(target, run))
    state = run_state(target, run)
    leg = state.open_leg
    return WithdrawOut(
        run=run_out(state),
        leg=leg_out(state, leg) if leg is not None else None,
        to_book=preview_out(preview(target, run)),
    )


@api.get(
    "/v1/companies/{company}/runs/{run}/journal",
    response={200: JournalOut, 422: ProblemOut, **ERRORS},
    summary="A run's journal (the latest version, or the one asked for)",
    url_name="run-journal",
)
def get_journal(
    request: HttpRequest, company: str, run: str, version: int | None = None
) -> JournalOut:
    target = _company(_token(request, Scope.RUNS_READ), company)
    found = _run(target, run)
    if version is not None and version != found.version:
        asked = (
            PayrollRun.objects.filter(company=target, run_id=found.run_id, version=version)
            .select_related("journal", "company")
            .first()
        )
        if asked is None:
            raise NotFoundError(
                gettext("Run %(run)r has no version %(version)s.")
                % {"run": found.run_id, "version": version}
            )
        found = asked
    journal = load_journal(found.journal)
    return JournalOut(
        run_id=found.run_id,
        version=found.version,
        voucher_date=journal.voucher_date,
        voucher_text=journal.voucher_text,
        currency=journal.currency,
        total=amount(journal.debit_total),
        lines=[
            LineOut(
                account=row.account,
                debit=amount(row.debit),
                credit=amount(row.credit),
                text=row.text,
                dimension=row.dimension,
            )
            for row in journal.rows
        ],
    )


@api.post(
    "/v1/companies/{company}/runs/{run}/send",
    response={202: SendOut, 409: ProblemOut, **ERRORS},
    summary="Send the run to Visma (queued; poll the run for the outcome)",
    description=(
        "Books the run id's latest version (or, once withdrawn, reverses what is booked). The "
        "answer names the voucher queued (`leg`) — or the one already on its way — and every "
        "voucher of the path (`to_book`): a reversal is followed by the rebooking once it is "
        "sent. 409 with `code` `already_booked`, `no_change`, `nothing_booked` or "
        "`not_mapped` when there is nothing to send."
    ),
)
def send_run(request: HttpRequest, company: str, run: str) -> Status[SendOut]:
    target = _company(_token(request, Scope.SEND), company)
    found = _run(target, run)
    try:
        submission = request_send(found)
    except SendRefusedError as exc:
        raise SendConflictError(*refusal(target, found.run_id, str(exc))) from None
    shown = preview(target, found.run_id)  # before the leg may settle: the path it is on
    state = run_state(target, found.run_id)
    leg = next(leg for leg in state.legs if leg.pk == submission.pk)
    return Status(
        202,
        SendOut(
            submission_id=str(submission.pk),
            state=leg.state,
            leg=leg_out(state, leg),
            to_book=preview_out(shown),
        ),
    )
