"""Where Visma lives: identity and API endpoints, scopes, company-selection parameters.

Production is the default. The legacy sandbox hosts and any other base URL (the local
emulator) are opt-in through :meth:`VismaEndpoints.legacy_sandbox` and
:meth:`VismaEndpoints.at`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "DEFAULT_SCOPES",
    "EACCOUNTING_SERVICE_ID",
    "CompanySelection",
    "VismaEndpoints",
]

#: Scopes a payroll journal needs: the API itself, a refresh token, vouchers and accounts,
#: and ``ea:sales_readonly`` because ``GET /v2/companysettings`` accepts only sales scopes.
DEFAULT_SCOPES: tuple[str, ...] = ("ea:api", "offline_access", "ea:accounting", "ea:sales_readonly")

#: The ``acr_values`` service id that filters the company picker to eAccounting companies.
EACCOUNTING_SERVICE_ID = "44643EB1-3F76-4C1C-A672-402AE8085934"


class CompanySelection(enum.Enum):
    """How the authorize request forces the user to pick a company (one token = one company).

    ``SELECT_ACCOUNT`` is Visma's recommendation for production; it does not work in the
    sandbox, where ``FORCE_SELECT_COMPANY`` (``prompt=login`` + ``forceselectcompany:true``)
    is used instead.
    """

    SELECT_ACCOUNT = "select_account"
    FORCE_SELECT_COMPANY = "force_select_company"

    def authorize_params(self) -> dict[str, str]:
        """The ``prompt`` and ``acr_values`` parameters (space-separated values, per OIDC)."""
        service = f"service:{EACCOUNTING_SERVICE_ID}"
        if self is CompanySelection.SELECT_ACCOUNT:
            return {"prompt": "select_account", "acr_values": service}
        return {"prompt": "login", "acr_values": f"{service} forceselectcompany:true"}


def _join(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path.lstrip("/")


@dataclass(frozen=True, slots=True)
class VismaEndpoints:
    """The four URLs the client talks to, plus the company-selection variant to use.

    ``api_base`` ends with ``/v2/``; resource paths are joined onto it.
    """

    authorize_url: str = "https://identity.vismaonline.com/connect/authorize"
    token_url: str = "https://identity.vismaonline.com/connect/token"  # noqa: S105 (a URL)
    revocation_url: str = "https://identity.vismaonline.com/connect/revocation"
    api_base: str = "https://eaccountingapi.vismaonline.com/v2/"
    company_selection: CompanySelection = CompanySelection.SELECT_ACCOUNT

    @classmethod
    def production(cls) -> VismaEndpoints:
        """Visma's production identity server and API (the default)."""
        return cls()

    @classmethod
    def legacy_sandbox(cls) -> VismaEndpoints:
        """The ``*-sandbox.test.vismaonline.com`` hosts used by older sandbox clients."""
        return cls.at(
            identity_base="https://identity-sandbox.test.vismaonline.com",
            api_base="https://eaccountingapi-sandbox.test.vismaonline.com/v2/",
            company_selection=CompanySelection.FORCE_SELECT_COMPANY,
        )

    @classmethod
    def at(
        cls,
        identity_base: str,
        api_base: str | None = None,
        company_selection: CompanySelection = CompanySelection.SELECT_ACCOUNT,
    ) -> VismaEndpoints:
        """Endpoints under arbitrary base URLs, e.g. the emulator on loopback.

        ``identity_base`` is the origin serving ``/connect/...``; ``api_base`` defaults to
        ``{identity_base}/v2/`` (the emulator serves both from one origin).
        """
        api = api_base if api_base is not None else _join(identity_base, "v2/")
        return cls(
            authorize_url=_join(identity_base, "connect/authorize"),
            token_url=_join(identity_base, "connect/token"),
            revocation_url=_join(identity_base, "connect/revocation"),
            api_base=api if api.endswith("/") else api + "/",
            company_selection=company_selection,
        )

    def api_url(self, path: str) -> str:
        """Absolute URL of an API resource path such as ``vouchers/{id}``."""
        return _join(self.api_base, path)
