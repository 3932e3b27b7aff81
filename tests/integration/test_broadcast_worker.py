"""`lindungi worker`'s tick on Redis: a slice's delivery jobs are queued once; when the workers
that took them died, they are queued again at once instead of at the next slice."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.constants import in_progress_key_prefix

from bot.worker import PARALLEL, broadcast_tick
from tests.integration.broadcast_support import redis_prefix
from tests.services import REDIS_URL

pytestmark = pytest.mark.redis
BROADCAST = 7


class RunningBroadcast:
    """The tick's view of the database: one broadcast is running."""

    async def tick(self) -> list[int]:
        return [BROADCAST]


@pytest.fixture
def prefix() -> Iterator[str]:
    with redis_prefix() as value:
        yield value


@pytest.fixture
async def ctx(prefix: str) -> AsyncIterator[dict[str, Any]]:
    redis = await create_pool(RedisSettings.from_dsn(REDIS_URL))
    try:
        yield {
            "jobs": RunningBroadcast(),
            "prefix": prefix,
            "queue": f"{prefix}arq:queue",
            "redis": redis,
        }
    finally:
        await redis.aclose()


async def queued(ctx: dict[str, Any]) -> list[str]:
    redis: ArqRedis = ctx["redis"]
    jobs = await redis.queued_jobs(queue_name=ctx["queue"])
    return sorted(job.job_id for job in jobs if job.job_id is not None)


async def test_a_slice_is_queued_once_while_its_jobs_wait_or_deliver(ctx: dict[str, Any]) -> None:
    await broadcast_tick(ctx)
    first = await queued(ctx)
    await broadcast_tick(ctx)  # not taken yet: a worker will take them
    await ctx["redis"].set(f"{ctx['prefix']}delivering:{BROADCAST}", "1", px=3000)
    for job_id in first:  # taken, and their worker says it delivers
        await ctx["redis"].set(in_progress_key_prefix + job_id, b"1", px=60_000)
    await broadcast_tick(ctx)

    assert len(first) == PARALLEL
    assert await queued(ctx) == first


async def test_jobs_taken_by_workers_that_died_are_queued_again_once(ctx: dict[str, Any]) -> None:
    await broadcast_tick(ctx)
    first = await queued(ctx)
    for job_id in first:  # taken by a worker that was then killed: nobody says it delivers
        await ctx["redis"].set(in_progress_key_prefix + job_id, b"1", px=60_000)

    await broadcast_tick(ctx)
    again = await queued(ctx)
    await broadcast_tick(ctx)  # the new jobs have a moment to start

    assert len(again) == 2 * PARALLEL
    assert set(first) < set(again)
    assert await queued(ctx) == again
