"""The pages of a payroll company, the top of the path a run travels.

A run arrives on its company's page (:mod:`.company`: the run import and the Journal Entries
Export dashlet), is sent, retried or withdrawn from the dashlet (:mod:`.actions`), and its
journal and story are on its own page (:mod:`.run`). Beside them: the company list
(:mod:`.companies`), the ledger scheme editor (:mod:`.scheme`), the Administrations tab
(:mod:`.administrations`) and the correction settings (:mod:`.corrections`). Every route under
``companies/`` is in :mod:`.urls`.

These pages compose the apps below them — the payroll records and the run import
(:mod:`payjournal.payroll.services`), the outbox and its dashlet (:mod:`payjournal.sending`),
the pre-flight (:mod:`payjournal.preflight`) — and nothing below imports them (the import
contract "Layers along the run" in ``pyproject.toml``).
"""
