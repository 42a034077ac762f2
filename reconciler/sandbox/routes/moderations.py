"""Channel moderation (MM app/channel.go Get/PatchChannelModerationsForChannel,
buildChannelModerations): the moderated permissions of a channel's member and guest
roles against the team or system scheme; the first patch makes a channel scheme,
returning to the higher scope's values deletes it."""

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
    route,
)
from reconciler.sandbox.ids import now_ms
from reconciler.sandbox.records import Channel, Role
from reconciler.sandbox.routes._core import get_channel, url_id


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
        body = None
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
