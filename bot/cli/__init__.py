"""The `lindungi` command line.

Errors end as one clear sentence on stderr and a non-zero exit (a traceback only with --debug).
Sub-commands live in :mod:`.server` (serve, worker, poll, chat), :mod:`.webhook`,
:mod:`.admin` (officials, db, regions, keys, export) and :mod:`.checks` (programs, flows).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from bot.cli import admin, checks, officials, server, webhook
from bot.cli.common import CliError

__all__ = ["CliError", "app", "main"]

app = typer.Typer(
    help="Lindungi: BPJS Ketenagakerjaan protection for informal workers, on Telegram.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for command in (server.serve, server.worker, server.poll, server.chat, admin.export):
    app.command()(command)
app.add_typer(webhook.webhook_app, name="webhook")
app.add_typer(admin.officials_app, name="officials")
officials.register(admin.officials_app)
app.add_typer(admin.db_app, name="db")
app.add_typer(checks.programs_app, name="programs")
app.add_typer(admin.regions_app, name="regions")
app.add_typer(admin.keys_app, name="keys")
app.add_typer(checks.flows_app, name="flows")


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    if debug:
        os.environ["LINDUNGI_DEBUG"] = "1"


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
