"""Dutch as a Dutch payroll office writes it: 26-11-2026, € 1.234,56."""

DATE_INPUT_FORMATS = ["%d-%m-%Y", "%Y-%m-%d"]
SHORT_DATE_FORMAT = "d-m-Y"
SHORT_DATETIME_FORMAT = "d-m-Y H:i"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
