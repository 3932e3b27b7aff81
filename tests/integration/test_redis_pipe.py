"""The pipelined Redis connection used on the conversation hot path, against a real Redis."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError, ResponseError

from storage.infra.redis_pipe import PipelinedRedis, Script
from tests.services import REDIS_URL, fresh_redis_prefix

pytestmark = [pytest.mark.redis]


@pytest.fixture
def prefix() -> Iterator[str]:
    with fresh_redis_prefix() as value:
        yield value


@contextlib.asynccontextmanager
async def pipe_and_client() -> AsyncIterator[tuple[PipelinedRedis, aioredis.Redis]]:
    client = aioredis.Redis.from_url(REDIS_URL)
    pipe = PipelinedRedis.like(client)
    try:
        yield pipe, client
    finally:
        await pipe.close()
        await client.aclose()


async def test_concurrent_commands_each_get_their_own_answer(prefix: str) -> None:
    async with pipe_and_client() as (pipe, _):
        await asyncio.gather(*(pipe.execute("SET", f"{prefix}{i}", f"v{i}") for i in range(500)))
        values = await asyncio.gather(*(pipe.execute("GET", f"{prefix}{i}") for i in range(500)))
        assert values == [f"v{i}".encode() for i in range(500)]
        assert await pipe.execute("GET", f"{prefix}missing") is None


async def test_an_error_answer_fails_only_its_own_command(prefix: str) -> None:
    async with pipe_and_client() as (pipe, _):
        await pipe.execute("SET", f"{prefix}s", "text")
        wrong = pipe.execute("INCR", f"{prefix}s")
        right = pipe.execute("INCR", f"{prefix}n")
        results = await asyncio.gather(wrong, right, return_exceptions=True)
        assert isinstance(results[0], ResponseError)
        assert results[1] == 1


async def test_a_script_unknown_to_redis_is_loaded_on_first_use(prefix: str) -> None:
    async with pipe_and_client() as (pipe, client):
        await client.script_flush()
        script = Script("return redis.call('incrby', KEYS[1], ARGV[1])")
        assert await pipe.evalsha(script, [f"{prefix}n"], [5]) == 5
        assert await pipe.evalsha(script, [f"{prefix}n"], [2]) == 7


async def test_a_cancelled_command_does_not_shift_the_answers_of_the_next(prefix: str) -> None:
    async with pipe_and_client() as (pipe, _):
        await pipe.execute("SET", f"{prefix}a", "A")
        slow = asyncio.ensure_future(pipe.execute("GET", f"{prefix}a"))
        slow.cancel()
        assert await pipe.execute("SET", f"{prefix}b", "B") == b"OK"
        assert await pipe.execute("GET", f"{prefix}b") == b"B"


async def test_after_the_server_drops_the_connection_the_next_command_reconnects(
    prefix: str,
) -> None:
    async with pipe_and_client() as (pipe, client):
        own_id = await pipe.execute("CLIENT", "ID")
        await client.client_kill_filter(_id=own_id)
        # The drop is seen by the reader; a command sent meanwhile may fail with it.
        with contextlib.suppress(ConnectionError):
            await pipe.execute("PING")
        assert await pipe.execute("SET", f"{prefix}k", "v") == b"OK"
        assert await pipe.execute("GET", f"{prefix}k") == b"v"


async def test_an_unreachable_server_is_a_connection_error() -> None:
    pipe = PipelinedRedis("127.0.0.1", 1, connect_timeout=1)
    with pytest.raises(ConnectionError):
        await pipe.execute("PING")
    await pipe.close()
