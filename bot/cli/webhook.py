"""`lindungi webhook`: the webhook as Telegram knows it."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import CliError, load_settings, with_bot
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

    with_bot(
        settings,
        lambda bot: bot.set_webhook(target, secret_token=secret, allowed_updates=ALLOWED_UPDATES),
    )
    typer.echo(f"Webhook set to {target}")


@webhook_app.command("info")
def webhook_info() -> None:
    """Show what Telegram knows of the webhook."""
    settings = load_settings()

    info = with_bot(settings, lambda bot: bot.get_webhook_info())
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

    with_bot(settings, lambda bot: bot.delete_webhook())
    typer.echo("Webhook deleted")
