"""Making a plan: observe the server, let each kind diff its part, collect it all.

`make_plan` calls every kind's `plan` in `KINDS` order (later kinds see the
changes earlier ones planned), gathers every problem into one `PlanError`,
records what the file leaves unmanaged, and fingerprints every live object it
read (`Plan.observed`) so a saved plan can be checked for staleness. It never
writes to the server. The same server content always gives the same plan:
nothing follows the order in which the server lists objects (or their ids).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.engine.observe import observe
from reconciler.engine.safety import archive_guard_errors, destroy_guard_errors
from reconciler.errors import Diagnostic, PlanError
from reconciler.kinds.base import Kind, Observation, PlanContext, PlanOptions
from reconciler.kinds.registry import KINDS
from reconciler.plan import Action, Plan, ResourceChange

BACKWARD = (Action.ARCHIVE, Action.REMOVE, Action.DISABLE)

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.workspace import LoadedWorkspace
    from reconciler.workspace.models import Workspace
    from reconciler.workspace.sourcemap import SourceMap


@dataclass
class Planned:
    """A plan and the observation it was made from (the applier's id table comes from it)."""

    plan: Plan
    observation: Observation


def make_plan(
    loaded: LoadedWorkspace,
    client: Client,
    options: PlanOptions | None = None,
    kinds: Sequence[Kind] = KINDS,
) -> Planned:
    root = loaded.files[0]
    return plan_workspace(
        loaded.workspace,
        client,
        options,
        kinds,
        source_map=loaded.source_map,
        file=root,
        workspace_meta={"file": root, "sha256": _sha256(Path(root))},
    )


def plan_workspace(
    workspace: Workspace,
    client: Client,
    options: PlanOptions | None = None,
    kinds: Sequence[Kind] = KINDS,
    *,
    source_map: SourceMap | None = None,
    file: str = "workspace.yaml",
    workspace_meta: dict[str, str] | None = None,
) -> Planned:
    context = PlanContext(
        workspace=workspace,
        observation=Observation(),
        options=options or PlanOptions(),
        source_map=source_map,
        file=file,
        kind_order={kind.name: index for index, kind in enumerate(kinds)},
    )
    info = observe(client, context, kinds)
    for kind in kinds:
        context.changes.extend(kind.plan(context))
    archive_guard_errors(context)
    destroy_guard_errors(context)
    if context.errors:
        raise PlanError(_unique(context.errors))
    plan = Plan(
        changes=order_changes(context.changes),
        warnings=tuple(context.warnings),
        unmanaged=tuple(sorted(set(context.unmanaged_addresses))),
        observed=fingerprints(context.observation),
        server={"url": info.url, "version": info.version},
        workspace=workspace_meta or {"file": file},
    )
    return Planned(plan, context.observation)


def order_changes(changes: Sequence[ResourceChange]) -> tuple[ResourceChange, ...]:
    """Creates and updates in kind order, within a kind in the order the kind produced
    (file order); then archives/removals in reverse kind order, within a kind by address
    (they mostly come from server listings, whose order must not leak into the plan)."""
    forward = [c for c in changes if c.action not in BACKWARD]
    backward = [c for c in changes if c.action in BACKWARD]
    return tuple(
        sorted(forward, key=lambda c: c.order)
        + sorted(backward, key=lambda c: (-c.order, c.address))
    )


def fingerprints(observation: Observation) -> dict[str, str]:
    """address → fingerprint for every live object read, and for every declared
    address that follows a rename to its live object."""
    found = {address: obj.fingerprint() for address, obj in observation.objects.items()}
    for alias, target in observation.aliases.items():
        if target in observation.objects:
            found[alias] = observation.objects[target].fingerprint()
    return found


def _unique(problems: Sequence[str | Diagnostic]) -> list[str | Diagnostic]:
    seen: dict[str, str | Diagnostic] = {}
    for problem in problems:
        seen.setdefault(str(problem), problem)
    return list(seen.values())


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""
