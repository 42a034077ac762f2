"""`mmrc import`: write a workspace.yaml that reproduces a live server.

    mmrc import [-o FILE [--force]] [--team NAME]... [--split] [--members] [--url URL]
                [--token-file F] [--sandbox demo|empty]

The workspace goes to stdout (or `-o FILE`); with `--split` one file per team
goes under `teams/` next to FILE, listed in its `include:`. A file that exists
is never overwritten without `--force` (nothing is written when one would be). The summary
(counts, naming-policy exceptions, skipped objects, variables to set) goes to
stderr. The result is checked the way `mmrc validate` checks it before it is
written; `validate` then passes and `plan` shows no changes. Nothing secret is
written: secrets are `${env:…}` references, hook ids and tokens are left out.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

import click

from reconciler.commands.engine_options import open_client
from reconciler.commands.options import (
    Server,
    deprecated_alias,
    out_option,
    parallelism_option,
    sandbox_option,
    server_options,
)
from reconciler.errors import ConfigError, ReconcilerError
from reconciler.importer import ImportResult, build_workspace, read_server
from reconciler.workspace import load_workspace


def check(result: ImportResult) -> list[str]:
    """Validate the produced files (in a scratch directory); the problems, if any."""
    with tempfile.TemporaryDirectory(prefix="mmrc-import-") as scratch:
        base = Path(scratch)
        for relative, text in result.files.items():
            target = base / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        try:
            load_workspace(base / result.root)
        except ConfigError as error:
            return [str(d).replace(scratch + "/", "") for d in error.diagnostics]
    return []


def targets(result: ImportResult, output: Path) -> dict[Path, str]:
    """Where each produced file goes: the root at `output`, team files next to it."""
    base = output.parent
    return {
        (output if relative == result.root else base / relative): text
        for relative, text in result.files.items()
    }


def refuse_overwrite(paths: Iterable[Path]) -> None:
    """Raise (before anything is written) when any of `paths` exists."""
    existing = [path for path in paths if path.exists()]
    if existing:
        listed = ", ".join(str(path) for path in existing)
        raise ReconcilerError(
            f"import would overwrite {listed}: pass --force to replace "
            f"{'it' if len(existing) == 1 else 'them'}, or choose another -o FILE"
        )


def write(files: dict[Path, str]) -> list[Path]:
    for target, text in files.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return list(files)


@click.command("import")
@server_options
@out_option("Write the workspace to this file (default: stdout).")
@deprecated_alias("--output", "-o/--out", "out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--team",
    "only_teams",
    multiple=True,
    metavar="NAME",
    help="Import only this team (repeatable). Settings and bots are always imported.",
)
@click.option(
    "--split", is_flag=True, help="One file per team under teams/, included from -o FILE."
)
@click.option("--members", is_flag=True, help="Import team and channel members and guests.")
@click.option("--force", is_flag=True, help="Overwrite -o FILE (and --split's team files).")
@parallelism_option
@sandbox_option()
def command(
    server: Server,
    out: Path | None,
    only_teams: tuple[str, ...],
    split: bool,
    members: bool,
    force: bool,
    parallelism: int,
    sandbox: str | None,
) -> None:
    """Write a workspace.yaml that reproduces a live server."""
    if split and out is None:
        raise click.UsageError("--split writes several files: give the root file with -o FILE")
    if out is not None and not force:
        refuse_overwrite([out])  # before reading the server: fail fast
    with open_client(server, sandbox=sandbox, parallelism=parallelism) as client:
        state = read_server(client, only_teams=only_teams, members=members)
    root = out.name if out is not None else "workspace.yaml"
    result = build_workspace(state, split=split, root=root)
    problems = check(result)
    if out is None:
        click.echo(result.files[result.root], nl=False)
    else:
        files = targets(result, out)
        if not force:
            refuse_overwrite(files)
        for path in write(files):
            result.summary.notes.append(f"wrote {path}")
    click.echo(result.summary.render(), err=True, nl=False)
    if problems:
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        raise ReconcilerError(
            f"the imported workspace does not validate ({len(problems)} problems above); "
            "this is a bug in mmrc import, or the server holds something the format cannot say"
        )
