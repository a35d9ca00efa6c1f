"""Log lines carry the structured fields given in ``extra``."""

from __future__ import annotations

import logging
import sys

from payjournal.site.logformat import FieldsFormatter


def record(message: str, **extra: object) -> logging.LogRecord:
    made = logging.getLogger("payjournal.visma").makeRecord(
        "payjournal.visma", logging.INFO, __file__, 1, message, None, None, extra=extra
    )
    return made


def test_the_fields_follow_the_message() -> None:
    line = FieldsFormatter().format(
        record("visma request", event="visma.request", endpoint="POST /v2/vouchers", status=201)
    )
    assert line.endswith(
        "INFO    payjournal.visma: visma request "
        "event=visma.request endpoint=POST /v2/vouchers status=201"
    )


def test_a_record_without_fields_is_the_message_alone() -> None:
    assert (
        FieldsFormatter().format(record("daily checks")).endswith("payjournal.visma: daily checks")
    )


def test_a_traceback_stays_below_the_fields() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        failed = record("send failed", submission="s-1")
        failed.exc_info = sys.exc_info()
    first, *rest = FieldsFormatter().format(failed).splitlines()
    assert first.endswith("send failed submission=s-1")
    assert rest[0].startswith("Traceback") and rest[-1] == "RuntimeError: boom"
