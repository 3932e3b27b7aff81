"""`lindungi worker`: background jobs on Redis (arq): broadcast delivery, and unsent replies.

A cron job every second (run by one worker at a time) starts due broadcasts and queues
delivery jobs for running ones: each delivers for a time slice of `CHUNK` seconds; the next
slice's jobs start before it ends. A worker that dies leaves its job and its claimed
recipients to lapse; the next slices carry on (see `storage.deliveries`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from typing import Any

from arq import cron
from arq.connections import RedisSettings
from arq.worker import Worker, func

from bot.broadcasting import BroadcastJobs
from bot.services import Services, build_services
from bot.settings import Settings

log = logging.getLogger(__name__)

CHUNK = 30.0  # seconds of delivery per job
OVERLAP = 5.0  # the next slice's job starts this much before the last one stops
PARALLEL = 2  # delivery jobs per broadcast and slice, so two workers can share one broadcast


async def broadcast_tick(ctx: dict[str, Any]) -> int:
    """Start due broadcasts; queue this slice's delivery jobs for every running one."""
    jobs: BroadcastJobs = ctx["jobs"]
    prefix: str = ctx["prefix"]
    running = await jobs.tick()
    part = int(time.time() // CHUNK)
    until = (part + 1) * CHUNK + OVERLAP
    for broadcast_id in running:
        for k in range(PARALLEL):
            await ctx["redis"].enqueue_job(
                "deliver_broadcast",
                broadcast_id,
                until,
                _job_id=f"{prefix}deliver:{broadcast_id}:{part}:{k}",
                _queue_name=ctx["queue"],
            )
    return len(running)


async def deliver_broadcast(ctx: dict[str, Any], broadcast_id: int, until: float) -> str:
    """Deliver one broadcast until the wall clock passes `until` (or it is done/cancelled)."""
    if time.time() >= until:
        return "expired"  # a retry of a job whose worker died: a later slice carries on
    jobs: BroadcastJobs = ctx["jobs"]
    return await jobs.deliver(broadcast_id, until=until)


def make_worker(services: Services, *, poll_delay: float = 0.2) -> Worker:
    """An arq worker on `services` (its Redis, database and Bot API connection)."""
    settings = services.settings
    assert settings.redis_url is not None and services.broadcast_jobs is not None
    prefix = settings.redis_prefix
    queue = f"{prefix}arq:queue"
    ctx = {"jobs": services.broadcast_jobs, "prefix": prefix, "queue": queue}
    return Worker(
        functions=[func(deliver_broadcast, timeout=CHUNK + OVERLAP + 30, max_tries=3)],
        cron_jobs=[
            cron(
                broadcast_tick,
                name=f"{prefix}broadcast_tick",
                second=set(range(60)),
                microsecond=0,
                run_at_startup=True,
                timeout=30,
            )
        ],
        queue_name=queue,
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        ctx=ctx,
        handle_signals=False,
        poll_delay=poll_delay,
        max_jobs=20,
        keep_result=3600,
    )


async def _flush_outboxes(services: Services, stop: asyncio.Event, interval: float) -> None:
    """Send replies, decision notifications and officials' answers left unsent (as `serve`)."""
    assert services.processor is not None
    while not stop.is_set():
        try:
            await services.processor.flush_pending()
            if services.notifier is not None:
                await services.notifier.deliver_due()
            if services.question_replies is not None:
                await services.question_replies.deliver_due()
        except Exception:  # keep the worker alive; the next round retries
            log.exception("outbox flush failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


async def run_worker(settings: Settings, *, interval: float = 1.0) -> None:
    """Run jobs until SIGTERM/SIGINT; several workers may run at once."""
    services = await build_services(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    worker = make_worker(services)
    logging.getLogger("arq.worker").setLevel(logging.WARNING)  # else two lines a second
    flusher = asyncio.create_task(_flush_outboxes(services, stop, interval))
    jobs = asyncio.create_task(worker.async_run())
    log.info("worker started")
    try:
        await asyncio.wait([jobs, asyncio.create_task(stop.wait())], return_when="FIRST_COMPLETED")
        if jobs.done() and not jobs.cancelled() and jobs.exception() is not None:
            raise RuntimeError("the job queue stopped") from jobs.exception()
    finally:
        stop.set()
        # Cancels running jobs; a delivery lets its sends under way finish and be recorded.
        with contextlib.suppress(asyncio.CancelledError):
            await worker.close()
        await asyncio.gather(jobs, flusher, return_exceptions=True)
        await services.close()
        log.info("worker stopped")
