"""Administration: officials, migrations, region codes, encryption keys and exports."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import CliError, db_kind, load_settings, migrate, with_database

officials_app = typer.Typer(help="Officials who use the console and API.", no_args_is_help=True)
db_app = typer.Typer(help="Database.", no_args_is_help=True)
regions_app = typer.Typer(help="Kemendagri region codes.", no_args_is_help=True)
keys_app = typer.Typer(help="The encryption key of personal data.", no_args_is_help=True)


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
    from storage.repos.officials import Officials

    settings = load_settings()
    migrate(settings)
    login = username or ".".join(name.lower().split())[:40]

    try:
        official, password, token = with_database(
            settings, lambda db: Officials(db).create(login, name, role, region)
        )
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
    settings = load_settings()
    migrate(settings)
    typer.echo(f"Database is up to date ({db_kind(settings)}).")


@regions_app.command("import")
def regions_import(
    file: Annotated[Path, typer.Argument(help="CSV with columns kode,nama.")],
) -> None:
    """Load the Kemendagri region list into the database."""
    from storage.repos.regions import import_regions, read_region_csv

    settings = load_settings()
    if not file.is_file():
        raise CliError(f"{file} does not exist")
    migrate(settings)

    try:
        count = with_database(settings, lambda db: import_regions(db, read_region_csv(file)))
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
    from storage.repos.rotation import rotate

    settings = load_settings()
    if settings.encryption_key is None:
        raise CliError(
            "set the new key in LINDUNGI_ENCRYPTION_KEY (and the old one in "
            "LINDUNGI_PREVIOUS_ENCRYPTION_KEYS) before rotating"
        )
    migrate(settings)
    current, previous = settings.cipher_keys()

    done = with_database(settings, lambda db: rotate(db, Cipher(current, previous)))
    submissions = f", {done.flow_submissions} flow submission(s)" if done.flow_submissions else ""
    typer.echo(
        f"Re-encrypted {done.registrations} NIK(s){submissions} and {done.questions} question(s) "
        "with the new key."
    )
    if done.duplicate_niks:
        ids = ", ".join(str(i) for i in done.duplicate_niks)
        typer.echo(
            f"{len(done.duplicate_niks)} registration(s) share their NIK with another one and "
            f"keep the old key (ids {ids}): an official decides which stays, then run "
            "`lindungi keys rotate` again. Keep LINDUNGI_PREVIOUS_ENCRYPTION_KEYS until then."
        )
    else:
        typer.echo("LINDUNGI_PREVIOUS_ENCRYPTION_KEYS can now be removed.")


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

    settings = load_settings()
    migrate(settings)
    count = asyncio.run(export_to_file(settings, status, format, output, reason))
    typer.echo(f"Exported {count} registration(s) to {output}")
