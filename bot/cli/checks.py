"""`lindungi programs check` and `lindungi flows check`: configuration files, explained."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import CliError, load_settings

programs_app = typer.Typer(help="Program files.", no_args_is_help=True)
flows_app = typer.Typer(help="Flow packs (LINDUNGI_FLOW).", no_args_is_help=True)


@programs_app.command("check")
def programs_check(
    folder: Annotated[Path | None, typer.Argument(help="Folder of program files.")] = None,
) -> None:
    """Load and check program files; print each program and its quotas."""
    from domain.errors import FlowDefinitionError
    from domain.programs import describe, load_programs

    target = folder or load_settings().programs
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

    target = file or load_settings().flow
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
