"""``GET /v2/companysettings``: the full ``CompanySettingsApi`` shape of the official spec.

Production answers with every property of the 2021 spec (and a few more; see
``docs/emulator.md``), so the emulator sends them all: what it models comes from the company
record, the rest are plausible, fixed values for a payroll customer (Swedish-only settings are
filled for Swedish companies and ``null`` elsewhere). Nothing here is read back by the API.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from payjournal.emulator.jsonio import format_date
from payjournal.emulator.model import Company

#: Swedish Tax Agency's recommended ROT/RUT figures, as eAccounting pre-fills them (values are
#: illustrative; the emulator does not invoice).
_ROT_RUT_SE = {
    "RutMaxAmountForPersBelow65Year": Decimal("75000.00"),
    "RutMaxAmountForPersOver65Year": Decimal("75000.00"),
    "RutReducedInvoicingPercent": Decimal("0.50"),
    "RotReducedInvoicingMaxAmount": Decimal("50000.00"),
    "RotReducedInvoicingPercent": Decimal("0.30"),
}


def company_settings(company: Company) -> dict[str, Any]:
    """``CompanySettingsApi`` for ``company``: every property the spec defines."""
    swedish = company.country_code == "SE"
    return {
        "Name": company.name,
        "Email": company.email,
        "Phone": company.phone,
        "MobilePhone": None,
        "Address1": company.address1,
        "Address2": None,
        "CountryCode": company.country_code,
        "PostalCode": company.postal_code,
        "City": company.city,
        "Website": None,
        "CurrencyCode": company.currency_code,
        "TermsOfPaymentId": None,
        "CorporateIdentityNumber": company.corporate_identity_number,
        "VatCode": company.vat_code,
        "BankGiro": None,
        "PlusGiro": None,
        "BankAccount": None,
        "Iban": None,
        "AccountingLockedTo": (
            format_date(company.accounting_locked_to) if company.accounting_locked_to else None
        ),
        "AccountingLockInterval": company.accounting_lock_interval,
        # "Only for Sweden and Finland": the employer declaration is due on the 12th
        "TaxDeclarationDate": {"Month": 1, "Day": 12} if swedish else None,
        "Gln": None,
        "ProductVariant": company.product_variant,
        "TypeOfBusiness": company.type_of_business,
        "VatPeriod": 3,  # OnceAQuarter
        "ActivatedModules": ["api_standard"] if company.api_module_enabled else [],
        "CompanyText": {
            "CustomerInvoiceTextDomestic": None,
            "CustomerInvoiceTextForeign": None,
            "OrderTextDomestic": None,
            "OrderTextForeign": None,
            "OverDueTextDomestic": None,
            "OverDueTextForeign": None,
        },
        "NextCustomerNumber": 1,
        "NextSupplierNumber": 1,
        "NextCustomerInvoiceNumber": 1,
        "NextQuoteNumber": 1,
        "ShowPricesExclVatPC": False,
        "IsPayslipActivated": False,
        "UsesMoss": False,
        "UsesPaymentReferenceNumber": False,
        "DomesticCurrencyRounding": 0,
        "AutoInvoice": {
            "AutoInvoiceActivationStatus": 0,
            "AutoInvoiceB2CStatus": 0,
            "AutoInvoiceInboundStatus": 0,
        },
        "ApprovalSettings": {"UsesSupplierInvoiceApproval": False, "UsesVatReportApproval": False},
        "UsesReverseConstructionVat": False,
        "UsesRotReducedInvoicing": False,
        "CompanyRotRutSettings": dict(_ROT_RUT_SE) if swedish else None,
        "CompanyStatus": company.company_status,
        "CompanyIdentifier": str(company.id),
        "BankgiroNumberPrint": None,
        "KeepOriginalDraftDate": False,
        "UsePaymentFilesForOutgoingPayments": False,
        "UseAutomaticVatCalculation": False,
        "ShowCostCenterReminder": False,
        "ShowProjectReminder": False,
    }
