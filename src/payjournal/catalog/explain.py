"""``explain``: the one call that turns any failure into what a user reads, in a language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import translation

from payjournal.catalog.model import Entry, LinkKind
from payjournal.catalog.registry import ENTRIES, Subject, resolve
from payjournal.visma import FieldError, ValidationFailedError

__all__ = ["Explanation", "ExplanationLink", "explain", "explain_all"]


@dataclass(frozen=True, slots=True)
class ExplanationLink:
    """Where to act: ``kind`` "payjournal" (``url`` when it resolves) or "visma" (a menu);
    ``admin_only``: a page only master administrators may open (others read where it is)."""

    kind: str
    target: str
    label: str
    url: str | None
    admin_only: bool = False


@dataclass(frozen=True, slots=True)
class Explanation:
    """What happened, why, what to do and who acts — plain strings in one language.

    ``code`` is stable (API clients key on it); ``original`` is the untranslated text Visma (or
    the domain) gave, ``details`` Visma's per-field messages, both for support.
    """

    code: str
    language: str
    message: str
    cause: str
    solution: str
    who: str
    who_label: str
    link: ExplanationLink
    original: str = ""
    visma_error_code: int | None = None
    details: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The API form: JSON-ready, stable keys."""
        data = asdict(self)
        data["details"] = list(self.details)
        return data


def _link(entry: Entry, ids: Mapping[str, int], here: str | None) -> ExplanationLink:
    """Where to act: a payjournal page's URL when its ids are known and it is not ``here``
    (the page the user is on); a Visma menu has no URL, its label is the path."""
    link = entry.link
    url = None
    if link.kind is LinkKind.PAYJOURNAL and all(name in ids for name in link.needs):
        try:
            url = reverse(link.target, kwargs={name: ids[name] for name in link.needs})
        except NoReverseMatch:
            url = None
        if url is not None and url == here:
            url = None
    return ExplanationLink(link.kind.value, link.target, str(link.label), url, link.admin_only)


def _details(subject: Subject) -> tuple[str, ...]:
    if isinstance(subject, ValidationFailedError):
        return tuple(_field_text(f) for f in subject.field_errors)
    return ()


def _field_text(field: FieldError) -> str:
    return f"{field.field}: {field.message}" if field.field else field.message


def explain(
    subject: Subject,
    language: str | None = None,
    *,
    ids: Mapping[str, int] | None = None,
    here: str | None = None,
) -> Explanation:
    """Explain a client exception, a client ``.code``, a domain ``Problem``/``ProblemCode``
    or an app code (``wrong_company``, ``not_authorized`` …) in ``language`` (default: the
    active one). ``ids`` (``company_id``, ``run_pk``) let the link reach pages that need them;
    ``here`` is the path of the page that shows the explanation: it is never linked to.

    Raises :class:`~payjournal.catalog.registry.UnknownErrorCodeError` for a string the catalog
    does not know; an unknown exception becomes ``internal_error``.
    """
    code, original = resolve(subject)
    entry = ENTRIES[code]
    language = language or translation.get_language() or "en"
    with translation.override(language):
        return Explanation(
            code=entry.code,
            language=language,
            message=str(entry.message),
            cause=str(entry.cause),
            solution=str(entry.solution),
            who=entry.who.value,
            who_label=str(entry.who.label),
            link=_link(entry, ids or {}, here),
            original=original or entry.original,
            visma_error_code=entry.visma_error_code,
            details=_details(subject),
        )


def explain_all(language: str | None = None) -> list[Explanation]:
    """Every entry, in catalog order (for the CLI listing and the docs)."""
    return [explain(code, language) for code in ENTRIES]
