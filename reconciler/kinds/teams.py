"""Teams: create, update in place, restore. Keyed by `name`, which Mattermost never lets change.

Observed with `GET /teams` (paged; deleted teams included: a deleted team
holds its name, so declaring it again plans a restore), and for an account that
is not a system admin also `GET /users/{id}/teams` (its invite-only teams). Updates PATCH only the
changed fields; `visibility` is the pair `type` + `allow_open_invite`, which
only `PUT /teams/{id}/privacy` sets together. Undeclared teams are unmanaged:
mmrc never deletes a team. Creating needs `create_team`; changing or restoring
needs `manage_team` in the team (a team admin's), else the plan fails early.
The team `mmrc-lock` holds mmrc's apply lock (engine.lock) and is never observed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reconciler.errors import ForbiddenError, NotFoundError
from reconciler.kinds.base import LiveObject, UserRef
from reconciler.kinds.diffing import declared, diff_fields
from reconciler.kinds.lookup import team_address
from reconciler.plan import Action, FieldChange, ResourceChange

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, PlanContext
    from reconciler.workspace.models import Workspace

name = "team"

FIELDS = ("display_name", "visibility", "description", "allowed_domains")
MANAGE = "manage_team"
PRIVACY_NOTE = (
    "visibility changes through the team privacy endpoint, which sets type and "
    "allow_open_invite together"
)


LOCK_TEAM = "mmrc-lock"  # the team of the apply lock's channel (reconciler.engine.lock)


def references(workspace: Workspace) -> Iterable[UserRef]:
    return ()


def normalise(team: dict[str, Any]) -> dict[str, Any]:
    open_ = team.get("type") == "O" and bool(team.get("allow_open_invite"))
    domains = [d for d in re.split(r"[\s,@]+", str(team.get("allowed_domains") or "")) if d]
    return {
        "name": team.get("name", ""),
        "display_name": team.get("display_name", ""),
        "visibility": "open" if open_ else "invite-only",
        "description": team.get("description") or "",
        "allowed_domains": [d.lower() for d in domains],
    }


def observe(client: Client, context: PlanContext) -> None:
    observation = context.observation
    found: dict[str, dict[str, Any]] = {}
    try:
        for team in client.get_paged("/api/v4/teams", {}, per_page=200):
            found[str(team["id"])] = team
    except ForbiddenError:
        pass  # neither list_public_teams nor list_private_teams: only its own teams below
    if observation.me_id and not observation.is_system_admin:
        # without list_private_teams, GET /teams leaves out the invite-only teams the
        # account is in; its own teams it may always read
        for team in client.get(f"/api/v4/users/{observation.me_id}/teams") or ():
            found.setdefault(str(team["id"]), team)
    for team in found.values():
        if team.get("name") == LOCK_TEAM:
            continue  # holds mmrc's apply lock (engine.lock), never a workspace team
        data = normalise(team)
        context.observation.add(
            LiveObject(
                address=team_address(data["name"]),
                kind=name,
                id=str(team["id"]),
                data=data,
                raw=team,
                team=data["name"],
                archived=int(team.get("delete_at") or 0) > 0,
            )
        )


def plan(context: PlanContext) -> Iterable[ResourceChange]:
    observation = context.observation
    declared_names = {team.name for team in context.workspace.teams}
    order = context.order_of(name)
    changes: list[ResourceChange] = []
    for index, team in enumerate(context.workspace.teams):
        if team.name == LOCK_TEAM:
            context.error(
                ("teams", index, "name"),
                f"the team name {LOCK_TEAM!r} is reserved: it holds mmrc's apply lock",
                hint="choose another team name",
            )
            continue
        address = team_address(team.name)
        desired: dict[str, Any] = {"name": team.name, "display_name": team.display_name}
        desired.update(declared(team, FIELDS))
        if "allowed_domains" in desired:  # Mattermost compares domains lowercased
            desired["allowed_domains"] = [d.lower() for d in desired["allowed_domains"]]
        live = observation.get(address)
        if live is None:
            if _looks_renamed(context, index, declared_names):
                continue
            context.require("", "create_team", ("teams", index, "name"), f"creating {address}")
            fields = tuple(FieldChange(k, None, v) for k, v in desired.items())
            changes.append(
                ResourceChange(
                    address, name, Action.CREATE, None, desired, fields, team=team.name, order=order
                )
            )
            continue
        fields = diff_fields(
            {k: v for k, v in desired.items() if k != "name"},
            live.data,
            unordered={"allowed_domains"},
        )
        notes = (PRIVACY_NOTE,) if any(f.field == "visibility" for f in fields) else ()
        if live.archived:
            action = Action.RESTORE
            notes = ("the team was deleted; it is restored with its channels", *notes)
            context.require(address, MANAGE, ("teams", index, "name"), f"restoring {address}")
        elif fields:
            action = Action.UPDATE
        else:
            continue
        for field in fields:  # PATCH and the privacy endpoint both need manage_team
            path = ("teams", index, field.field)
            context.require(address, MANAGE, path, f"changing {field.field} of {address}")
        changes.append(
            ResourceChange(
                address,
                name,
                action,
                dict(live.data),
                {**live.data, **desired},
                fields,
                notes,
                team=team.name,
                order=order,
            )
        )
    for live in observation.of_kind(name):
        if live.data["name"] not in declared_names and not live.archived:
            context.unmanaged(live.address)
    return changes


def _looks_renamed(context: PlanContext, index: int, declared_names: set[str]) -> bool:
    """A team rename is impossible over the API: say so instead of creating a twin."""
    team = context.workspace.teams[index]
    old_names = [str(n) for n in getattr(team, "renamed_from", ()) or ()]
    suspects = [
        live
        for live in context.observation.of_kind(name)
        if live.data["name"] not in declared_names
        and not live.archived
        and (live.data["name"] in old_names or live.data["display_name"] == team.display_name)
    ]
    for live in suspects:
        context.error(
            ("teams", index, "name"),
            f"team {team.name!r} does not exist, but undeclared team {live.data['name']!r} "
            f"has the same display name {team.display_name!r}: this looks like a team rename, "
            "and a team's name cannot be changed over the Mattermost API",
            hint=f"keep `name: {live.data['name']}` and change display_name instead, "
            "or give the new team a different display_name",
        )
    return bool(suspects)


def _create_body(after: dict[str, Any]) -> dict[str, Any]:
    open_ = after.get("visibility") == "open"
    body: dict[str, Any] = {
        "name": after["name"],
        "display_name": after["display_name"],
        "type": "O" if open_ else "I",
        "allow_open_invite": open_,
    }
    if "description" in after:
        body["description"] = after["description"]
    if "allowed_domains" in after:
        body["allowed_domains"] = ", ".join(after["allowed_domains"])
    return body


def _find(client: Client, team_name: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = client.get(f"/api/v4/teams/name/{team_name}")
    except NotFoundError:
        return None
    return found


def apply(change: ResourceChange, context: ApplyContext) -> None:
    client = context.client
    after = dict(change.after or {})
    if change.action is Action.CREATE:
        created = client.create(
            "/api/v4/teams", _create_body(after), find_existing=lambda: _find(client, after["name"])
        )
        context.set_id(change.address, str(created["id"]))
        return
    team_id = context.id_of(change.address)
    if change.action is Action.RESTORE:
        client.post(f"/api/v4/teams/{team_id}/restore", None, idempotent=True)
    patch: dict[str, Any] = {}
    for field in change.fields:
        if field.field == "visibility":
            privacy = "O" if field.after == "open" else "I"
            client.put(f"/api/v4/teams/{team_id}/privacy", {"privacy": privacy})
        elif field.field == "allowed_domains":
            patch["allowed_domains"] = ", ".join(field.after or ())
        else:
            patch[field.field] = field.after
    if patch:  # PATCH, never PUT (PUT blanks what it is not sent), and never empty
        client.put(f"/api/v4/teams/{team_id}/patch", patch)
