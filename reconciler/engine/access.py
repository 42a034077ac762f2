"""What the applying account may do, and where: the permissions behind its roles.

System-wide: its system roles (`users/me` → `POST /roles/names`). For an account that is
not a system admin, also per team and channel: its memberships in the declared teams
(`GET /users/{id}/teams/members`) and in their channels (`GET
/users/{id}/teams/{team_id}/channels/members`), whose roles (scheme roles included) are
resolved in one more `POST /roles/names`, together with the roles the creator of a new
team or channel gets there.

Mattermost grants a permission on a channel through the account's channel roles, then its
roles in the channel's team, then its system roles (`SessionHasPermissionToChannel`);
`Observation.may_at` checks in the same order, and kinds call `PlanContext.require` so a
403 apply would meet becomes a plan-time error at the field. When something cannot be read,
nothing is assumed missing: the scoped checks are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reconciler.errors import ApiError
from reconciler.kinds import channels, teams
from reconciler.kinds.lookup import team_address

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import PlanContext

# The roles Mattermost gives the creator of a team (POST /teams) and of a channel
# (POST /channels): it joins as an admin of what it created.
CREATOR_ROLES = {
    teams.name: ("team_user", "team_admin"),
    channels.name: ("channel_user", "channel_admin"),
}


def system_permissions(client: Client, me: dict[str, Any]) -> frozenset[str] | None:
    """The system-wide permissions of the applying account (None when not readable)."""
    roles = str(me.get("roles", "")).split()
    if not roles or "system_admin" in roles:
        return None
    return _resolve(client, roles)


def read_scoped_permissions(client: Client, context: PlanContext) -> None:
    """Fill `observation.scoped_permissions` (address → permissions there) and
    `creator_permissions` for an account that is not a system admin."""
    observation = context.observation
    me = observation.me_id
    if observation.permissions is None or observation.is_system_admin or not me:
        return
    declared = {team_address(team.name) for team in context.workspace.teams}
    live_teams = {
        obj.id: obj.address for obj in observation.of_kind(teams.name) if obj.address in declared
    }
    if not declared:
        return
    try:
        memberships = client.get(f"/api/v4/users/{me}/teams/members")
        roles: dict[str, list[str]] = {}
        for row in memberships or ():
            address = live_teams.get(str(row.get("team_id")))
            if address is not None and not int(row.get("delete_at") or 0):
                roles[address] = str(row.get("roles") or "").split()
        team_ids = [tid for tid, address in live_teams.items() if address in roles]
        live_channels = {obj.id: obj.address for obj in observation.of_kind(channels.name)}
        for rows in client.map_concurrent(
            lambda team_id: client.get(f"/api/v4/users/{me}/teams/{team_id}/channels/members"),
            team_ids,
        ):
            for row in rows or ():
                address = live_channels.get(str(row.get("channel_id")))
                if address is not None:
                    roles[address] = str(row.get("roles") or "").split()
        wanted = {name for names in roles.values() for name in names}
        wanted.update(name for names in CREATOR_ROLES.values() for name in names)
        granted = _role_permissions(client, wanted)
    except ApiError:
        return  # unknown rights: not checked (apply still meets any 403)

    def union(names: Iterable[str]) -> frozenset[str]:
        return frozenset(p for name in names for p in granted.get(name, ()))

    observation.scoped_permissions = {address: union(names) for address, names in roles.items()}
    observation.creator_permissions = {kind: union(names) for kind, names in CREATOR_ROLES.items()}


def _resolve(client: Client, roles: Iterable[str]) -> frozenset[str] | None:
    try:
        granted = _role_permissions(client, set(roles))
    except ApiError:
        return None
    return frozenset(p for permissions in granted.values() for p in permissions)


def _role_permissions(client: Client, names: set[str]) -> dict[str, frozenset[str]]:
    """Role name → its permissions (deleted or unknown roles grant nothing)."""
    if not names:
        return {}
    found = client.post("/api/v4/roles/names", sorted(names), idempotent=True)
    return {
        str(role["name"]): frozenset(role.get("permissions") or ())
        for role in found or ()
        if not int(role.get("delete_at") or 0)
    }
