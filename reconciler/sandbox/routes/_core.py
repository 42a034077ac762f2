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


def channel_not_found(channel_id: str = "") -> AppError:
    return AppError(
        404,
        "app.channel.get.existing.app_error",
        "Unable to find the existing channel.",
        f"id={channel_id}" if channel_id else "",
    )


def user_not_found(user_id: str = "") -> AppError:
    return AppError(
        404,
        "app.user.missing_account.const",
        "Unable to find the user.",
        f"user_id={user_id}" if user_id else "",
    )


def team_member_missing() -> AppError:
    return AppError(
        404,
        "app.team.get_member.missing.app_error",
        "No team member found for that user ID and team ID.",
    )


def get_team(sb: Sandbox, team_id: str) -> Team:
    team = sb.core.team(team_id)
    if team is None:
        raise team_not_found(team_id)
    return team


def get_team_by_name(sb: Sandbox, req: Request) -> Team:
    """The team named by the `team_name` URL parameter (archived ones included)."""
    team = sb.core.team_by_name(url_name(req, "team_name"))
    if team is None:
        raise AppError(
            404, "app.team.get_by_name.missing.app_error", "Unable to find the existing team."
        )
    return team


def get_channel(sb: Sandbox, channel_id: str) -> Channel:
    """App.GetChannel: archived channels count; unknown is 404."""
    channel = sb.core.channel(channel_id)
    if channel is None:
        raise channel_not_found(channel_id)
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


def privacy_arg(req: Request, allowed: tuple[str, ...]) -> str:
    """The `{"privacy": …}` body of PUT …/privacy."""
    privacy = req.json_object("privacy").get("privacy")
    if privacy not in allowed:
        raise invalid_body_param("privacy")
    return str(privacy)


def require_permanent_deletion(sb: Sandbox, kind: str, detail: str) -> None:
    """`?permanent=true` on DELETE /{teams,channels,users}/{id} needs
    ServiceSettings.EnableAPI{Team,Channel,User}Deletion; else 401."""
    if not sb.core.setting_bool(f"ServiceSettings.EnableAPI{kind.title()}Deletion"):
        raise AppError(
            401,
            f"api.user.delete_{kind}.not_enabled.app_error",
            f"Permanent {kind} deletion feature is not enabled. Please contact your System "
            "Administrator.",
            detail,
        )


def require_old_format(req: Request, area: str, noun: str) -> None:
    """GET /config/client and /license/client serve only `?format=old`: without a format
    501 api.<area>.client.old_format.app_error, another one 400."""
    fmt = req.arg("format")
    if fmt == "":
        raise AppError(
            501,
            f"api.{area}.client.old_format.app_error",
            f"New format for the client {noun} is not supported yet. Please specify "
            "format=old in the query string.",
        )
    if fmt != "old":
        raise invalid_url_param("format")


def with_count(key: str, items: list[Any], total: int, req: Request) -> Any:
    """The include_total_count shape `{key: [...], "total_count": N}` or the bare list."""
    if req.flag("include_total_count"):
        return {key: items, "total_count": total}
    return items
