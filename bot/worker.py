"""`lindungi worker`: background delivery on Redis (replies left in outboxes)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.services import build_services
from bot.settings import Settings

log = logging.getLogger(__name__)


async def run_worker(settings: Settings, *, interval: float = 1.0) -> None:
    """Flush pending outboxes until SIGTERM/SIGINT; several workers may run at once."""
    services = await build_services(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    assert services.processor is not None
    log.info("worker started")
    try:
        while not stop.is_set():
            try:
                await services.processor.flush_pending()
            except Exception:  # keep the worker alive; the next round retries
                log.exception("outbox flush failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
    finally:
        await services.close()
        log.info("worker stopped")
