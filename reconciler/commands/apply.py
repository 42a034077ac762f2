"""`mmrc apply`: make the server match the workspace (or a saved plan).

`mmrc apply [-f FILE]` plans and applies; `mmrc apply PLANFILE` applies a plan
saved by `mmrc plan --out`, after reading the server again and refusing if
anything the plan touches moved. Confirmation is asked on a terminal;
`--auto-approve` skips it, and without a terminal it is required. The result
lists every change as applied, failed (with the server's error and request
ids) or not attempted; `--format json` prints it as versioned JSON.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reconciler.commands.engine_options import EngineChoices, engine_options, interactive
from reconciler.commands.lock_options import lock_commit, lock_holder, parse_duration
from reconciler.commands.options import Server, WorkspaceFile, server_options, workspace_options
from reconciler.commands.output import after_apply
from reconciler.engine.applier import apply_plan
from reconciler.engine.lock import ApplyLock, LockError
from reconciler.engine.planner import make_plan
from reconciler.engine.safety import check_safety
from reconciler.engine.saved import SavedPlan, check_binding, read_plan, reobserve
from reconciler.errors import ApiError, ApplyError, ApplyInterrupted, ReconcilerError
from reconciler.render import RenderOptions, render_plan, render_result

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import Observation, PlanOptions
    from reconciler.outcome import ApplyResult, ChangeOutcome
    from reconciler.plan import Plan
    from reconciler.workspace import LoadedWorkspace


@click.command("apply")
@click.argument(
    "planfile", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@workspace_options
@server_options
@engine_options
@click.option("--auto-approve", is_flag=True, help="Apply without asking (for CI).")
@click.option(
    "--outputs-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write hook URLs and tokens (for n8n) to this JSON file, mode 0600.",
)
@click.option(
    "--lock-timeout",
    default="0s",
    show_default=True,
    callback=lambda ctx, param, value: parse_duration(value, "--lock-timeout"),
    help="How long to wait for another apply's server-side lock (e.g. 30s, 10m).",
)
@click.option(
    "--smoke-test",
    is_flag=True,
    help="Post a test message through every incoming webhook created or changed.",
)
def command(
    planfile: Path | None,
    workspace: WorkspaceFile,
    server: Server,
    engine: EngineChoices,
    auto_approve: bool,
    outputs_file: Path | None,
    lock_timeout: float,
    smoke_test: bool,
) -> None:
    """Apply the changes a plan shows (from the workspace, or a saved PLANFILE).

    Only one apply changes a server at a time: when there is something to change,
    apply takes the server-side lock, reads the server again and plans under it, and
    releases it when it ends (`mmrc force-unlock`)."""
    if planfile is not None:
        check_planfile(planfile)
    options = engine.plan_options()
    fmt, color = engine.fmt, engine.color
    human = fmt != "json"
    if not auto_approve and not interactive():
        raise ReconcilerError(
            "apply needs confirmation, and there is no terminal to ask on: "
            "pass --auto-approve to apply without asking"
        )
    with engine.client(server) as client, ExitStack() as lock:
        plan, observation = _plan_to_apply(planfile, workspace, client, options)
        if not plan.is_empty:  # changes to make: take the lock, then read the server again
            lock.enter_context(_locked(client, lock_timeout))
            plan, observation = _plan_to_apply(planfile, workspace, client, options)
        if human:
            click.echo(render_plan(plan, fmt, RenderOptions(color=color)), nl=False)
        check_safety(plan, observation, options)
        results: dict[str, Any] = {}
        result: ApplyResult | None = None
        if plan.is_empty:
            if not human:
                click.echo(render_result(apply_plan(plan, client, observation), fmt), nl=False)
        else:
            if not auto_approve and not click.confirm("Apply these changes?", default=False):
                raise ReconcilerError("apply cancelled; nothing was changed")
            progress = progress_printer(sys.stderr.isatty()) if human else None
            result = apply_plan(plan, client, observation, progress=progress, results=results)
        stopped = result is not None and result.interrupted  # Ctrl-C: no smoke test
        report, passed = after_apply(
            plan,
            observation,
            results,
            client,
            outputs_file=outputs_file,
            smoke_test=smoke_test and not stopped,
        )
    if result is None:  # nothing to apply
        _finish(report, passed, human)
        return
    click.echo(render_result(result, fmt, RenderOptions(color=color)), nl=False)
    _finish(report, passed, human, ok=result.ok)
    if result.interrupted:
        counts = result.counts()
        raise ApplyInterrupted(
            f"apply interrupted: {counts['applied']} applied, {counts['failed']} failed, "
            f"{counts['not_attempted']} not attempted; run apply again to finish "
            "(it converges: what was applied is not done twice)"
        )
    if not result.ok:
        counts = result.counts()
        raise ApplyError(
            f"apply stopped: {counts['applied']} applied, {counts['failed']} failed, "
            f"{counts['not_attempted']} not attempted; fix the cause and run apply again"
        )


def check_planfile(path: Path) -> None:
    """PLANFILE is a saved plan (JSON); a workspace file there is a usage error that says
    what to type instead."""
    try:
        with path.open("rb") as handle:
            start = handle.read(512).lstrip()
    except OSError:
        return  # read_plan reports it
    if path.suffix.lower() in (".yaml", ".yml") or not start.startswith(b"{"):
        raise click.UsageError(
            f"{path} is not a saved plan: `mmrc apply PLANFILE` applies a plan saved by "
            f"`mmrc plan -o plan.json`; to plan and apply a workspace file, run "
            f"`mmrc apply -f {path}`"
        )


def _plan_to_apply(
    planfile: Path | None, workspace: WorkspaceFile, client: Client, options: PlanOptions
) -> tuple[Plan, Observation]:
    """A saved plan (after checking that nothing it touches moved), or a fresh one."""
    if planfile is not None:
        saved = read_plan(planfile)
        check_binding(saved, client, _workspace_to_check(saved, workspace), source=str(planfile))
        return saved.plan, reobserve(saved, client, options).observation
    planned = make_plan(workspace.load(), client, options)
    return planned.plan, planned.observation


@contextmanager
def _locked(client: Client, timeout: float) -> Iterator[None]:
    lock = ApplyLock(client, holder=lock_holder(), commit=lock_commit())
    held = lock.acquire(timeout)
    click.echo(f"Acquired the apply lock (lock id {held.id}).", err=True)
    try:
        yield
    finally:
        try:
            lock.release()
        except (LockError, ApiError) as error:  # never hide how the apply itself ended
            click.echo(
                f"Warning: the apply lock was not released ({error}); it expires by itself, "
                f"or run `mmrc force-unlock {held.id}`",
                err=True,
            )


def _workspace_to_check(saved: SavedPlan, workspace: WorkspaceFile) -> LoadedWorkspace | None:
    """The workspace a saved plan must have been made from: the -f file when given, else
    the file the plan names when it exists here (a saved plan applies without one)."""
    source = click.get_current_context().get_parameter_source("file")
    if source is not click.core.ParameterSource.DEFAULT:
        return workspace.load()
    if saved.binding is not None and Path(saved.binding.workspace_file).is_file():
        return replace(workspace, file=Path(saved.binding.workspace_file)).load()
    return None


def _finish(report: list[str], passed: bool, human: bool, *, ok: bool = True) -> None:
    """Print what --outputs-file/--smoke-test did; a failed smoke test fails apply."""
    for line in report:
        click.echo(line, err=not human)
    if ok and not passed:
        raise ApplyError("apply succeeded, but the smoke test of an incoming webhook failed")


def progress_printer(terminal: bool) -> Callable[[ChangeOutcome, int, int], None]:
    """One line per finished change on stderr: redrawn in place on a terminal, appended
    otherwise (a CI log shows the apply as it goes)."""

    def on_terminal(outcome: ChangeOutcome, done: int, total: int) -> None:
        click.echo(
            f"\r[{done}/{total}] {outcome.status:<13} {outcome.address}\x1b[K",
            err=True,
            nl=done == total,
        )

    def in_log(outcome: ChangeOutcome, done: int, total: int) -> None:
        status = outcome.status.replace("_", " ")
        click.echo(f"[{done}/{total}] {status}: {outcome.address}", err=True)

    return on_terminal if terminal else in_log
