"""``{% explain code as explanation %}``: the catalog's explanation in the active language."""

from __future__ import annotations

from django import template

from payjournal.catalog.explain import Explanation
from payjournal.catalog.explain import explain as explain_code

register = template.Library()


@register.simple_tag
def explain(code: str) -> Explanation:
    """What ``code`` means, why, what to do and who acts, in the request's language."""
    return explain_code(code)
