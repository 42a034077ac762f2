"""Helpers shared by the channel route modules: read access, the default channel,
the sorted team listing, member JSON."""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.app import AppError, Request, Sandbox, permission_error
from reconciler.sandbox.records import Channel, ChannelMember, User
from reconciler.sandbox.store import CoreStore

DEFAULT_CHANNEL = "town-square"


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


def member_missing() -> AppError:
    return AppError(
        404,
        "app.channel.get_member.missing.app_error",
        "No channel member found for that user ID and channel ID.",
    )
