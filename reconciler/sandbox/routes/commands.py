"""Slash commands (MM api4/command.go, app/command.go).

Callers without the team permission get 404 `store.sql_command.save.get.app_error`
on get/update/delete/regen/move (existence is hidden), and so does every
lookup while commands are disabled: the server maps any GetCommand error to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.sandbox.app import (
    AppError,
    Request,
    Response,
    invalid_body_param,
    invalid_url_param,
    json_response,
    route,
    status_ok,
)
from reconciler.sandbox.integrations_base import Record
from reconciler.sandbox.integrations_commands import (
    builtin_command,
    decode_command,
    sanitize_command,
)
from reconciler.sandbox.routes._core import url_id, user_not_found
from reconciler.sandbox.routes._integrations import deny, disabled, team_perm, user_id

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox


def _disabled() -> AppError:
    return disabled("api.command.disabled.app_error", "Commands")


def _not_found() -> AppError:
    return AppError(
        404,
        "store.sql_command.save.get.app_error",
        "We couldn't get the command.",
    )


def _enabled(sb: Sandbox) -> bool:
    return sb.config.get_bool("ServiceSettings.EnableCommands")


def _lookup(sb: Sandbox, command_id: str) -> Record:
    """App.GetCommand, with every error surfacing as the 404 SetCommandNotFoundError."""
    cmd = sb.integrations.get_command(command_id) if _enabled(sb) else None
    if cmd is None:
        raise _not_found()
    return cmd


def _check_manage(sb: Sandbox, req: Request, cmd: Record) -> None:
    if not team_perm(sb, req, "manage_own_slash_commands", cmd["team_id"]):
        raise _not_found()
    if user_id(req) != cmd["creator_id"] and not team_perm(
        sb, req, "manage_others_slash_commands", cmd["team_id"]
    ):
        raise deny(req, "manage_others_slash_commands")


@route("POST", "/api/v4/commands")
def create_command(sb: Sandbox, req: Request) -> Response:
    cmd = decode_command(req.json("command"))
    if not team_perm(sb, req, "manage_own_slash_commands", cmd["team_id"]):
        raise deny(req, "manage_own_slash_commands")
    creator = user_id(req)
    # Before 11.4 Mattermost makes the session's user the creator, whatever the body says
    # (real server, docs/fidelity.md); later versions honour creator_id.
    if cmd["creator_id"] and cmd["creator_id"] != creator and sb.is_at_least("11.4.0"):
        if not team_perm(sb, req, "manage_others_slash_commands", cmd["team_id"]):
            raise deny(req, "manage_others_slash_commands")
        if sb.core.user(cmd["creator_id"]) is None:
            raise user_not_found(cmd["creator_id"])
        creator = cmd["creator_id"]
    cmd["creator_id"] = creator
    if not _enabled(sb):
        raise _disabled()
    return json_response(sb.integrations.create_command(cmd), 201)


@route("GET", "/api/v4/commands")
def list_commands(sb: Sandbox, req: Request) -> Response:
    custom_only = req.flag("custom_only")
    team_id = req.arg("team_id")
    if not team_id:
        raise invalid_url_param("team_id")
    if not team_perm(sb, req, "view_team", team_id):
        raise deny(req, "view_team")
    can_manage = team_perm(sb, req, "manage_own_slash_commands", team_id)
    creator = "" if team_perm(sb, req, "manage_others_slash_commands", team_id) else user_id(req)
    if custom_only:
        if not can_manage:
            raise deny(req, "manage_own_slash_commands")
        if not _enabled(sb):
            raise _disabled()
        return json_response(sb.integrations.team_commands(team_id, creator))
    commands: list[Record] = [
        builtin_command(*entry) for entry in sb.integrations.builtin_triggers()
    ]
    if _enabled(sb):
        customs = sb.integrations.team_commands(team_id, creator if can_manage else "")
        if can_manage:
            commands.extend(sanitize_command(cmd) for cmd in customs)
        else:  # ListAutocompleteCommands: only those offered in autocomplete
            commands.extend(sanitize_command(cmd) for cmd in customs if cmd["auto_complete"])
    return json_response(commands)


@route("GET", "/api/v4/commands/{command_id}")
def get_command(sb: Sandbox, req: Request) -> Response:
    cmd = _lookup(sb, url_id(req, "command_id"))
    if not team_perm(sb, req, "view_team", cmd["team_id"]):
        raise _not_found()
    if not team_perm(sb, req, "manage_own_slash_commands", cmd["team_id"]):
        raise _not_found()
    if user_id(req) != cmd["creator_id"] and not team_perm(
        sb, req, "manage_others_slash_commands", cmd["team_id"]
    ):
        raise _not_found()
    return json_response(cmd)


@route("PUT", "/api/v4/commands/{command_id}")
def update_command(sb: Sandbox, req: Request) -> Response:
    command_id = url_id(req, "command_id")
    body = req.json("command")
    cmd = decode_command(body)
    if cmd["id"] != command_id:
        raise invalid_body_param("command")
    old = _lookup(sb, command_id)
    if cmd["team_id"] != old["team_id"]:
        raise AppError(
            400,
            "api.command.team_mismatch.app_error",
            "Unable to update command across teams.",
            f"user_id={user_id(req)}",
        )
    _check_manage(sb, req, old)
    return json_response(sb.integrations.update_command(old, cmd))


@route("DELETE", "/api/v4/commands/{command_id}")
def delete_command(sb: Sandbox, req: Request) -> Response:
    cmd = _lookup(sb, url_id(req, "command_id"))
    _check_manage(sb, req, cmd)
    sb.integrations.delete_command(cmd)
    return status_ok()


@route("PUT", "/api/v4/commands/{command_id}/regen_token")
def regen_command_token(sb: Sandbox, req: Request) -> Response:
    cmd = _lookup(sb, url_id(req, "command_id"))
    _check_manage(sb, req, cmd)
    return json_response({"token": sb.integrations.regen_command_token(cmd)})


@route("PUT", "/api/v4/commands/{command_id}/move")
def move_command(sb: Sandbox, req: Request) -> Response:
    command_id = url_id(req, "command_id")
    body = req.json("team_id")
    team_id = body.get("team_id") if isinstance(body, dict) else None
    if not isinstance(team_id, str):
        raise invalid_body_param("team_id")
    team = sb.core.team(team_id)
    if team is None or team.delete_at:
        raise AppError(
            404, "app.team.get.find.app_error", "Unable to find the existing team.", f"id={team_id}"
        )
    if not team_perm(sb, req, "manage_own_slash_commands", team.id):
        raise deny(req, "manage_own_slash_commands")
    cmd = _lookup(sb, command_id)
    _check_manage(sb, req, cmd)
    creator = sb.core.user(cmd["creator_id"])
    if creator is None or not sb.core.has_permission(
        creator, "manage_own_slash_commands", team_id=team.id
    ):
        raise AppError(
            400,
            "api.command.move_command.creator_no_permission.app_error",
            "The command creator does not have permission to manage slash commands in the new team.",
            f"creator_id={cmd['creator_id']} team_id={team.id}",
        )
    sb.integrations.move_command(cmd, team.id)
    return status_ok()
