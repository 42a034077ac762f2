"""`mmrc validate`: check workspace.yaml offline (no server, no token).

Also home of `workspace_options` and `load_from_options`, which every
command reading the workspace (plan, apply, …) can reuse.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.workspace import LoadedWorkspace, load_var_file, load_workspace

F = TypeVar("F", bound=Callable[..., Any])


def workspace_options(func: F) -> F:
    """Adds -f/--file, --var KEY=VALUE (repeatable) and --var-file FILE (repeatable)."""
    func = click.option(
        "--var-file",
        "var_files",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="YAML file of variables (overrides the file's vars:).",
    )(func)
    func = click.option(
        "--var",
        "var_pairs",
        multiple=True,
        metavar="KEY=VALUE",
        help="Set a template variable (overrides vars: and --var-file).",
    )(func)
    func = click.option(
        "-f",
        "--file",
        "file",
        default="workspace.yaml",
        show_default=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="The workspace file.",
    )(func)
    return func


def parse_var_pairs(pairs: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint="--var")
        found[key.strip()] = value
    return found


def load_from_options(
    file: Path, var_pairs: Sequence[str], var_files: Sequence[Path]
) -> LoadedWorkspace:
    overrides: dict[str, Any] = {}
    for var_file in var_files:
        overrides.update(load_var_file(var_file))
    overrides.update(parse_var_pairs(var_pairs))
    return load_workspace(file, overrides)


def summary(loaded: LoadedWorkspace) -> str:
    ws = loaded.workspace
    teams = ws.teams
    counts = {
        "team": len(teams),
        "channel": sum(len(t.channels) for t in teams),
        "bot": len(ws.bots),
        "webhook": sum(len(t.incoming_webhooks) + len(t.outgoing_webhooks) for t in teams),
        "command": sum(len(t.commands) for t in teams),
    }
    parts = [f"{n} {noun}{'s' if n != 1 else ''}" for noun, n in counts.items()]
    extra = f", {len(loaded.files) - 1} included" if len(loaded.files) > 1 else ""
    return f"{loaded.files[0]}: OK ({', '.join(parts)}{extra})"


@click.command("validate")
@workspace_options
def command(file: Path, var_pairs: tuple[str, ...], var_files: tuple[Path, ...]) -> None:
    """Check the workspace file offline and report every problem in it."""
    click.echo(summary(load_from_options(file, var_pairs, var_files)))
