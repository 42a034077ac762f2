"""`mmrc rotate [NAME…]`: new tokens for outgoing webhooks and slash commands.

The seeds ask for regular rotation. Every declared outgoing webhook and slash
command that exists gets a new token (`POST /hooks/outgoing/{id}/regen_token`,
`PUT /commands/{id}/regen_token`); NAME limits it to some (address, display
name, trigger, or TEAM/NAME). `--outputs-file FILE` rewrites the outputs file
(mode 0600) with the new tokens, so a deploy job can hand them to n8n. The
tokens themselves are never printed.

A rotation cannot be undone (the old token stops working), so rotate asks for
confirmation on a terminal and needs `--auto-approve` elsewhere, as apply does.
When a rotation's answer is lost, the token is read back: if the server holds a
new one, that is the rotation's result and it goes to the outputs file.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler import outputs
from reconciler.commands.engine_options import interactive, open_client
from reconciler.commands.options import (
    Server,
    WorkspaceFile,
    sandbox_option,
    server_options,
    workspace_options,
)
from reconciler.commands.output import read_outputs
from reconciler.engine.applier import id_table
from reconciler.errors import ApiError, ReconcilerError
from reconciler.kinds import commands, outgoing_webhooks
from reconciler.kinds.base import ApplyContext

ROTATABLE = {outgoing_webhooks.name: outgoing_webhooks, commands.name: commands}


@click.command("rotate")
@workspace_options
@server_options
@click.option(
    "--outputs-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every output (with the new tokens) to this file, mode 0600.",
)
@sandbox_option()
@click.option("--auto-approve", is_flag=True, help="Rotate without asking (for CI).")
@click.argument("names", nargs=-1)
def command(
    workspace: WorkspaceFile,
    server: Server,
    outputs_file: Path | None,
    sandbox: str | None,
    auto_approve: bool,
    names: tuple[str, ...],
) -> None:
    """Regenerate the tokens of outgoing webhooks and slash commands."""
    if not auto_approve and not interactive():
        raise ReconcilerError(
            "rotate needs confirmation, and there is no terminal to ask on: "
            "pass --auto-approve to rotate without asking"
        )
    loaded = workspace.load()
    with open_client(server, sandbox=sandbox, parallelism=4) as client:
        found, plan_context = read_outputs(loaded, client)
        targets = [o for o in found if o.kind in ROTATABLE]
        if names:
            chosen = {o.address for name in names for o in outputs.select(targets, name)}
            targets = [o for o in targets if o.address in chosen]
        if not targets:
            raise ReconcilerError(
                "nothing to rotate: no declared outgoing webhook or slash command exists "
                "on the server (apply first)"
            )
        if not auto_approve:
            for output in targets:
                click.echo(f"  {output.address}")
            question = f"Rotate these {len(targets)} tokens? The old ones stop working at once"
            if not click.confirm(question, default=False):
                raise ReconcilerError("rotate cancelled; no token was changed")
        observation = plan_context.observation
        context = ApplyContext(client, observation, ids=id_table(observation))
        done: list[str] = []
        try:
            for output in targets:
                _rotate(context, output)
                done.append(output.address)
        finally:
            rotated = outputs.merge(found, outputs.from_results(context.results))
            if outputs_file is not None and done:
                outputs.write_file(outputs_file, rotated, client.url)
        for address in done:
            click.echo(f"rotated {address}")
    if outputs_file is not None:
        click.echo(f"Wrote {len(rotated)} outputs to {outputs_file} (mode 0600).")
    else:
        click.echo(
            "The new tokens are not shown; run `mmrc output --reveal` or pass --outputs-file.",
            err=True,
        )


def _rotate(context: ApplyContext, output: outputs.Output) -> None:
    """Regenerate one token. When the answer is lost (or an error follows a request that
    may have been carried out), read the token back: a new one means the rotation took
    place, and it is recorded for the outputs file."""
    kind = ROTATABLE[output.kind]
    try:
        kind.regenerate(context, output.address)
    except ApiError as error:
        try:
            current = kind.read_token(context, output.address)
        except ApiError:
            raise error from None
        if not current or current == output.reveal():
            raise error from None
        kind.record(context, output.address, current)
