"""The long-running commands: the HTTP server, the worker, polling and the terminal chat."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import Annotated, Any

import typer

from bot.cli.common import CliError, db_kind, load_settings, migrate, setup_logging
from bot.settings import Settings


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
    reuse_port: Annotated[
        bool,
        typer.Option(
            "--reuse-port",
            help="Share the port with other `lindungi serve` processes (SO_REUSEPORT); "
            "migrate first with `lindungi db upgrade`.",
        ),
    ] = False,
) -> None:
    """Run the HTTP server: webhook, API, console, health and metrics."""
    import uvicorn

    settings = load_settings()
    setup_logging(settings)
    several = workers > 1 or reuse_port
    if reuse_port and workers > 1:
        raise CliError("use either --workers or --reuse-port (one process per command)")
    if several and not settings.redis_url:
        raise CliError("several workers share conversations through Redis: set LINDUNGI_REDIS_URL")
    if several and settings.resolved_database_url().startswith("sqlite"):
        raise CliError("several workers need PostgreSQL: set LINDUNGI_DATABASE_URL")
    _check_flow_pack(settings)
    # Bound (and listening) before the slow start-up, so that the kernel already counts this
    # process among the port's listeners; connections wait in its backlog until it serves.
    sock = _reuse_port_socket(host, port) if reuse_port else None
    if settings.auto_migrate:
        migrate(settings)
    # Secrets generated into the data folder must be the same in every worker process.
    settings.resolved_webhook_secret()
    settings.resolved_encryption_key()
    os.environ["LINDUNGI_AUTO_MIGRATE"] = "false"
    if not settings.telegram_enabled:
        typer.echo(
            "Telegram is off (LINDUNGI_BOT_TOKEN is not set): console, API and chat only.", err=True
        )
    typer.echo(
        f"Lindungi listening on http://{host}:{port} (database: {db_kind(settings)}, "
        f"state: {'Redis' if settings.redis_url else 'embedded'})",
        err=True,
    )
    options: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "log_level": settings.log_level.lower(),
        "access_log": False,
        "loop": "auto",
        "http": "auto",
    }
    if sock is not None:
        uvicorn.Server(uvicorn.Config("bot.app:app_factory", **options)).run(sockets=[sock])
        return
    uvicorn.run("bot.app:app_factory", workers=workers, **options)


def _reuse_port_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket that other processes may bind too (Linux spreads connections)."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise CliError("--reuse-port needs an operating system with SO_REUSEPORT")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CliError(f"cannot listen on {host}:{port} ({exc.strerror})") from exc
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _check_flow_pack(settings: Settings) -> None:
    """Stop at once with the file, field and problem when LINDUNGI_FLOW names a wrong pack."""
    if settings.flow is None:
        return
    from conversations.engine import load_pack
    from domain.errors import FlowDefinitionError

    try:
        load_pack(settings.flow)
    except FlowDefinitionError as exc:
        raise CliError(str(exc)) from None


def worker() -> None:
    """Run background jobs on Redis: deliver replies left in outboxes."""
    from bot.worker import run_worker

    settings = load_settings()
    setup_logging(settings)
    if not settings.redis_url:
        raise CliError(
            "the worker needs LINDUNGI_REDIS_URL (without it, `serve` runs the jobs itself)"
        )
    if not settings.telegram_enabled:
        raise CliError("the worker sends Telegram messages: set LINDUNGI_BOT_TOKEN")
    asyncio.run(run_worker(settings))


def poll() -> None:
    """Receive updates by long polling (for a machine with no public URL)."""
    from bot.poll import run_polling

    settings = load_settings()
    setup_logging(settings)
    if not settings.telegram_enabled:
        raise CliError("polling needs a bot token: set LINDUNGI_BOT_TOKEN")
    migrate(settings)
    asyncio.run(run_polling(settings))


def chat(
    use_database: Annotated[
        bool, typer.Option("--use-database", help="Store registrations in the configured database.")
    ] = False,
) -> None:
    """Talk to the bot in the terminal, through the same conversation engine."""
    from bot.terminal import run_terminal_chat

    settings = load_settings()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run_terminal_chat(settings, use_database=use_database))
