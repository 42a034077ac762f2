"""Channel routes: listing (all, per team, private, deleted), by name/id, create, PUT/patch,
privacy, archive/restore, move, channel members, a user's channels, and moderation."""

from __future__ import annotations

from typing import Any

from reconciler.sandbox import permissions as perms
from reconciler.sandbox.app import (
    AppError,
    Request,
    Response,
    Sandbox,
    invalid_body_param,
    json_response,
    permission_error,
    route,
    status_ok,
)
from reconciler.sandbox.ids import is_valid_id, now_ms
from reconciler.sandbox.paging import Page
from reconciler.sandbox.records import Channel, ChannelMember, Role, User
from reconciler.sandbox.routes._core import (
    channel_not_found,
    get_channel,
    get_team,
    get_user,
    opt_bool,
    opt_str,
    str_field,
    url_id,
    url_name,
    with_count,
)
from reconciler.sandbox.store import CoreStore
from reconciler.sandbox.validation import validate_channel

DEFAULT_CHANNEL = "town-square"
ADD_MEMBERS_MAX = 1000


def bad_update() -> AppError:
    return AppError(
        400,
        "app.channel.update.bad_id",
        "Unable to update the channel.",
    )


def can_read_channel(sb: Sandbox, user: User, channel: Channel) -> bool:
    core = sb.core
    if core.has_permission(user, "read_channel", channel_id=channel.id):
        return True
    return channel.type == "O" and core.has_permission(
        user, "read_public_channel", team_id=channel.team_id
    )


def require_read(sb: Sandbox, req: Request, channel: Channel) -> None:
    if not can_read_channel(sb, req.user, channel):
        raise permission_error(req.user.id, "read_channel")


def kind(channel: Channel) -> str:
    return "private" if channel.type == "P" else "public"


def sorted_team_channels(core: CoreStore, team_id: str) -> list[Channel]:
    return core.sorted_cached(
        ("team_channels", team_id),
        "channels",
        lambda: core.team_channels(team_id),
        lambda c: (c.display_name, c.name, c.id),
    )


def member_json(core: CoreStore, member: ChannelMember) -> dict[str, Any]:
    channel = core.channels[member.channel_id]
    return member.to_json(core.channel_scheme(channel))


# -- listing ------------------------------------------------------------------------------------


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


@route("GET", "/api/v4/teams/{team_id}/channels")
def public_team_channels(sb: Sandbox, req: Request) -> Response:
    team_id = url_id(req, "team_id")
    sb.require_permission(req, "list_team_channels", team_id=team_id)
    page = Page.from_request(req)
    channels = [
        c for c in sorted_team_channels(sb.core, team_id) if c.type == "O" and not c.delete_at
    ]
    return json_response([c.to_json() for c in page.slice(channels)])


@route("GET", "/api/v4/teams/{team_id}/channels/private")
def private_team_channels(sb: Sandbox, req: Request) -> Response:
    team_id = url_id(req, "team_id")
    sb.require_permission(req, "manage_system")
    page = Page.from_request(req)
    channels = [
        c for c in sorted_team_channels(sb.core, team_id) if c.type == "P" and not c.delete_at
    ]
    return json_response([c.to_json() for c in page.slice(channels)])


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
    team = sb.core.team_by_name(url_name(req, "team_name"))
    if team is None:
        raise AppError(
            404, "app.team.get_by_name.missing.app_error", "Unable to find the existing team."
        )
    return _by_name(sb, req, team.id)


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


# -- create / update -------------------------------------------------------------------------------


@route("POST", "/api/v4/channels")
def create_channel(sb: Sandbox, req: Request) -> Response:
    data = req.json_object("channel")
    team_id = str_field(data, "team_id")
    if not team_id:
        raise invalid_body_param("team_id")
    if not str_field(data, "display_name").strip():
        raise invalid_body_param("display_name")
    if data.get("id"):
        raise AppError(
            400,
            "store.sql_channel.save_channel.existing.app_error",
            "Must call update for existing channel.",
        )
    channel_type = str_field(data, "type")
    if channel_type == "O":
        sb.require_permission(req, "create_public_channel", team_id=team_id)
    elif channel_type == "P":
        sb.require_permission(req, "create_private_channel", team_id=team_id)
    elif channel_type in ("D", "G"):
        raise AppError(
            400,
            "api.channel.create_channel.direct_channel.team_restricted_error",
            "Direct and group channels cannot be created with this endpoint.",
        )
    team = get_team(sb, team_id) if is_valid_id(team_id) else None
    if team is None:
        raise invalid_body_param("team_id")
    channel = sb.core.create_channel(
        req.user,
        team_id=team.id,
        name=str_field(data, "name"),
        display_name=str_field(data, "display_name"),
        type=channel_type,
        purpose=str_field(data, "purpose"),
        header=str_field(data, "header"),
    )
    return json_response(channel.to_json(), 201)


def _require_properties(sb: Sandbox, req: Request, channel: Channel) -> None:
    sb.require_permission(req, f"manage_{kind(channel)}_channel_properties", channel_id=channel.id)


def _save(sb: Sandbox, channel: Channel, candidate: Channel) -> None:
    validate_channel(candidate)
    if len(candidate.name) > 64:
        raise AppError(
            500,
            "app.channel.update_channel.internal_error",
            "Unable to update channel.",
            "value too long for type character varying(64)",
        )
    if candidate.name != channel.name:
        clash = sb.core.channels_by_name.get((channel.team_id, candidate.name))
        if clash is not None:
            raise bad_update()
        sb.core.rename_channel(channel, candidate.name)
    for name in ("display_name", "header", "purpose", "group_constrained"):
        setattr(channel, name, getattr(candidate, name))
    sb.core.touch_channel(channel)


def _copy(channel: Channel) -> Channel:
    return Channel(**channel.to_dict())


@route("PUT", "/api/v4/channels/{channel_id}")
def update_channel(sb: Sandbox, req: Request) -> Response:
    channel_id = url_id(req, "channel_id")
    data = req.json_object("channel")
    if data.get("id") != channel_id:
        raise invalid_body_param("id")
    channel = get_channel(sb, channel_id)
    _require_properties(sb, req, channel)
    if channel.delete_at:
        raise AppError(
            400,
            "api.channel.update_channel.deleted.app_error",
            "The channel has been archived or deleted.",
        )
    new_type = str_field(data, "type")
    if new_type and new_type != channel.type:
        raise AppError(
            400,
            "api.channel.update_channel.typechange.app_error",
            "Channel type cannot be updated.",
        )
    candidate = _copy(channel)
    name = str_field(data, "name")
    display_name = str_field(data, "display_name")
    if channel.name == DEFAULT_CHANNEL and name and name != channel.name:
        raise AppError(
            400,
            "api.channel.update_channel.tried.app_error",
            "Tried to perform an invalid update of the default channel town-square.",
        )
    if name:
        candidate.name = name
    if display_name:
        candidate.display_name = display_name
    candidate.header = str_field(data, "header")
    candidate.purpose = str_field(data, "purpose")
    candidate.group_constrained = opt_bool(data, "group_constrained")
    _save(sb, channel, candidate)
    return json_response(channel.to_json())


@route("PUT", "/api/v4/channels/{channel_id}/patch")
def patch_channel(sb: Sandbox, req: Request) -> Response:
    channel_id = url_id(req, "channel_id")
    data = req.json_object("channel")
    channel = get_channel(sb, channel_id)
    _require_properties(sb, req, channel)
    if channel.delete_at:
        raise bad_update()
    candidate = _copy(channel)
    name = opt_str(data, "name")
    if channel.name == DEFAULT_CHANNEL and name is not None and name != channel.name:
        raise AppError(
            400,
            "api.channel.update_channel.tried.app_error",
            "Tried to perform an invalid update of the default channel town-square.",
        )
    if name is not None:
        candidate.name = name
    for field in ("display_name", "header", "purpose"):
        value = opt_str(data, field)
        if value is not None:
            setattr(candidate, field, value.strip() if field == "display_name" else value)
    if "group_constrained" in data:
        candidate.group_constrained = opt_bool(data, "group_constrained")
    _save(sb, channel, candidate)
    return json_response(channel.to_json())


@route("PUT", "/api/v4/channels/{channel_id}/privacy")
def update_channel_privacy(sb: Sandbox, req: Request) -> Response:
    channel_id = url_id(req, "channel_id")
    data = req.json_object("privacy")
    privacy = data.get("privacy")
    if privacy not in ("O", "P"):
        raise invalid_body_param("privacy")
    channel = get_channel(sb, channel_id)
    permission = (
        "convert_public_channel_to_private"
        if privacy == "P"
        else "convert_private_channel_to_public"
    )
    sb.require_permission(req, permission, channel_id=channel.id)
    if channel.name == DEFAULT_CHANNEL and privacy == "P":
        raise AppError(
            400,
            "api.channel.update_channel_privacy.default_channel_error",
            "The default channel cannot be made private.",
        )
    if channel.delete_at:
        raise bad_update()
    if channel.type != privacy:
        channel.type = privacy
        sb.core.touch_channel(channel)
    return json_response(channel.to_json())


# -- archive / restore / move ----------------------------------------------------------------------


@route("DELETE", "/api/v4/channels/{channel_id}")
def delete_channel(sb: Sandbox, req: Request) -> Response:
    channel_id = url_id(req, "channel_id")
    channel = sb.core.channel(channel_id)
    if channel is None:
        raise channel_not_found()
    if channel.type in ("D", "G"):
        raise AppError(
            400,
            "api.channel.delete_channel.type.invalid",
            "Cannot delete direct or group message channels",
        )
    sb.require_permission(req, f"delete_{kind(channel)}_channel", channel_id=channel.id)
    if req.flag("permanent"):
        if not sb.core.setting_bool("ServiceSettings.EnableAPIChannelDeletion"):
            raise AppError(
                401,
                "api.user.delete_channel.not_enabled.app_error",
                "Permanent channel deletion feature is not enabled. Please contact your System "
                "Administrator.",
            )
        _on_archived(sb, channel.id)
        sb.core.permanent_delete_channel(channel)
        return status_ok()
    if channel.delete_at:
        raise AppError(
            400,
            "api.channel.delete_channel.deleted.app_error",
            "The channel has been archived or deleted.",
        )
    if channel.name == DEFAULT_CHANNEL:
        raise AppError(
            400,
            "api.channel.delete_channel.cannot.app_error",
            f"Unable to delete the default channel {DEFAULT_CHANNEL}.",
        )
    now = now_ms()
    channel.delete_at = now
    channel.update_at = now
    sb.core.touch("channels")
    _on_archived(sb, channel.id)
    return status_ok()


def _on_archived(sb: Sandbox, channel_id: str) -> None:
    hook = getattr(sb.integrations, "on_channel_archived", None)
    if callable(hook):
        hook(channel_id)


@route("POST", "/api/v4/channels/{channel_id}/restore")
def restore_channel(sb: Sandbox, req: Request) -> Response:
    channel = get_channel(sb, url_id(req, "channel_id"))
    if not sb.core.has_permission(
        req.user, "manage_team", team_id=channel.team_id
    ) and not sb.core.has_permission(req.user, "sysconsole_write_user_management_channels"):
        raise permission_error(req.user.id, "manage_team")
    if not channel.delete_at:
        raise AppError(
            400,
            "api.channel.restore_channel.restored.app_error",
            "Unable to unarchive channel. The channel is not archived.",
        )
    channel.delete_at = 0
    sb.core.touch_channel(channel)
    return json_response(channel.to_json())


@route("POST", "/api/v4/channels/{channel_id}/move")
def move_channel(sb: Sandbox, req: Request) -> Response:
    channel_id = url_id(req, "channel_id")
    data = req.json_object("team_id")
    team_id = str_field(data, "team_id")
    if not is_valid_id(team_id):
        raise invalid_body_param("team_id")
    force = data.get("force")
    if not isinstance(force, bool):
        raise invalid_body_param("force")
    sb.require_permission(req, "manage_system")
    channel = get_channel(sb, channel_id)
    team = get_team(sb, team_id)
    core = sb.core
    strangers = [
        uid
        for uid in core.channel_members_by_channel.get(channel.id, {})
        if not core.is_team_member(team.id, uid)
    ]
    if strangers and not force:
        raise AppError(
            500,
            "app.channel.move_channel.members_do_not_match.error",
            "Cannot move a channel unless all its members are already members of the "
            "destination team.",
        )
    if team.id != channel.team_id:
        if (team.id, channel.name) in core.channels_by_name:
            raise bad_update()
        for uid in strangers:
            core.remove_channel_member(channel, core.users[uid])
        core.move_channel(channel, team)
        core.touch_channel(channel)
    return json_response(channel.to_json())


# -- members --------------------------------------------------------------------------------------


def member_missing() -> AppError:
    return AppError(
        404,
        "app.channel.get_member.missing.app_error",
        "No channel member found for that user ID and channel ID.",
    )


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
        raise AppError(
            404,
            "app.team.get_member.missing.app_error",
            "No team member found for that user ID and team ID.",
        )
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


# -- moderation -----------------------------------------------------------------------------------


def _moderation_roles(sb: Sandbox, channel: Channel) -> tuple[Role, Role, Role, Role]:
    core = sb.core
    higher_member = core.roles[perms.CHANNEL_USER]
    higher_guest = core.roles[perms.CHANNEL_GUEST]
    scheme = core.channel_scheme(channel)
    if scheme is None:
        return higher_member, higher_guest, higher_member, higher_guest
    return (
        core.roles[scheme.default_channel_user_role],
        core.roles[scheme.default_channel_guest_role],
        higher_member,
        higher_guest,
    )


def build_moderations(sb: Sandbox, channel: Channel) -> list[dict[str, Any]]:
    member, guest, higher_member, higher_guest = _moderation_roles(sb, channel)
    values = {
        key: perms.moderated_values(set(role.permissions), channel.type)
        for key, role in (
            ("member", member),
            ("guest", guest),
            ("higher_member", higher_member),
            ("higher_guest", higher_guest),
        )
    }
    out: list[dict[str, Any]] = []
    for name in perms.MODERATED_PERMISSIONS:
        roles: dict[str, Any] = {
            "guests": None
            if name == "manage_members"
            else {"value": values["guest"][name], "enabled": values["higher_guest"][name]},
            "members": {"value": values["member"][name], "enabled": values["higher_member"][name]},
        }
        out.append({"name": name, "roles": roles})
    return out


def _require_moderation_licence(sb: Sandbox, action: str) -> None:
    if not sb.core.is_licensed():
        raise AppError(
            403,
            f"api.channel.{action}_channel_moderations.license.error",
            "Your license does not support channel moderation",
        )


@route("GET", "/api/v4/channels/{channel_id}/moderations")
def get_moderations(sb: Sandbox, req: Request) -> Response:
    channel_id = url_id(req, "channel_id")
    _require_moderation_licence(sb, "get")
    sb.require_permission(req, "sysconsole_read_user_management_channels")
    channel = get_channel(sb, channel_id)
    return json_response(build_moderations(sb, channel))


def _patched_permissions(permissions: list[str], patches: list[tuple[str, bool]]) -> list[str]:
    out = list(permissions)
    for name, enabled in patches:
        underlying = set(perms.moderated_role_permissions(name, "O")) | set(
            perms.moderated_role_permissions(name, "P")
        )
        if enabled:
            out.extend(p for p in sorted(underlying) if p not in out)
        else:
            out = [p for p in out if p not in underlying]
    return out


@route("PUT", "/api/v4/channels/{channel_id}/moderations/patch")
def patch_moderations(sb: Sandbox, req: Request) -> Response:
    channel_id = url_id(req, "channel_id")
    _require_moderation_licence(sb, "patch")
    sb.require_permission(req, "sysconsole_write_user_management_channels")
    channel = get_channel(sb, channel_id)
    try:
        body = req.json("channel_moderations")
    except AppError:
        raise AppError(500, "api.marshal_error", "Failed to marshal.") from None
    if not isinstance(body, list):
        raise AppError(500, "api.marshal_error", "Failed to marshal.")
    member_patches: list[tuple[str, bool]] = []
    guest_patches: list[tuple[str, bool]] = []
    for item in body:
        if not isinstance(item, dict) or not isinstance(item.get("roles"), dict):
            raise invalid_body_param("channel_moderations")
        name = item.get("name")
        if name not in perms.MODERATED_PERMISSIONS:
            continue
        roles = item["roles"]
        if isinstance(roles.get("members"), bool):
            member_patches.append((name, roles["members"]))
        if isinstance(roles.get("guests"), bool):
            guest_patches.append((name, roles["guests"]))
    core = sb.core
    member, guest, higher_member, higher_guest = _moderation_roles(sb, channel)
    higher_member_values = perms.moderated_values(set(higher_member.permissions), channel.type)
    higher_guest_values = perms.moderated_values(set(higher_guest.permissions), channel.type)
    for patches, allowed in (
        (member_patches, higher_member_values),
        (guest_patches, higher_guest_values),
    ):
        for name, enabled in patches:
            if enabled and not allowed[name]:
                raise AppError(
                    500,
                    "",
                    "Cannot add a permission that is restricted by the team or system "
                    "permission scheme",
                )
    new_member = _patched_permissions(member.permissions, member_patches)
    new_guest = _patched_permissions(guest.permissions, guest_patches)
    unmodified = perms.moderated_values(set(new_member), channel.type) == higher_member_values and (
        perms.moderated_values(set(new_guest), channel.type) == higher_guest_values
    )
    if unmodified:
        if channel.scheme_id:
            core.delete_channel_scheme(channel)
    else:
        scheme = core.channel_scheme(channel) or core.create_channel_scheme(channel)
        now = now_ms()
        for role_name, permissions in (
            (scheme.default_channel_user_role, new_member),
            (scheme.default_channel_guest_role, new_guest),
        ):
            role = core.roles[role_name]
            role.permissions = permissions
            role.update_at = now
    return json_response(build_moderations(sb, channel))
