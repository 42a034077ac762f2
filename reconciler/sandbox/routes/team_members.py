"""Team members: list (sorted by id or username), get (removed rows included), add
(one, or a batch with `graceful`), remove."""

from __future__ import annotations

from typing import Any

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
from reconciler.sandbox.records import TeamMember
from reconciler.sandbox.routes._core import (
    get_team,
    get_user,
    str_field,
    team_member_missing,
    url_id,
)

BATCH_MAX = 256


@route("GET", "/api/v4/teams/{team_id}/members")
def list_team_members(sb: Sandbox, req: Request) -> Response:
    team_id = url_id(req, "team_id")
    sb.require_permission(req, "view_team", team_id=team_id)
    core = sb.core
    page = Page.from_request(req)
    by_username = req.arg("sort") == "Username"
    members: list[TeamMember] = core.sorted_cached(
        ("team_members", team_id, by_username),
        "members",
        lambda: core.active_team_members(team_id),
        (lambda m: core.users[m.user_id].username) if by_username else (lambda m: m.user_id),
    )
    if req.flag("exclude_deleted_users"):
        members = [m for m in members if not core.users[m.user_id].delete_at]
    return json_response([m.to_json() for m in page.slice(members)])


@route("GET", "/api/v4/teams/{team_id}/members/{user_id}")
def get_team_member(sb: Sandbox, req: Request) -> Response:
    team_id = url_id(req, "team_id")
    user_id = url_id(req, "user_id")
    sb.require_permission(req, "view_team", team_id=team_id)
    member = sb.core.team_member(team_id, user_id)
    if member is None:
        raise team_member_missing()
    return json_response(member.to_json())


def _add_member(sb: Sandbox, req: Request, team_id: str, user_id: str) -> TeamMember:
    if not is_valid_id(user_id):
        raise invalid_body_param("user_id")
    team = get_team(sb, team_id)
    if user_id == req.user.id:
        permission = "join_public_teams" if team.type == "O" else "join_private_teams"
        sb.require_permission(req, permission)
    else:
        sb.require_permission(req, "add_user_to_team", team_id=team_id)
    user = get_user(sb, user_id)
    if team.group_constrained and not user.is_bot:
        raise AppError(
            400,
            "api.team.add_members.user_denied",
            "This team is managed by groups.  This user is not part of a group that is synced "
            "to this team.",
        )
    return sb.core.add_team_member(team, user)


@route("POST", "/api/v4/teams/{team_id}/members")
def add_team_member(sb: Sandbox, req: Request) -> Response:
    team_id = url_id(req, "team_id")
    data = req.json_object("team_member")
    if data.get("team_id") != team_id:
        raise invalid_body_param("team_id")
    member = _add_member(sb, req, team_id, str_field(data, "user_id"))
    return json_response(member.to_json(), 201)


@route("POST", "/api/v4/teams/{team_id}/members/batch")
def add_team_members(sb: Sandbox, req: Request) -> Response:
    team_id = url_id(req, "team_id")
    items = req.json("team_members")
    if not isinstance(items, list) or not items or len(items) > BATCH_MAX:
        raise invalid_body_param("team_members")
    graceful = req.arg("graceful") != ""  # any value, as api4/team.go reads it
    results: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict) or item.get("team_id") != team_id:
            raise invalid_body_param("team_id")
        user_id = str_field(item, "user_id")
        try:
            member = _add_member(sb, req, team_id, user_id)
        except AppError as error:
            if not graceful:
                raise
            results.append(
                {
                    "user_id": user_id,
                    "error": {
                        "id": error.error_id,
                        "message": error.message,
                        "detailed_error": "",
                        "request_id": req.request_id,
                        "status_code": error.status,
                    },
                }
            )
            continue
        members.append(member.to_json())
        results.append({"user_id": user_id, "member": member.to_json()})
    return json_response(results if graceful else members, 201)


@route("DELETE", "/api/v4/teams/{team_id}/members/{user_id}")
def remove_team_member(sb: Sandbox, req: Request) -> Response:
    team_id = url_id(req, "team_id")
    user_id = url_id(req, "user_id")
    if user_id != req.user.id:
        sb.require_permission(req, "remove_user_from_team", team_id=team_id)
    team = get_team(sb, team_id)
    user = get_user(sb, user_id)
    sb.core.remove_team_member(team, user)
    return status_ok()
