"""The e-mails: one per event for those who want it at once, one digest per person a day.

Mail goes through Django's mail framework (the ``EMAIL_*`` settings of
:mod:`payjournal.site.mail`: SMTP, the demo's local catcher), written in the recipient's
language. A mail names the company, what happened and where to act; it carries no payroll
amounts and no personal data of employees. Nothing of a mail is logged.

A digest claims the person's waiting notices (``pending`` → ``sent``) before it sends, so two
digest runs at once never mail one notice twice; a mail that fails puts them back.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from payjournal.notifications.events import EventKind
from payjournal.notifications.models import Notice, NoticeState
from payjournal.notifications.preferences import choice_of
from payjournal.site.mail import NOTHING

__all__ = ["DigestSummary", "MailNotSetUpError", "mail_is_set_up", "send_digests", "send_notice"]

log = logging.getLogger("payjournal.notifications")


def _link(path: str) -> str:
    base = (settings.PAYJOURNAL_PUBLIC_URL or "").rstrip("/")
    return f"{base}{path}" if path else base


@dataclass(frozen=True)
class _Line:
    company: str
    subject: str
    code: str
    link: str


def _lines(notices: Sequence[Notice]) -> list[tuple[str, list[_Line]]]:
    grouped: dict[str, list[_Line]] = defaultdict(list)
    for notice in notices:
        grouped[notice.kind].append(
            _Line(notice.company_name, notice.subject, notice.code, _link(notice.path))
        )
    return [(str(kind.label), grouped[kind.value]) for kind in EventKind if kind.value in grouped]


class MailNotSetUpError(RuntimeError):
    """No SMTP server is configured (``PAYJOURNAL_SMTP_HOST``): notices wait, unsent."""


def mail_is_set_up() -> bool:
    """Whether mail leaves this process (SMTP, or the mail directory), not Django's dummy."""
    return bool(settings.EMAIL_BACKEND != NOTHING)


def _send(to: str, subject: str, body: str) -> None:
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to]).send()


def send_notice(notice_id: str) -> bool:
    """Mail one notice at once; ``False`` when it was already sent (or is not for now).
    :class:`MailNotSetUpError` without mail settings (the notice keeps waiting)."""
    if not mail_is_set_up():
        raise MailNotSetUpError("no mail settings (PAYJOURNAL_SMTP_HOST)")
    claimed = Notice.objects.filter(pk=notice_id, state=NoticeState.PENDING, digest=False).update(
        state=NoticeState.SENT, sent_at=timezone.now()
    )
    if not claimed:
        return False
    notice = Notice.objects.select_related("user__membership").get(pk=notice_id)
    try:
        with translation.override(choice_of(notice.user).language):
            kind = EventKind(notice.kind)
            subject = _("payjournal: %(event)s — %(company)s") % {
                "event": kind.label,
                "company": notice.company_name or notice.subject,
            }
            body = render_to_string(
                "notifications/mail_notice.txt",
                {"groups": _lines([notice]), "name": notice.user.get_username()},
            )
        _send(notice.user.email, subject, body)
    except Exception:
        Notice.objects.filter(pk=notice_id).update(state=NoticeState.PENDING, sent_at=None)
        raise
    return True


@dataclass(frozen=True, slots=True)
class DigestSummary:
    """How a digest run went: mails sent, the notices in them, mails that failed."""

    mails: int
    notices: int
    failed: int


def send_digests() -> DigestSummary:
    """One mail per person with waiting digest notices, every notice of theirs in it.
    :class:`MailNotSetUpError` without mail settings (nothing is claimed)."""
    if not mail_is_set_up():
        raise MailNotSetUpError("no mail settings (PAYJOURNAL_SMTP_HOST)")
    waiting = (
        Notice.objects.filter(state=NoticeState.PENDING, digest=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    users = get_user_model()._default_manager.select_related("membership")
    mails = notices = failed = 0
    for user in users.filter(pk__in=list(waiting)).order_by("pk"):
        with transaction.atomic():
            mine = list(
                Notice.objects.select_for_update()
                .filter(user=user, state=NoticeState.PENDING, digest=True)
                .order_by("created_at")
            )
            Notice.objects.filter(pk__in=[n.pk for n in mine]).update(
                state=NoticeState.SENT, sent_at=timezone.now()
            )
        if not mine:
            continue
        try:
            with translation.override(choice_of(user).language):
                subject = ngettext(
                    "payjournal: %(count)d event to look at",
                    "payjournal: %(count)d events to look at",
                    len(mine),
                ) % {"count": len(mine)}
                body = render_to_string(
                    "notifications/mail_digest.txt",
                    {"groups": _lines(mine), "name": user.get_username(), "count": len(mine)},
                )
            _send(user.email, subject, body)
        except Exception as exc:  # SMTP down: the notices wait for the next digest
            Notice.objects.filter(pk__in=[n.pk for n in mine]).update(
                state=NoticeState.PENDING, sent_at=None
            )
            failed += 1
            log.warning(
                "digest mail failed",
                extra={
                    "event": "notifications.digest_failed",
                    "user": user.pk,
                    "error": type(exc).__name__,
                },
            )
            continue
        mails += 1
        notices += len(mine)
    log.info(
        "digests sent",
        extra={"event": "notifications.digests", "mails": mails, "notices": notices},
    )
    return DigestSummary(mails, notices, failed)
