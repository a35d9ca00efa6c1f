"""Read-only views of the state for the control API (snake_case, not Visma's shapes)."""

from __future__ import annotations

from typing import Any

from payjournal.emulator import resources
from payjournal.emulator.company_settings import company_settings
from payjournal.emulator.model import Company
from payjournal.emulator.runtime import Emulator


def company_summary(company: Company) -> dict[str, Any]:
    """The flags a test usually wants to see."""
    return {
        "id": company.id,
        "key": company.key,
        "name": company.name,
        "country_code": company.country_code,
        "currency_code": company.currency_code,
        "api_module_enabled": company.api_module_enabled,
        "startup_guide_completed": company.startup_guide_completed,
        "company_status": company.company_status,
        "accounting_locked_to": company.accounting_locked_to,
        "fiscal_years": [
            {"id": fy.id, "start": fy.start, "end": fy.end, "locked": fy.locked}
            for fy in sorted(company.fiscal_years.values(), key=lambda fy: fy.start)
        ],
        "voucher_count": len(company.vouchers),
    }


def company_detail(company: Company) -> dict[str, Any]:
    """Summary plus settings, cost centers, projects and drafts in the API's shapes."""
    return company_summary(company) | {
        "settings": company_settings(company),
        "cost_centers": [resources.cost_center(c) for c in company.cost_centers],
        "projects": [resources.project(p) for p in company.projects],
        "drafts": [resources.voucher_draft(d) for d in company.drafts.values()],
        "series_counters": company.series_counters,
    }


def overview(emu: Emulator) -> dict[str, Any]:
    """Everything at a glance."""
    state = emu.state
    return {
        "seed": state.seed,
        "now": emu.now(),
        "clock_offset_seconds": str(state.clock_offset_s),
        "companies": [company_summary(c) for c in state.companies.values()],
        "users": [
            {
                "email": u.email,
                "name": u.name,
                "password": u.password,
                "companies": [
                    state.companies[c].key for c in u.company_ids if c in state.companies
                ],
                "default_company": (
                    state.companies[u.default_company_id].key
                    if u.default_company_id in state.companies
                    else None
                ),
                "default_company_overrides_picker": u.default_company_overrides_picker,
            }
            for u in state.users.values()
        ],
        "clients": [
            {
                "client_id": c.client_id,
                "client_secret": c.client_secret,
                "name": c.name,
                "redirect_uri_patterns": c.redirect_uri_patterns,
            }
            for c in state.clients.values()
        ],
        "faults": emu.faults.plan.to_json(),
        "counts": {
            "requests": len(emu.requests),
            "grants": len(state.families),
            "access_tokens": len(state.access_tokens),
            "token_events": len(state.token_events),
        },
    }


def token_view(emu: Emulator) -> dict[str, Any]:
    """Grants and the identity log."""
    state = emu.state
    events = state.token_events
    return {
        "grants": [
            {
                "id": f.id,
                "client_id": f.client_id,
                "user": f.user_email,
                "company_id": f.company_id,
                "scopes": f.scopes,
                "created_at": f.created_at,
                "revoked_at": f.revoked_at,
                "revoked_reason": f.revoked_reason,
            }
            for f in state.families.values()
        ],
        "issued": sum(1 for e in events if e.kind == "issued"),
        "refused": sum(1 for e in events if e.kind == "refused"),
        "events": [
            {
                "at": e.at,
                "kind": e.kind,
                "grant_type": e.grant_type,
                "client_id": e.client_id,
                "user": e.user_email,
                "company_id": e.company_id,
                "reason": e.reason,
            }
            for e in events
        ],
    }
