"""Reading the change stamps, and the poller a page includes to follow them.

A page that shows runs or accounts renders ``{% include "live/_poller.html" %}`` with
``poller`` = :func:`poller` of its topic, built *before* it reads what it shows (a change in
between then counts as not yet seen), and lets each fragment that shows the topic listen to the
poller's event::

    <div hx-get="…the fragment…" hx-trigger="live-accounts from:body">

The poller asks :data:`QUESTION_PATH` every :data:`EVERY_S` second (and at once when the tab
becomes visible again), answered by :mod:`payjournal.live.question`. Its ``ticket`` is signed: the
page that rendered it checked that the member may see the topic, and the ticket names the topic
and the session, so the question needs no more than the session cookie and the stamp. A page watches one
topic per poller; a page that watches several includes several.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from django.core import signing
from django.db import connection
from django.db.models import CharField, Func, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from payjournal.live.models import LiveStamp

__all__ = [
    "EVERY_S",
    "QUESTION_PATH",
    "Kind",
    "Poller",
    "Topic",
    "company_stamp",
    "poller",
    "read",
    "read_companies",
]

#: Seconds between two questions of a poller: a change shows in every tab within about this
#: plus the time to fetch the fragment that shows it.
EVERY_S = 1
#: Where pollers ask (answered before the rest of the site's middleware).
QUESTION_PATH = "/live/"
#: The signing salt of tickets: a ticket is no other signed value of the site.
TICKET_SALT = "payjournal.live.ticket"


class Kind(StrEnum):
    """What a topic counts: a payroll company's runs and legs, a master's Visma accounts, or
    everything of a master that its cockpit shows (the runs and legs of every company of the
    master, and its accounts)."""

    COMPANY = "company"
    ACCOUNTS = "accounts"
    MASTER = "master"


@dataclass(frozen=True, slots=True)
class Topic:
    """``company:<company id>``, ``accounts:<master id>`` or ``master:<master id>`` (the key of its
    :class:`~payjournal.live.models.LiveStamp`)."""

    kind: Kind
    key: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"

    @property
    def event(self) -> str:
        """The event a changed stamp triggers on the page (``live-company``)."""
        return f"live-{self.kind}"


@dataclass(frozen=True, slots=True)
class Poller:
    """What ``live/_poller.html`` renders: the question to ask, and how often."""

    topic: Topic
    seen: int
    url: str
    every_s: int = EVERY_S


@dataclass(frozen=True, slots=True)
class Ticket:
    """What a poller's signed ticket says: the topic, its event, and the session the page was
    rendered in (a keyed hash of the session key: the key itself never leaves the cookie)."""

    topic: str
    event: str
    session: str

    def sign(self) -> str:
        return signing.dumps([self.topic, self.event, self.session], salt=TICKET_SALT)

    @classmethod
    def unsign(cls, text: str, max_age_s: int) -> Ticket:
        """The ticket of ``text``; ``signing.BadSignature`` when it is forged or older than
        ``max_age_s`` (the session's age: a page older than that is signed out anyway)."""
        topic, event, session = signing.loads(text, salt=TICKET_SALT, max_age=max_age_s)
        return cls(str(topic), str(event), str(session))


def session_hash(session_key: str) -> str:
    """The keyed hash of a session key that a ticket carries."""
    return salted_hmac(TICKET_SALT, session_key, algorithm="sha256").hexdigest()[:32]


def read(topic: Topic | str) -> int:
    """The topic's stamp now: how many changes its rows have seen (0 before the first). One
    primary-key read in SQL: it is asked every second by every open tab, and the ORM's query
    compilation would cost more than the read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT counter FROM live_livestamp WHERE topic = %s", [str(topic)])
        found = cursor.fetchone()
    return int(found[0]) if found else 0


def read_companies(company_ids: Iterable[int]) -> dict[int, int]:
    """The ``company:<id>`` stamp of each of ``company_ids`` (0 before its first change), in one
    query."""
    wanted = {str(Topic(Kind.COMPANY, pk)): pk for pk in company_ids}
    found = dict.fromkeys(wanted.values(), 0)
    rows = LiveStamp.objects.filter(topic__in=list(wanted)).values_list("topic", "counter")
    for topic, counter in rows:
        found[wanted[topic]] = counter
    return found


def company_stamp(company: str = "pk") -> Func:
    """The ``company:<id>`` stamp of the company whose id is the outer query's ``company`` field,
    as an expression (0 before its first change): a query over companies compares it with what
    it stored of them in the same statement."""
    topic = Concat(Value(f"{Kind.COMPANY}:"), Cast(OuterRef(company), CharField()))
    counter = LiveStamp.objects.filter(topic=topic).values("counter")[:1]
    return Coalesce(Subquery(counter), Value(0))


def poller(topic: Topic, request: HttpRequest, seen: int | None = None) -> Poller:
    """The poller of ``topic`` for the session of ``request`` (whose member may see it: the
    caller checked), having seen ``seen`` (default: the stamp now)."""
    seen = read(topic) if seen is None else seen
    ticket = Ticket(str(topic), topic.event, session_hash(request.session.session_key or ""))
    query = urlencode({"ticket": ticket.sign(), "seen": seen})
    return Poller(topic, seen, f"{QUESTION_PATH}?{query}")
