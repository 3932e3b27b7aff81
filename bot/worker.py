"""`lindungi worker`: background jobs on Redis (arq): broadcast delivery, and unsent replies.

A cron job every second (run by one worker at a time) starts due broadcasts and queues
delivery jobs for running ones: each delivers for a time slice of `CHUNK` seconds; the next
slice's jobs start before it ends. A running delivery job says so every second (a key that
lapses after `ALIVE` seconds); when workers die, their jobs stop saying so and the tick queues
the slice's jobs again at once instead of waiting for the next slice. Their claimed recipients
lapse and are taken over (see `storage.repos.deliveries`).
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
from arq.jobs import Job, JobStatus
from arq.worker import Worker, func

from bot.services import Services, build_services
from bot.settings import Settings
from handlers.delivery.broadcasts import BroadcastJobs

log = logging.getLogger(__name__)

CHUNK = 30.0  # seconds of delivery per job
OVERLAP = 5.0  # the next slice's job starts this much before the last one stops
PARALLEL = 2  # delivery jobs per broadcast and slice, so two workers can share one broadcast
ALIVE = 3.0  # seconds a delivery job's "still delivering" lasts; it is renewed every second


async def broadcast_tick(ctx: dict[str, Any]) -> int:
    """Start due broadcasts; queue this slice's delivery jobs for every running one, and queue
    them again when nobody delivers it (their workers died)."""
    jobs: BroadcastJobs = ctx["jobs"]
    prefix: str = ctx["prefix"]
    redis = ctx["redis"]
    running = await jobs.tick()
    now = time.time()
    part = int(now // CHUNK)
    until = (part + 1) * CHUNK + OVERLAP
    for broadcast_id in running:
        names = [f"{part}:{k}" for k in range(PARALLEL)]
        queued = [await _enqueue(ctx, broadcast_id, until, name) for name in names]
        if any(queued) or await redis.exists(_alive_key(prefix, broadcast_id)):
            continue
        waiting = [await _status(ctx, broadcast_id, name) for name in names]
        if JobStatus.queued in waiting or JobStatus.deferred in waiting:
            continue  # a worker has yet to take them
        # This slice's jobs were taken, yet nobody delivers: their workers died (or stopped).
        if await redis.set(f"{prefix}deliver-again:{broadcast_id}", "1", nx=True, px=_ms(ALIVE)):
            log.warning("broadcast %s: no worker delivers it; queued again", broadcast_id)
            for name in names:
                await _enqueue(ctx, broadcast_id, until, f"{name}:{int(now)}")
    return len(running)


def _job_id(ctx: dict[str, Any], broadcast_id: int, name: str) -> str:
    return f"{ctx['prefix']}deliver:{broadcast_id}:{name}"


async def _enqueue(ctx: dict[str, Any], broadcast_id: int, until: float, name: str) -> bool:
    """Queue a delivery job unless one with this name was queued before."""
    job = await ctx["redis"].enqueue_job(
        "deliver_broadcast",
        broadcast_id,
        until,
        _job_id=_job_id(ctx, broadcast_id, name),
        _queue_name=ctx["queue"],
    )
    return job is not None


async def _status(ctx: dict[str, Any], broadcast_id: int, name: str) -> JobStatus:
    job = Job(_job_id(ctx, broadcast_id, name), ctx["redis"], _queue_name=ctx["queue"])
    return await job.status()


def _alive_key(prefix: str, broadcast_id: int) -> str:
    return f"{prefix}delivering:{broadcast_id}"


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


async def _say_alive(ctx: dict[str, Any], broadcast_id: int) -> None:
    key = _alive_key(ctx["prefix"], broadcast_id)
    while True:
        try:
            await ctx["redis"].set(key, "1", px=_ms(ALIVE))
        except Exception:  # Redis away for a moment: the next round says it again
            log.warning("broadcast %s: could not renew %s", broadcast_id, key, exc_info=True)
        await asyncio.sleep(1.0)


async def deliver_broadcast(ctx: dict[str, Any], broadcast_id: int, until: float) -> str:
    """Deliver one broadcast until the wall clock passes `until` (or it is done/cancelled)."""
    if time.time() >= until:
        return "expired"  # a retry of a job whose worker died: a later slice carries on
    jobs: BroadcastJobs = ctx["jobs"]
    alive = asyncio.create_task(_say_alive(ctx, broadcast_id))
    try:
        return await jobs.deliver(broadcast_id, until=until)
    finally:
        alive.cancel()


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


RECONNECT_FIRST = 1.0  # seconds before the first new connection after Redis went away
RECONNECT_LONGEST = 30.0


async def _run_jobs(services: Services, stop: asyncio.Event) -> None:
    """Run arq workers until `stop`; when Redis goes away, a new one after a growing pause.

    arq's run ends with the connection error when Redis is unreachable: without this the
    process would exit and deliver nothing until someone restarts it.
    """
    pause = RECONNECT_FIRST
    while not stop.is_set():
        worker = make_worker(services)
        jobs = asyncio.create_task(worker.async_run())
        stopping = asyncio.create_task(stop.wait())
        started = time.monotonic()
        try:
            await asyncio.wait([jobs, stopping], return_when="FIRST_COMPLETED")
        finally:
            stopping.cancel()
            # Cancels running jobs; a delivery lets its sends under way finish and be recorded.
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await worker.close()
            # `close` stops waiting at the first cancelled job: wait for every job to finish
            # handing back its claims before the database is closed under them.
            await asyncio.gather(jobs, *worker.tasks.values(), return_exceptions=True)
        if stop.is_set():
            return
        failure = jobs.exception() if jobs.done() and not jobs.cancelled() else None
        if time.monotonic() - started > RECONNECT_LONGEST:
            pause = RECONNECT_FIRST  # it ran a good while: start the back-off again
        log.warning(
            "job queue stopped (%s); connecting to Redis again in %.0f s",
            type(failure).__name__ if failure else "ended",
            pause,
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=pause)
        pause = min(pause * 2, RECONNECT_LONGEST)


async def run_worker(settings: Settings, *, interval: float = 1.0) -> None:
    """Run jobs until SIGTERM/SIGINT; several workers may run at once."""
    services = await build_services(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    logging.getLogger("arq.worker").setLevel(logging.WARNING)  # else two lines a second
    flusher = asyncio.create_task(_flush_outboxes(services, stop, interval))
    log.info("worker started")
    try:
        await _run_jobs(services, stop)
    finally:
        stop.set()
        await asyncio.gather(flusher, return_exceptions=True)
        await services.close()
        log.info("worker stopped")
