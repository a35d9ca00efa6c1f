"""Django's SQLite backend with transactions queued in the process (see :mod:`.base`)."""
