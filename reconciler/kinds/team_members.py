"""Team membership: `members` and `guests` of a team, each managed only when declared.

Observed with `GET /teams/{id}/members` (paged), only for teams whose members
or guests are managed. The applying account and bots are implicit members and
never drift. Undeclared members are removed only with `prune.members`, else
listed as unmanaged. A username under `members` must be a regular account and
one under `guests` a guest account: mmrc manages memberships, not accounts.
Adding needs `add_user_to_team` and removing `remove_user_from_team` in the team
(checked at plan time against the account's roles there).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reconciler.errors import ApiError
from reconciler.kinds import memberships
from reconciler.kinds.base import LiveObject, UserRef
from reconciler.kinds.lookup import already_done, team_address
from reconciler.plan import Action, FieldChange, ResourceChange

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, PlanContext
    from reconciler.workspace.models import Workspace

name = "team_member"

UNREADABLE = "team_members.unreadable"  # Observation.extra: teams whose members 403


def references(workspace: Workspace) -> Iterable[UserRef]:
    for t_index, team in enumerate(workspace.teams):
        yield from memberships.member_references(team, ("teams", t_index))


def observe(client: Client, context: PlanContext) -> None:
    observation = context.observation
    teams = [
        (team.name, f"/api/v4/teams/{live.id}/members")
        for team in context.workspace.teams
        if memberships.managed(team)
        and (live := observation.get(team_address(team.name))) is not None
        and not live.archived
    ]
    for team_name, rows in memberships.read_members(client, observation, teams, UNREADABLE):
        for member in rows:
            if int(member.get("delete_at") or 0) > 0:
                continue
            username = observation.username_of(str(member["user_id"]))
            role = memberships.member_role(member, "team")
            observation.add(
                LiveObject(
                    address=f"{team_address(team_name)}/{role}.{username}",
                    kind=name,
                    id=str(member["user_id"]),
                    data={"username": username, "role": role},
                    raw=member,
                    team=team_name,
                )
            )


def plan(context: PlanContext) -> Iterable[ResourceChange]:
    observation = context.observation
    order = context.order_of(name)
    changes: list[ResourceChange] = []
    for t_index, team in enumerate(context.workspace.teams):
        if not memberships.managed(team):
            continue
        parent = team_address(team.name)
        if team.name in observation.extra.get(UNREADABLE, ()):
            field = "members" if team.members is not None else "guests"
            context.error(
                ("teams", t_index, field),
                f"the members of {parent} cannot be read with this token (listing them needs "
                "view_team there), so they cannot be managed",
                hint="plan with the token of a member of the team, or a system admin's",
            )
            continue
        new_team = observation.get(parent) is None
        live = {obj.address: obj for obj in observation.under(parent, name)}
        wanted: set[str] = set()
        for member in memberships.declared_members(context, team, ("teams", t_index)):
            address = f"{parent}/{member.role}.{member.username}"
            wanted.add(address)
            if address in live or (new_team and member.user.get("id") == observation.me_id):
                continue
            context.require(
                *_add_permission(context, parent, member.user),
                member.path,
                f"adding {member.username} to {parent}",
            )
            changes.append(
                ResourceChange(
                    address,
                    name,
                    Action.CREATE,
                    None,
                    {"username": member.username, "role": member.role},
                    (FieldChange("role", None, member.role),),
                    team=team.name,
                    order=order,
                )
            )
        kept: list[LiveObject] = []
        for obj in memberships.undeclared_members(context, team, live, wanted):
            if not team.prune.members:
                context.unmanaged(obj.address)
                kept.append(obj)
                continue
            context.require(
                parent,
                "remove_user_from_team",
                ("teams", t_index, "prune", "members"),
                f"removing {obj.data['username']} from {parent} (prune.members)",
            )
            changes.append(
                ResourceChange(
                    obj.address,
                    name,
                    Action.REMOVE,
                    dict(obj.data),
                    None,
                    (FieldChange("role", obj.data["role"], None),),
                    ("leaving a team also removes the user from all its channels",),
                    team=team.name,
                    order=order,
                )
            )
        memberships.warn_kept(context, parent, team, kept)
    return changes


def _add_permission(context: PlanContext, team: str, user: dict[str, Any]) -> tuple[str, str]:
    """(scope, permission) that POST /teams/{id}/members asks of the account: joining
    itself needs join_{public,private}_teams system-wide, adding others add_user_to_team."""
    if user.get("id") != context.observation.me_id:
        return team, "add_user_to_team"
    live = context.observation.get(team)
    open_ = live is not None and live.raw.get("type") == "O"
    return "", "join_public_teams" if open_ else "join_private_teams"


def apply(change: ResourceChange, context: ApplyContext) -> None:
    team_id = context.id_of(change.address.split("/")[0])
    data = change.after or change.before or {}
    user_id = context.user_id(str(data["username"]))
    if change.action is Action.CREATE:
        context.client.post(
            f"/api/v4/teams/{team_id}/members",
            {"team_id": team_id, "user_id": user_id},
            idempotent=True,  # adding a member twice returns the membership
        )
    elif change.action is Action.REMOVE:
        try:
            context.client.delete(f"/api/v4/teams/{team_id}/members/{user_id}")
        except ApiError as error:
            if not already_done(error, "api.team.remove_user_from_team.missing.app_error"):
                raise
    else:
        raise ValueError(f"{name} cannot {change.action.value}")
