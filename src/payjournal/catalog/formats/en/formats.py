"""English as payjournal has always shown it: ISO dates, "1 234.56" (narrow no-break space)."""

DATE_INPUT_FORMATS = ["%Y-%m-%d"]
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = "\u202f"
