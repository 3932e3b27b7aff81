"""Limiters for the rate-limit tests, and a child process that takes slots from the shared one.

As a script: ``python ratelimit_support.py REDIS_URL PREFIX COUNT`` takes COUNT broadcast
slots and prints the wall-clock time of each ("the call"), one per line, settling each.
"""

from __future__ import annotations

import asyncio
import sys
import time

from storage.infra.ratelimit import RateLimits, RedisSendLimiter

LIMITS = RateLimits(per_window=20, margin=0.02, chat_burst=3)


def max_in_any_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best = start = 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def _take(url: str, prefix: str, count: int) -> None:
    limiter = RedisSendLimiter.from_url(url, prefix, LIMITS)
    try:

        async def one(n: int) -> None:
            token = await limiter.acquire(f"child-{n}", bulk=True)
            print(time.time(), flush=True)  # "the call"
            await limiter.settle(token)

        await asyncio.gather(*(one(n) for n in range(count)))
    finally:
        await limiter.close()


if __name__ == "__main__":
    asyncio.run(_take(sys.argv[1], sys.argv[2], int(sys.argv[3])))
