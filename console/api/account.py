"""Your own account: link a Telegram chat, where test broadcasts are sent.

`POST /me/telegram/link` gives a one-time code (15 minutes); send `/start <code>` to the bot,
or open the deep link, from the chat to link.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from console.api.responses import errors
from console.deps import CurrentOfficial, ServicesDep
from console.services import ConsoleServices
from storage.repos.official_telegram import OfficialTelegram

router = APIRouter(tags=["account"])


class TelegramOut(BaseModel):
    linked: bool = Field(description="Whether a Telegram chat receives your test broadcasts.")
    linked_at: datetime | None = None


class LinkCodeOut(BaseModel):
    code: str = Field(description="One-time code; works once, until `expires_at`.")
    expires_at: datetime
    command: str = Field(description="What to send to the bot from the chat to link.")
    deep_link: str | None = Field(
        default=None, description="A t.me link that sends the command (when the bot is known)."
    )


def deep_link(services: ConsoleServices, code: str) -> str | None:
    """`https://t.me/<bot>?start=<code>`, when the bot's username is known."""
    sender = services.preview_sender
    username = sender.bot_username if sender is not None else None
    return f"https://t.me/{username}?start={code}" if username else None


@router.get("/me/telegram", responses=errors(401), summary="Your linked Telegram chat")
async def telegram(official: CurrentOfficial, services: ServicesDep) -> TelegramOut:
    """Whether a Telegram chat is linked to your account (for test broadcasts)."""
    linked = await OfficialTelegram(services.db).linked(official.id)
    return TelegramOut(linked=linked is not None, linked_at=linked.linked_at if linked else None)


@router.post(
    "/me/telegram/link",
    status_code=status.HTTP_201_CREATED,
    responses=errors(401),
    summary="Get a code to link a Telegram chat",
)
async def link_code(official: CurrentOfficial, services: ServicesDep) -> LinkCodeOut:
    """A one-time code (15 minutes; a new one replaces it). Send `command` to the bot from
    your Telegram, or open `deep_link`: that chat then receives your test broadcasts."""
    issued = await OfficialTelegram(services.db).new_code(official.id)
    return LinkCodeOut(
        code=issued.code,
        expires_at=issued.expires_at,
        command=f"/start {issued.code}",
        deep_link=deep_link(services, issued.code),
    )


@router.delete("/me/telegram", responses=errors(401), summary="Unlink your Telegram chat")
async def unlink(official: CurrentOfficial, services: ServicesDep) -> TelegramOut:
    """Test broadcasts are no longer sent to the linked chat."""
    await OfficialTelegram(services.db).unlink(official.id)
    return TelegramOut(linked=False)
