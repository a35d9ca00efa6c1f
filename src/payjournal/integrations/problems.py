"""Every way the authorization flow can fail, as a page: what happened, why, what to do.

The texts are the error catalog's (:mod:`payjournal.catalog`), in the user's language; this
module only names the flow's failures and turns client errors into catalog codes.
"""

from __future__ import annotations

from payjournal import catalog
from payjournal.visma import VismaError

#: The flow's own failures (client errors are resolved by the catalog, see ``problem_for``).
FLOW_CODES = frozenset({"access_denied", "state_mismatch", "code_reused", "wrong_company"})


class AuthorizationFlowError(Exception):
    """A flow error carrying the catalog code of the page to show."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = catalog.resolve(code)[0]

    def explain(self, language: str | None = None) -> catalog.Explanation:
        return catalog.explain(self.code, language)


def problem_for(exc: VismaError) -> str:
    """The catalog code of a client error met during the flow (the one translation)."""
    if exc.oauth_error == "state_mismatch":
        return "state_mismatch"
    return catalog.resolve(exc)[0]
