"""Which Visma company a grant reaches: one stable key for it, read from its company settings.

Visma binds a grant to one company; payjournal remembers that company's key on the account
when it is authorized (:func:`payjournal.integrations.services.complete_authorization`) and the
pre-flight checks the settings it reads before a send against it
(:mod:`payjournal.preflight.checks`), so a grant re-bound to another company is caught.
Plain values only: no Django, so the checks stay free of models.
"""

from __future__ import annotations

from payjournal.visma import CompanySettings

__all__ = ["company_key"]


def company_key(company: CompanySettings) -> str:
    """A stable identity of the Visma company behind a grant: its company identifier, else its
    corporate identity number, else its name."""
    return company.company_identifier or company.corporate_identity_number or f"name:{company.name}"
