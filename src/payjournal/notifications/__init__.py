"""Notifications: the events a payroll bureau must hear about, by e-mail and signed webhooks.

One entry point, :func:`payjournal.notifications.service.notify`, called where the event
happens (a leg turns *needs action* or *sent*, the daily checks find drift or a missing fiscal
year, an account needs re-authorization). It writes, in the caller's transaction, one
:class:`~.models.Notice` per person who wants the event and one
:class:`~.models.WebhookDelivery` per enabled endpoint of the master; after the commit the
durable job engine delivers them (:mod:`.workflows`). See ``docs/notifications.md``.
"""
