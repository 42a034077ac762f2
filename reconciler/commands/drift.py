"""`mmrc drift`: what changed on the server outside git, field by field, and who changed it.

    mmrc drift [-f FILE] [--format text|markdown|json] [--detailed-exitcode] [--no-attribution]
               [--commit SHA] [--sandbox demo|empty]

Drift is every difference between the server and the workspace: which object,
which field, the live value and the declared one. With a system admin's token
each drifted object also shows who changed it and when, when the server's
audit log says (`--no-attribution` skips reading it). Exit codes with
`--detailed-exitcode`: 0 no drift, 1 error, 2 drift. Never writes to the server.
"""

from __future__ import annotations

import click

from reconciler.commands.engine_options import open_client, use_color
from reconciler.commands.options import (
    Server,
    WorkspaceFile,
    format_option,
    no_color_option,
    parallelism_option,
    sandbox_option,
    server_options,
    workspace_options,
)
from reconciler.drift import drift_report, render_drift
from reconciler.engine.planner import make_plan
from reconciler.kinds.base import PlanOptions
from reconciler.render import RenderOptions


@click.command("drift")
@workspace_options
@server_options
@format_option
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 without drift, 2 with, 1 on error.")
@click.option(
    "--no-attribution", is_flag=True, help="Do not read the audit log for who changed what."
)
@no_color_option
@click.option(
    "--commit",
    metavar="SHA",
    default=None,
    help="The commit whose workspace was checked; the markdown report names it.",
)
@parallelism_option
@sandbox_option()
@click.pass_context
def command(
    ctx: click.Context,
    workspace: WorkspaceFile,
    server: Server,
    fmt: str,
    detailed_exitcode: bool,
    no_attribution: bool,
    no_color: bool,
    commit: str | None,
    parallelism: int,
    sandbox: str | None,
) -> None:
    """Report changes made on the server outside git (and who made them)."""
    loaded = workspace.load()
    with open_client(server, sandbox=sandbox, parallelism=parallelism) as client:
        # drift never writes: what the token may not write is no problem here
        planned = make_plan(loaded, client, PlanOptions(check_permissions=False))
        report = drift_report(planned, client, attribution=not no_attribution)
    options = RenderOptions(color=use_color(no_color), drift=True, commit=commit)
    click.echo(render_drift(report, fmt, options), nl=False)
    if detailed_exitcode and report.drifted:
        ctx.exit(2)
