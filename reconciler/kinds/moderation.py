"""Channel moderation: what guests and members may do in one channel (licensed servers).

Observed with `GET /channels/{id}/moderations`, only for channels that
declare moderation (or whose naming class does); that is the one per-object
read, so it stays on demand. Only declared settings are compared and patched.
The plan fails early, naming the field, where the API would refuse: an
unlicensed server (403), a change by an account without the system-console
permission (403), or a setting the team/system scheme does not grant (the
server answers 500).
The `scheme_id` a moderation patch flips on the channel is never diffed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reconciler.kinds.base import LiveObject, UserRef
from reconciler.kinds.diffing import diff_fields, flatten, normal
from reconciler.kinds.lookup import channel_address, live_channel_id
from reconciler.plan import Action, FieldChange, ResourceChange
from reconciler.workspace.policy import effective_channel

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, PlanContext
    from reconciler.workspace.models import Channel, Workspace

name = "moderation"

# workspace field → Mattermost moderation name
NAMES = {
    "post": "create_post",
    "reactions": "create_reactions",
    "channel_mentions": "use_channel_mentions",
    "manage_members": "manage_members",
}
FIELDS_BY_NAME = {v: k for k, v in NAMES.items()}
READ_PERMISSION = "sysconsole_read_user_management_channels"
WRITE_PERMISSION = "sysconsole_write_user_management_channels"


def references(workspace: Workspace) -> Iterable[UserRef]:
    return ()


def desired_settings(channel: Channel, workspace: Workspace) -> dict[str, Any]:
    """Declared moderation (with class defaults) as `{"guests.post": True, ...}`."""
    effective = effective_channel(channel, workspace.policy)
    if effective.moderation is None:
        return {}
    return {k: v for k, v in flatten(normal(effective.moderation)).items() if v is not None}


def normalise(moderations: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, bool]]:
    """(values as `{"guests.post": b}`, whether each is `enabled` by the higher scope)."""
    values: dict[str, Any] = {}
    enabled: dict[str, bool] = {}
    for item in moderations:
        field = FIELDS_BY_NAME.get(str(item.get("name")))
        if field is None:
            continue
        for role, setting in (item.get("roles") or {}).items():
            if isinstance(setting, dict):
                values[f"{role}.{field}"] = bool(setting.get("value"))
                enabled[f"{role}.{field}"] = bool(setting.get("enabled", True))
    return values, enabled


def observe(client: Client, context: PlanContext) -> None:
    observation = context.observation
    if not observation.licensed or not observation.may(READ_PERMISSION):
        return  # plan() reports why moderation cannot be managed here
    work: list[tuple[str, str]] = []
    for team in context.workspace.teams:
        for channel in team.channels:
            live = observation.resolve(channel_address(team.name, channel.name))
            if (
                live is not None
                and not live.archived
                and desired_settings(channel, context.workspace)
            ):
                work.append((channel_address(team.name, channel.name), live.id))

    def read(item: tuple[str, str]) -> tuple[str, list[dict[str, Any]]]:
        address, channel_id = item
        return address, list(client.get(f"/api/v4/channels/{channel_id}/moderations") or [])

    for address, moderations in client.map_concurrent(read, work):
        values, enabled = normalise(moderations)
        observation.add(
            LiveObject(
                address=f"{address}/moderation",
                kind=name,
                id=observation.resolve(address).id,  # type: ignore[union-attr]
                data=values,
                raw={"enabled": enabled},
                team=address.split("/")[0].removeprefix("team."),
            )
        )


def plan(context: PlanContext) -> Iterable[ResourceChange]:
    observation = context.observation
    order = context.order_of(name)
    changes: list[ResourceChange] = []
    for t_index, team in enumerate(context.workspace.teams):
        for c_index, channel in enumerate(team.channels):
            desired = desired_settings(channel, context.workspace)
            if not desired or channel.archived is True:
                continue
            path: tuple[str | int, ...] = ("teams", t_index, "channels", c_index)
            if channel.moderation is not None:
                path = (*path, "moderation")
            origin = "" if channel.moderation is not None else " (from its naming class)"
            if not observation.licensed:
                context.error(
                    path,
                    f"channel moderation{origin} needs a licensed Mattermost server; this one is "
                    "unlicensed and would refuse it (403)",
                )
                continue
            address = f"{channel_address(team.name, channel.name)}/moderation"
            live = observation.get(address)
            what = f"channel moderation{origin}"
            if live is None:
                if not context.require("", WRITE_PERMISSION, path, what):
                    continue
                fields = tuple(FieldChange(k, None, v) for k, v in desired.items())
                changes.append(
                    ResourceChange(
                        address,
                        name,
                        Action.UPDATE,
                        None,
                        desired,
                        fields,
                        ("set once the channel exists",),
                        team=team.name,
                        order=order,
                    )
                )
                continue
            fields = diff_fields(desired, live.data)
            for field in fields:
                if field.after is True and live.raw["enabled"].get(field.field) is False:
                    context.error(
                        path,
                        f"{field.field}: true is not granted by the team/system permission scheme, "
                        "so the channel cannot enable it (the server would answer 500)",
                    )
            if fields and context.require("", WRITE_PERMISSION, path, what):
                changes.append(
                    ResourceChange(
                        address,
                        name,
                        Action.UPDATE,
                        dict(live.data),
                        {**live.data, **desired},
                        fields,
                        team=team.name,
                        order=order,
                    )
                )
    return changes


def apply(change: ResourceChange, context: ApplyContext) -> None:
    channel_id = live_channel_id(context, change.address.rsplit("/", 1)[0])
    roles: dict[str, dict[str, bool]] = defaultdict(dict)
    for field in change.fields:
        role, setting = field.field.split(".", 1)
        roles[NAMES[setting]][role] = bool(field.after)
    patch = [{"name": mod_name, "roles": values} for mod_name, values in roles.items()]
    if patch:
        context.client.put(f"/api/v4/channels/{channel_id}/moderations/patch", patch)
