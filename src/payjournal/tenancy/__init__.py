"""Tenancy: masters (the tenants), their users and roles, login and the scoping helpers.

Every object of the app belongs to a :class:`~payjournal.tenancy.models.Master`; views reach
objects only through :mod:`payjournal.tenancy.access`, so another tenant's id answers 404.
"""
