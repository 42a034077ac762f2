"""`mmrc validate`: check workspace.yaml offline (no server, no token)."""

from __future__ import annotations

import click

from reconciler.commands.options import WorkspaceFile, workspace_options
from reconciler.workspace import LoadedWorkspace


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
def command(workspace: WorkspaceFile) -> None:
    """Check the workspace file offline and report every problem in it."""
    click.echo(summary(workspace.load()))
