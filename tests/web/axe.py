"""axe-core's WCAG 2.1 AA audit of the page a browser tab shows (:func:`violations`).

axe-core is vendored under ``tests/web/vendor`` (a test tool, not part of the product's static
files; its README says which version and where from). It is evaluated in the page rather than
added as a ``<script>`` tag, so the page's strict CSP stays on and the audit sees exactly what a
user sees.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: The rules of WCAG 2.1 levels A and AA (axe-core's tags).
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def violations(tab: Page) -> list[str]:
    """Each WCAG 2.1 AA violation on ``tab``'s page: rule, what it asks, and the elements."""
    if not tab.evaluate("typeof window.axe !== 'undefined'"):
        tab.evaluate(_axe_source())
    found = tab.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id,
                help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " — " + n.failureSummary),
            }));
        }""",
        WCAG_21_AA,
    )
    return [
        f"{v['id']} ({v['help']}): " + " | ".join(node.replace("\n", " ") for node in v["nodes"])
        for v in found
    ]
