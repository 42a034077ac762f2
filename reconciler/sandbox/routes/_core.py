"""Helpers shared by the core route modules: URL ids, 404 lookups, body fields."""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.app import AppError, Request, Sandbox, invalid_body_param, invalid_url_param
from reconciler.sandbox.ids import is_valid_id
from reconciler.sandbox.records import Channel, Team, User


def url_id(req: Request, name: str) -> str:
    """A path id parameter; an invalid one is 400 api.context.invalid_url_param.app_error."""
    value = req.params.get(name, "")
    if name == "user_id" and value == "me" and req.user is not None:
        return str(req.user.id)
    if not is_valid_id(value):
        raise invalid_url_param(name)
    return value


def url_name(req: Request, name: str) -> str:
    """Names in URLs are lowercased before lookup (web/params.go)."""
    return req.params.get(name, "").lower()


def team_not_found(team_id: str = "") -> AppError:
    return AppError(
        404,
        "app.team.get.find.app_error",
        "Unable to find the existing team.",
        f"id={team_id}" if team_id else "",
    )


def channel_not_found() -> AppError:
    return AppError(
        404, "app.channel.get.existing.app_error", "Unable to find the existing channel."
    )


def user_not_found() -> AppError:
    return AppError(404, "app.user.missing_account.const", "Unable to find the user.")


def get_team(sb: Sandbox, team_id: str) -> Team:
    team = sb.core.team(team_id)
    if team is None:
        raise team_not_found(team_id)
    return team


def get_channel(sb: Sandbox, channel_id: str) -> Channel:
    channel = sb.core.channel(channel_id)
    if channel is None:
        raise channel_not_found()
    return channel


def get_user(sb: Sandbox, user_id: str) -> User:
    user = sb.core.user(user_id)
    if user is None:
        raise user_not_found()
    return user


def str_field(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise invalid_body_param(key)
    return value


def opt_str(data: dict[str, Any], key: str) -> str | None:
    if key not in data or data[key] is None:
        return None
    return str_field(data, key)


def opt_bool(data: dict[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise invalid_body_param(key)
    return value


def with_count(key: str, items: list[Any], total: int, req: Request) -> Any:
    """The include_total_count shape `{key: [...], "total_count": N}` or the bare list."""
    if req.flag("include_total_count"):
        return {key: items, "total_count": total}
    return items
