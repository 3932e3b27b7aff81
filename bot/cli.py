"""The `lindungi` command line.

Errors end as one clear sentence on stderr and a non-zero exit (a traceback only with --debug).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli_allowed import ALLOWED_UPDATES
from bot.cli_officials import register as register_official_commands
from bot.settings import Settings

app = typer.Typer(
    help="Lindungi: BPJS Ketenagakerjaan protection for informal workers, on Telegram.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
webhook_app = typer.Typer(help="Manage the webhook at Telegram.", no_args_is_help=True)
officials_app = typer.Typer(help="Officials who use the console and API.", no_args_is_help=True)
db_app = typer.Typer(help="Database.", no_args_is_help=True)
programs_app = typer.Typer(help="Program files.", no_args_is_help=True)
regions_app = typer.Typer(help="Kemendagri region codes.", no_args_is_help=True)
keys_app = typer.Typer(help="The encryption key of personal data.", no_args_is_help=True)
flows_app = typer.Typer(help="Flow packs (LINDUNGI_FLOW).", no_args_is_help=True)
app.add_typer(webhook_app, name="webhook")
app.add_typer(officials_app, name="officials")
register_official_commands(officials_app)
app.add_typer(db_app, name="db")
app.add_typer(programs_app, name="programs")
app.add_typer(regions_app, name="regions")
app.add_typer(keys_app, name="keys")
app.add_typer(flows_app, name="flows")


class CliError(Exception):
    """A problem to report as one sentence."""


def _settings() -> Settings:
    return Settings()


def _setup_logging(settings: Settings) -> None:
    from bot.logs import configure_logging

    configure_logging(settings.log_level, json=settings.log_json)


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    if debug:
        os.environ["LINDUNGI_DEBUG"] = "1"


def _migrate(settings: Settings) -> None:
    from storage.infra.migrate import upgrade

    settings.ensure_data_dir()
    upgrade(settings.resolved_database_url())


@app.command()
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

    settings = _settings()
    _setup_logging(settings)
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
        _migrate(settings)
    # Secrets generated into the data folder must be the same in every worker process.
    settings.resolved_webhook_secret()
    settings.resolved_encryption_key()
    os.environ["LINDUNGI_AUTO_MIGRATE"] = "false"
    if not settings.telegram_enabled:
        typer.echo(
            "Telegram is off (LINDUNGI_BOT_TOKEN is not set): console, API and chat only.", err=True
        )
    typer.echo(
        f"Lindungi listening on http://{host}:{port} (database: {_db_kind(settings)}, "
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


def _db_kind(settings: Settings) -> str:
    return "SQLite" if settings.resolved_database_url().startswith("sqlite") else "PostgreSQL"


@app.command()
def worker() -> None:
    """Run background jobs on Redis: deliver replies left in outboxes."""
    from bot.worker import run_worker

    settings = _settings()
    _setup_logging(settings)
    if not settings.redis_url:
        raise CliError(
            "the worker needs LINDUNGI_REDIS_URL (without it, `serve` runs the jobs itself)"
        )
    if not settings.telegram_enabled:
        raise CliError("the worker sends Telegram messages: set LINDUNGI_BOT_TOKEN")
    asyncio.run(run_worker(settings))


@app.command()
def poll() -> None:
    """Receive updates by long polling (for a machine with no public URL)."""
    from bot.poll import run_polling

    settings = _settings()
    _setup_logging(settings)
    if not settings.telegram_enabled:
        raise CliError("polling needs a bot token: set LINDUNGI_BOT_TOKEN")
    _migrate(settings)
    asyncio.run(run_polling(settings))


def _bot(settings: Settings) -> Any:
    from bot.telegram import TelegramApi

    if not settings.telegram_enabled:
        raise CliError("this needs a bot token: set LINDUNGI_BOT_TOKEN")
    assert settings.bot_token is not None
    return TelegramApi(settings.bot_token.get_secret_value(), settings.telegram_api_url).bot


@webhook_app.command("set")
def webhook_set(
    url: Annotated[
        str | None, typer.Option(help="Public HTTPS base URL (else LINDUNGI_PUBLIC_URL).")
    ] = None,
) -> None:
    """Point Telegram at this server's webhook, with the secret token."""
    settings = _settings()
    base = url or settings.public_url
    if not base:
        raise CliError("no public URL: set LINDUNGI_PUBLIC_URL or pass --url")
    target = base.rstrip("/") + "/telegram/webhook"
    secret = settings.resolved_webhook_secret()

    async def run() -> None:
        bot = _bot(settings)
        async with bot:
            await bot.set_webhook(target, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    asyncio.run(run())
    typer.echo(f"Webhook set to {target}")


@webhook_app.command("info")
def webhook_info() -> None:
    """Show what Telegram knows of the webhook."""
    settings = _settings()

    async def run() -> Any:
        bot = _bot(settings)
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
    settings = _settings()

    async def run() -> None:
        bot = _bot(settings)
        async with bot:
            await bot.delete_webhook()

    asyncio.run(run())
    typer.echo("Webhook deleted")


@app.command()
def chat(
    use_database: Annotated[
        bool, typer.Option("--use-database", help="Store registrations in the configured database.")
    ] = False,
) -> None:
    """Talk to the bot in the terminal, through the same conversation engine."""
    from bot.terminal import run_terminal_chat

    settings = _settings()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run_terminal_chat(settings, use_database=use_database))


@officials_app.command("add")
def officials_add(
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[str, typer.Option(help="admin or reviewer.")],
    region: Annotated[str | None, typer.Option(help="Kemendagri code the reviewer covers.")] = None,
    username: Annotated[
        str | None, typer.Option(help="Login name (default: from the name).")
    ] = None,
) -> None:
    """Create an official; prints the password, then the API token alone on the last line."""
    from storage.infra.db import Database
    from storage.repos.officials import Officials

    settings = _settings()
    _migrate(settings)
    login = username or ".".join(name.lower().split())[:40]

    async def run() -> tuple[Any, str, str]:
        db = Database.from_url(settings.resolved_database_url())
        try:
            return await Officials(db).create(login, name, role, region)
        finally:
            await db.dispose()

    try:
        official, password, token = asyncio.run(run())
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    typer.echo(
        f"Official {official.name} ({official.role}"
        f"{', region ' + official.region if official.region else ''}) created."
    )
    typer.echo(f"username: {official.username}")
    typer.echo(f"password: {password}")
    typer.echo("API token (give it with 'Authorization: Bearer <token>'):")
    typer.echo(token)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations."""
    settings = _settings()
    _migrate(settings)
    typer.echo(f"Database is up to date ({_db_kind(settings)}).")


@programs_app.command("check")
def programs_check(
    folder: Annotated[Path | None, typer.Argument(help="Folder of program files.")] = None,
) -> None:
    """Load and check program files; print each program and its quotas."""
    from domain.errors import FlowDefinitionError
    from domain.programs import describe, load_programs

    target = folder or _settings().programs
    if not target.is_dir():
        raise CliError(f"{target} is not a folder of program files")
    try:
        programs = load_programs(target)
    except FlowDefinitionError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    for program in programs:
        typer.echo(describe(program))
        typer.echo("")
    for warning in programs.warnings:
        typer.echo(f"warning: {warning}")
    typer.echo(f"{len(programs)} program(s) OK.")


@flows_app.command("check")
def flows_check(
    file: Annotated[Path | None, typer.Argument(help="Flow pack (YAML).")] = None,
) -> None:
    """Load and check a flow pack; print its steps."""
    from conversations.engine import load_pack
    from domain.errors import FlowDefinitionError

    target = file or _settings().flow
    if target is None:
        raise CliError("no flow pack: pass a file or set LINDUNGI_FLOW")
    try:
        pack = load_pack(target)
    except FlowDefinitionError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    flow = pack.flow
    typer.echo(
        f"{flow.id}: {len(flow.steps)} step(s), languages {', '.join(sorted(pack.languages))}"
        f"{', entered by /start' if pack.start else ''}"
        f"{'' if flow.nav else ', no back/cancel buttons'}"
    )
    for step in flow.steps:
        extra = f" -> {step.query}" if step.query else ""
        buttons = f" [{step.callback}:*]" if step.callback else ""
        typer.echo(f"  {step.id}: {step.input}{buttons}{extra}")
    typer.echo("Flow pack OK.")


@regions_app.command("import")
def regions_import(
    file: Annotated[Path, typer.Argument(help="CSV with columns kode,nama.")],
) -> None:
    """Load the Kemendagri region list into the database."""
    from storage.infra.db import Database
    from storage.repos.regions import import_regions, read_region_csv

    settings = _settings()
    if not file.is_file():
        raise CliError(f"{file} does not exist")
    _migrate(settings)

    async def run() -> int:
        db = Database.from_url(settings.resolved_database_url())
        try:
            return await import_regions(db, read_region_csv(file))
        finally:
            await db.dispose()

    try:
        count = asyncio.run(run())
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    typer.echo(f"Imported {count} regions.")


@keys_app.command("new")
def keys_new() -> None:
    """Print a fresh encryption key (32 random bytes, urlsafe base64)."""
    from bot.settings import _new_key

    typer.echo(_new_key())


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt stored NIKs and questions with LINDUNGI_ENCRYPTION_KEY.

    Set the new key as LINDUNGI_ENCRYPTION_KEY and the old one in
    LINDUNGI_PREVIOUS_ENCRYPTION_KEYS, run this, then remove the old key.
    """
    from storage.infra.crypto import Cipher
    from storage.infra.db import Database
    from storage.repos.rotation import rotate

    settings = _settings()
    if settings.encryption_key is None:
        raise CliError(
            "set the new key in LINDUNGI_ENCRYPTION_KEY (and the old one in "
            "LINDUNGI_PREVIOUS_ENCRYPTION_KEYS) before rotating"
        )
    _migrate(settings)
    current, previous = settings.cipher_keys()

    async def run() -> Any:
        db = Database.from_url(settings.resolved_database_url())
        try:
            return await rotate(db, Cipher(current, previous))
        finally:
            await db.dispose()

    done = asyncio.run(run())
    submissions = f", {done.flow_submissions} flow submission(s)" if done.flow_submissions else ""
    typer.echo(
        f"Re-encrypted {done.registrations} NIK(s){submissions} and {done.questions} question(s) "
        "with the new key; LINDUNGI_PREVIOUS_ENCRYPTION_KEYS can now be removed."
    )


@app.command()
def export(
    status: Annotated[
        str, typer.Option(help="pending, approved, rejected or active.")
    ] = "approved",
    format: Annotated[str, typer.Option("--format", help="csv or xlsx.")] = "csv",
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")] = Path(
        "export.csv"
    ),
    reason: Annotated[str, typer.Option(help="Why the full NIKs are needed (audited).")] = "",
) -> None:
    """Export registrations for BPJS bulk upload."""
    from bot.exporting import export_to_file

    settings = _settings()
    _migrate(settings)
    count = asyncio.run(export_to_file(settings, status, format, output, reason))
    typer.echo(f"Exported {count} registration(s) to {output}")


def main() -> None:
    """Run the CLI, turning errors into one sentence on stderr."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        sys.exit(code if isinstance(code, int) else 1)
    except typer.Abort:
        sys.exit(130)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("LINDUNGI_DEBUG"):
            raise
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"lindungi: {message}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
