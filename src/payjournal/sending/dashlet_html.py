"""The HTML of one Journal Entries Export row, written in Python rather than a template.

The dashlet shows every run of a company — 1,000 and more — and Django's template engine costs
about 0.1 ms per row of this size (some 17 variables and conditions), which alone breaks the page
budget of 150 ms (``payjournal bench pages``). Here a row is one f-string with every value
escaped (:func:`html.escape`, what Django's ``escape`` calls without its lazy-string wrapper),
many times cheaper; the words of the buttons are translated once per render (:class:`_Words`).
The same function renders the rows of the page and those a poll or an action swaps in out of
band, so they cannot drift apart.

Markup per row (``tests/sending/test_views.py`` and the browser tests read it)::

    <tr id="run-<first version pk>" data-run="<run id>" data-state="<status>">
      <td>[checkbox to select a run with something to send]</td> <td><a>run id</a></td>
      period kind latest-version payment-date total
      <td class="visma"><span class="mark grey|red">label</span> voucher · time | error title
        <ul class="legs"><li>v1 sent A3 · reversed by A9</li><li>v2 sent A10</li></ul>
        <details class="timeline" hx-get=".../timeline/">…</details></td>
      <td class="actions">Check [Send | Retry] [Withdraw]</td></tr>

Send and Withdraw post to the run; the answer is the row, or — for a correction, a withdrawn run
or a withdrawal — a dialog that says what will be posted or reversed and asks to confirm
(:mod:`payjournal.payroll.pages.actions`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape as _html_escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from payjournal.sending.dashlet import DashletRow
from payjournal.sending.run_story import status_labels

__all__ = ["render_row", "render_rows"]

_SPECIAL = re.compile(r"[&<>\"']").search


def escape(text: str) -> str:
    """:func:`html.escape`, looked for first: most values of a row (dates, numbers, run ids)
    have nothing to escape, and one search is cheaper than the five replacements."""
    return _html_escape(text) if _SPECIAL(text) else text


@dataclass(frozen=True, slots=True)
class _Words:
    """The row's fixed words in the reader's language (translated once per render)."""

    check: str
    send: str
    retry: str
    withdraw: str
    timeline: str
    select: str
    labels: dict[str, str]

    @classmethod
    def now(cls) -> _Words:
        return cls(
            escape(_("Check")),
            escape(_("Send")),
            escape(_("Retry")),
            escape(_("Withdraw")),
            escape(_("Timeline")),
            _("Select %(run)s"),
            {status: escape(label) for status, label in status_labels().items()},
        )


def _visma_cell(row: DashletRow, words: _Words) -> str:
    mark = "red" if row.is_sent else "grey"
    state = f'<span class="mark {mark}">{words.labels[row.state]}</span>'
    if row.voucher:
        state += f' <span class="voucher">{escape(row.voucher)}</span>'
    if row.needs_action:
        state += (
            f' <span class="error-title" data-error="{escape(row.error_code)}">'
            f"{escape(row.error_title)}</span>"
        )
    lines = row.lines
    if lines:
        state += '<ul class="legs">' + "".join(f"<li>{escape(x)}</li>" for x in lines) + "</ul>"
    if row.has_legs:
        state += (
            f'<details class="timeline" hx-get="{row.href}timeline/" hx-trigger="toggle" '
            'hx-target="find .timeline-items" hx-swap="innerHTML">'
            f'<summary>{words.timeline}</summary><div class="timeline-items"></div></details>'
        )
    return f'<td class="visma">{state}</td>'


def _button(url: str, label: str) -> str:
    return (
        f' <button type="submit" formaction="{url}" hx-post="{url}" hx-swap="none">{label}</button>'
    )


def _actions_cell(row: DashletRow, company_pk: int, can_edit: bool, words: _Words) -> str:
    run_id = escape(row.run_id)
    cell = (
        f'<button type="button" hx-post="{row.href}check/" hx-target="#preflight" '
        f'hx-swap="innerHTML" data-check-run="{run_id}">{words.check}</button>'
    )
    if not can_edit:
        return f'<td class="actions">{cell}</td>'
    if row.can_send:
        cell += _button(f"{row.href}send/", words.send)
    elif row.needs_action:
        url = reverse("sending-retry", args=(company_pk, row.submission_id))
        cell += _button(url, words.retry)
    if not row.is_withdrawn:
        cell += _button(f"{row.href}withdraw/", words.withdraw)
    return f'<td class="actions">{cell}</td>'


def render_row(
    row: DashletRow,
    *,
    company_pk: int,
    can_edit: bool,
    oob: bool = False,
    words: _Words | None = None,
) -> str:
    """One ``<tr>``; ``oob`` marks it for an out-of-band swap (wrap it in ``<template>``)."""
    words = words or _Words.now()
    run_id = escape(row.run_id)
    select = (
        f'<input type="checkbox" name="runs" value="{row.run_pk}" '
        f'aria-label="{escape(words.select % {"run": row.run_id})}">'
        if can_edit and row.can_send
        else ""
    )
    swap = ' hx-swap-oob="true"' if oob else ""
    return (
        f'<tr id="run-{row.pk}" data-run="{run_id}" data-state="{row.state}"{swap}>'
        f'<td>{select}</td><td><a href="{row.href}">{run_id}</a></td>'
        f"<td>{escape(row.period)}</td><td>{escape(row.kind)}</td><td>v{row.version}</td>"
        f'<td>{escape(row.paid)}</td><td class="num">{escape(row.total)}</td>'
        f"{_visma_cell(row, words)}{_actions_cell(row, company_pk, can_edit, words)}</tr>"
    )


def render_rows(
    rows: list[DashletRow], *, company_pk: int, can_edit: bool, oob: bool = False
) -> SafeString:
    """Every row, joined; out of band each one is wrapped in ``<template>`` (htmx 2 needs it
    to parse a table row that stands alone in a response)."""
    words = _Words.now()
    parts = (
        render_row(r, company_pk=company_pk, can_edit=can_edit, oob=oob, words=words) for r in rows
    )
    if oob:
        parts = (f"<template>{part}</template>" for part in parts)
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped
