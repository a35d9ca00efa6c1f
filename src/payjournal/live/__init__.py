"""Live pages: every open tab learns within a second or two that a run or an account changed —
whether the change came from a click, another tab, the API or a worker process.

The database keeps a **change stamp** per topic (:class:`~payjournal.live.models.LiveStamp`): a
counter per payroll company (its runs and their legs) and per master (its Visma accounts),
bumped by database triggers in the same transaction as the change (SQLite and PostgreSQL alike,
so a change made by any process, through any code path, counts). A page includes a poller
(``live/_poller.html``, :func:`~payjournal.live.stamps.poller`) that asks every second whether
the stamp moved on; the answer is a ``204`` with no rendering while it did not, and otherwise the
poller with the new stamp and an ``HX-Trigger`` event (``live-company``, ``live-accounts``) that
the page's fragments listen to (``hx-trigger="live-company from:body"``) to fetch what they show.
Why a poll of a stamp and not Server-Sent Events: ``docs/web.md`` (*Live, in every tab*).
"""
