"""The registration walk up to the summary, as data: one definition, replayed three ways.

The e2e tests (`tests.e2e.test_registration.register_until_summary`) and the benchmarks
(`bench.webhook.Chat.until_summary`) send these actions through the webhook, each with its own
NIK and phone number; `tests/golden/registration.yaml` is the same walk against the engine
alone, with what the bot answers at each step (tests/golden checks that the two agree).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NIK = "3604011205800001"  # 12 May 1980, male; issued in Kabupaten Serang
PHONE = "6281234567890"

ActionKind = Literal["command", "text", "press", "contact"]


@dataclass(frozen=True)
class Action:
    """One thing the worker does: a command, a message, a button (by label), their contact."""

    step: str
    """A short name for the step (the benchmarks' latency bucket, error messages)."""
    kind: ActionKind
    value: str


def registration_until_summary(nik: str = NIK, phone: str = PHONE) -> tuple[Action, ...]:
    """From /start to the summary of a guru ngaji in Kabupaten Serang with an heir."""
    return (
        Action("start", "command", "/start"),
        Action("daftar", "press", "Daftar"),
        Action("name", "text", "Ahmad Fauzi"),
        Action("nik", "text", nik),
        Action("betul", "press", "Betul"),
        Action("contact", "contact", phone),
        Action("occupation", "press", "Guru ngaji"),
        Action("regency", "press", "Kabupaten Serang"),
        Action("district", "text", "cikande"),
        Action("village", "press", "Bakung"),
        Action("income", "press", "Rp1.500.000"),
        Action("heir", "text", "Siti Aminah"),
        Action("relation", "press", "Suami/istri"),
        Action("consent", "press", "Saya setuju"),
    )
