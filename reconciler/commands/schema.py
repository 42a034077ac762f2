"""`mmrc schema`: print the workspace JSON Schema (as in schemas/workspace.schema.json)."""

from __future__ import annotations

import click

from reconciler.workspace.schema import workspace_json_schema_text


@click.command("schema")
def command() -> None:
    """Print the JSON Schema of workspace.yaml (for editor completion)."""
    click.echo(workspace_json_schema_text(), nl=False)
