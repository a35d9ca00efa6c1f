"""The cockpit: every payroll company the member sees on one screen, with its latest run, the
connection of its Visma account, its ledger scheme's health, the next voucher date at risk and
who must act (:mod:`payjournal.sending.cockpit`); bulk Send, Retry and Check on a selection, and
the links to sign in at Visma again.

Everything is a GET parameter (``show``, ``order``, ``q``, ``page``) and a form post, so the page
works without JavaScript; htmx boosts the links and forms, and the table asks for itself again
(``part=table``: only the table) whenever the master's change stamp moves on (the page's poller
of ``master:<id>``, :mod:`payjournal.live`: a run, leg or account of the master was written).
A bulk action answers, with htmx, the table and the feedback above it; without, the page (a
redirect back after Send, Retry, Check; the page with the links for re-authorization).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from payjournal.live.stamps import Kind, Topic, poller
from payjournal.payroll import services as payroll
from payjournal.payroll.pages.actions import announce_queued
from payjournal.sending import cockpit as data
from payjournal.sending.cockpit_html import render_rows
from payjournal.sending.forms import CockpitActionForm, CockpitForm
from payjournal.tenancy.access import member_required
from payjournal.tenancy.models import Membership

_FILTERS = ("show", "order", "q", "page")


def _query(form: CockpitForm) -> dict[str, str]:
    """The page's own GET parameters (those set), to link and poll with."""
    kept = {name: form.cleaned_data.get(name) for name in _FILTERS}
    return {name: str(value) for name, value in kept.items() if value not in (None, "")}


def _context(
    request: HttpRequest,
    membership: Membership,
    form: CockpitForm,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    cleaned = form.cleaned_data
    live = poller(Topic(Kind.MASTER, membership.master_id), request)  # before the rows
    show = data.Show(cleaned.get("show") or data.Show.ALL)
    order = data.Order(cleaned.get("order") or data.Order.ATTENTION)
    search = cleaned.get("q") or ""
    page = data.cockpit_page(
        membership,
        show=show,
        order=order,
        search=search,
        page=cleaned.get("page") or 1,
        shown=cleaned.get("shown"),
    )
    query = _query(form)
    query.pop("page", None)
    if page.number > 1:
        query["page"] = str(page.number)

    def link(**changes: Any) -> str:
        merged = {**query, **{k: str(v) for k, v in changes.items()}}
        return f"{reverse('cockpit')}?{urlencode(merged)}"

    filters = [
        (shown, label, page.counts[shown], link(show=shown.value, page=1))
        for shown, label in (
            (data.Show.MINE, _("Needs me")),
            (data.Show.BOOKKEEPER, _("Needs the bookkeeper")),
            (data.Show.ALL, _("All companies")),
        )
    ]
    orders = [
        (data.Order.ATTENTION, _("Needs attention first")),
        (data.Order.NAME, _("Name")),
        (data.Order.KEY, _("Code")),
        (data.Order.PAYMENT_DATE, _("Latest payment date")),
    ]
    return {
        "page": page,
        "rows_html": render_rows(page.rows, can_act=membership.can_edit_payroll),
        "show": show,
        "order": order,
        "search": search,
        "filters": filters,
        "orders": orders,
        "back": f"{reverse('cockpit')}?{urlencode(query)}",
        "previous_url": link(page=page.number - 1) if page.has_previous else "",
        "next_url": link(page=page.number + 1) if page.has_next else "",
        "poll": data.poll_of({**query, "shown": page.shown}, live.topic.event),
        "live": live,
        "can_act": membership.can_edit_payroll,
        "can_authorize": membership.is_master_admin,
        **(extra or {}),
    }


def _bad_request(form: CockpitForm) -> HttpResponse:
    errors = [
        f"{form.fields[name].label if name in form.fields else name}: {error}"
        for name, messages_ in form.errors.items()
        for error in messages_
    ]
    return HttpResponseBadRequest("\n".join(errors), content_type="text/plain; charset=utf-8")


@member_required()
def cockpit(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The page (``part=table``: only the table, for the poll); bad parameters answer 400."""
    form = CockpitForm(request.GET)
    if not form.is_valid():
        return _bad_request(form)
    context = _context(request, membership, form)
    if form.cleaned_data.get("part") == "table":
        return render(request, "payroll/_cockpit_table.html", context)
    return render(request, "payroll/cockpit.html", context)


@require_POST
@member_required()
def act(request: HttpRequest, membership: Membership) -> HttpResponse:
    """A bulk action on the selected companies: ``send``, ``retry``, ``check`` (payroll and
    master administrators), ``authorize`` (master administrators: the links to Visma)."""
    if not membership.can_edit_payroll:
        raise PermissionDenied("Viewers cannot send journals.")
    visible = payroll.companies_for(membership).select_related("visma_account")
    form = CockpitActionForm(visible, request.POST)
    back = request.POST.get("back", "")
    if not back.startswith(reverse("cockpit")):
        back = reverse("cockpit")
    extra: dict[str, Any] = {}
    status = 200
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        status = 400
    else:
        extra = _run_action(request, membership, form)
    if request.headers.get("HX-Request"):
        shown = {"shown": request.POST.get("shown", "")}
        listing = CockpitForm({**_back_query(back), **shown})
        if not listing.is_valid():
            listing = CockpitForm({})
            listing.is_valid()
        context = _context(request, membership, listing, {**extra, "feedback_oob": True})
        return render(request, "payroll/_cockpit_table.html", context, status=status)
    if status == 400 or "reauthorize" in extra or "checked" in extra:
        listing = CockpitForm(_back_query(back))
        if not listing.is_valid():
            listing = CockpitForm({})
            listing.is_valid()
        return render(
            request,
            "payroll/cockpit.html",
            _context(request, membership, listing, extra),
            status=status,
        )
    return redirect(back)


def _back_query(back: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(back).query))


def _run_action(
    request: HttpRequest, membership: Membership, form: CockpitActionForm
) -> dict[str, Any]:
    action = form.cleaned_data["action"]
    companies = list(form.cleaned_data["companies"])
    if action == "send":
        announce_queued(request, data.send_companies(companies))
        return {}
    if action == "retry":
        count = data.retry_companies(companies)
        messages.success(
            request,
            ngettext(
                "%(count)s journal queued for Visma again.",
                "%(count)s journals queued for Visma again.",
                count,
            )
            % {"count": count},
        )
        return {}
    if action == "check":
        return {"checked": data.check_companies(companies)}
    if not membership.is_master_admin:
        raise PermissionDenied("Only master administrators authorize Visma accounts.")
    links = data.reauthorizations(companies)
    if not links:
        messages.info(request, _("None of the selected companies waits for a new authorization."))
    return {"reauthorize": links}
