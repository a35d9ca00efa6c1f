"""Integrations → Visma eAccounting: named accounts, their OAuth connection and encrypted tokens.

* :mod:`.models` — ``VismaAccount`` (status, bound company, token ciphertext, refresh lease);
* :mod:`.crypto` — MultiFernet token encryption with the account id bound inside the plaintext;
* :mod:`.tokenstore` — the database-backed ``TokenStore`` (single-flight refresh by lease row);
* :mod:`.services` — create, authorize, complete, disconnect, rotate keys (views and CLI);
* :mod:`.identity` — the key of the Visma company a grant reaches (no Django: the checks use it);
* :mod:`.problems` — every flow error as what happened / why / what to do.

The Visma clients of the process are wired from Django settings in :mod:`payjournal.wiring`.
"""
