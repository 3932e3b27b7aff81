"""Run the fake Bot API as a process: ``python -m tests.fakebot --port 8081 [--rate-limit 30]``.

Prints its root URL on one line, then serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Sequence

from tests.fakebot.server import FakeTelegram


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, start the server, print its URL and wait for a signal."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakebot", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--rate-limit", type=float, default=None, help="sends per second")
    parser.add_argument("--per-chat-rate-limit", type=float, default=None)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds added to answers")
    args = parser.parse_args(argv)

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    fake = FakeTelegram(
        args.token,
        host=args.host,
        port=args.port,
        rate_limit=args.rate_limit,
        per_chat_rate_limit=args.per_chat_rate_limit,
    )
    with fake:
        fake.delay(args.delay)
        print(fake.url, flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
