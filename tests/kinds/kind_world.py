"""Literal worlds for the kinds' plan tests: a workspace, a hand-built Observation, a context.

A uniquely named module (not conftest) so other test folders never clash with it. Live
objects are built from server-shaped JSON run through each kind's own `normalise`, the
way `observe` builds them, so no server is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.errors import Diagnostic
from reconciler.kinds import channels, moderation, teams
from reconciler.kinds.base import Kind, LiveObject, Observation, PlanContext, PlanOptions
from reconciler.kinds.lookup import channel_address, team_address
from reconciler.kinds.registry import kind_order
from reconciler.plan import ResourceChange
from reconciler.workspace.models import Workspace

ME_ID = "m" * 26
BOT_ID = "b" * 26


def uid(username: str) -> str:
    """A stable fake server id for a username (26 characters, like Mattermost's)."""
    return (username.replace(".", "").replace("-", "") + "x" * 26)[:26]


def workspace(*teams_: dict[str, Any], **top: Any) -> Workspace:
    """A workspace with the given teams and no naming classes (unless `policy` is given)."""
    data: dict[str, Any] = {"version": 1, "policy": {"classes": {}}, "teams": list(teams_)}
    data.update(top)
    return Workspace.model_validate(data)


def observation(
    *usernames: str, guests: Iterable[str] = (), licensed: bool = True, admin: bool = True
) -> Observation:
    """The applying account `mmrc`, a bot `some-bot`, and the named users (and guests)."""
    obs = Observation()
    roles = "system_user system_admin" if admin else "system_user"
    obs.me = {"id": ME_ID, "username": "mmrc", "roles": roles}
    obs.license = {"IsLicensed": "true" if licensed else "false"}
    obs.remember_user(obs.me)
    obs.users["mmrc"] = obs.me
    bot = {"id": BOT_ID, "username": "some-bot", "roles": "system_user", "is_bot": True}
    obs.remember_user(bot)
    obs.users["some-bot"] = bot
    for name in usernames:
        add_user(obs, name)
    for name in guests:
        add_user(obs, name, guest=True)
    return obs


def add_user(obs: Observation, username: str, *, guest: bool = False) -> dict[str, Any]:
    user = {
        "id": uid(username),
        "username": username,
        "roles": "system_guest" if guest else "system_user",
    }
    obs.remember_user(user)
    obs.users[username] = user
    return user


def add_team(
    obs: Observation,
    name: str,
    display_name: str | None = None,
    *,
    type_: str = "I",
    open_invite: bool = False,
    description: str = "",
    allowed_domains: str = "",
    deleted: bool = False,
) -> LiveObject:
    raw = {
        "id": uid("team" + name),
        "name": name,
        "display_name": display_name or name.title(),
        "type": type_,
        "allow_open_invite": open_invite,
        "description": description,
        "allowed_domains": allowed_domains,
        "delete_at": 1 if deleted else 0,
    }
    data = teams.normalise(raw)
    live = LiveObject(team_address(name), teams.name, raw["id"], data, raw, name, deleted)
    obs.add(live)
    return live


def add_channel(
    obs: Observation,
    team: str,
    name: str,
    display_name: str | None = None,
    *,
    type_: str = "O",
    purpose: str = "",
    header: str = "",
    deleted: bool = False,
) -> LiveObject:
    raw = {
        "id": uid(f"ch{team}{name}"),
        "team_id": uid("team" + team),
        "name": name,
        "display_name": display_name or name.title(),
        "type": type_,
        "purpose": purpose,
        "header": header,
        "delete_at": 1 if deleted else 0,
    }
    address = channel_address(team, name)
    live = LiveObject(
        address, channels.name, raw["id"], channels.normalise(raw), raw, team, deleted
    )
    obs.add(live)
    return live


def add_member(obs: Observation, parent: str, username: str, *, guest: bool = False) -> LiveObject:
    """A team member (parent `team.x`) or channel member (parent `team.x/channel.y`)."""
    user = obs.users.get(username) or add_user(obs, username, guest=guest)
    role = "guest" if guest else "member"
    kind = "channel_member" if "/channel." in parent else "team_member"
    team = parent.split("/")[0].removeprefix("team.")
    live = LiveObject(
        f"{parent}/{role}.{username}",
        kind,
        str(user["id"]),
        {"username": username, "role": role},
        {"user_id": user["id"], "scheme_guest": guest},
        team,
    )
    obs.add(live)
    return live


def add_moderation(
    obs: Observation,
    channel: str,
    values: dict[str, bool],
    enabled: dict[str, bool] | None = None,
) -> LiveObject:
    """Moderation of `channel` (an address), values as `{"guests.post": True, ...}`."""
    raw_items: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        role, field = key.split(".", 1)
        item = raw_items.setdefault(moderation.NAMES[field], {})
        item[role] = {"value": value, "enabled": (enabled or {}).get(key, True)}
    data, flags = moderation.normalise(
        [{"name": name, "roles": roles} for name, roles in raw_items.items()]
    )
    target = obs.get(channel)
    live = LiveObject(
        f"{channel}/moderation",
        moderation.name,
        target.id if target else "",
        data,
        {"enabled": flags},
        channel.split("/")[0].removeprefix("team."),
    )
    obs.add(live)
    return live


def context(ws: Workspace, obs: Observation, **options: Any) -> PlanContext:
    return PlanContext(
        workspace=ws, observation=obs, options=PlanOptions(**options), kind_order=kind_order()
    )


def plan(kind: Kind, ctx: PlanContext) -> list[ResourceChange]:
    """Run one kind's plan and record its changes (later kinds see them)."""
    changes = list(kind.plan(ctx))
    ctx.changes.extend(changes)
    return changes


def by_address(changes: Iterable[ResourceChange]) -> dict[str, ResourceChange]:
    return {change.address: change for change in changes}


def errors(ctx: PlanContext) -> list[str]:
    """Each error as `path: message`."""
    return [f"{e.path}: {e.message}" if isinstance(e, Diagnostic) else str(e) for e in ctx.errors]
