"""The change stamps: one counter per topic, written only by the database's triggers
(``migrations/0001_initial.py``)."""

from __future__ import annotations

from django.db import models


class LiveStamp(models.Model):
    """How often something of ``topic`` changed: ``company:<id>`` counts every insert or update
    of the company's runs and legs, ``accounts:<master id>`` every change of a master's Visma
    accounts (added, deleted, renamed, its status or Visma company). Counters only grow, so the
    sum of a master's counters moves on whenever one of them does."""

    topic = models.CharField(max_length=40, primary_key=True)
    # No foreign key: a trigger may bump the stamp of a master while Django deletes it.
    master_id = models.BigIntegerField(db_index=True)
    counter = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.topic}={self.counter}"
