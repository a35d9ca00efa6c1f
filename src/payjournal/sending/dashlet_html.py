"""The HTML of one Journal Entries Export row, written in Python rather than a template.

The dashlet shows every run of a company — 1,000 and more — and Django's template engine costs
about 0.1 ms per row of this size (some 17 variables and conditions), which alone breaks the page
budget of 150 ms (``payjournal bench pages``). Here a row is one f-string with every value
escaped (:func:`html.escape`, what Django's ``escape`` calls without its lazy-string wrapper),
many times cheaper. The same function renders the rows
of the page and those a poll or a Send swaps in out of band, so they cannot drift apart.

Markup per row (``tests/sending/test_views.py`` and the browser test read it)::

    <tr id="run-<pk>" data-run="<run id>" data-state="<state>">
      <td>[checkbox to select an unsent run]</td> <td><a>run id</a></td> period kind version
      payment date total
      <td class="visma"><span class="mark grey|red">label</span> voucher · time | error title
        <details class="timeline" hx-get=".../timeline/">…</details></td>
      <td class="actions">Check [Send | Retry]</td></tr>
"""

from __future__ import annotations

from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from payjournal.sending.dashlet import DashletRow

__all__ = ["render_row", "render_rows"]


def _visma_cell(row: DashletRow) -> str:
    if row.is_sent:
        state = (
            f'<span class="mark red">Sent</span> <span class="voucher">{escape(row.voucher)}</span>'
        )
    else:
        state = f'<span class="mark grey">{escape(row.label)}</span>'
        if row.needs_action:
            state += (
                f' <span class="error-title" data-error="{escape(row.error_code)}">'
                f"{escape(row.error_title)}</span>"
            )
    if row.submission_id:
        state += (
            f'<details class="timeline" hx-get="{row.href}timeline/" hx-trigger="toggle" '
            'hx-target="find .timeline-items" hx-swap="innerHTML"><summary>Timeline</summary>'
            '<div class="timeline-items"></div></details>'
        )
    return f'<td class="visma">{state}</td>'


def _actions_cell(row: DashletRow, company_pk: int, can_edit: bool) -> str:
    run_id = escape(row.run_id)
    cell = (
        f'<button type="button" hx-post="{row.href}check/" hx-target="#preflight" '
        f'hx-swap="innerHTML" data-check-run="{run_id}">Check</button>'
    )
    if can_edit and row.state == "not_sent":
        url = f"{row.href}send/"
        cell += f' <button type="submit" formaction="{url}" hx-post="{url}" hx-swap="none">Send</button>'
    elif can_edit and row.needs_action:
        url = reverse("sending-retry", args=(company_pk, row.submission_id))
        cell += f' <button type="submit" formaction="{url}" hx-post="{url}" hx-swap="none">Retry</button>'
    return f'<td class="actions">{cell}</td>'


def render_row(row: DashletRow, *, company_pk: int, can_edit: bool, oob: bool = False) -> str:
    """One ``<tr>``; ``oob`` marks it for an out-of-band swap (wrap it in ``<template>``)."""
    run_id = escape(row.run_id)
    select = (
        f'<input type="checkbox" name="runs" value="{row.pk}" aria-label="Select {run_id}">'
        if can_edit and row.state == "not_sent"
        else ""
    )
    swap = ' hx-swap-oob="true"' if oob else ""
    return (
        f'<tr id="run-{row.pk}" data-run="{run_id}" data-state="{row.state}"{swap}>'
        f'<td>{select}</td><td><a href="{row.href}">{run_id}</a></td>'
        f"<td>{escape(row.period)}</td><td>{escape(row.kind)}</td><td>v{row.version}</td>"
        f'<td>{escape(row.paid)}</td><td class="num">{escape(row.total)}</td>'
        f"{_visma_cell(row)}{_actions_cell(row, company_pk, can_edit)}</tr>"
    )


def render_rows(
    rows: list[DashletRow], *, company_pk: int, can_edit: bool, oob: bool = False
) -> SafeString:
    """Every row, joined; out of band each one is wrapped in ``<template>`` (htmx 2 needs it
    to parse a table row that stands alone in a response)."""
    parts = (render_row(r, company_pk=company_pk, can_edit=can_edit, oob=oob) for r in rows)
    if oob:
        parts = (f"<template>{part}</template>" for part in parts)
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped
