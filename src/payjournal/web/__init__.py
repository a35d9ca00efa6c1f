"""The shell of the web app: base layout, home page, static files (vendored htmx, CSS)."""
