"""payjournal: payroll journal entries to Visma eAccounting (eEkonomi), exactly once.

Layers (dependencies point inward, enforced by import-linter):

- ``payjournal.domain``   pure journal domain, stdlib only
- ``payjournal.visma``    self-contained Visma eAccounting API client
- ``payjournal.emulator`` a local stand-in for Visma eAccounting (identity server + API v2)
- ``payjournal.cli``      the ``payjournal`` command
"""

__version__ = "0.1.0"
