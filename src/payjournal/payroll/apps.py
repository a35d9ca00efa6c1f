"""Django app config of :mod:`payjournal.payroll`."""

from django.apps import AppConfig


class PayrollConfig(AppConfig):
    name = "payjournal.payroll"
    label = "payroll"
    verbose_name = "Payroll"
