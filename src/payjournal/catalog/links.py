"""The places a user is sent to: pages of payjournal and menus of Visma eAccounting.

A page of payjournal is shown as a link when the page that explains knows the ids its URL needs
(:func:`payjournal.catalog.explain`'s ``ids``) and it is not that page itself (``here``) —
and, for a page only master administrators may open, only to them (``catalog/_explanation.html``);
a place in Visma is always its menu path, as text.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from payjournal.catalog.model import Link, LinkKind

__all__ = [
    "ACCOUNTS_TAB",
    "ADMINISTRATIONS_TAB",
    "COMPANY_PAGE",
    "RUN_PAGE",
    "VISMA_APPS",
    "VISMA_CHART",
    "VISMA_COMPANY_SETTINGS",
    "VISMA_COST_CENTERS",
    "VISMA_FISCAL_YEARS",
    "VISMA_START_GUIDE",
    "VISMA_STATUS",
    "VISMA_USERS",
]

ACCOUNTS_TAB = Link(
    LinkKind.PAYJOURNAL,
    "visma-accounts",
    _("payjournal: Integrations → Visma eAccounting"),
    admin_only=True,
)
ADMINISTRATIONS_TAB = Link(
    LinkKind.PAYJOURNAL,
    "visma-administrations",
    _("payjournal: Integrations → Administrations"),
    admin_only=True,
)
COMPANY_PAGE = Link(
    LinkKind.PAYJOURNAL,
    "company-scheme",
    _("payjournal: the payroll company's ledger scheme"),
    needs=("company_id",),
)
RUN_PAGE = Link(
    LinkKind.PAYJOURNAL,
    "run",
    _("payjournal: the run and its journal"),
    needs=("company_id", "run_pk"),
)
VISMA_APPS = Link(
    LinkKind.VISMA,
    "settings/apps",
    _("Visma eAccounting: Settings → Apps and extensions (and your default company)"),
)
VISMA_FISCAL_YEARS = Link(
    LinkKind.VISMA, "settings/fiscal-years", _("Visma eAccounting: Settings → Fiscal years")
)
VISMA_COMPANY_SETTINGS = Link(
    LinkKind.VISMA,
    "settings/company",
    _("Visma eAccounting: Settings → Company settings → Accounting (locked until)"),
)
VISMA_CHART = Link(
    LinkKind.VISMA, "settings/accounts", _("Visma eAccounting: Settings → Chart of accounts")
)
VISMA_COST_CENTERS = Link(
    LinkKind.VISMA, "settings/cost-centers", _("Visma eAccounting: Settings → Cost centers")
)
VISMA_START_GUIDE = Link(
    LinkKind.VISMA, "start-guide", _("Visma eAccounting: the startup guide after signing in")
)
VISMA_USERS = Link(LinkKind.VISMA, "settings/users", _("Visma eAccounting: Settings → Users"))
VISMA_STATUS = Link(LinkKind.VISMA, "status", _("Visma's status page (status.visma.com)"))
