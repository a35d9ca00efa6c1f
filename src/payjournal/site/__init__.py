"""The Django project: settings projected from :class:`payjournal.config.Settings`, urls, ASGI."""
