"""Request and response bodies of the questions inbox in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

QuestionState = Literal["open", "answered"]
Delivery = Literal["pending", "sent", "failed"]

# Every whitespace character Python's str.strip() removes (control characters are refused
# anyway), spelled out so the schema's regex and the server's agree on what is blank.
_BLANK = " \t\n\r\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ALLOWED = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
# No control characters but tab and line breaks, and at least one character that is not blank.
ANSWER_PATTERN = rf"^{_ALLOWED}*[^{_BLANK}\x00-\x1f\x7f]{_ALLOWED}*$"


def _stripped(value: str) -> str:
    return value.strip()


class QuestionOut(BaseModel):
    """A worker's question as officials see it (the texts decrypted)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str = Field(description="The number the worker was given, like T-7Q4K.")
    state: QuestionState
    text: str = Field(description="The worker's question, as they typed it.")
    language: Literal["id", "en"] = Field(description="The worker's language.")
    topic: str | None = Field(description="The information topic the bot guessed, if any.")
    region: str | None = Field(
        description="Kemendagri code of the worker's village, from their latest registration; "
        "null when they have not registered."
    )
    regency: str | None = Field(description="Kemendagri code of the regency or city.")
    created_at: datetime
    answered_at: datetime | None
    answered_by: str | None = Field(description="Username of the official who answered.")
    answer: str | None
    delivery: Delivery | None = Field(
        description="Whether the answer reached the worker on Telegram (failed: they blocked "
        "the bot); null while unanswered."
    )


class QuestionPage(BaseModel):
    items: list[QuestionOut]
    total: int = Field(description="How many questions match, over all pages.")


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[
        str,
        Field(min_length=1, max_length=2000, pattern=ANSWER_PATTERN),
        AfterValidator(_stripped),
    ] = Field(description="The answer, plain text: it is sent to the worker on Telegram.")
