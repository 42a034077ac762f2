"""Permission and lookup helpers shared by the integration route modules (hooks,
webhook posts, commands, posts, config), after MM's SessionHasPermissionTo{,Team,Channel}
and the 501 a disabled feature answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.sandbox.app import AppError, Request, permission_error

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox
    from reconciler.sandbox.records import Channel


def user_id(req: Request) -> str:
    return str(getattr(req.user, "id", ""))


def team_perm(sb: Sandbox, req: Request, permission: str, team_id: str) -> bool:
    """SessionHasPermissionToTeam: an empty team id is always false."""
    return bool(team_id) and sb.core.has_permission(req.user, permission, team_id=team_id)


def system_perm(sb: Sandbox, req: Request, permission: str) -> bool:
    return sb.core.has_permission(req.user, permission)


def channel_perm(sb: Sandbox, req: Request, permission: str, channel_id: str) -> bool:
    return bool(channel_id) and sb.core.has_permission(req.user, permission, channel_id=channel_id)


def can_read_channel(sb: Sandbox, req: Request, channel: Channel) -> bool:
    """SessionHasPermissionToReadChannel."""
    if sb.core.has_permission(req.user, "read_channel_content", channel_id=channel.id):
        return True
    return channel.type == "O" and team_perm(sb, req, "read_public_channel", channel.team_id)


def deny(req: Request, permission: str) -> AppError:
    return permission_error(user_id(req), permission)


def disabled(error_id: str, what: str) -> AppError:
    """A feature the config turns off: 501 "<what> have been disabled by the system admin."."""
    return AppError(501, error_id, f"{what} have been disabled by the system admin.")


def require_enabled(sb: Sandbox, setting: str, error_id: str, what: str) -> None:
    if not sb.config.get_bool(f"ServiceSettings.{setting}"):
        raise disabled(error_id, what)


def route_not_found() -> AppError:
    """What a server without the route answers (the router's 404)."""
    return AppError(404, "api.context.404.app_error", "Sorry, we could not find the page.")
