"""Sending journals to Visma exactly once: the outbox (submissions), the send step, services."""
