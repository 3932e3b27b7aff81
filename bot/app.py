"""The HTTP server: Telegram webhook, health, metrics (and the officials' API and console)."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from bot.broadcasting import EmbeddedRunner
from bot.services import Services, build_services
from bot.settings import Settings
from console.api import api_router
from console.web import web_router, web_static
from handlers.processor import BotApi
from handlers.updates import MalformedUpdate
from storage.gauges import read_gauges

log = logging.getLogger(__name__)

SWEEP_SECONDS = 1.0
OK = Response(content=b'{"ok":true}', media_type="application/json")


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


def create_app(settings: Settings | None = None, *, api: BotApi | None = None) -> FastAPI:
    """A FastAPI app; services are built at start-up (not at import time)."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await build_services(settings, api)
        app.state.services = services
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

    app = FastAPI(
        title="Lindungi",
        version="0.1.0",
        description="Registration of informal workers for BPJS Ketenagakerjaan (JKK, JKM).",
        lifespan=lifespan,
    )

    @app.post("/telegram/webhook", include_in_schema=False)
    async def telegram_webhook(request: Request) -> Response:
        services: Services = request.app.state.services
        if services.processor is None:
            return JSONResponse(
                {"ok": False, "description": "Telegram is off: LINDUNGI_BOT_TOKEN is not set"}, 503
            )
        given = request.headers.get("x-telegram-bot-api-secret-token", "").encode()
        if not hmac.compare_digest(given, request.app.state.secret):
            return JSONResponse({"ok": False, "description": "wrong secret token"}, 403)
        try:
            update: Any = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return JSONResponse({"ok": False, "description": "body is not JSON"}, 400)
        started = time.perf_counter()
        try:
            outcome = await services.processor.process(update)
        except MalformedUpdate as exc:
            return JSONResponse({"ok": False, "description": str(exc)}, 400)
        except Exception:
            # Telegram would redeliver on an error status and repeat the failure forever.
            log.exception("update %s could not be handled", _update_id(update))
            outcome = "error"
        services.metrics.updates.labels(outcome).inc()
        services.metrics.latency.observe(time.perf_counter() - started)
        return OK

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
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

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        services: Services = request.app.state.services
        try:
            outboxes = len(await services.state.chats_with_outbox(10_000))
            services.metrics.set_gauges(await read_gauges(services.db), outboxes)
        except Exception:  # counters still render; the gauges keep their last values
            log.warning("metrics gauges could not be read", exc_info=True)
        return Response(services.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    app.include_router(api_router)
    app.include_router(web_router(secure_cookies=(settings.public_url or "").startswith("https:")))
    app.mount("/admin/static", web_static(), name="console-static")
    return app


def _update_id(update: Any) -> object:
    return update.get("update_id") if isinstance(update, dict) else None


def app_factory() -> FastAPI:
    """Entry point for `uvicorn --factory` (several worker processes)."""
    return create_app()
