"""Benchmarks behind ``payjournal bench …``: they print figures and never assert on time."""
