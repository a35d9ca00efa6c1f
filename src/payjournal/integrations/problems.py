"""Every way the authorization flow can fail, as a page: what happened, why, what to do."""

from __future__ import annotations

from dataclasses import dataclass

from payjournal.visma import (
    AuthorizationDeniedError,
    CompanyNotActiveError,
    InvalidGrantError,
    ModuleNotActivatedError,
    NetworkError,
    NoCompanyAccessError,
    OAuthError,
    StartupGuideNotCompletedError,
    VismaError,
)


@dataclass(frozen=True, slots=True)
class FlowProblem:
    code: str
    what: str
    why: str
    todo: str


PROBLEMS = {
    p.code: p
    for p in (
        FlowProblem(
            "access_denied",
            "Visma did not give payjournal access.",
            "Someone chose “Deny” on Visma's consent page, so no connection was made.",
            "Start the authorization again from the Accounts tab and choose “Allow”.",
        ),
        FlowProblem(
            "state_mismatch",
            "This answer from Visma does not belong to an authorization started here.",
            "The link was opened in another browser or session, the sign-in timed out, or the "
            "page was forged. payjournal refuses it to protect your account.",
            "Go back to the Accounts tab and click the account's Visma mark again.",
        ),
        FlowProblem(
            "code_reused",
            "This authorization was already completed.",
            "Visma's answer can be used only once; the page was reloaded or opened twice.",
            "Nothing to do if the account shows “Authorized”; otherwise authorize it again.",
        ),
        FlowProblem(
            "invalid_grant",
            "Visma refused the authorization code.",
            "The code expired (it is valid for a few minutes) or was already used, so Visma "
            "treats it as a replay and revokes what it issued.",
            "Authorize the account again from the Accounts tab, in one go.",
        ),
        FlowProblem(
            "module_not_activated",
            "The API module is not activated for this Visma company.",
            "Visma eAccounting answers API calls only for companies with the “API” "
            "(Integrations) add-on; the chosen company does not have it.",
            "In Visma eAccounting, activate the API add-on under Settings → Subscription "
            "(or ask your Visma administrator), then authorize again. Or pick another company.",
        ),
        FlowProblem(
            "company_unavailable",
            "The chosen Visma company cannot be used.",
            "Visma says the company is not active, its startup guide is not finished, or "
            "this Visma user has no access to it.",
            "Finish the startup guide in Visma eAccounting or pick another company, then "
            "authorize again.",
        ),
        FlowProblem(
            "wrong_company",
            "You picked a different Visma company than the one this account is mapped to.",
            "Administrations are mapped to this account's Visma company; one authorization "
            "covers exactly one company, so a different company would send journals to the "
            "wrong books.",
            "Authorize again and pick the mapped company, or add a new account for the other "
            "company and map administrations to it.",
        ),
        FlowProblem(
            "unreachable",
            "Visma could not be reached.",
            "The network or Visma's identity server did not answer.",
            "Try again in a few minutes. If it persists, check Visma's status page.",
        ),
        FlowProblem(
            "oauth_error",
            "Visma refused the authorization.",
            "Visma's identity server answered with an error.",
            "Authorize again. If it happens again, contact support with the time it happened.",
        ),
    )
}


class AuthorizationFlowError(Exception):
    """A flow error carrying the page to show."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.problem = PROBLEMS[code]


def problem_for(exc: VismaError) -> str:
    """The problem code of a client error (the one translation of flow errors)."""
    if isinstance(exc, AuthorizationDeniedError):
        return "access_denied"
    if isinstance(exc, InvalidGrantError):
        return "invalid_grant"
    if isinstance(exc, ModuleNotActivatedError):
        return "module_not_activated"
    if isinstance(
        exc, CompanyNotActiveError | StartupGuideNotCompletedError | NoCompanyAccessError
    ):
        return "company_unavailable"
    if isinstance(exc, OAuthError) and exc.oauth_error == "state_mismatch":
        return "state_mismatch"
    if isinstance(exc, NetworkError):
        return "unreachable"
    return "oauth_error"
