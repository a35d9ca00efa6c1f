"""The pure journal domain: money, payroll runs, ledger schemes, journals. Stdlib only."""
