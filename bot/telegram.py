"""The Bot API client: python-telegram-bot's `Bot`, pointed at `LINDUNGI_TELEGRAM_API_URL`.

Calls go through `Bot.do_api_request` and return Telegram's raw JSON result, so no object
tree is built for every answer; errors arrive as `telegram.error` exceptions.
"""

from __future__ import annotations

import logging
import os
import warnings
from typing import Any

from telegram import Bot
from telegram.warnings import PTBUserWarning

from bot.bot_http import AiohttpRequest
from handlers.delivery.sending import SENDING_METHODS, limited_call
from storage.infra.ratelimit import SendLimiter

log = logging.getLogger(__name__)

# Let PTB report `retry_after` as a timedelta without a deprecation warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")
# PTB suggests its typed methods for known endpoints; we keep the raw result on purpose.
# (A filter set once: `warnings.catch_warnings()` around every call costs more than the call.)
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)


class TelegramApi:
    """One bot's Bot API connection with a bounded pool of keep-alive connections."""

    def __init__(
        self, token: str, api_url: str, *, pool_size: int = 64, limiter: SendLimiter | None = None
    ) -> None:
        root = api_url.rstrip("/")
        # The bot's one send rate, shared with broadcasts and other processes
        # (handlers.delivery.sending).
        self.limiter = limiter
        self.bot = Bot(
            token,
            base_url=f"{root}/bot",
            base_file_url=f"{root}/file/bot",
            request=AiohttpRequest(pool_size, read_timeout=15.0, pool_timeout=10.0),
            # Long polling holds its one connection for up to the poll timeout.
            get_updates_request=AiohttpRequest(2, read_timeout=60.0),
        )

    async def start(self) -> None:
        """Open the connection pool and say who we are (getMe); tolerate Telegram being down."""
        try:
            await self.bot.initialize()
            log.info("Telegram bot @%s ready", self.bot.username)
        except Exception as exc:  # an unreachable API must not stop the server from starting
            # The request pools are open by now; getMe is retried by the next initialize().
            log.warning("Telegram is unreachable at start-up (%s)", type(exc).__name__)

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """One call; sending methods first wait for a slot of the send rate (replies' lane)."""
        if self.limiter is not None and method in SENDING_METHODS:
            return await limited_call(self.limiter, self.raw_call, method, params)
        return await self.raw_call(method, params)

    async def raw_call(self, method: str, params: dict[str, Any]) -> Any:
        """The call itself, with no rate limit (broadcast delivery reserves its own slots)."""
        return await self.bot.do_api_request(method, api_kwargs=params)

    async def close(self) -> None:
        try:
            await self.bot.shutdown()
        except Exception:  # closing twice or after a failed start is harmless
            log.debug("bot shutdown raised", exc_info=True)
