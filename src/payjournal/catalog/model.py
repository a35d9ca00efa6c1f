"""The shape of a catalog entry: who must act, where, and the three sentences a user reads."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = ["Entry", "Link", "LinkKind", "Who"]


class Who(enum.Enum):
    """Who has to do something about an error; the label is translated."""

    PAYROLL_ADMIN = "payroll_admin"
    BOOKKEEPER = "bookkeeper"
    MASTER_ADMIN = "master_admin"
    NOBODY = "nobody"

    @property
    def label(self) -> Promise:
        return _WHO_LABELS[self]


_WHO_LABELS: dict[Who, Promise] = {
    Who.PAYROLL_ADMIN: _("Payroll administrator (in payjournal)"),
    Who.BOOKKEEPER: _("Bookkeeper (in Visma eAccounting)"),
    Who.MASTER_ADMIN: _("Master administrator (payjournal integrations and Visma settings)"),
    Who.NOBODY: _("Nobody: payjournal handles it by itself"),
}


class LinkKind(enum.Enum):
    """A place in payjournal (a URL name) or a place in Visma eAccounting (a menu path)."""

    PAYJOURNAL = "payjournal"
    VISMA = "visma"


@dataclass(frozen=True, slots=True)
class Link:
    """Where to act. ``target`` is a payjournal URL name or Visma's menu path (translated);
    ``needs`` names the ids a payjournal page's URL takes (``company_id``, ``run_pk``);
    ``admin_only`` marks a page only master administrators may open (the Integrations tabs)."""

    kind: LinkKind
    target: str
    label: Promise
    needs: tuple[str, ...] = ()
    admin_only: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    """One failure payjournal can meet.

    ``original`` is Visma's (or the seed integration's) wording where there is one, untranslated:
    it is what a user may find in a log or a support thread. ``also_seen`` lists other known
    wordings of the same failure (used to recognise it from text alone).
    """

    code: str
    who: Who
    link: Link
    message: Promise
    cause: Promise
    solution: Promise
    original: str = ""
    visma_error_code: int | None = None
    also_seen: tuple[str, ...] = ()
