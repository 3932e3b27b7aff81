"""A fake Telegram Bot API server over real HTTP (Starlette + uvicorn in a background thread).

``with FakeTelegram() as tg:`` point the bot at ``tg.base_url`` and inspect ``tg.messages(...)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar, overload
from urllib.parse import urlsplit

import httpx
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakebot.forms import RequestError, UploadedFile, parse_body
from tests.fakebot.state import JSON, ApiError, ChatKey, TelegramState
from tests.fakebot.updates import UpdateFactory

__all__ = ["FakeTelegram"]

T = TypeVar("T")
_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


def _json_default(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return {
            "filename": value.filename,
            "content_type": value.content_type,
            "size": len(value.data),
        }
    raise TypeError


def _dumps(body: Any) -> bytes:
    return orjson.dumps(body, default=_json_default, option=orjson.OPT_NON_STR_KEYS)


def _json(body: Any, status: int = 200) -> Response:
    return Response(_dumps(body), status_code=status, media_type="application/json")


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class FakeTelegram(TelegramState):
    """The fake Bot API: a :class:`TelegramState` served on ``127.0.0.1`` by a thread.

    Use as a context manager (or ``start()``/``stop()``); ``base_url`` is PTB's ``base_url``.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: float | None = None,
        per_chat_rate_limit: float | None = None,
        bot_first_name: str = "Lindungi",
        bot_username: str = "lindungi_test_bot",
        deliver_webhooks: bool = True,
    ) -> None:
        self._default_rate = (rate_limit, per_chat_rate_limit)
        super().__init__(token, bot_first_name=bot_first_name, bot_username=bot_username)
        self.host = host
        self.port = port
        self.deliver_webhooks = deliver_webhooks
        self.webhook_retry_delay = 0.05
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.app = self._build_app()
        self.on_update = self._notify_threadsafe

    # ------------------------------------------------------------- lifecycle

    def reset(self) -> None:
        """Forget everything recorded and restore the constructor's rate limits."""
        super().reset()
        self.per_second, self.per_chat_per_second = self._default_rate
        if getattr(self, "_loop", None) is not None:
            self._notify_threadsafe()

    def start(self) -> FakeTelegram:
        """Bind the port and serve in a daemon thread; returns self once it answers."""
        if self._thread is not None:
            raise RuntimeError("FakeTelegram is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(2048)
        except OSError:
            sock.close()
            raise
        self._socket = sock
        self.port = sock.getsockname()[1]
        self.closing = False
        config = uvicorn.Config(
            self.app,
            log_config=None,
            log_level=None,
            access_log=False,
            lifespan="on",
            server_header=False,
            timeout_keep_alive=30,
            timeout_graceful_shutdown=2,
            backlog=2048,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name=f"fake-telegram:{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the fake Telegram server did not start")
            time.sleep(0.002)
        return self

    def stop(self) -> None:
        """Wake long polls, shut the server down and join its thread."""
        with self.lock:
            self.closing = True
        if self._loop is not None:
            self._notify_threadsafe()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(timeout=5)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:41234``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """PTB ``base_url`` (PTB appends the token and ``/method``)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB ``base_file_url`` for ``File.download_*``."""
        return f"{self.url}/file/bot"

    @property
    def api_url(self) -> str:
        """``{url}/bot{token}``: append ``/sendMessage`` etc. for raw HTTP calls."""
        return f"{self.url}/bot{self.token}"

    # --------------------------------------------------------------- helpers

    def delay(self, seconds: float) -> None:
        """Add ``seconds`` of latency before every Bot API answer (0 to turn off)."""
        with self.lock:
            self.delay_seconds = max(0.0, seconds)

    def factory(self, **kwargs: Any) -> UpdateFactory:
        """An :class:`UpdateFactory` that shares message ids and bot messages with this fake."""
        return UpdateFactory(bot=dict(self.bot_user), telegram=self, **kwargs)

    def wait_for(
        self, predicate: Callable[[], T], timeout: float = 5.0, interval: float = 0.01
    ) -> T:
        """Poll ``predicate()`` until it is truthy and return it; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(timeout))
            time.sleep(interval)

    @overload
    async def wait_for_async(
        self,
        predicate: Callable[[], Awaitable[T]],
        timeout: float = 5.0,  # noqa: ASYNC109
        interval: float = 0.01,
    ) -> T: ...

    @overload
    async def wait_for_async(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,  # noqa: ASYNC109
        interval: float = 0.01,
    ) -> T: ...

    async def wait_for_async(
        self,
        predicate: Callable[[], T | Awaitable[T]],
        timeout: float = 5.0,  # noqa: ASYNC109
        interval: float = 0.01,
    ) -> T:
        """Like :meth:`wait_for` without blocking the event loop (for bots in the same loop)."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if isinstance(value, Awaitable):
                value = await value
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(timeout))
            await asyncio.sleep(interval)

    def wait_for_messages(
        self,
        chat_id: ChatKey,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[str]:
        """Wait until ``chat_id`` got at least ``count`` messages; returns all its texts."""
        return self.wait_for(lambda: self._at_least(chat_id, count), timeout)

    async def wait_for_messages_async(
        self,
        chat_id: ChatKey,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[str]:
        """Async :meth:`wait_for_messages`."""
        return await self.wait_for_async(lambda: self._at_least(chat_id, count), timeout)

    def _at_least(self, chat_id: ChatKey, count: int) -> list[str]:
        texts = self.messages(chat_id)
        return texts if len(texts) >= max(count, 1) else []

    def _timeout_message(self, timeout: float) -> str:
        with self.lock:
            recent = [f"{c.method}->{c.status}" for c in self.calls[-10:]]
        return f"condition not met within {timeout}s; last calls: {recent}"

    # ------------------------------------------------------------ async side

    def _notify(self) -> None:
        """Wake every long poll and the webhook worker (event loop thread only)."""
        if self._event is not None:
            self._event.set()
        self._event = asyncio.Event()

    def _notify_threadsafe(self) -> None:
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            loop.call_soon_threadsafe(self._notify)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self._event = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
            worker = asyncio.create_task(self._webhook_worker(client))
            try:
                yield
            finally:
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
                self._loop = None

    async def _webhook_worker(self, client: httpx.AsyncClient) -> None:
        while True:
            event = self._event
            job = self.next_webhook_job() if self.deliver_webhooks else None
            if job is None or not _is_loopback(job[0]):
                assert event is not None
                await event.wait()
                continue
            url, secret, update = job
            headers = {"Content-Type": "application/json"}
            if secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            error: str | None = None
            status = 0
            try:
                response = await client.post(url, content=_dumps(update), headers=headers)
                status = response.status_code
                if not 200 <= status < 300:
                    error = f"Wrong response from the webhook: {status} {response.reason_phrase}"
            except httpx.HTTPError as exc:
                error = f"Connection failed: {type(exc).__name__}"
            self.webhook_result(int(update["update_id"]), status, error)
            if error is not None:
                await asyncio.sleep(self.webhook_retry_delay)

    async def _get_updates(self, params: JSON) -> tuple[int, JSON]:
        try:
            offset, limit, timeout, generation = self.start_poll(params)
        except ApiError as exc:
            return exc.code, exc.body()
        self._notify()  # an older long poll, if any, must now answer 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._event
            with self.lock:
                if self.poll_generation != generation:
                    return 409, ApiError(409, _CONFLICT).body()
                if self.webhook["url"]:
                    return 409, ApiError(409, "Conflict: webhook was set").body()
                updates = self.poll(offset, limit)
                closing = self.closing
            remaining = deadline - loop.time()
            if updates or closing or remaining <= 0 or event is None:
                return 200, {"ok": True, "result": updates}
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    # ------------------------------------------------------------- HTTP side

    def _build_app(self) -> Starlette:
        routes = [
            Route("/bot{token}/{method}", self._bot_endpoint, methods=["GET", "POST"]),
            Route("/file/bot{token}/{path:path}", self._file_endpoint, methods=["GET"]),
            Route("/_stats", self._stats_endpoint, methods=["GET"]),
            Route("/_calls", self._calls_endpoint, methods=["GET"]),
            Route("/_reset", self._reset_endpoint, methods=["POST"]),
            Route("/_chat/{chat_id}", self._chat_endpoint, methods=["GET"]),
            Route("/_block/{chat_id}", self._block_endpoint, methods=["POST", "DELETE"]),
            Route("/_unblock/{chat_id}", self._block_endpoint, methods=["POST"]),
            Route("/_fail", self._fail_endpoint, methods=["POST"]),
            Route("/_rate", self._rate_endpoint, methods=["POST"]),
            Route("/_delay", self._delay_endpoint, methods=["POST"]),
            Route("/_update", self._update_endpoint, methods=["POST"]),
        ]
        return Starlette(
            routes=routes,
            lifespan=self._lifespan,
            exception_handlers={404: _not_found, 405: _not_found},
        )

    async def _bot_endpoint(self, request: Request) -> Response:
        method: str = request.path_params["method"]
        at = time.monotonic()
        try:
            params = parse_body(
                request.headers.get("content-type", ""), await request.body(), request.url.query
            )
        except RequestError as exc:
            params = {}
            status, body = 400, ApiError(400, f"Bad Request: {exc}").body()
            self.record(method, params, status, body, at)
            return _json(body, status)
        if request.path_params["token"] != self.token:
            status, body = 401, ApiError(401, "Unauthorized").body()
            self.record(method, params, status, body, at)
            return _json(body, status)
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if method.lower() == "getupdates":
            status, body = await self._get_updates(params)
            self.record("getUpdates", params, status, body, at)
        else:
            status, body = self.handle(method, params)
        return _json(body, status)

    async def _file_endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _json(ApiError(401, "Unauthorized").body(), 401)
        data = self.file_bytes(request.path_params["path"])
        if data is None:
            return _json(ApiError(404, "Not Found").body(), 404)
        return Response(data, media_type="application/octet-stream")

    async def _stats_endpoint(self, request: Request) -> Response:
        return _json(self.stats())

    async def _calls_endpoint(self, request: Request) -> Response:
        wanted = request.query_params.get("method")
        with self.lock:
            calls = [
                {"method": c.method, "params": c.params, "at": c.at, "status": c.status}
                for c in self.calls
                if wanted is None or c.method.lower() == wanted.lower()
            ]
        return _json(calls)

    async def _reset_endpoint(self, request: Request) -> Response:
        self.reset()
        return _json({"ok": True})

    async def _chat_endpoint(self, request: Request) -> Response:
        chat_id = request.path_params["chat_id"]
        return _json(
            {
                "chat_id": chat_id,
                "texts": self.messages(chat_id),
                "messages": self.chat_view(chat_id),
            }
        )

    async def _block_endpoint(self, request: Request) -> Response:
        chat_id = request.path_params["chat_id"]
        if request.method == "DELETE" or request.url.path.startswith("/_unblock/"):
            self.unblock(chat_id)
        else:
            self.block(chat_id)
        return _json({"ok": True})

    async def _fail_endpoint(self, request: Request) -> Response:
        data = await _json_body(request)
        self.fail_next(
            int(data.get("n", 1)),
            int(data.get("code", 429)),
            int(data.get("retry_after", 1)),
            data.get("description"),
        )
        return _json({"ok": True})

    async def _rate_endpoint(self, request: Request) -> Response:
        data = await _json_body(request)
        self.set_rate_limit(data.get("per_second"), data.get("per_chat_per_second"))
        return _json({"ok": True})

    async def _delay_endpoint(self, request: Request) -> Response:
        data = await _json_body(request)
        self.delay(float(data.get("seconds", 0)))
        return _json({"ok": True})

    async def _update_endpoint(self, request: Request) -> Response:
        data = await request.json()
        updates = data if isinstance(data, list) else [data]
        return _json({"ok": True, "update_ids": [self.push_update(u) for u in updates]})


async def _not_found(request: Request, exc: Exception) -> Response:
    return _json(ApiError(404, "Not Found").body(), 404)


async def _json_body(request: Request) -> JSON:
    body = await request.body()
    data = orjson.loads(body) if body else {}
    return data if isinstance(data, dict) else {}
