"""The change stamps: one counter per topic, written only by the database's triggers
(:mod:`payjournal.live.triggers`)."""

from __future__ import annotations

from django.db import models


class LiveStamp(models.Model):
    """How often something of ``topic`` changed: ``company:<id>`` counts every insert or update
    of the company's runs and legs, every wage component first seen in its run files and every
    change of its name, code, ledger scheme or mapping, ``accounts:<master id>`` every change of a master's Visma
    accounts that the Accounts tab shows, ``master:<master id>`` both for every company and account
    of the master (the cockpit's one poller: a stamp bumped by the same triggers, so the question
    stays one primary-key read however many companies the master has). Counters only grow, so a sum of counters moves on
    whenever one of them does (a page that follows several companies)."""

    topic = models.CharField(max_length=40, primary_key=True)
    counter = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.topic}={self.counter}"
