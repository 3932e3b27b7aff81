"""The HTTP server: Telegram webhook, health, metrics (and the officials' API and console)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from bot.broadcasting import EmbeddedRunner
from bot.guards import ApiHeaders, BodyLimit, limit_for
from bot.services import Services, build_services
from bot.settings import Settings
from console.api import api_router
from console.web import web_router, web_static
from handlers.processor import BotApi, UpdateHeld
from handlers.updates import MalformedUpdate
from storage.repos.gauges import read_gauges

log = logging.getLogger(__name__)

SWEEP_SECONDS = 1.0
WEBHOOK_PATH = "/telegram/webhook"
MAX_UPDATE_BYTES = limit_for(WEBHOOK_PATH)  # one bound, declared in bot.guards
_JSON = [(b"content-type", b"application/json")]

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _sweep(services: Services) -> None:
    """Send replies that an earlier Telegram error or crash left in an outbox."""
    processor = services.processor
    assert processor is not None
    while True:
        await asyncio.sleep(SWEEP_SECONDS)
        try:
            await processor.flush_pending()
            if services.notifier is not None:
                await services.notifier.deliver_due()
            if services.question_replies is not None:
                await services.question_replies.deliver_due()
        except Exception:  # keep sweeping; the next round retries
            log.exception("outbox sweep failed")


def _lifespan(
    settings: Settings, api: BotApi | None
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    """Build the services at start-up, run the sweeper and broadcasts, close all at the end."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await build_services(settings, api)
        app.state.services = services
        # What start-up built lives as long as the process: keep it out of the collector's
        # full passes, which otherwise walk it again and again under load (latency spikes).
        gc.collect()
        gc.freeze()
        app.state.secret = settings.resolved_webhook_secret().encode()
        sweeper = asyncio.create_task(_sweep(services)) if services.processor else None
        if services.processor is None:
            log.warning("Telegram is off: set LINDUNGI_BOT_TOKEN to receive and send messages")
        # Embedded mode delivers broadcasts in-process; with Redis, `lindungi worker` does.
        runner = None
        if services.broadcast_jobs is not None and not settings.redis_url:
            runner = EmbeddedRunner(services.broadcast_jobs)
            runner.start()
        try:
            yield
        finally:
            if runner:
                await runner.stop()
            if sweeper:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
            await services.close()

    return lifespan


health_router = APIRouter()
"""Health probes and metrics."""


@health_router.get("/healthz", tags=["health"])
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@health_router.get("/readyz", tags=["health"])
async def readyz(request: Request) -> JSONResponse:
    """The database and the state store (Redis when configured) answer."""
    services: Services = request.app.state.services
    checks: dict[str, str] = {}
    for name, ping in (("database", services.db.ping), ("state", services.state.ping)):
        try:
            await asyncio.wait_for(ping(), timeout=3)
            checks[name] = "ok"
        except Exception as exc:  # report, do not raise: this is a probe
            checks[name] = f"unreachable ({type(exc).__name__})"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", **checks}, 200 if ready else 503
    )


@health_router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    services: Services = request.app.state.services
    try:
        outboxes = len(await services.state.chats_with_outbox(10_000))
        services.metrics.set_gauges(await read_gauges(services.db), outboxes)
    except Exception:  # counters still render; the gauges keep their last values
        log.warning("metrics gauges could not be read", exc_info=True)
    return Response(services.metrics.render(), media_type=CONTENT_TYPE_LATEST)


def create_app(settings: Settings | None = None, *, api: BotApi | None = None) -> FastAPI:
    """A FastAPI app; services are built at start-up (not at import time)."""
    settings = settings or Settings()
    docs = settings.api_docs_served
    app = FastAPI(
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
        title="Lindungi",
        version="0.1.0",
        description="Registration of informal workers for BPJS Ketenagakerjaan (JKK, JKM).",
        lifespan=_lifespan(settings, api),
    )
    app.include_router(health_router)
    # The webhook is answered before FastAPI's routing, dependency and exception layers.
    app.add_middleware(TelegramWebhook, path=WEBHOOK_PATH)
    app.add_middleware(ApiHeaders)
    # Outermost: a body over its route's limit is refused before anyone reads it.
    app.add_middleware(BodyLimit)
    app.include_router(api_router)
    app.include_router(web_router(secure_cookies=settings.production))
    app.mount("/admin/static", web_static(), name="console-static")
    return app


class TelegramWebhook:
    """`POST /telegram/webhook` as a plain ASGI layer in front of the FastAPI app.

    Telegram posts every update here, so it skips FastAPI's routing, request objects and
    dependency solving. The answer comes after the update was handled (its replies sent or
    kept in the chat's outbox): 200 for every well-formed update whose effect is stored, 403
    for a wrong secret, 400 for a body that is not an update, 413 for a body over 1 MB, 503
    when Telegram is off or the update could not be stored (Telegram then delivers it again).
    """

    def __init__(self, app: ASGIApp, path: str = WEBHOOK_PATH) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        status, body = await self._handle(scope, receive)
        await send({"type": "http.response.start", "status": status, "headers": _JSON})
        await send({"type": "http.response.body", "body": body})

    async def _handle(self, scope: Scope, receive: Receive) -> tuple[int, bytes]:
        services: Services = scope["app"].state.services
        update = await self._accepted(scope, receive)
        if isinstance(update, tuple):
            return update  # refused before it is handled
        assert services.processor is not None
        started = time.perf_counter()
        try:
            outcome = await services.processor.process(update)
        except MalformedUpdate as exc:
            return 400, _error(str(exc))
        except UpdateHeld:
            # The database is away: Telegram delivers the update again and it is handled then
            # (the worker was told once). Logged by the processor, without a traceback.
            services.metrics.updates.labels("held").inc()
            return 503, _error("temporarily unavailable: the update will be handled later")
        except Exception:
            # The conversation's own failures are answered inside `process` (the worker is
            # asked to send again). What reaches here is the state store or the database
            # failing before the update's effect was stored: it must not be acknowledged, so
            # that Telegram delivers it again (de-duplication makes that safe).
            log.exception("update %s could not be stored", _update_id(update))
            services.metrics.updates.labels("error").inc()
            return 503, _error("temporarily unavailable: the update was not stored")
        services.metrics.updates.labels(outcome).inc()
        services.metrics.latency.observe(time.perf_counter() - started)
        return 200, b'{"ok":true}'

    @staticmethod
    async def _accepted(scope: Scope, receive: Receive) -> Any:
        """The update's JSON, or the status and body that refuse it (Telegram off, a wrong
        secret, a body too large or not JSON)."""
        state = scope["app"].state
        if state.services.processor is None:
            return 503, _error("Telegram is off: LINDUNGI_BOT_TOKEN is not set")
        given = b""
        for name, value in scope["headers"]:
            if name == b"x-telegram-bot-api-secret-token":
                given = value
                break
        if not hmac.compare_digest(given, state.secret):
            return 403, _error("wrong secret token")
        body = await _read_body(receive)
        if body is None:
            return 413, _error("body too large")
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            return 400, _error("body is not JSON")


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_UPDATE_BYTES:  # the same bound as `BodyLimit`, should it be bypassed
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _error(description: str) -> bytes:
    return orjson.dumps({"ok": False, "description": description})


def _update_id(update: Any) -> object:
    return update.get("update_id") if isinstance(update, dict) else None


def app_factory() -> FastAPI:
    """Entry point for `uvicorn --factory` (several worker processes)."""
    return create_app()
