"""The error catalog: every failure payjournal can meet, with cause, solution, who acts and
where, in the user's language (English, Dutch, Swedish through Django's i18n).

One call for every entry point::

    from payjournal import catalog
    text = catalog.explain(error_or_code, "nl")   # -> Explanation
    text.message, text.cause, text.solution, text.who_label, text.link.label
    text.as_dict()                                # the API form: stable ``code`` + texts

``explain`` accepts a Visma client exception, a client ``.code``, a domain ``Problem`` or
``ProblemCode``, or an app code (``wrong_company``, ``not_authorized`` …). The texts live in
:mod:`.entries_visma`, :mod:`.entries_app` and :mod:`.entries_domain`; translations in
``catalog/locale/<lang>/LC_MESSAGES/django.po`` (compiled by :mod:`.messages`).
"""

from payjournal.catalog.explain import Explanation, ExplanationLink, explain, explain_all
from payjournal.catalog.model import Entry, Link, LinkKind, Who
from payjournal.catalog.registry import ALIASES, ENTRIES, UnknownErrorCodeError, entry_for, resolve

__all__ = [
    "ALIASES",
    "ENTRIES",
    "Entry",
    "Explanation",
    "ExplanationLink",
    "Link",
    "LinkKind",
    "UnknownErrorCodeError",
    "Who",
    "entry_for",
    "explain",
    "explain_all",
    "resolve",
]
