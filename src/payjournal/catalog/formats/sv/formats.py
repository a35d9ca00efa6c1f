"""Swedish as a Swedish payroll office writes it: 2026-11-26, 1 234,56 kr."""

DATE_INPUT_FORMATS = ["%Y-%m-%d"]
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\u202f"
