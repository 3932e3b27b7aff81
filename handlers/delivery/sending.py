"""Sending Bot API calls within the bot's one shared send rate (`storage.infra.ratelimit`).

A call's slot is settled at Telegram's answer (see `storage.infra.ratelimit`). A call refused by
Telegram (400, 403, 429) delivered no message, so its slot is given back; a 429 also pauses
every sender of every process for its `retry_after`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import BadRequest, Forbidden, RetryAfter

from handlers.delivery.outcomes import retry_after_seconds
from storage.infra.ratelimit import SendLimiter

RawCall = Callable[[str, dict[str, Any]], Awaitable[Any]]

SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVideo",
        "sendVoice",
        "sendAnimation",
        "sendSticker",
        "sendVideoNote",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
    }
)
"""Methods that put a message in a chat (or change one), counted by Telegram's flood limits."""


def chat_key(params: dict[str, Any]) -> str | None:
    chat = params.get("chat_id")
    return None if chat is None else str(chat)


async def send_in_slot(
    limiter: SendLimiter, raw: RawCall, method: str, params: dict[str, Any], token: str
) -> Any:
    """Make the call in the slot `token` already reserved; give it back if Telegram refused."""
    try:
        result = await raw(method, params)
    except RetryAfter as exc:
        await limiter.release(token)
        await limiter.pause(retry_after_seconds(exc))
        raise
    except (Forbidden, BadRequest):
        await limiter.release(token)
        raise
    except Exception:
        await limiter.settle(token)  # it may have reached Telegram: count it
        raise
    await limiter.settle(token)
    return result


async def limited_call(
    limiter: SendLimiter, raw: RawCall, method: str, params: dict[str, Any], *, bulk: bool = False
) -> Any:
    """Wait for a slot (replies' lane unless `bulk`), then make the call."""
    token = await limiter.acquire(chat_key(params), bulk=bulk)
    return await send_in_slot(limiter, raw, method, params, token)
