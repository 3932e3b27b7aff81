"""Logging set-up: plain or JSON lines, with secrets and personal data redacted.

Personal data never reaches a log line, tracebacks included:

- tracebacks are rendered plainly, **without local variables** (structlog's default console
  renderer prints every frame's locals when `rich` is installed: NIKs, names, phones);
- the *whole* rendered line (message, exception text, traceback, every structured field) is
  redacted, not only the message;
- SQLAlchemy is told to hide statement parameters (`storage.infra.db`), so a failed write's
  exception text holds the statement, not the row.
"""

from __future__ import annotations

import logging
import re

import structlog

# A NIK (16 digits), an Indonesian phone number, a bot token: never in a log line.
_REDACTIONS = [
    (re.compile(r"(?<!\d)\d{16}(?!\d)"), "[NIK]"),
    (
        re.compile(r"(?:\+62|(?<!\d)62|(?<!\d)0)[\s-]?8\d{2}[\s-]?\d{3,4}[\s-]?\d{3,5}(?!\d)"),
        "[PHONE]",
    ),
    (re.compile(r"(?<![\dA-Za-z])\d{6,12}:[A-Za-z0-9_-]{20,}"), "[TOKEN]"),
    (re.compile(r"/bot\d+:[^/\s]+"), "/bot[TOKEN]"),
]


def redact(text: str) -> str:
    """`text` with NIKs, phone numbers and bot tokens replaced by placeholders."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(structlog.stdlib.ProcessorFormatter):
    """structlog's formatter, with the finished line (traceback and fields too) redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    pre_chain: list[structlog.types.Processor] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    processors: list[structlog.types.Processor]
    if json:
        # The traceback as plain text (no frames' locals), in the `exception` field.
        processors = [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ]
    else:
        processors = [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            ),
        ]
    formatter = RedactingFormatter(processors=processors, foreign_pre_chain=pre_chain)
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL, and a Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # PTB's debug lines carry whole requests and answers (workers' messages): never below INFO.
    logging.getLogger("telegram").setLevel(max(root.level, logging.INFO))
