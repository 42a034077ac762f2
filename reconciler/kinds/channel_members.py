"""Channel membership: `members` and `guests` of a channel, each managed only when declared.

Observed with `GET /channels/{id}/members` (paged, channels read
concurrently), only for channels whose members or guests are managed.
Implicit members never drift: the applying account, bots, and the regular
members Mattermost puts in the default channels (town-square, off-topic).
A user must be on the team before joining a channel: the team membership is
planned first when team members are managed, and otherwise ensured (an
idempotent join) right before the channel add. A guest is added only to the
channels naming them. Adding and removing need manage_*_channel_members in the
channel (and add_user_to_team for a team join), checked at plan time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reconciler.errors import ApiError
from reconciler.kinds import memberships
from reconciler.kinds.base import LiveObject, UserRef
from reconciler.kinds.lookup import (
    DEFAULT_CHANNELS,
    already_done,
    channel_address,
    live_channel_id,
    team_address,
)
from reconciler.plan import Action, FieldChange, ResourceChange

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, PlanContext
    from reconciler.workspace.models import Channel, Workspace

name = "channel_member"

UNREADABLE = "channel_members.unreadable"  # Observation.extra: channels whose members 403


def references(workspace: Workspace) -> Iterable[UserRef]:
    for t_index, team in enumerate(workspace.teams):
        for c_index, channel in enumerate(team.channels):
            yield from memberships.member_references(
                channel, ("teams", t_index, "channels", c_index)
            )


def observe(client: Client, context: PlanContext) -> None:
    observation = context.observation
    work: list[tuple[str, str]] = []
    for team in context.workspace.teams:
        for channel in team.channels:
            address = channel_address(team.name, channel.name)
            live = observation.resolve(address)
            if memberships.managed(channel) and live is not None:
                work.append((address, f"/api/v4/channels/{live.id}/members"))
    for address, rows in memberships.read_members(client, observation, work, UNREADABLE):
        for member in rows:
            username = observation.username_of(str(member["user_id"]))
            role = memberships.member_role(member, "channel")
            observation.add(
                LiveObject(
                    address=f"{address}/{role}.{username}",
                    kind=name,
                    id=str(member["user_id"]),
                    data={"username": username, "role": role},
                    raw={
                        k: v for k, v in member.items() if k in ("channel_id", "user_id", "roles")
                    },
                    team=address.split("/")[0].removeprefix("team."),
                )
            )


def plan(context: PlanContext) -> Iterable[ResourceChange]:
    changes: list[ResourceChange] = []
    for t_index, team in enumerate(context.workspace.teams):
        for c_index, channel in enumerate(team.channels):
            if memberships.managed(channel) and channel.archived is not True:
                path = ("teams", t_index, "channels", c_index)
                changes.extend(_plan_channel(context, path, team.name, channel, team.prune.members))
    return changes


def _plan_channel(
    context: PlanContext, path: tuple[str | int, ...], team: str, channel: Channel, prune: bool
) -> list[ResourceChange]:
    observation = context.observation
    order = context.order_of(name)
    address = channel_address(team, channel.name)
    if address in observation.extra.get(UNREADABLE, ()):
        context.error(
            (*path, "members" if channel.members is not None else "guests"),
            f"the members of {address} cannot be read with this token (listing them needs "
            "read_channel there: a private channel's members only), so they cannot be managed",
            hint="plan with the token of a member of the channel, or a system admin's",
        )
        return []
    new_channel = observation.resolve(address) is None
    live = {obj.address: obj for obj in observation.under(address, name)}
    wanted: set[str] = set()
    changes: list[ResourceChange] = []
    for member in memberships.declared_members(context, channel, path):
        username, role, user = member.username, member.role, member.user
        member_address = f"{address}/{role}.{username}"
        wanted.add(member_address)
        if member_address in live or (new_channel and user.get("id") == observation.me_id):
            continue
        join_team = _needs_team_join(context, member, team)
        if join_team is None:
            continue
        _require_add(context, address, user, join_team, member.path)
        notes = (f"joins team {team} first",) if join_team else ()
        changes.append(
            ResourceChange(
                member_address,
                name,
                Action.CREATE,
                None,
                {"username": username, "role": role, "join_team": join_team},
                (FieldChange("role", None, role),),
                notes,
                team=team,
                order=order,
            )
        )
    kept: list[LiveObject] = []
    for obj in memberships.undeclared_members(context, channel, live, wanted):
        if channel.name in DEFAULT_CHANNELS and obj.data["role"] == "member":
            continue  # Mattermost adds every team member here
        if not prune:
            context.unmanaged(obj.address)
            kept.append(obj)
            continue
        context.require(
            address,
            f"manage_{_channel_type(context, address)}_channel_members",
            (*path[:2], "prune", "members"),
            f"removing {obj.data['username']} from {address} (prune.members)",
        )
        changes.append(
            ResourceChange(
                obj.address,
                name,
                Action.REMOVE,
                dict(obj.data),
                None,
                (FieldChange("role", obj.data["role"], None),),
                team=team,
                order=order,
            )
        )
    memberships.warn_kept(context, address, channel, kept)
    return changes


def _channel_type(context: PlanContext, address: str) -> str:
    """`public` or `private` once the channel kind's change (if any) has run."""
    planned = context.planned(address)
    live = context.observation.resolve(address)
    data = planned.after if planned is not None and planned.after else live.data if live else {}
    return "private" if data.get("visibility") == "private" else "public"


def _require_add(
    context: PlanContext,
    address: str,
    user: dict[str, Any],
    join_team: bool,
    path: tuple[str | int, ...],
) -> None:
    """What adding `user` asks of the account: add_user_to_team first when the user joins
    the team, then manage_*_channel_members (joining a public channel itself:
    join_public_channels in the team)."""
    team = address.split("/")[0]
    username = str(user.get("username"))
    if join_team:
        context.require(team, "add_user_to_team", path, f"adding {username} to {team}")
    kind = _channel_type(context, address)
    if user.get("id") == context.observation.me_id and kind == "public":
        context.require(team, "join_public_channels", path, f"joining {address}")
        return
    permission = f"manage_{kind}_channel_members"
    context.require(address, permission, path, f"adding {username} to {address}")


def _needs_team_join(
    context: PlanContext, member: memberships.DeclaredMember, team: str
) -> bool | None:
    """False when the user is (or is planned to be) on the team; None on a contradiction."""
    team_member = f"{team_address(team)}/{member.role}.{member.username}"
    planned = context.planned(team_member)
    if planned is not None and planned.action is Action.REMOVE:
        context.error(
            member.path,
            f"user {member.username!r} is declared in this channel but the plan removes them "
            f"from team {team!r}",
            hint="declare them in the team's members/guests too",
        )
        return None
    return planned is None and context.observation.get(team_member) is None


def apply(change: ResourceChange, context: ApplyContext) -> None:
    client = context.client
    channel = change.address.rsplit("/", 1)[0]
    channel_id = live_channel_id(context, channel)
    data = change.after or change.before or {}
    user_id = context.user_id(str(data["username"]))
    if change.action is Action.CREATE:
        if data.get("join_team"):
            team_id = context.id_of(channel.split("/")[0])
            client.post(
                f"/api/v4/teams/{team_id}/members",
                {"team_id": team_id, "user_id": user_id},
                idempotent=True,
            )
        client.post(f"/api/v4/channels/{channel_id}/members", {"user_id": user_id}, idempotent=True)
    elif change.action is Action.REMOVE:
        try:
            client.delete(f"/api/v4/channels/{channel_id}/members/{user_id}")
        except ApiError as error:
            if not already_done(error, "app.channel.get_member.missing.app_error"):
                raise
    else:
        raise ValueError(f"{name} cannot {change.action.value}")
