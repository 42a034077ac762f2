"""Channel writes: create, PUT (full) and patch, privacy, archive (and permanent
delete), restore, move to another team."""

from __future__ import annotations

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
from reconciler.sandbox.records import Channel
from reconciler.sandbox.routes._channels import DEFAULT_CHANNEL, bad_update, kind
from reconciler.sandbox.routes._core import (
    channel_not_found,
    get_channel,
    get_team,
    opt_bool,
    opt_str,
    privacy_arg,
    require_permanent_deletion,
    str_field,
    url_id,
)
from reconciler.sandbox.validation import validate_channel


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
    _system_post(sb, req, channel, "system_join_channel", "{user} joined the channel.")
    return json_response(channel.to_json(), 201)


# -- the system messages a channel write leaves (real server, docs/fidelity.md) ---------------


def _system_post(
    sb: Sandbox, req: Request, channel: Channel, post_type: str, message: str, **props: str
) -> None:
    """A system post by the request's user; `{user}` in `message` is its username (the only
    placeholder: the rest of the text is used as it is)."""
    username = req.user.username
    sb.integrations.create_post(
        req.user.id,
        channel,
        message.replace("{user}", username, 1),
        post_type=post_type,
        props={"username": username, **props},
    )


def _change_posts(
    sb: Sandbox, req: Request, channel: Channel, before: Channel, fields: tuple[str, ...]
) -> None:
    """App.PatchChannel posts one message per changed display name, header and purpose;
    PUT /channels/{id} only the display name's."""
    if "display_name" in fields and before.display_name != channel.display_name:
        _system_post(
            sb,
            req,
            channel,
            "system_displayname_change",
            "{user} updated the channel display name from: "
            + before.display_name
            + " to: "
            + channel.display_name,
            old_displayname=before.display_name,
            new_displayname=channel.display_name,
        )
    for field in ("header", "purpose"):
        old, new = getattr(before, field), getattr(channel, field)
        if field not in fields or old == new:
            continue
        if not old:
            text = "{user} updated the channel " + f"{field} to: {new}"
        elif not new:
            text = "{user} removed the channel " + f"{field} (was: {old})"
        else:
            text = "{user} updated the channel " + f"{field} from: {old} to: {new}"
        props = {f"old_{field}": old, f"new_{field}": new}
        _system_post(sb, req, channel, f"system_{field}_change", text, **props)


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


def _refuse_default_rename(channel: Channel, name: str | None) -> None:
    if channel.name == DEFAULT_CHANNEL and name is not None and name != channel.name:
        raise AppError(
            400,
            "api.channel.update_channel.tried.app_error",
            "Tried to perform an invalid update of the default channel town-square.",
        )


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
    _refuse_default_rename(channel, name or None)
    if name:
        candidate.name = name
    if display_name:
        candidate.display_name = display_name
    candidate.header = str_field(data, "header")
    candidate.purpose = str_field(data, "purpose")
    candidate.group_constrained = opt_bool(data, "group_constrained")
    before = _copy(channel)
    _save(sb, channel, candidate)
    _change_posts(sb, req, channel, before, ("display_name",))
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
    _refuse_default_rename(channel, name)
    if name is not None:
        candidate.name = name
    for field in ("display_name", "header", "purpose"):
        value = opt_str(data, field)
        if value is not None:
            setattr(candidate, field, value.strip() if field == "display_name" else value)
    if "group_constrained" in data:
        candidate.group_constrained = opt_bool(data, "group_constrained")
    before = _copy(channel)
    _save(sb, channel, candidate)
    _change_posts(sb, req, channel, before, ("display_name", "header", "purpose"))
    return json_response(channel.to_json())


@route("PUT", "/api/v4/channels/{channel_id}/privacy")
def update_channel_privacy(sb: Sandbox, req: Request) -> Response:
    channel_id = url_id(req, "channel_id")
    privacy = privacy_arg(req, ("O", "P"))
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
        message = (
            "This channel has been converted to a Private Channel."
            if privacy == "P"
            else "This channel has been converted to a Public Channel and can be joined by "
            "any team member."
        )
        _system_post(sb, req, channel, "system_change_chan_privacy", message)
    return json_response(channel.to_json())


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
        require_permanent_deletion(sb, "channel", f"channelId={channel_id}")
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
    _system_post(sb, req, channel, "system_channel_deleted", "{user} archived the channel.")
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
    _system_post(sb, req, channel, "system_channel_restored", "{user} unarchived the channel.")
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
