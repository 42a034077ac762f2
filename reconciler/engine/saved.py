"""Plan files: `mmrc plan --out plan.json` and `mmrc apply plan.json`.

A plan file is the plan's versioned JSON (`Plan.to_dict()`) plus `desired`:
the workspace as validated (templates rendered, secrets still references), so
`apply plan.json` needs no workspace file and reads secrets from the
environment only when it applies. Nothing secret is written: the plan holds
redacted values, and incoming-webhook ids never appear in it.

Before applying, the server is read again the same way and every object the
plan's changes touch (and their parents) is compared by fingerprint; if any
moved, appeared or disappeared, `StalePlanError` names each one.

A plan file is bound (`binding`) to what it was made from, and `check_binding`
refuses it elsewhere, naming both sides:

- the server: its URL and its identity, the id of its `system_user` role (created
  once, when the server's database was initialised; different on every server,
  readable by every account, the same on Mattermost and the sandbox);
- the workspace: a SHA-256 over every file the workspace loaded (the root file
  and its includes, by path relative to the root's directory, and their bytes);
- the `desired` section itself (a hash of its canonical JSON), so a plan file
  edited by hand is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from reconciler.engine.planner import Planned, plan_workspace
from reconciler.errors import ApiError, ReconcilerError, StalePlanError
from reconciler.kinds.base import Observation, PlanOptions, parent_addresses
from reconciler.plan import Plan
from reconciler.workspace.models import Workspace

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.workspace import LoadedWorkspace

DESIRED_KEY = "desired"
BINDING_KEY = "binding"
IDENTITY_ROLE = "system_user"


@dataclass(frozen=True)
class Binding:
    """What a saved plan was made from: the server (URL and identity) and the workspace."""

    server_url: str
    server_id: str
    workspace_file: str
    workspace_sha256: str
    desired_sha256: str

    def to_dict(self) -> dict[str, str]:
        return {
            "server_url": self.server_url,
            "server_id": self.server_id,
            "workspace_file": self.workspace_file,
            "workspace_sha256": self.workspace_sha256,
            "desired_sha256": self.desired_sha256,
        }


@dataclass(frozen=True)
class SavedPlan:
    plan: Plan
    workspace: Workspace
    binding: Binding | None = None


def server_identity(client: Client) -> str:
    """The server's identity: the id of its `system_user` role (see the module doc)."""
    try:
        role = client.get(f"/api/v4/roles/name/{IDENTITY_ROLE}")
    except ApiError as error:
        raise ReconcilerError(
            f"cannot read the server's identity (the {IDENTITY_ROLE} role), which a saved "
            f"plan is bound to: {error}"
        ) from None
    identity = role.get("id") if isinstance(role, dict) else None
    if not isinstance(identity, str) or not identity:
        raise ReconcilerError(f"the server answered its {IDENTITY_ROLE} role without an id")
    return identity


def workspace_digest(loaded: LoadedWorkspace) -> str:
    """SHA-256 over every file the workspace loaded: path relative to the root's
    directory, then the bytes, each length-prefixed."""
    digest = hashlib.sha256()
    for name in sorted(loaded.files):
        path = Path(name)
        try:
            relative = os.path.relpath(path, loaded.root_dir)
            content = path.read_bytes()
        except (OSError, ValueError) as error:
            raise ReconcilerError(f"cannot read {name} to hash the workspace: {error}") from None
        for part in (relative.replace(os.sep, "/").encode(), content):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()


def desired_data(workspace: Workspace) -> dict[str, Any]:
    return workspace.model_dump(mode="json", exclude_unset=True)


def desired_digest(desired: Any) -> str:
    canonical = json.dumps(desired, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def make_binding(client: Client, loaded: LoadedWorkspace) -> Binding:
    return Binding(
        server_url=client.url,
        server_id=server_identity(client),
        workspace_file=loaded.files[0],
        workspace_sha256=workspace_digest(loaded),
        desired_sha256=desired_digest(desired_data(loaded.workspace)),
    )


def plan_file_data(plan: Plan, workspace: Workspace, binding: Binding) -> dict[str, Any]:
    data = plan.to_dict()
    data[BINDING_KEY] = binding.to_dict()
    data[DESIRED_KEY] = desired_data(workspace)
    return data


def write_plan(path: Path, plan: Plan, loaded: LoadedWorkspace, binding: Binding) -> None:
    text = json.dumps(plan_file_data(plan, loaded.workspace, binding), indent=2) + "\n"
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
    binding = data.get(BINDING_KEY)
    if not isinstance(binding, dict):
        raise ReconcilerError(
            f"{path} is not bound to a server and a workspace (no {BINDING_KEY!r} section; "
            "made by an older mmrc?): make the plan again with mmrc plan --out"
        )
    try:
        plan = Plan.from_dict(data)
        workspace = Workspace.model_validate(data[DESIRED_KEY])
        bound = Binding(**{key: str(binding[key]) for key in Binding.__dataclass_fields__})
    except (ValueError, KeyError, TypeError, ValidationError) as error:
        raise ReconcilerError(f"{path} is not a usable mmrc plan file: {error}") from None
    if desired_digest(data[DESIRED_KEY]) != bound.desired_sha256:
        raise ReconcilerError(
            f"{path} was changed after it was saved: its {DESIRED_KEY!r} section no longer "
            "matches the hash it was saved with; make the plan again"
        )
    return SavedPlan(plan, workspace, bound)


def check_binding(
    saved: SavedPlan, client: Client, loaded: LoadedWorkspace | None, *, source: str
) -> None:
    """Refuse a saved plan made against another server, or from other workspace content
    than `loaded` (when given); the message names both sides."""
    bound = saved.binding
    if bound is None:
        raise ReconcilerError(f"{source} is not bound to a server; make the plan again")
    if client.url != bound.server_url:
        raise ReconcilerError(
            f"{source} was made against {bound.server_url}, not {client.url}: "
            "make a plan against this server"
        )
    identity = server_identity(client)
    if identity != bound.server_id:
        raise ReconcilerError(
            f"{source} was made against the server {bound.server_url} whose identity "
            f"({IDENTITY_ROLE} role id) was {bound.server_id}; the server there now is "
            f"{identity}, another server: make a plan against this server"
        )
    if loaded is None:
        return
    digest = workspace_digest(loaded)
    if digest != bound.workspace_sha256:
        raise ReconcilerError(
            f"{source} was made from workspace content {bound.workspace_sha256[:12]} "
            f"({bound.workspace_file}), but {loaded.files[0]} is now {digest[:12]}: "
            "the workspace changed since the plan was made; make the plan again"
        )


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
