"""`mmrc plan`: show what apply would change on the server to match the workspace.

Exit codes with `--detailed-exitcode`: 0 no changes, 1 error, 2 changes.
`-o/--out FILE` saves the plan (with fingerprints of what it read) for
`mmrc apply FILE`. `--commit SHA` names the planned commit in the markdown
(the pull-request comment the GitHub action posts). A plan past the safety
guards is shown, then refused (exit 1) unless `--allow-destructive`.

The plan reads what the token's account may do (system-wide, and for an account
that is not a system admin also in each team and channel) and reports every
change apply would be refused (403) as an error at its line, naming the
permission. `--no-permission-check` skips that for a token that only plans
(a read-only CI token); `mmrc apply` checks its own token before writing.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.commands.engine_options import EngineChoices, engine_options
from reconciler.commands.options import (
    Server,
    WorkspaceFile,
    out_option,
    server_options,
    workspace_options,
)
from reconciler.drift import drift_report, render_drift
from reconciler.engine.planner import make_plan
from reconciler.engine.safety import check_safety, unsafe_reasons
from reconciler.engine.saved import make_binding, write_plan
from reconciler.render import RenderOptions, render_plan


@click.command("plan")
@workspace_options
@server_options
@engine_options
@out_option("Save the plan to this file (for `mmrc apply FILE`).")
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 0 with no changes, 2 with changes, 1 on error."
)
@click.option(
    "--drift", is_flag=True, help="Show the plan as drift, with who changed what (as `mmrc drift`)."
)
@click.option(
    "--no-permission-check",
    is_flag=True,
    help="The token only plans (CI's read-only token): do not turn what it may not write "
    "into errors. `mmrc apply` always checks the applying token.",
)
@click.option(
    "--commit",
    metavar="SHA",
    default=None,
    help="The commit this plan is for; the markdown output (a PR comment) names it.",
)
@click.pass_context
def command(
    ctx: click.Context,
    workspace: WorkspaceFile,
    server: Server,
    engine: EngineChoices,
    out: Path | None,
    detailed_exitcode: bool,
    drift: bool,
    no_permission_check: bool,
    commit: str | None,
) -> None:
    """Show what `apply` would change on the server."""
    loaded = workspace.load()
    options = engine.plan_options(check_permissions=not no_permission_check)
    with engine.client(server) as client:
        planned = make_plan(loaded, client, options)
        report = drift_report(planned, client) if drift else None
        binding = make_binding(client, loaded) if out is not None else None
    plan = planned.plan
    refusals = (
        () if options.allow_destructive else unsafe_reasons(plan, planned.observation, options)
    )
    render_options = RenderOptions(
        color=engine.color, drift=drift, commit=commit, refusals=tuple(refusals)
    )
    if report is not None:
        click.echo(render_drift(report, engine.fmt, render_options), nl=False)
    else:
        click.echo(render_plan(plan, engine.fmt, render_options), nl=False)
    if out is not None and binding is not None:
        write_plan(out, plan, loaded, binding)
        click.echo(f"Saved the plan to {out}; apply it with: mmrc apply {out}", err=True)
    check_safety(plan, planned.observation, options)
    if detailed_exitcode and not plan.is_empty:
        ctx.exit(2)
