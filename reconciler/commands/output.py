"""`mmrc output [--reveal] [NAME]`: what n8n needs to call and verify Mattermost.

Prints each declared incoming webhook's URL and each outgoing webhook's and
slash command's token, read from the server now. Values are masked unless
`--reveal`; `--format json` prints the same document `apply --outputs-file`
writes (masked unless `--reveal`). With `--sandbox` the values belong to a
server that stops with the command: a note on stderr says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from reconciler import outputs
from reconciler.client import Client
from reconciler.commands.engine_options import open_client
from reconciler.commands.options import (
    Server,
    WorkspaceFile,
    deprecated_alias,
    sandbox_option,
    server_options,
    workspace_options,
)
from reconciler.engine.observe import observe
from reconciler.kinds import commands, incoming_webhooks, outgoing_webhooks
from reconciler.kinds.base import Observation, PlanContext
from reconciler.kinds.registry import KINDS
from reconciler.plan import Plan
from reconciler.workspace import LoadedWorkspace, Workspace

# What outputs need: the config (SiteURL), teams, channels, and the integrations.
OBSERVED_KINDS = ("settings", "team", "channel", "incoming_webhook", "outgoing_webhook", "command")


def read_outputs(
    loaded: LoadedWorkspace, client: Client
) -> tuple[list[outputs.Output], PlanContext]:
    """Observe just enough of the server to list the outputs; returns (outputs, context)."""
    kinds = [kind for kind in KINDS if kind.name in OBSERVED_KINDS]
    context = PlanContext(
        workspace=loaded.workspace,
        observation=Observation(),
        source_map=loaded.source_map,
        file=loaded.files[0],
        kind_order={kind.name: index for index, kind in enumerate(KINDS)},
    )
    observe(client, context, kinds)
    wanted = declared_addresses(loaded.workspace)
    found = outputs.collect(context.observation, client.url, kinds)
    return [o for o in found if o.address in wanted], context


def declared_addresses(workspace: Workspace) -> set[str]:
    """The addresses of the webhooks and commands the workspace declares."""
    found: set[str] = set()
    for team in workspace.teams:
        found.update(
            incoming_webhooks.address_of(team.name, h.display_name) for h in team.incoming_webhooks
        )
        found.update(
            outgoing_webhooks.address_of(team.name, h.display_name) for h in team.outgoing_webhooks
        )
        found.update(commands.address_of(team.name, c.trigger) for c in team.commands)
    return found


def after_apply(
    plan: Plan,
    observation: Observation,
    results: Mapping[str, Any],
    client: Client,
    *,
    outputs_file: Path | None,
    smoke_test: bool,
) -> tuple[list[str], bool]:
    """What `apply --outputs-file/--smoke-test` does once the changes ran:
    (report lines, whether every smoke test passed).

    The outputs are the observed ones (minus what the plan leaves unmanaged)
    updated with what apply created, changed or removed.
    """
    lines: list[str] = []
    passed = True
    if outputs_file is not None:
        found = outputs.collect(observation, client.url, KINDS, exclude=plan.unmanaged)
        merged = outputs.merge(found, outputs.from_results(results))
        outputs.write_file(outputs_file, merged, client.url)
        lines.append(f"Wrote {len(merged)} outputs to {outputs_file} (mode 0600).")
    if smoke_test:
        checks = incoming_webhooks.smoke_test(client, results)
        if not checks:
            lines.append("Smoke test: no incoming webhook was created or changed.")
        for check in checks:
            passed = passed and check.ok
            verdict = "ok" if check.ok else "FAILED"
            lines.append(
                f"Smoke test {verdict}: {check.address} answered {check.status} ({check.detail})"
            )
    return lines, passed


@click.command("output")
@workspace_options
@server_options
@click.option("--reveal", is_flag=True, help="Show the URLs and tokens instead of masking them.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format (json: the outputs-file document).",
)
@deprecated_alias("--json", "--format json", "fmt", lambda _: "json", is_flag=True)
@sandbox_option()
@click.argument("name", required=False)
def command(
    workspace: WorkspaceFile,
    server: Server,
    reveal: bool,
    fmt: str,
    sandbox: str | None,
    name: str | None,
) -> None:
    """Print hook URLs and tokens (masked unless --reveal). NAME: an address,
    a hook's display name, a command's trigger, or TEAM/NAME."""
    loaded = workspace.load()
    with open_client(server, sandbox=sandbox, parallelism=4) as client:
        found, _ = read_outputs(loaded, client)
        server_url = client.url
    chosen = outputs.select(found, name)
    if sandbox is not None:
        click.echo(
            f"Note: these belong to the embedded sandbox ({server_url}), which stopped with this "
            "command; they no longer answer. Run `mmrc sandbox` to keep a server running.",
            err=True,
        )
    if fmt == "json":
        document = outputs.to_document(chosen, server_url)
        if not reveal:
            for output in chosen:
                document["outputs"][output.address][output.field] = output.masked()
        click.echo(json.dumps(document, indent=2, sort_keys=True))
        return
    if not chosen:
        click.echo("No outputs: the workspace declares no webhooks or commands that exist yet.")
        return
    click.echo(outputs.render_text(chosen, reveal=reveal))
    if not reveal:
        click.echo("\n(values masked; pass --reveal to show them)", err=True)
