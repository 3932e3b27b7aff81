"""`lindungi webhook`: the webhook as Telegram knows it."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer

from bot.cli.common import CliError, load_settings, telegram_bot
from bot.cli_allowed import ALLOWED_UPDATES

webhook_app = typer.Typer(help="Manage the webhook at Telegram.", no_args_is_help=True)


@webhook_app.command("set")
def webhook_set(
    url: Annotated[
        str | None, typer.Option(help="Public HTTPS base URL (else LINDUNGI_PUBLIC_URL).")
    ] = None,
) -> None:
    """Point Telegram at this server's webhook, with the secret token."""
    settings = load_settings()
    base = url or settings.public_url
    if not base:
        raise CliError("no public URL: set LINDUNGI_PUBLIC_URL or pass --url")
    target = base.rstrip("/") + "/telegram/webhook"
    secret = settings.resolved_webhook_secret()

    async def run() -> None:
        bot = telegram_bot(settings)
        async with bot:
            await bot.set_webhook(target, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    asyncio.run(run())
    typer.echo(f"Webhook set to {target}")


@webhook_app.command("info")
def webhook_info() -> None:
    """Show what Telegram knows of the webhook."""
    settings = load_settings()

    async def run() -> Any:
        bot = telegram_bot(settings)
        async with bot:
            return await bot.get_webhook_info()

    info = asyncio.run(run())
    typer.echo(f"url: {info.url or '(none: polling or not set)'}")
    typer.echo(f"pending updates: {info.pending_update_count}")
    if info.last_error_message:
        typer.echo(f"last error: {info.last_error_message}")
    if info.allowed_updates:
        typer.echo(f"allowed updates: {', '.join(info.allowed_updates)}")


@webhook_app.command("delete")
def webhook_delete() -> None:
    """Remove the webhook (needed before `lindungi poll`)."""
    settings = load_settings()

    async def run() -> None:
        bot = telegram_bot(settings)
        async with bot:
            await bot.delete_webhook()

    asyncio.run(run())
    typer.echo("Webhook deleted")
