"""Which Visma company a grant reaches, and whether it is the payroll company's.

Visma binds a grant to one company; payjournal remembers that company's key on the account
when it is authorized (:func:`payjournal.integrations.services.complete_authorization`) and the
pre-flight checks the settings it reads before a send against it
(:mod:`payjournal.preflight.checks`), so a grant re-bound to another company is caught.

The right company is also proven against the payroll company itself
(:class:`CompanyIdentity`): its organisation number and the currency it pays in must be the
Visma company's, at mapping time (:func:`payjournal.payroll.services.map_company`) and before
every send. Plain values only: no Django, so the checks stay free of models.
"""

from __future__ import annotations

from dataclasses import dataclass

from payjournal.visma import CompanySettings

__all__ = ["CompanyIdentity", "Mismatch", "company_key", "mismatch", "same_registration"]


def company_key(company: CompanySettings) -> str:
    """A stable identity of the Visma company behind a grant: its company identifier, else its
    corporate identity number, else its name."""
    return company.company_identifier or company.corporate_identity_number or f"name:{company.name}"


@dataclass(frozen=True, slots=True)
class CompanyIdentity:
    """What the Visma company of a payroll company must have; an empty value is not checked."""

    registration_number: str = ""
    currency: str = ""


@dataclass(frozen=True, slots=True)
class Mismatch:
    """The catalog code of a wrong company or currency, and what differs ("SEK vs EUR": the
    Visma company's first, the payroll company's second)."""

    code: str
    subject: str


def same_registration(left: str, right: str) -> bool:
    """The same organisation number, however written ("556677-8899" is "5566778899")."""

    def bare(value: str) -> str:
        return "".join(c for c in value if c.isalnum()).upper()

    return bare(left) == bare(right)


def mismatch(
    expected: CompanyIdentity, registration_number: str | None, currency: str | None
) -> Mismatch | None:
    """How the Visma company (its organisation number and currency) differs from ``expected``,
    or ``None``; what either side does not know is not compared."""
    if (
        expected.registration_number
        and registration_number
        and not same_registration(expected.registration_number, registration_number)
    ):
        return Mismatch(
            "wrong_registration_number", f"{registration_number} vs {expected.registration_number}"
        )
    if expected.currency and currency and expected.currency.upper() != currency.upper():
        return Mismatch("wrong_currency", f"{currency.upper()} vs {expected.currency.upper()}")
    return None
