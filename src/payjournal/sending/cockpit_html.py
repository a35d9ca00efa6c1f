"""The HTML of the cockpit's rows, written in Python like the dashlet's
(:mod:`payjournal.sending.dashlet_html`): a page of 50 companies through Django's template
engine costs more than the rest of the page, and the page must render within 150 ms at 10,000
companies (``payjournal bench pages``). Every value is escaped; the words are translated once
per render.

Markup per row (``tests/sending/test_cockpit.py`` and the browser test read it)::

    <tr id="company-<pk>" data-company="<code>" data-state="<latest run's status>">
      <td>[checkbox]</td> <td>name code</td> <td>latest run, period · payment date</td>
      <td class="visma"><span class="mark red|grey">status</span> voucher
        [<div class="needs-action">error title (n need action)</div>] [n on their way]</td>
      <td class="connection" data-connection="ok|<code>">mark account</td>
      <td class="scheme">unmapped components, drift</td> <td class="risk">next date, risk</td>
      <td class="who">who must act</td></tr>
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from payjournal.catalog.formats import Reading
from payjournal.sending.cockpit import CockpitRow
from payjournal.sending.dashlet_html import escape

__all__ = ["render_rows"]


def render_rows(rows: list[CockpitRow], *, can_act: bool) -> SafeString:
    """The ``<tr>`` of each row."""
    words = _Words()
    return mark_safe("".join(_row(row, words, can_act) for row in rows))  # noqa: S308 (escaped)


class _Words:
    def __init__(self) -> None:
        self.select = _("Select %(name)s")
        self.no_runs = escape(_("No processed runs yet."))
        self.ok = escape(_("OK"))
        self.not_checked = escape(_("(not checked today)"))
        self.reading = Reading()  # dates as the reader writes them: 26-11-2026 in Dutch

    @staticmethod
    def needing(count: int) -> str:
        return escape(
            ngettext("(%(count)s journal needs action)", "(%(count)s journals need action)", count)
            % {"count": count}
        )

    @staticmethod
    def moving(count: int) -> str:
        return escape(
            ngettext("%(count)s on its way", "%(count)s on their way", count) % {"count": count}
        )

    @staticmethod
    def unmapped(count: int) -> str:
        return escape(
            ngettext(
                "%(count)s wage component not mapped",
                "%(count)s wage components not mapped",
                count,
            )
            % {"count": count}
        )

    @staticmethod
    def drift(count: int) -> str:
        return escape(
            ngettext(
                "Drift: %(count)s account to fix in Visma",
                "Drift: %(count)s accounts to fix in Visma",
                count,
            )
            % {"count": count}
        )


def _row(row: CockpitRow, words: _Words, can_act: bool) -> str:
    pick = ""
    if can_act:
        label = escape(words.select % {"name": row.name})
        pick = (
            f'<input type="checkbox" name="companies" value="{row.pk}" id="pick-{row.pk}" '
            f'hx-preserve="true" aria-label="{label}">'
        )
    name = f'<a href="{row.href}" hx-boost="false">{escape(row.name)}</a> <span class="muted">{escape(row.key)}</span>'
    if row.run_key:
        paid = f" · {words.reading.day(row.paid)}" if row.paid else ""
        run = (
            f'<a href="{row.run_href}" hx-boost="false">{escape(row.run_key)}</a> '
            f'<span class="muted">{escape(row.period)}{paid}</span>'
        )
        mark = "red" if row.is_sent else "grey"
        visma = f'<span class="mark {mark}">{escape(row.status_label)}</span>'
        if row.voucher:
            visma += f' <span class="voucher">{escape(row.voucher)}</span>'
    else:
        run = f'<span class="muted">{words.no_runs}</span>'
        visma = ""
    if row.needs_action:
        visma += (
            f'<div class="needs-action"><span class="error-title">{escape(row.error_title)}'
            f"</span> {words.needing(row.needs_action)}</div>"
        )
    if row.moving:
        visma += f'<div class="muted moving">{words.moving(row.moving)}</div>'
    connection = (
        f'<span class="mark {"grey" if row.connection else "red"}">'
        f"{escape(row.connection_label)}</span>"
    )
    if row.account_name:
        connection += f' <span class="muted">{escape(row.account_name)}</span>'
    scheme = ""
    if row.unmapped:
        scheme += (
            f'<a href="{row.scheme_href}" hx-boost="false">{words.unmapped(len(row.unmapped))}'
            f'</a> <span class="muted">{escape(", ".join(row.unmapped))}</span>'
        )
    if row.drift:
        scheme += (
            f'<div><a href="{row.scheme_href}" hx-boost="false" class="drift">'
            f"{words.drift(row.drift)}</a></div>"
        )
    scheme = scheme or f'<span class="muted">{words.ok}</span>'
    if row.next_date is None:
        risk = '<span class="muted">—</span>'
    else:
        risk = words.reading.day(row.next_date)
        if row.risk:
            risk += f' <div class="alert-text">{escape(row.risk)}</div>'
        elif not row.checked and not row.connection:
            risk += f' <span class="muted">{words.not_checked}</span>'
    who = escape(", ".join(row.who)) if row.who else "—"
    return (
        f'<tr id="company-{row.pk}" data-company="{escape(row.key)}" data-state="{row.status}">'
        f'<td>{pick}</td><td>{name}</td><td>{run}</td><td class="visma">{visma}</td>'
        f'<td class="connection" data-connection="{row.connection or "ok"}">{connection}</td>'
        f'<td class="scheme">{scheme}</td><td class="risk">{risk}</td>'
        f'<td class="who">{who}</td></tr>'
    )
