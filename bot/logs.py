"""Logging set-up: plain or JSON lines, with secrets and personal data redacted."""

from __future__ import annotations

import logging
import re

import structlog

# A NIK (16 digits), an Indonesian phone number, a bot token: never in a log line.
_REDACTIONS = [
    (re.compile(r"\b\d{6}\d{10}\b"), "[NIK]"),
    (re.compile(r"(?:\+62|\b62|\b0)8\d{7,11}\b"), "[PHONE]"),
    (re.compile(r"(?<![\dA-Za-z])\d{6,12}:[A-Za-z0-9_-]{20,}"), "[TOKEN]"),
    (re.compile(r"/bot\d+:[^/\s]+"), "/bot[TOKEN]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites every record's message with personal data and tokens removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        processor=renderer,
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ],
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL, and a Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # PTB's debug lines carry whole requests and answers (workers' messages): never below INFO.
    logging.getLogger("telegram").setLevel(max(root.level, logging.INFO))
