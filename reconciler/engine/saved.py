"""Plan files: `mmrc plan --out plan.json` and `mmrc apply plan.json`.

A plan file is the plan's versioned JSON (`Plan.to_dict()`) plus `desired`:
the workspace as validated (templates rendered, secrets still references), so
`apply plan.json` needs no workspace file and reads secrets from the
environment only when it applies. Nothing secret is written: the plan holds
redacted values, and incoming-webhook ids never appear in it.

Before applying, the server is read again the same way and every object the
plan's changes touch (and their parents) is compared by fingerprint; if any
moved, appeared or disappeared, `StalePlanError` names each one.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from reconciler.engine.planner import Planned, plan_workspace
from reconciler.errors import ReconcilerError, StalePlanError
from reconciler.kinds.base import Observation, PlanOptions, parent_addresses
from reconciler.plan import Plan
from reconciler.workspace.models import Workspace

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.workspace import LoadedWorkspace

DESIRED_KEY = "desired"


@dataclass(frozen=True)
class SavedPlan:
    plan: Plan
    workspace: Workspace


def plan_file_data(plan: Plan, workspace: Workspace) -> dict[str, Any]:
    data = plan.to_dict()
    data[DESIRED_KEY] = workspace.model_dump(mode="json", exclude_unset=True)
    return data


def write_plan(path: Path, plan: Plan, loaded: LoadedWorkspace | Workspace) -> None:
    workspace = loaded if isinstance(loaded, Workspace) else loaded.workspace
    text = json.dumps(plan_file_data(plan, workspace), indent=2, sort_keys=False) + "\n"
    directory = path.parent if str(path.parent) else Path(".")
    handle, temp = tempfile.mkstemp(prefix=".mmrc-plan-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def read_plan(path: Path) -> SavedPlan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ReconcilerError(f"cannot read plan file {path}: {error}") from None
    if not isinstance(data, dict) or DESIRED_KEY not in data:
        raise ReconcilerError(f"{path} is not an mmrc plan file (no {DESIRED_KEY!r} section)")
    try:
        plan = Plan.from_dict(data)
        workspace = Workspace.model_validate(data[DESIRED_KEY])
    except (ValueError, KeyError, ValidationError) as error:
        raise ReconcilerError(f"{path} is not a usable mmrc plan file: {error}") from None
    return SavedPlan(plan, workspace)


def touched_addresses(plan: Plan) -> list[str]:
    found: set[str] = set()
    for change in plan.changes:
        found.add(change.address)
        found.update(parent_addresses(change.address))
    return sorted(found)


def moved_objects(plan: Plan, observation: Observation) -> list[str]:
    """What changed on the server, among the objects the plan's changes touch."""
    moved: list[str] = []
    for address in touched_addresses(plan):
        before = plan.observed.get(address)
        live = observation.resolve(address)
        now = live.fingerprint() if live is not None else None
        if before == now:
            continue
        if before is None:
            moved.append(f"{address}: now exists on the server")
        elif now is None:
            moved.append(f"{address}: no longer exists on the server")
        else:
            moved.append(f"{address}: changed on the server")
    return moved


def reobserve(saved: SavedPlan, client: Client, options: PlanOptions | None = None) -> Planned:
    """Read the server again as the plan did; raise StalePlanError if what it touches moved."""
    fresh = plan_workspace(saved.workspace, client, options)
    moved = moved_objects(saved.plan, fresh.observation)
    if moved:
        raise StalePlanError(moved)
    return fresh
