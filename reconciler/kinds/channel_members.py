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

from reconciler.errors import ApiError, ForbiddenError
from reconciler.kinds.base import LiveObject, UserRef
from reconciler.kinds.lookup import (
    DEFAULT_CHANNELS,
    already_done,
    channel_address,
    live_channel_id,
    load_usernames,
    team_address,
)
from reconciler.plan import Action, FieldChange, ResourceChange

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, PlanContext
    from reconciler.workspace.models import Channel, Workspace

name = "channel_member"

ROLES = (("members", "member"), ("guests", "guest"))
UNREADABLE = "channel_members.unreadable"  # Observation.extra: channels whose members 403


def references(workspace: Workspace) -> Iterable[UserRef]:
    for t_index, team in enumerate(workspace.teams):
        for c_index, channel in enumerate(team.channels):
            for field, _ in ROLES:
                for u_index, username in enumerate(getattr(channel, field) or ()):
                    yield UserRef(username, ("teams", t_index, "channels", c_index, field, u_index))


def managed(channel: Channel) -> bool:
    return channel.members is not None or channel.guests is not None


def observe(client: Client, context: PlanContext) -> None:
    observation = context.observation
    work: list[tuple[str, str]] = []
    for team in context.workspace.teams:
        for channel in team.channels:
            address = channel_address(team.name, channel.name)
            live = observation.resolve(address)
            if managed(channel) and live is not None:
                work.append((address, live.id))

    def read(item: tuple[str, str]) -> tuple[str, list[dict[str, Any]]]:
        address, channel_id = item
        try:
            return address, list(client.get_paged(f"/api/v4/channels/{channel_id}/members", {}))
        except ForbiddenError:  # plan() reports it at the channel's members
            with observation.lock:
                observation.extra.setdefault(UNREADABLE, set()).add(address)
            return address, []

    results = client.map_concurrent(read, work)
    load_usernames(client, observation, (m["user_id"] for _, rows in results for m in rows))
    for address, rows in results:
        for member in rows:
            username = observation.username_of(str(member["user_id"]))
            guest = bool(member.get("scheme_guest")) or "channel_guest" in str(member.get("roles"))
            role = "guest" if guest else "member"
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
            if managed(channel) and channel.archived is not True:
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
    for field, role in ROLES:
        for u_index, username in enumerate(getattr(channel, field) or ()):
            user = observation.users.get(username)
            if user is None:
                continue  # reported by the engine, with its line
            if ("system_guest" in str(user.get("roles", "")).split()) != (role == "guest"):
                what = "a guest account" if role == "member" else "not a guest account"
                other = "guests" if role == "member" else "members"
                context.error(
                    (*path, field, u_index), f"user {username!r} is {what}; list it under {other}"
                )
                continue
            member_address = f"{address}/{role}.{username}"
            wanted.add(member_address)
            if member_address in live or (new_channel and user.get("id") == observation.me_id):
                continue
            join_team = _needs_team_join(context, path, team, username, role, u_index, field)
            if join_team is None:
                continue
            _require_add(context, address, user, join_team, (*path, field, u_index))
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
    for member_address, obj in sorted(live.items()):
        role_field = "members" if obj.data["role"] == "member" else "guests"
        if member_address in wanted or getattr(channel, role_field) is None:
            continue
        if obj.id == observation.me_id or obj.id in observation.bot_ids:
            continue
        if channel.name in DEFAULT_CHANNELS and obj.data["role"] == "member":
            continue  # Mattermost adds every team member here
        if prune:
            context.require(
                address,
                f"manage_{_channel_type(context, address)}_channel_members",
                (*path[:2], "prune", "members"),
                f"removing {obj.data['username']} from {address} (prune.members)",
            )
            changes.append(
                ResourceChange(
                    member_address,
                    name,
                    Action.REMOVE,
                    dict(obj.data),
                    None,
                    (FieldChange("role", obj.data["role"], None),),
                    team=team,
                    order=order,
                )
            )
        else:
            context.unmanaged(member_address)
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
    context: PlanContext,
    path: tuple[str | int, ...],
    team: str,
    username: str,
    role: str,
    u_index: int,
    field: str,
) -> bool | None:
    """False when the user is (or is planned to be) on the team; None on a contradiction."""
    team_member = f"{team_address(team)}/{role}.{username}"
    planned = context.planned(team_member)
    if planned is not None and planned.action is Action.REMOVE:
        context.error(
            (*path, field, u_index),
            f"user {username!r} is declared in this channel but the plan removes them from team {team!r}",
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
