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

from reconciler.errors import ApiError, ForbiddenError
from reconciler.kinds.base import LiveObject, UserRef
from reconciler.kinds.lookup import already_done, load_usernames, team_address
from reconciler.plan import Action, FieldChange, ResourceChange

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, PlanContext
    from reconciler.workspace.models import Team, Workspace

name = "team_member"

ROLES = (("members", "member"), ("guests", "guest"))
UNREADABLE = "team_members.unreadable"  # Observation.extra: teams whose members 403


def references(workspace: Workspace) -> Iterable[UserRef]:
    for t_index, team in enumerate(workspace.teams):
        for field, _ in ROLES:
            for u_index, username in enumerate(getattr(team, field) or ()):
                yield UserRef(username, ("teams", t_index, field, u_index))


def managed(team: Team) -> bool:
    return team.members is not None or team.guests is not None


def is_guest_user(user: dict[str, Any]) -> bool:
    return "system_guest" in str(user.get("roles", "")).split()


def observe(client: Client, context: PlanContext) -> None:
    observation = context.observation
    teams = [
        (team.name, live.id)
        for team in context.workspace.teams
        if managed(team)
        and (live := observation.get(team_address(team.name))) is not None
        and not live.archived
    ]

    def read(item: tuple[str, str]) -> tuple[str, list[dict[str, Any]]]:
        team_name, team_id = item
        try:
            return team_name, list(client.get_paged(f"/api/v4/teams/{team_id}/members", {}))
        except ForbiddenError:  # plan() reports it at the team's members
            with observation.lock:
                observation.extra.setdefault(UNREADABLE, set()).add(team_name)
            return team_name, []

    results = client.map_concurrent(read, teams)
    load_usernames(client, observation, (m["user_id"] for _, rows in results for m in rows))
    for team_name, rows in results:
        for member in rows:
            if int(member.get("delete_at") or 0) > 0:
                continue
            username = observation.username_of(str(member["user_id"]))
            guest = bool(member.get("scheme_guest")) or "team_guest" in str(member.get("roles"))
            role = "guest" if guest else "member"
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
        if not managed(team):
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
        for field, role in ROLES:
            for u_index, username in enumerate(getattr(team, field) or ()):
                user = observation.users.get(username)
                if user is None:
                    continue  # reported once by the engine, with its line
                if is_guest_user(user) != (role == "guest"):
                    kind_text = "a guest account" if role == "member" else "not a guest account"
                    other = "guests" if role == "member" else "members"
                    context.error(
                        ("teams", t_index, field, u_index),
                        f"user {username!r} is {kind_text}; list it under {other}",
                    )
                    continue
                address = f"{parent}/{role}.{username}"
                wanted.add(address)
                if address in live or (new_team and user.get("id") == observation.me_id):
                    continue
                context.require(
                    *_add_permission(context, parent, user),
                    ("teams", t_index, field, u_index),
                    f"adding {username} to {parent}",
                )
                after = {"username": username, "role": role}
                changes.append(
                    ResourceChange(
                        address,
                        name,
                        Action.CREATE,
                        None,
                        after,
                        (FieldChange("role", None, role),),
                        team=team.name,
                        order=order,
                    )
                )
        for address, obj in sorted(live.items()):
            role_field = "members" if obj.data["role"] == "member" else "guests"
            if address in wanted or getattr(team, role_field) is None:
                continue
            if _implicit(context, obj):
                continue
            if team.prune.members:
                context.require(
                    parent,
                    "remove_user_from_team",
                    ("teams", t_index, "prune", "members"),
                    f"removing {obj.data['username']} from {parent} (prune.members)",
                )
                changes.append(
                    ResourceChange(
                        address,
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
            else:
                context.unmanaged(address)
    return changes


def _add_permission(context: PlanContext, team: str, user: dict[str, Any]) -> tuple[str, str]:
    """(scope, permission) that POST /teams/{id}/members asks of the account: joining
    itself needs join_{public,private}_teams system-wide, adding others add_user_to_team."""
    if user.get("id") != context.observation.me_id:
        return team, "add_user_to_team"
    live = context.observation.get(team)
    open_ = live is not None and live.raw.get("type") == "O"
    return "", "join_public_teams" if open_ else "join_private_teams"


def _implicit(context: PlanContext, obj: LiveObject) -> bool:
    """The applying account and bots are members by construction, never drift."""
    observation = context.observation
    return obj.id == observation.me_id or obj.id in observation.bot_ids


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
