"""The ledger scheme editor of a payroll company: its component mappings with accounts picked
from the mapped Visma company's chart, coverage (components seen in runs, mapped or not) and
drift (scheme accounts that are missing, inactive or closed in Visma).

Every member who sees the company reads the page; payroll and master administrators change it,
and only while the chart can be read. The posted account numbers are checked against the chart
on the server (the picker only offers bookable accounts, but the browser is not trusted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from payjournal.domain.scheme import ComponentMapping, CostCenterSide, LedgerScheme
from payjournal.payroll import schemes
from payjournal.payroll import services as payroll
from payjournal.payroll.models import JournalSnapshot, PayrollCompany
from payjournal.preflight.cache import DailyCache
from payjournal.preflight.chart import AccountState, Chart, read_chart
from payjournal.preflight.forms import MappingChangeForm, field_problems
from payjournal.tenancy.access import get_scoped, member_required
from payjournal.tenancy.models import Membership

__all__ = ["scheme_editor"]


@dataclass(frozen=True, slots=True)
class AccountCell:
    """One account of the scheme as the page shows it: number, Visma's name, state."""

    number: str
    name: str
    state: str

    @property
    def is_bookable(self) -> bool:
        return self.state == AccountState.BOOKABLE


@dataclass(frozen=True, slots=True)
class MappingRow:
    """One mapping; ``is_editing`` rows carry the pickers (one row at a time: a Swedish chart
    has well over a thousand accounts, too many to repeat in two pickers per component)."""

    form_id: str
    mapping: ComponentMapping
    debit: AccountCell
    credit: AccountCell
    side: str
    is_editing: bool = False

    @property
    def has_drift(self) -> bool:
        return not (self.debit.is_bookable and self.credit.is_bookable)


def _cell(chart: Chart, number: str) -> AccountCell:
    if not chart.is_readable:
        return AccountCell(number, "", "")
    account = chart.accounts.get(number)
    return AccountCell(number, account.name if account else "", chart.state_of(number).value)


def _days(company: PayrollCompany) -> list[date]:
    """Today first, then the latest run's voucher date (see :func:`.chart.read_chart`)."""
    latest = (
        JournalSnapshot.objects.filter(run__company=company)
        .order_by("-voucher_date")
        .values_list("voucher_date", flat=True)
        .first()
    )
    return [timezone.localdate(), *([latest] if latest else [])]


@member_required()
def scheme_editor(request: HttpRequest, membership: Membership, company_id: int) -> HttpResponse:
    """GET: the editor. POST: save one changed (``action=change``) or added (``add``) mapping,
    or read the chart from Visma again (``reread``). A refused save answers the editor with
    every problem: 400 for a value that is not one (a field too long, an unknown action or
    side), 422 for a change the chart or the scheme refuses (or a chart that cannot be read)."""
    company = get_scoped(
        payroll.companies_for(membership).select_related("visma_account"), pk=company_id
    )
    if request.method == "POST" and not membership.can_edit_payroll:
        raise PermissionDenied("Viewers cannot change the ledger scheme.")
    if request.method == "POST" and request.POST.get("action") == "reread":
        # the bookkeeper just added or opened an account: drop today's cached reads
        DailyCache().invalidate(company.visma_company_id)
        return redirect("company-scheme", company_id=company.pk)
    chart = read_chart(company, _days(company))
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        form = MappingChangeForm(request.POST)
        if not form.is_valid():
            problems, status = field_problems(form), 400
        elif not chart.is_readable:
            problems = [_("Nothing was saved: the Visma chart of accounts could not be read.")]
            status = 422
        else:
            change = form.change()
            try:
                schemes.save_mapping(company, change, chart.refusal)
            except schemes.SchemeRefusedError as exc:
                problems, status = exc.problems, 422
            else:
                messages.success(
                    request,
                    _("The mapping of %(component)s was saved.")
                    % {"component": change.component.strip()},
                )
                return redirect("company-scheme", company_id=company.pk)
    return render(
        request,
        "payroll/scheme.html",
        _context(request, membership, company, chart, problems),
        status=status,
    )


def _context(
    request: HttpRequest,
    membership: Membership,
    company: PayrollCompany,
    chart: Chart,
    problems: list[str],
) -> dict[str, object]:
    scheme: LedgerScheme = payroll.load_scheme(company)
    sides = [
        (CostCenterSide.NONE.value, _("none")),
        (CostCenterSide.DEBIT.value, _("debit")),
        (CostCenterSide.CREDIT.value, _("credit")),
    ]
    can_edit = membership.can_edit_payroll and chart.is_readable
    refused_change = problems and request.POST.get("action") == "change"
    editing = request.POST.get("component", "") if refused_change else request.GET.get("edit", "")
    rows = [
        MappingRow(
            f"mapping-{n}",
            m,
            _cell(chart, m.debit_account),
            _cell(chart, m.credit_account),
            dict(sides)[m.cost_center_side.value],
            can_edit and m.component == editing,
        )
        for n, m in enumerate(scheme.components.values(), start=1)
    ]
    rounding = _cell(chart, scheme.rounding_account)
    return {
        "company": company,
        "scheme": scheme,
        "chart": chart,
        "rows": rows,
        "drift": [row for row in rows if row.has_drift] if chart.is_readable else [],
        "rounding": rounding,
        "rounding_drifts": chart.is_readable and not rounding.is_bookable,
        "coverage": schemes.coverage(company, scheme),
        "options": [(a.number, f"{a.number} — {a.name}") for a in chart.bookable()],
        "sides": sides,
        "can_edit": can_edit,
        "problems": problems,
        "posted": request.POST if problems else {},
        "add_component": request.GET.get("component", "")[:64],
    }
