"""Payroll companies, imported runs (versioned) and their frozen journal snapshots.

Amounts are stored as integer minor units (cents, öre); a snapshot is written once from the
domain's :class:`~payjournal.domain.journal.Journal` and never recomputed.
"""
