"""HTTP guards in front of the app: bounded request bodies, and the API's security headers.

Request bodies are bounded before anything reads them, per kind of route.
Without a bound, a client (signed in or not) could make the server hold a 100 MB body in
memory, or spool it to disk, before authentication even looks at it. A body over its route's
limit is answered 413 as soon as its declared length (or, when streamed, the bytes received so
far) is over the limit; the application never sees it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KB = 1024
MB = 1024 * KB
# Path prefix -> largest body accepted (the first prefix that matches applies).
LIMITS: tuple[tuple[str, int], ...] = (
    ("/telegram/", 1 * MB),  # Telegram's updates are a few kilobytes
    ("/api/", 1 * MB),  # JSON: a broadcast text or a decision
    ("/admin/", 1 * MB),  # the console's forms
)
DEFAULT_LIMIT = 64 * KB


def limit_for(path: str) -> int:
    return next((size for prefix, size in LIMITS if path.startswith(prefix)), DEFAULT_LIMIT)


class BodyLimit:
    """ASGI middleware: 413 for a body over its route's limit, before the app reads it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > limit:
                    await _refuse(send, limit)
                    return
                # The server stops at the declared length: nothing more can arrive.
                await self.app(scope, receive, send)
                return
        # No declared length (chunked): take the body in, up to the limit, then hand it on.
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > limit:
                await _refuse(send, limit)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Send, limit: int) -> None:
    body = orjson.dumps({"detail": f"request body too large (at most {limit // KB} KB)"})
    headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# The JSON API's answers hold personal data: never cached, never sniffed, never framed.
API_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
)


class ApiHeaders:
    """ASGI middleware: security headers on every `/api/` response (unless already set)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in API_HEADERS if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
