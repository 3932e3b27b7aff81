"""A worker's conversation state: plain data, stored by the host as JSON."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import orjson

from domain.i18n import DEFAULT_LANGUAGE


@dataclass
class Session:
    """Where a worker is in a flow and what they have answered so far."""

    lang: str = DEFAULT_LANGUAGE
    flow: str | None = None
    step: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    back: list[str] = field(default_factory=list)
    return_to: str | None = None
    page: int = 0
    key: str = ""
    lang_chosen: bool = False
    opted_out: bool = False
    gender: str | None = None
    # Answers carried into a flow from an earlier one (the eligibility check): not asked again.
    prefilled: list[str] = field(default_factory=list)
    # The last free-text question, kept so that it can be sent to an official with one tap.
    question: str | None = None
    # What the last submission said, and the button that sent it: pressing that button again
    # (a double tap) repeats the answer instead of storing anything twice.
    receipt: dict[str, str] | None = None

    def start(self, flow: str, step: str) -> None:
        self.flow, self.step = flow, step
        self.receipt = None
        self.answers, self.back, self.return_to, self.page = {}, [], None, 0
        self.prefilled = []
        self.key = secrets.token_urlsafe(12)
        self.seq += 1

    def end(self) -> None:
        self.flow = self.step = self.return_to = None
        self.answers, self.back, self.page, self.prefilled = {}, [], 0, []
        self.seq += 1

    def to_dict(self) -> dict[str, Any]:
        """A deep copy as plain JSON data (orjson serialises dataclasses natively)."""
        data: dict[str, Any] = orjson.loads(orjson.dumps(self))
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Session:
        if not data:
            return cls()
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)
