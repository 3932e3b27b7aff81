"""`lindungi officials ...` for offboarding and account care: deactivate, reset a password or
the second factor, change role or region, revoke and issue API tokens.

Every command is audited as `cli:<user>`. `register(officials_app)` adds them to the CLI.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, TypeVar

import typer

from bot.settings import Settings
from storage.errors import NotFoundError
from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.infra.migrate import upgrade
from storage.repos.accounts import Accounts
from storage.repos.officials import TOKEN_LIFETIME
from storage.repos.second_factor import SecondFactor

T = TypeVar("T")
Username = Annotated[str, typer.Argument(help="The official's login name.")]


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


def _run(work: Callable[[Settings, Database, int], Awaitable[T]], username: str) -> T:
    """Run `work(settings, db, official_id)` on the configured database."""
    settings = Settings()
    settings.ensure_data_dir()
    upgrade(settings.resolved_database_url())

    async def run() -> T:
        db = Database.from_url(settings.resolved_database_url())
        try:
            official_id = await Accounts(db).id_of(username)
            return await work(settings, db, official_id)
        finally:
            await db.dispose()

    try:
        return asyncio.run(run())
    except (NotFoundError, ValueError) as exc:
        typer.echo(f"lindungi: {exc}", err=True)
        raise typer.Exit(1) from None


def deactivate(username: Username) -> None:
    """Deactivate an official: they cannot sign in, and their sessions and tokens stop now."""
    _run(lambda _s, db, oid: Accounts(db).deactivate(oid, _who()), username)
    typer.echo(f"{username} is deactivated; their sessions and API tokens no longer work.")


def reset_password(username: Username) -> None:
    """Give an official a new random password (printed once); their sessions end."""
    password = _run(lambda _s, db, oid: Accounts(db).reset_password(oid, _who()), username)
    typer.echo(f"New password of {username} (give it to them in person):")
    typer.echo(password)


def reset_totp(username: Username) -> None:
    """Remove an official's second factor (a lost phone); an admin must set it up again."""

    async def work(settings: Settings, db: Database, official_id: int) -> None:
        await SecondFactor(db, Cipher(*settings.cipher_keys())).remove(official_id, _who())

    _run(work, username)
    typer.echo(f"The second factor of {username} is removed.")


def set_role(
    username: Username,
    role: Annotated[str, typer.Argument(help="admin or reviewer.")],
) -> None:
    """Change an official's role."""
    _run(lambda _s, db, oid: Accounts(db).set_role(oid, role, _who()), username)
    typer.echo(f"{username} is now {role}.")


def set_region(
    username: Username,
    region: Annotated[str, typer.Argument(help="Kemendagri code, or 'none'.")],
) -> None:
    """Change the region an official covers."""
    code = None if region.lower() == "none" else region
    _run(lambda _s, db, oid: Accounts(db).set_region(oid, code, _who()), username)
    typer.echo(f"{username} now covers {code or 'no region'}.")


def revoke_tokens(username: Username) -> None:
    """Revoke every API token of an official."""
    count = _run(lambda _s, db, oid: Accounts(db).revoke_tokens(oid, _who()), username)
    typer.echo(f"{count} API token(s) of {username} revoked.")


def token(
    username: Username,
    read_only: Annotated[
        bool, typer.Option("--read-only", help="The token may only read (GET).")
    ] = False,
    days: Annotated[
        int, typer.Option(min=1, max=3650, help="Days until the token expires.")
    ] = TOKEN_LIFETIME.days,
) -> None:
    """Issue a new API token for an official; printed alone on the last line."""
    issued = _run(
        lambda _s, db, oid: Accounts(db).new_token(
            oid, _who(), read_only=read_only, lifetime=timedelta(days=days)
        ),
        username,
    )
    kind = "read-only" if read_only else "read-write"
    typer.echo(f"A {kind} API token for {username}, valid {days} day(s):")
    typer.echo(issued)


def register(officials_app: typer.Typer) -> None:
    """Add these commands to `lindungi officials`."""
    for command in (deactivate, reset_password, reset_totp, set_role, set_region, revoke_tokens):
        officials_app.command(command.__name__.replace("_", "-"))(command)
    officials_app.command("token")(token)
