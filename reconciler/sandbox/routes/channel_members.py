"""Channel members: list, get, add (one or many, self-join), remove; a user's channel
memberships in a team."""

from __future__ import annotations

from reconciler.sandbox.app import (
    AppError,
    Request,
    Response,
    Sandbox,
    invalid_body_param,
    json_response,
    route,
    status_ok,
)
from reconciler.sandbox.ids import is_valid_id
from reconciler.sandbox.paging import Page
from reconciler.sandbox.records import Channel, ChannelMember
from reconciler.sandbox.routes._channels import (
    DEFAULT_CHANNEL,
    kind,
    member_json,
    member_missing,
    require_read,
)
from reconciler.sandbox.routes._core import (
    get_channel,
    get_user,
    str_field,
    team_member_missing,
    url_id,
)

ADD_MEMBERS_MAX = 1000


@route("GET", "/api/v4/channels/{channel_id}/members")
def list_channel_members(sb: Sandbox, req: Request) -> Response:
    channel = get_channel(sb, url_id(req, "channel_id"))
    require_read(sb, req, channel)
    core = sb.core
    page = Page.from_request(req)
    members: list[ChannelMember] = core.sorted_cached(
        ("channel_members", channel.id),
        "members",
        lambda: core.channel_members(channel.id),
        lambda m: m.user_id,
    )
    return json_response([member_json(core, m) for m in page.slice(members)])


@route("GET", "/api/v4/channels/{channel_id}/members/{user_id}")
def get_channel_member(sb: Sandbox, req: Request) -> Response:
    channel = get_channel(sb, url_id(req, "channel_id"))
    user_id = url_id(req, "user_id")
    require_read(sb, req, channel)
    member = sb.core.channel_member(channel.id, user_id)
    if member is None:
        raise member_missing()
    return json_response(member_json(sb.core, member))


def _add_channel_member(sb: Sandbox, channel: Channel, user_id: str) -> ChannelMember:
    core = sb.core
    user = get_user(sb, user_id)
    team_member = core.team_member(channel.team_id, user.id)
    if team_member is None:
        raise team_member_missing()
    if not team_member.active:
        raise AppError(
            400,
            "api.channel.add_user.to.channel.failed.deleted.app_error",
            "Failed to add user to channel because they have been removed from the team.",
        )
    if channel.group_constrained and not user.is_bot:
        raise AppError(
            400,
            "api.channel.add_members.user_denied",
            "Channel membership denied to the following users because of group constraints.",
        )
    return core.add_channel_member(channel, user)


@route("POST", "/api/v4/channels/{channel_id}/members")
def add_channel_members(sb: Sandbox, req: Request) -> Response:
    channel_id = url_id(req, "channel_id")
    data = req.json_object("channel_member")
    raw_ids = data.get("user_ids")
    single = str_field(data, "user_id")
    if raw_ids is not None:
        if (
            not isinstance(raw_ids, list)
            or not raw_ids
            or len(raw_ids) > ADD_MEMBERS_MAX
            or not all(isinstance(u, str) and is_valid_id(u) for u in raw_ids)
        ):
            raise invalid_body_param("user_ids")
        user_ids: list[str] = list(raw_ids)
    else:
        if not is_valid_id(single):
            raise invalid_body_param("user_id")
        user_ids = [single]
    channel = get_channel(sb, channel_id)
    if channel.type in ("D", "G"):
        raise AppError(
            400,
            "api.channel.add_user_to_channel.type.app_error",
            "Can not add user to this channel type.",
        )
    self_join = user_ids == [req.user.id] and channel.type == "O"
    if not (
        self_join
        and sb.core.has_permission(req.user, "join_public_channels", team_id=channel.team_id)
    ):
        sb.require_permission(req, f"manage_{kind(channel)}_channel_members", channel_id=channel.id)
    members = [_add_channel_member(sb, channel, uid) for uid in user_ids]
    if raw_ids is not None:
        return json_response([member_json(sb.core, m) for m in members], 201)
    return json_response(member_json(sb.core, members[0]), 201)


@route("DELETE", "/api/v4/channels/{channel_id}/members/{user_id}")
def remove_channel_member(sb: Sandbox, req: Request) -> Response:
    channel_id = url_id(req, "channel_id")
    user_id = url_id(req, "user_id")
    channel = get_channel(sb, channel_id)
    user = get_user(sb, user_id)
    if user_id != req.user.id:
        sb.require_permission(req, f"manage_{kind(channel)}_channel_members", channel_id=channel.id)
    if channel.name == DEFAULT_CHANNEL and not user.is_guest:
        raise AppError(
            400,
            "api.channel.remove.default.app_error",
            f"Unable to remove user from the default channel {DEFAULT_CHANNEL}.",
        )
    if sb.core.channel_member(channel.id, user.id) is None:
        raise member_missing()
    sb.core.remove_channel_member(channel, user)
    return status_ok()


@route("GET", "/api/v4/users/{user_id}/teams/{team_id}/channels/members")
def user_team_channel_members(sb: Sandbox, req: Request) -> Response:
    """A user's memberships (with roles) in the channels of one team, archived channels
    included (MM api4 `getChannelMembersForTeamForUser`)."""
    user_id = url_id(req, "user_id")
    team_id = url_id(req, "team_id")
    sb.require_permission(req, "view_team", team_id=team_id)
    if user_id != req.user.id:
        sb.require_permission(req, "manage_system", team_id=team_id)
    core = sb.core
    members = [
        member
        for member in core.user_channel_members(user_id)
        if core.channels[member.channel_id].team_id == team_id
    ]
    members.sort(key=lambda m: m.channel_id)
    return json_response([member_json(core, m) for m in members])
