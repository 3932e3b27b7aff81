"""`lindungi poll`: receive updates by long polling instead of a webhook."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from bot.cli_allowed import ALLOWED_UPDATES
from bot.services import build_services
from bot.settings import Settings
from handlers.processor import UpdateHeld

log = logging.getLogger(__name__)


async def run_polling(settings: Settings, *, poll_seconds: int = 30) -> None:
    """Fetch updates with getUpdates and handle each like a webhook delivery, until stopped."""
    services = await build_services(settings)
    api = services.api
    processor = services.processor
    assert api is not None and processor is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await api.call("deleteWebhook", {})
    offset = 0
    log.info("polling for updates")
    try:
        while not stop.is_set():
            getter = asyncio.ensure_future(
                api.call(
                    "getUpdates",
                    {"offset": offset, "timeout": poll_seconds, "allowed_updates": ALLOWED_UPDATES},
                )
            )
            stopper = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if getter not in done:
                getter.cancel()
                break
            try:
                updates: list[dict[str, Any]] = getter.result() or []
            except Exception as exc:  # network trouble: wait and try again
                log.warning("getUpdates failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(2)
                continue
            held = False
            for update in updates:
                try:
                    await processor.process(update)
                except UpdateHeld:
                    held = True  # the database is away: ask for it (and what follows) again
                    break
                except Exception:
                    log.exception("update %s could not be stored", update.get("update_id"))
                    held = True  # not stored (the state store is away): ask for it again
                    break
                offset = max(offset, int(update["update_id"]) + 1)
            if held:
                await asyncio.sleep(2)
            await processor.flush_pending()
    finally:
        await services.close()
