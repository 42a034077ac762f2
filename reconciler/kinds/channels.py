"""Channels: create, update in place, rename (by id), visibility, archive and restore.

Observed in bulk with `GET /channels?include_deleted=true` (pages of 200, read
concurrently once the total is known); without the sysadmin permission that
needs, per team from `/channels`, `/channels/private`, `/channels/deleted` and
the applying account's own channels (the private ones it may see).
Only channels of declared teams are kept.

Mattermost's traps, handled: an archived channel holds its name, so
declaring it again plans a restore; a `renamed_from` name found live is
renamed by id, never re-created; properties change with PATCH (never PUT,
never an empty patch); `type` changes only through the privacy endpoint;
town-square can be neither archived nor made private. Channels are archived,
never deleted. What each change needs (create_*_channel in the team,
manage_*_channel_properties, convert_*, delete_*_channel in the channel,
manage_team to restore) is checked at plan time against the account's roles.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reconciler.errors import ApiError, ForbiddenError, NotFoundError
from reconciler.kinds.base import LiveObject, UserRef
from reconciler.kinds.diffing import declared, diff_fields
from reconciler.kinds.lookup import (
    DEFAULT_CHANNELS,
    TOWN_SQUARE,
    already_done,
    as_list,
    channel_address,
    live_channel_id,
    team_address,
)
from reconciler.plan import Action, FieldChange, ResourceChange
from reconciler.workspace.policy import effective_channel

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, PlanContext
    from reconciler.workspace.models import Workspace

name = "channel"

FIELDS = ("visibility", "purpose", "header")
PER_PAGE = 200
PRIVACY_NOTE = "visibility changes through the channel privacy endpoint"
PARTIAL = "channels.partial"  # Observation.extra: not every private channel could be listed
# POST /channels/{id}/restore: a team admin's manage_team, or the system console's
RESTORE_PERMISSIONS = ("manage_team", "sysconsole_write_user_management_channels")
PRIVATE_WARNING = (
    "{address}: public → private hides the channel's history from everyone who is not a member"
)
PUBLIC_WARNING = (
    "{address}: private → public opens the channel and its whole history to everyone in the "
    "team (and to anyone who joins it later)"
)


def references(workspace: Workspace) -> Iterable[UserRef]:
    return ()


def normalise(channel: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": channel.get("name", ""),
        "display_name": channel.get("display_name", ""),
        "visibility": "private" if channel.get("type") == "P" else "public",
        "purpose": channel.get("purpose") or "",
        "header": channel.get("header") or "",
    }


def observe(client: Client, context: PlanContext) -> None:
    observation = context.observation
    teams = {
        live.id: team.name
        for team in context.workspace.teams
        if (live := observation.get(team_address(team.name))) is not None
    }
    if not teams:
        return
    try:
        channels = _read_all(client)
        complete = True
    except ForbiddenError:
        channels = _read_per_team(client, list(teams), observation.me_id)
        complete = False
    _add(context, teams, channels)
    if not complete:
        _look_up_unseen(client, context, {name_: id_ for id_, name_ in teams.items()})
    _resolve_renames(context)


def _add(context: PlanContext, teams: dict[str, str], channels: list[dict[str, Any]]) -> None:
    for channel in channels:
        team_name = teams.get(str(channel.get("team_id")))
        if team_name is None or channel.get("type") not in ("O", "P"):
            continue
        data = normalise(channel)
        context.observation.add(
            LiveObject(
                address=channel_address(team_name, data["name"]),
                kind=name,
                id=str(channel["id"]),
                data=data,
                raw=channel,
                team=team_name,
                archived=int(channel.get("delete_at") or 0) > 0,
            )
        )


def _look_up_unseen(client: Client, context: PlanContext, team_ids: dict[str, str]) -> None:
    """Without the permission to list every channel, a declared channel (or an old name of
    it) that no listing showed is looked up by name: a team admin sees private channels it
    is not in that way. For anyone else, what stays unseen may be a private channel hidden
    from this token (`plan` warns when it would create one)."""
    observation = context.observation
    work: list[tuple[str, str]] = []
    for team in context.workspace.teams:
        if team.name not in team_ids:
            continue
        for channel in team.channels:
            if observation.get(channel_address(team.name, channel.name)) is not None:
                continue  # seen: its old names no longer matter
            for channel_name in (channel.name, *channel.renamed_from):
                if observation.get(channel_address(team.name, channel_name)) is None:
                    work.append((team.name, channel_name))

    def look(item: tuple[str, str]) -> dict[str, Any] | None:
        try:
            return _find(client, team_ids[item[0]], item[1])
        except ForbiddenError:
            return None

    found = [channel for channel in client.map_concurrent(look, work) if channel is not None]
    _add(context, {team_ids[t]: t for t in team_ids}, found)
    observation.extra[PARTIAL] = True


def _read_all(client: Client) -> list[dict[str, Any]]:
    """All channels of the server: page 0 tells the total, the rest are read concurrently."""
    params: dict[str, Any] = {"include_deleted": "true", "per_page": PER_PAGE}
    first = client.get(
        "/api/v4/channels", params={**params, "page": 0, "include_total_count": "true"}
    )
    channels = as_list(first, "channels")
    if not isinstance(first, dict):  # a server without the count: page until a short page
        if len(channels) < PER_PAGE:
            return channels
        return channels + [
            c
            for c in client.get_paged("/api/v4/channels", params, per_page=PER_PAGE)
            if c not in channels
        ]
    pages = range(1, -(-int(first.get("total_count") or 0) // PER_PAGE))
    rest = client.map_concurrent(
        lambda page: as_list(client.get("/api/v4/channels", params={**params, "page": page}), ""),
        list(pages),
    )
    seen = {c["id"] for c in channels}
    for page in rest:
        for channel in page:
            if channel["id"] not in seen:  # tolerate pages shifting under concurrent writes
                seen.add(channel["id"])
                channels.append(channel)
    return channels


def _read_per_team(client: Client, team_ids: list[str], me: str) -> list[dict[str, Any]]:
    """Public, private and archived channels per team, and the account's own channels
    (the private ones it belongs to, when it may not list every private channel)."""

    def read(item: tuple[str, str]) -> list[dict[str, Any]]:
        team_id, suffix = item
        try:
            if suffix == "mine":
                path = f"/api/v4/users/{me}/teams/{team_id}/channels"
                return list(client.get(path, {"include_deleted": "true"}) or [])
            return list(client.get_paged(f"/api/v4/teams/{team_id}/channels{suffix}", {}))
        except ForbiddenError:
            return []  # private channels need manage_system; the plan then sees public ones

    suffixes = ("", "/private", "/deleted", *(("mine",) if me else ()))
    work = [(t, s) for t in team_ids for s in suffixes]
    found: dict[str, dict[str, Any]] = {}
    for rows in client.map_concurrent(read, work):
        for channel in rows:
            found[channel["id"]] = channel
    return list(found.values())


def _resolve_renames(context: PlanContext) -> None:
    """A declared channel not on the server, whose `renamed_from` name is, is that channel."""
    observation = context.observation
    for team in context.workspace.teams:
        declared_names = {c.name for c in team.channels}
        for channel in team.channels:
            address = channel_address(team.name, channel.name)
            if observation.get(address) is not None:
                continue
            for old in channel.renamed_from:
                old_address = channel_address(team.name, old)
                if old not in declared_names and observation.get(old_address) is not None:
                    observation.aliases[address] = old_address
                    break


def plan(context: PlanContext) -> Iterable[ResourceChange]:
    observation = context.observation
    policy = context.workspace.policy
    order = context.order_of(name)
    changes: list[ResourceChange] = []
    for t_index, team in enumerate(context.workspace.teams):
        parent = team_address(team.name)
        claimed: set[str] = set()
        for c_index, channel in enumerate(team.channels):
            path = ("teams", t_index, "channels", c_index)
            effective = effective_channel(channel, policy)
            address = channel_address(team.name, channel.name)
            desired = {"name": channel.name, "display_name": channel.display_name}
            desired.update(declared(effective, FIELDS))
            live = observation.resolve(address)
            if live is not None:
                claimed.add(live.address)
            if channel.name == TOWN_SQUARE:
                _check_town_square(context, path, desired, channel.archived)
            change = _plan_one(context, address, desired, channel.archived is True, live, team.name)
            if change is not None:
                _require(context, change, path)
                changes.append(change)
        for live in observation.under(parent, name):
            if live.address in claimed or live.archived:
                continue
            if team.prune.channels and live.data["name"] not in DEFAULT_CHANNELS:
                context.require(
                    live.address,
                    f"delete_{_type(live.data)}_channel",
                    ("teams", t_index, "prune", "channels"),
                    f"archiving {live.address} (prune.channels)",
                )
                changes.append(
                    ResourceChange(
                        live.address,
                        name,
                        Action.ARCHIVE,
                        dict(live.data),
                        None,
                        notes=("not in the file, and prune.channels is on",),
                        team=team.name,
                        order=order,
                    )
                )
            else:
                context.unmanaged(live.address)
    return changes


def _check_town_square(
    context: PlanContext,
    path: tuple[str | int, ...],
    desired: dict[str, Any],
    archived: bool | None,
) -> None:
    if desired.get("visibility") == "private":
        context.error(
            (*path, "visibility"), "town-square cannot be made private (Mattermost forbids it)"
        )
    if archived:
        context.error((*path, "archived"), "town-square cannot be archived (Mattermost forbids it)")


def _type(data: dict[str, Any] | Any) -> str:
    """`public` or `private`, as Mattermost's permission names spell a channel's type."""
    return "private" if dict(data or {}).get("visibility") == "private" else "public"


def _require(context: PlanContext, change: ResourceChange, path: tuple[str | int, ...]) -> None:
    """What apply will ask of the account for `change`, checked now (403s become errors)."""
    address = change.address
    team = address.split("/")[0]
    if change.action is Action.CREATE:
        permission = f"create_{_type(change.after)}_channel"
        context.require(team, permission, (*path, "name"), f"creating {address}")
        observation = context.observation
        if observation.extra.get(PARTIAL) and not observation.may_at(team, "manage_team"):
            context.warn(
                f"{address}: this token cannot see every private channel of {team}; if a "
                "private channel of this name exists, creating it will fail (a team admin's "
                "or system admin's token sees it)"
            )
        return
    if change.action is Action.ARCHIVE:
        permission = f"delete_{_type(change.before)}_channel"
        context.require(address, permission, (*path, "archived"), f"archiving {address}")
        return
    if change.action is Action.RESTORE:
        context.require(team, RESTORE_PERMISSIONS, (*path, "name"), f"restoring {address}")
    properties = f"manage_{_type(change.after)}_channel_properties"
    for field in change.fields:
        if field.field == "visibility":
            to = "private" if field.after == "private" else "public"
            permission = f"convert_{'public' if to == 'private' else 'private'}_channel_to_{to}"
        else:
            permission = properties
        what = f"changing {field.field} of {address}"
        context.require(address, permission, (*path, field.field), what)


def _with_visibility(desired: dict[str, Any]) -> dict[str, Any]:
    """A new channel's fields with its visibility said (Mattermost's default is public),
    after its name and display name."""
    if "visibility" in desired:
        return desired
    head: dict[str, Any] = {k: desired[k] for k in ("name", "display_name") if k in desired}
    return {**head, "visibility": "public", **desired}


def _plan_one(
    context: PlanContext,
    address: str,
    desired: dict[str, Any],
    want_archived: bool,
    live: LiveObject | None,
    team: str,
) -> ResourceChange | None:
    order = context.order_of(name)
    if live is None:
        if want_archived:
            context.warn(f"{address}: declared archived but not on the server; nothing to do")
            return None
        if desired["name"] in DEFAULT_CHANNELS and context.planned(team_address(team)):
            fields = tuple(FieldChange(k, None, v) for k, v in desired.items() if k != "name")
            made = ("Mattermost creates this channel with the team; mmrc then sets its fields",)
            return ResourceChange(
                address, name, Action.UPDATE, None, desired, fields, made, team=team, order=order
            )
        desired = _with_visibility(desired)
        fields = tuple(FieldChange(k, None, v) for k, v in desired.items())
        return ResourceChange(
            address, name, Action.CREATE, None, desired, fields, team=team, order=order
        )
    before = dict(live.data)
    if want_archived:
        if live.archived:
            return None
        return ResourceChange(
            address,
            name,
            Action.ARCHIVE,
            before,
            None,
            notes=("archived: true",),
            team=team,
            order=order,
        )
    fields = diff_fields(desired, live.data)
    notes: list[str] = []
    action = Action.UPDATE
    if live.data["name"] != desired["name"]:
        action = Action.RENAME
        notes.append(f"renamed from {live.data['name']!r} (same channel, by id)")
    if live.archived:
        action = Action.RESTORE
        notes.insert(
            0, "an archived channel holds this name: it is restored (unarchived), not re-created"
        )
    visibility = next((f for f in fields if f.field == "visibility"), None)
    if visibility is not None:
        notes.append(PRIVACY_NOTE)
        if visibility.after == "private":
            context.warn(PRIVATE_WARNING.format(address=address))
        elif visibility.before == "private":
            context.warn(PUBLIC_WARNING.format(address=address))
    if action is Action.UPDATE and not fields:
        return None
    return ResourceChange(
        address,
        name,
        action,
        before,
        {**before, **desired},
        fields,
        tuple(notes),
        team=team,
        order=order,
    )


def _find(client: Client, team_id: str, channel_name: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = client.get(
            f"/api/v4/teams/{team_id}/channels/name/{channel_name}",
            params={"include_deleted": "true"},
        )
    except NotFoundError:
        return None
    return found


def apply(change: ResourceChange, context: ApplyContext) -> None:
    client = context.client
    if change.action is Action.CREATE:
        after = dict(change.after or {})
        team_id = context.id_of(change.address.split("/")[0])
        body = {
            "team_id": team_id,
            "name": after["name"],
            "display_name": after["display_name"],
            "type": "P" if after.get("visibility") == "private" else "O",
            "purpose": after.get("purpose", ""),
            "header": after.get("header", ""),
        }
        created = client.create(
            "/api/v4/channels", body, find_existing=lambda: _find(client, team_id, after["name"])
        )
        context.set_id(change.address, str(created["id"]))
        return
    channel_id = live_channel_id(context, change.address)
    if change.action is Action.ARCHIVE:
        try:
            client.delete(f"/api/v4/channels/{channel_id}")
        except ApiError as error:
            if not already_done(error, "api.channel.delete_channel.deleted.app_error"):
                raise
        return
    if change.action is Action.RESTORE:
        try:
            client.post(f"/api/v4/channels/{channel_id}/restore", None, idempotent=True)
        except ApiError as error:
            if error.error_id != "api.channel.restore_channel.restored.app_error":
                raise
    patch: dict[str, Any] = {}
    for field in change.fields:
        if field.field == "visibility":
            privacy = "P" if field.after == "private" else "O"
            client.put(f"/api/v4/channels/{channel_id}/privacy", {"privacy": privacy})
        else:
            patch[field.field] = field.after
    if patch:  # PATCH merges; PUT would blank header/purpose. No empty patches.
        client.put(f"/api/v4/channels/{channel_id}/patch", patch)
