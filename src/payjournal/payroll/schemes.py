"""Use cases of the ledger scheme editor: coverage (which wage components occurred in runs and
whether the scheme maps them) and saving one changed or added component mapping.

A save goes through the domain exactly like an uploaded file: the changed scheme is written in
the stored file's format and read back with the same reader, so the stored scheme is always a
file the upload would accept. Which account numbers may be booked is not known here (that is
Visma's chart, read by the pre-flight): the caller passes an :data:`AccountCheck`. Journals are
frozen snapshots (``JournalSnapshot`` rows), so a saved scheme changes only journals built
afterwards, never one already built or sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from payjournal.domain.formats import InputError, read_scheme, write_scheme
from payjournal.domain.journal import MAX_ROW_TEXT
from payjournal.domain.scheme import ComponentMapping, CostCenterSide, LedgerScheme
from payjournal.payroll.models import PayrollCompany, SeenComponent
from payjournal.payroll.services import load_scheme

__all__ = [
    "AccountCheck",
    "CoverageRow",
    "MappingChange",
    "SchemeRefusedError",
    "coverage",
    "save_mapping",
]

#: An account number → why it cannot be booked (a sentence part), or "" when it can.
AccountCheck = Callable[[str], str]


class SchemeRefusedError(ValueError):
    """The change was not saved; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """A wage component that occurred in a run, and its mapping (``None``: unmapped)."""

    component: str
    last_run_id: str
    mapping: ComponentMapping | None

    @property
    def is_mapped(self) -> bool:
        return self.mapping is not None


@dataclass(frozen=True, slots=True)
class MappingChange:
    """What the editor posts for one component. ``description`` ``None`` keeps the current
    one; ``is_new`` says the user adds a mapping (refused when the component is mapped)."""

    component: str
    debit_account: str
    credit_account: str
    cost_center_side: str = CostCenterSide.NONE.value
    description: str | None = None
    is_new: bool = False


def coverage(company: PayrollCompany, scheme: LedgerScheme) -> list[CoverageRow]:
    """Every component seen in the company's runs, unmapped ones first."""
    rows = [
        CoverageRow(component, run_id, scheme.mapping_for(component))
        for component, run_id in SeenComponent.objects.filter(company=company).values_list(
            "component", "last_run_id"
        )
    ]
    return sorted(rows, key=lambda row: (row.is_mapped, row.component))


def save_mapping(
    company: PayrollCompany, change: MappingChange, check_account: AccountCheck
) -> LedgerScheme:
    """Store ``company``'s scheme with ``change`` applied, atomically, and return it.

    Refused with every problem at once (nothing changes) when the component is missing or
    already mapped (adding) or not mapped (changing), when an account that differs from the
    stored one fails ``check_account``, or when the domain refuses the resulting scheme.
    """
    component = change.component.strip()
    with transaction.atomic():
        locked = PayrollCompany.objects.select_for_update(no_key=True).get(pk=company.pk)
        scheme = load_scheme(locked)
        current = scheme.mapping_for(component)
        problems = _presence_problems(component, current, change.is_new)
        side = _side(change.cost_center_side, component, problems)
        for label, number, before in (
            (_("debit"), change.debit_account.strip(), current and current.debit_account),
            (_("credit"), change.credit_account.strip(), current and current.credit_account),
        ):
            reason = "" if number == before else check_account(number)
            if reason:
                problems.append(
                    _("Component %(component)s: %(side)s account %(number)s %(reason)s.")
                    % {
                        "component": component,
                        "side": label,
                        "number": number or "—",
                        "reason": reason,
                    }
                )
        description = change.description
        if description is None and current is not None:
            description = current.description
        if description and len(description.strip()) > MAX_ROW_TEXT:
            problems.append(
                _("Component %(component)s: the description is longer than %(max)d characters.")
                % {"component": component, "max": MAX_ROW_TEXT}
            )
        if problems:
            raise SchemeRefusedError(problems)
        mapping = ComponentMapping(
            component,
            change.debit_account.strip(),
            change.credit_account.strip(),
            side,
            (description or "").strip() or None,
        )
        data = write_scheme(scheme.with_mapping(mapping), like=locked.scheme_source.encode())
        try:
            saved = read_scheme(data, locked.scheme_filename)
        except InputError as exc:
            raise SchemeRefusedError([str(p) for p in exc.problems]) from None
        locked.scheme_source = data.decode("utf-8-sig")
        locked.save(update_fields=("scheme_source",))
    company.scheme_source = locked.scheme_source
    return saved


def _presence_problems(component: str, current: ComponentMapping | None, is_new: bool) -> list[str]:
    if not component:
        return [_("Name the wage component to map.")]
    if is_new and current is not None:
        return [
            _("Component %(component)s is already mapped; change its accounts in the list.")
            % {"component": component}
        ]
    if not is_new and current is None:
        return [_("Component %(component)s is not mapped.") % {"component": component}]
    return []


def _side(text: str, component: str, problems: list[str]) -> CostCenterSide:
    try:
        return CostCenterSide(text or CostCenterSide.NONE.value)
    except ValueError:
        problems.append(
            _("Component %(component)s: %(side)s is not a cost center side.")
            % {"component": component, "side": text}
        )
        return CostCenterSide.NONE
