"""A lean HTTP transport for python-telegram-bot: aiohttp with one bounded keep-alive pool.

PTB's `Bot` builds the request (`RequestData`) and maps Telegram's answers to
`telegram.error` exceptions; this class only moves bytes. Compared with PTB's default
`HTTPXRequest` it sends one JSON body (orjson) instead of a form with every value
JSON-encoded on its own, takes a connection from aiohttp's pool in constant time (httpcore
scans every pooled connection on each request), and parses answers with orjson.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON_HEADERS = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """`BaseRequest` on an `aiohttp.ClientSession` with at most `pool_size` connections."""

    __slots__ = ("_pool_size", "_session", "_timeouts")

    def __init__(
        self,
        pool_size: int = 32,
        *,
        read_timeout: float | None = 15.0,
        write_timeout: float | None = 15.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 10.0,
    ) -> None:
        self._pool_size = pool_size
        self._timeouts = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
        }
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._pool_size, keepalive_timeout=30, enable_cleanup_closed=True
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                json_serialize=lambda obj: orjson.dumps(obj).decode(),
                # Proxies come from settings, never from the environment of the process.
                trust_env=False,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        try:
            data = orjson.loads(payload)
        except orjson.JSONDecodeError as exc:
            raise TelegramError("Invalid server response") from exc
        if not isinstance(data, dict):
            raise TelegramError("Invalid server response")
        return data

    def _timeout(
        self,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
    ) -> aiohttp.ClientTimeout:
        def pick(value: ODVInput[float], name: str) -> float | None:
            return self._timeouts[name] if value is DEFAULT_NONE else value  # type: ignore[return-value]

        read_s, write_s = pick(read, "read"), pick(write, "write")
        # aiohttp has no separate write timeout: the socket read bound covers a stalled send.
        sock_read = None if read_s is None and write_s is None else max(read_s or 0, write_s or 0)
        return aiohttp.ClientTimeout(
            total=None,
            connect=pick(pool, "pool"),  # waiting for a pooled connection, plus connecting
            sock_connect=pick(connect, "connect"),
            sock_read=sock_read,
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            await self.initialize()
        assert self._session is not None
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout)
        kwargs: dict[str, Any] = {"timeout": timeout}
        if request_data is not None:
            if request_data.contains_files:
                form = aiohttp.FormData(request_data.json_parameters)
                for name, part in request_data.multipart_data.items():
                    filename, content, *rest = part
                    form.add_field(
                        name, content, filename=filename, content_type=rest[0] if rest else None
                    )
                kwargs["data"] = form
            else:
                kwargs["data"] = orjson.dumps(request_data.parameters)
                kwargs["headers"] = JSON_HEADERS
        try:
            async with self._session.request(method, url, **kwargs) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            # Other client errors become NetworkError in PTB's `_request_wrapper`.
            raise TimedOut(f"Telegram did not answer in time ({exc!r})") from exc
