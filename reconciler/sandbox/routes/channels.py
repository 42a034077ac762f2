"""Channel reads: listing (all, per team: public, private, archived), by name or id,
and a user's channels in a team."""

from __future__ import annotations

from reconciler.sandbox.app import (
    AppError,
    Request,
    Response,
    Sandbox,
    json_response,
    permission_error,
    route,
)
from reconciler.sandbox.paging import Page
from reconciler.sandbox.records import Channel
from reconciler.sandbox.routes._channels import (
    can_read_channel,
    require_read,
    sorted_team_channels,
)
from reconciler.sandbox.routes._core import (
    get_channel,
    get_team_by_name,
    url_id,
    url_name,
    with_count,
)


@route("GET", "/api/v4/channels")
def all_channels(sb: Sandbox, req: Request) -> Response:
    sb.require_permission(req, "sysconsole_read_user_management_channels")
    core = sb.core
    page = Page.from_request(req)
    include_deleted = req.flag("include_deleted")
    exclude_default = req.flag("exclude_default_channels")

    def items() -> list[Channel]:
        return [
            c
            for c in core.channels.values()
            if c.type in ("O", "P") and (include_deleted or not c.delete_at)
        ]

    channels: list[Channel] = core.sorted_cached(
        ("all_channels", include_deleted),
        "channels",
        items,
        lambda c: (c.display_name, core.teams[c.team_id].display_name, c.id),
    )
    if exclude_default:
        channels = [c for c in channels if c.name not in core.default_channel_names()]
    out = []
    for channel in page.slice(channels):
        team = core.teams[channel.team_id]
        item = channel.to_json()
        item["team_display_name"] = team.display_name
        item["team_name"] = team.name
        item["team_update_at"] = team.update_at
        out.append(item)
    return json_response(with_count("channels", out, len(channels), req))


def _live_team_channels(sb: Sandbox, req: Request, channel_type: str) -> Response:
    team_id = url_id(req, "team_id")
    if channel_type == "P":
        sb.require_permission(req, "manage_system")
    else:
        sb.require_permission(req, "list_team_channels", team_id=team_id)
    page = Page.from_request(req)
    channels = [
        c
        for c in sorted_team_channels(sb.core, team_id)
        if c.type == channel_type and not c.delete_at
    ]
    return json_response([c.to_json() for c in page.slice(channels)])


@route("GET", "/api/v4/teams/{team_id}/channels")
def public_team_channels(sb: Sandbox, req: Request) -> Response:
    return _live_team_channels(sb, req, "O")


@route("GET", "/api/v4/teams/{team_id}/channels/private")
def private_team_channels(sb: Sandbox, req: Request) -> Response:
    return _live_team_channels(sb, req, "P")


@route("GET", "/api/v4/teams/{team_id}/channels/deleted")
def deleted_team_channels(sb: Sandbox, req: Request) -> Response:
    team_id = url_id(req, "team_id")
    sb.require_permission(req, "list_team_channels", team_id=team_id)
    core = sb.core
    page = Page.from_request(req)
    sees_all_private = core.has_permission(req.user, "manage_system")
    mine = core.channel_members_by_user.get(req.user.id, {})
    channels = [
        c
        for c in sorted_team_channels(core, team_id)
        if c.delete_at and (c.type == "O" or (c.type == "P" and (sees_all_private or c.id in mine)))
    ]
    return json_response([c.to_json() for c in page.slice(channels)])


def _by_name(sb: Sandbox, req: Request, team_id: str) -> Response:
    name = url_name(req, "channel_name")
    channel = sb.core.channel_by_name(team_id, name, include_deleted=req.flag("include_deleted"))
    missing = AppError(
        404,
        "app.channel.get_by_name.missing.app_error",
        "Channel does not exist.",
        f"teamId={team_id}, name={name}",
    )
    if channel is None or channel.type not in ("O", "P"):
        raise missing
    if not can_read_channel(sb, req.user, channel):
        if channel.type == "O":
            raise permission_error(req.user.id, "read_public_channel")
        if not sb.core.has_permission(req.user, "manage_team", team_id=team_id):
            raise missing
    return json_response(channel.to_json())


@route("GET", "/api/v4/teams/{team_id}/channels/name/{channel_name}")
def channel_by_name(sb: Sandbox, req: Request) -> Response:
    return _by_name(sb, req, url_id(req, "team_id"))


@route("GET", "/api/v4/teams/name/{team_name}/channels/name/{channel_name}")
def channel_by_team_and_channel_name(sb: Sandbox, req: Request) -> Response:
    return _by_name(sb, req, get_team_by_name(sb, req).id)


@route("GET", "/api/v4/channels/{channel_id}")
def get_channel_by_id(sb: Sandbox, req: Request) -> Response:
    channel = get_channel(sb, url_id(req, "channel_id"))
    require_read(sb, req, channel)
    return json_response(channel.to_json())


@route("GET", "/api/v4/users/{user_id}/teams/{team_id}/channels")
def user_team_channels(sb: Sandbox, req: Request) -> Response:
    user_id = url_id(req, "user_id")
    team_id = url_id(req, "team_id")
    if user_id != req.user.id:
        sb.require_permission(req, "edit_other_users")
    sb.require_permission(req, "view_team", team_id=team_id)
    core = sb.core
    include_deleted = req.flag("include_deleted")
    mine = core.channel_members_by_user.get(user_id, {})
    channels = [
        core.channels[cid]
        for cid in mine
        if core.channels[cid].team_id == team_id
        and (include_deleted or not core.channels[cid].delete_at)
    ]
    channels.sort(key=lambda c: (c.display_name, c.id))
    return json_response([c.to_json() for c in channels])
