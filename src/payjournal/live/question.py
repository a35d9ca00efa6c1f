"""The question a poller asks: has the stamp of my topic moved on since ``seen``?

Every open tab asks it every second, so it is answered here, by a middleware placed before the
session, authentication and language middleware, doing the least it can: check the ticket's
signature (:class:`~payjournal.live.stamps.Ticket`: the page that rendered the poller checked
that the member may see the topic) and that the browser still holds the session cookie the page
was rendered in, then read the stamp by its primary key — no session, user or membership is
loaded. While the stamp is unchanged the answer is a ``204`` with no body and no template; a
changed stamp answers the poller again with the new stamp and ``HX-Trigger: live-<kind>``, the
event the page's fragments listen to. The fragments themselves are fetched through the whole
stack, with every check of their pages.

A tab whose browser no longer holds that session cookie (signed out, expired, signed in again)
or whose ticket is forged or older than a session gets ``286``, htmx's "stop polling"; a
``seen`` that is no count is a 400. Not checked per question, as a page would, so a tab learns
*that* its topic changed — nothing more — until its ticket expires with the session's age: a
role or an assignment taken away since the page was rendered, and a session ended on the server
while the browser keeps its cookie (deleted by an operator, a password changed elsewhere). The
fragment the tab then fetches goes through every check of its page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.utils.crypto import constant_time_compare

from payjournal.live.stamps import (
    QUESTION_PATH,
    Kind,
    Poller,
    Ticket,
    Topic,
    read,
    session_hash,
)

__all__ = ["LiveQuestionMiddleware", "answer"]

#: htmx stops a poller that is answered with this status.
STOP_POLLING = 286
#: The largest stamp a database stores (a 64-bit counter).
MAX_SEEN = 2**63 - 1


class LiveQuestionMiddleware:
    """Answers :data:`~payjournal.live.stamps.QUESTION_PATH`; passes every other request on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != QUESTION_PATH:
            return self.get_response(request)
        return answer(request)


def answer(request: HttpRequest) -> HttpResponse:
    """The answer to one question (see the module)."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    text = request.GET.get("seen", "")
    if not (text.isascii() and text.isdigit() and int(text) <= MAX_SEEN):
        return HttpResponseBadRequest(
            "seen: a whole number of changes is needed.", content_type="text/plain; charset=utf-8"
        )
    try:
        ticket = Ticket.unsign(request.GET.get("ticket", ""), settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:
        return HttpResponse(status=STOP_POLLING)
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if not session_key or not constant_time_compare(session_hash(session_key), ticket.session):
        return HttpResponse(status=STOP_POLLING)
    now = read(ticket.topic)
    if now == int(text):
        return HttpResponse(status=204)
    kind, _, key = ticket.topic.partition(":")
    topic = Topic(Kind(kind), int(key))
    again = Poller(topic, now, f"{QUESTION_PATH}?ticket={request.GET['ticket']}&seen={now}")
    response = HttpResponse(render_to_string("live/_poller.html", {"poller": again}))
    response["HX-Trigger"] = ticket.event
    return response
