"""Team routes: list, create, by name or id, PUT (full) and patch, privacy, soft delete
(and permanent delete), restore."""

from __future__ import annotations

from typing import Any

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
from reconciler.sandbox.ids import new_id, now_ms
from reconciler.sandbox.paging import Page
from reconciler.sandbox.records import Team
from reconciler.sandbox.routes._core import (
    get_team,
    get_team_by_name,
    opt_bool,
    opt_str,
    privacy_arg,
    require_permanent_deletion,
    str_field,
    url_id,
    url_name,
    with_count,
)
from reconciler.sandbox.validation import validate_team


def team_json(sb: Sandbox, req: Request, team: Team) -> dict[str, Any]:
    sanitize = not sb.core.has_permission(req.user, "manage_team", team_id=team.id)
    return team.to_json(sanitize=sanitize)


def require_view_team(sb: Sandbox, req: Request, team: Team) -> None:
    if (team.type != "O" or not team.allow_open_invite) and not sb.core.has_permission(
        req.user, "view_team", team_id=team.id
    ):
        raise permission_error(req.user.id, "view_team")


def check_restricted_domains(sb: Sandbox, team: Team) -> None:
    restrict = str(sb.core.setting("TeamSettings.RestrictCreationToDomains") or "")
    if not restrict or not team.allowed_domains:
        return
    allowed = {d.strip().lower() for d in restrict.replace(",", " ").split() if d.strip()}
    for domain in team.allowed_domains.replace(",", " ").replace("@", " ").split():
        if domain.lower() not in allowed:
            raise AppError(
                400,
                "api.team.update_restricted_domains.mismatch.app_error",
                f"Restricting team to {domain} is not allowed by the system admin. Please "
                "contact your system administrator.",
            )


@route("GET", "/api/v4/teams")
def list_teams(sb: Sandbox, req: Request) -> Response:
    core = sb.core
    page = Page.from_request(req)
    can_public = core.has_permission(req.user, "list_public_teams")
    can_private = core.has_permission(req.user, "list_private_teams")
    if not can_public and not can_private:
        raise AppError(
            403,
            "api.team.get_all_teams.insufficient_permissions",
            "You don't have the appropriate permissions to list all teams",
        )
    teams: list[Team] = core.sorted_cached(
        ("teams",), "teams", lambda: core.teams.values(), lambda t: (t.display_name, t.id)
    )
    if not (can_public and can_private):
        teams = [t for t in teams if t.allow_open_invite == can_public]
    items = [team_json(sb, req, t) for t in page.slice(teams)]
    return json_response(with_count("teams", items, len(teams), req))


@route("POST", "/api/v4/teams")
def create_team(sb: Sandbox, req: Request) -> Response:
    data = req.json_object("team")
    if data.get("id"):
        raise AppError(
            400,
            "store.sql_team.save_team.existing.app_error",
            "A team with that name already exists",
        )
    if not sb.core.has_permission(req.user, "create_team"):
        raise AppError(
            403,
            "api.team.is_team_creation_allowed.disabled.app_error",
            "Team creation has been disabled. Please ask your System Administrator for details.",
        )
    team = sb.core.create_team(
        req.user,
        name=str_field(data, "name"),
        display_name=str_field(data, "display_name"),
        type=str_field(data, "type"),
        description=str_field(data, "description"),
        company_name=str_field(data, "company_name"),
        allowed_domains=str_field(data, "allowed_domains"),
        allow_open_invite=bool(data.get("allow_open_invite", False)),
    )
    return json_response(team.to_json(), 201)


@route("GET", "/api/v4/teams/name/{team_name}")
def team_by_name(sb: Sandbox, req: Request) -> Response:
    team = get_team_by_name(sb, req)
    require_view_team(sb, req, team)
    return json_response(team_json(sb, req, team))


@route("GET", "/api/v4/teams/name/{team_name}/exists")
def team_exists(sb: Sandbox, req: Request) -> Response:
    team = sb.core.team_by_name(url_name(req, "team_name"))
    return json_response({"exists": team is not None})


@route("GET", "/api/v4/teams/{team_id}")
def get_team_by_id(sb: Sandbox, req: Request) -> Response:
    team = get_team(sb, url_id(req, "team_id"))
    require_view_team(sb, req, team)
    return json_response(team_json(sb, req, team))


@route("PUT", "/api/v4/teams/{team_id}")
def update_team(sb: Sandbox, req: Request) -> Response:
    team_id = url_id(req, "team_id")
    data = req.json_object("team")
    if data.get("id") != team_id:
        raise invalid_body_param("id")
    sb.require_permission(req, "manage_team", team_id=team_id)
    team = get_team(sb, team_id)
    icon = data.get("last_team_icon_update")
    candidate = Team(**team.to_dict())
    candidate.display_name = str_field(data, "display_name")
    candidate.description = str_field(data, "description")
    candidate.allow_open_invite = bool(opt_bool(data, "allow_open_invite"))
    candidate.company_name = str_field(data, "company_name")
    candidate.allowed_domains = str_field(data, "allowed_domains")
    candidate.last_team_icon_update = icon if isinstance(icon, int) else 0
    candidate.group_constrained = opt_bool(data, "group_constrained")
    validate_team(candidate)
    check_restricted_domains(sb, candidate)
    _apply(sb, team, candidate)
    return json_response(team.to_json())


def _apply(sb: Sandbox, team: Team, candidate: Team) -> None:
    for name, value in candidate.to_dict().items():
        setattr(team, name, value)
    sb.core.touch_team(team)


@route("PUT", "/api/v4/teams/{team_id}/patch")
def patch_team(sb: Sandbox, req: Request) -> Response:
    team_id = url_id(req, "team_id")
    data = req.json_object("team")
    sb.require_permission(req, "manage_team", team_id=team_id)
    team = get_team(sb, team_id)
    candidate = Team(**team.to_dict())
    for name in ("display_name", "description", "company_name", "allowed_domains"):
        value = opt_str(data, name)
        if value is not None:
            setattr(candidate, name, value)
    open_invite = opt_bool(data, "allow_open_invite")
    if open_invite is not None:
        candidate.allow_open_invite = open_invite
        if not open_invite:
            candidate.invite_id = new_id()
    if "group_constrained" in data:
        candidate.group_constrained = opt_bool(data, "group_constrained")
    cloud = opt_bool(data, "cloud_limits_archived")
    if cloud is not None:
        candidate.cloud_limits_archived = cloud
    validate_team(candidate)
    check_restricted_domains(sb, candidate)
    _apply(sb, team, candidate)
    return json_response(team.to_json())


@route("PUT", "/api/v4/teams/{team_id}/privacy")
def update_team_privacy(sb: Sandbox, req: Request) -> Response:
    team_id = url_id(req, "team_id")
    privacy = privacy_arg(req, ("O", "I"))
    sb.require_permission(req, "manage_team", team_id=team_id)
    team = get_team(sb, team_id)
    team.type = privacy
    team.allow_open_invite = privacy == "O"
    if privacy == "I":
        team.invite_id = new_id()
    sb.core.touch_team(team)
    return json_response(team.to_json())


@route("DELETE", "/api/v4/teams/{team_id}")
def delete_team(sb: Sandbox, req: Request) -> Response:
    team_id = url_id(req, "team_id")
    sb.require_permission(req, "manage_team", team_id=team_id)
    team = get_team(sb, team_id)
    if req.flag("permanent"):
        require_permanent_deletion(sb, "team", f"teamId={team_id}")
        sb.core.permanent_delete_team(team)
        return status_ok()
    team.delete_at = now_ms()
    sb.core.touch_team(team)
    return status_ok()


@route("POST", "/api/v4/teams/{team_id}/restore")
def restore_team(sb: Sandbox, req: Request) -> Response:
    team_id = url_id(req, "team_id")
    sb.require_permission(req, "manage_team", team_id=team_id)
    team = get_team(sb, team_id)
    team.delete_at = 0
    sb.core.touch_team(team)
    return json_response(team.to_json())
