"""User routes: create, list (with the team/channel/activity filters), by usernames,
ids, username or id, and a user's teams and team memberships. Guests see only the
users they share a channel with."""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.app import (
    AppError,
    Request,
    Response,
    Sandbox,
    invalid_body_param,
    invalid_url_param,
    json_response,
    permission_error,
    route,
)
from reconciler.sandbox.paging import Page
from reconciler.sandbox.records import User
from reconciler.sandbox.routes._core import (
    get_team,
    get_user,
    str_field,
    url_id,
    url_name,
    user_not_found,
)
from reconciler.sandbox.validation import validate_password


def visible_user_ids(sb: Sandbox, viewer: User) -> set[str] | None:
    """None when the viewer may see every user; otherwise (guests) the ids of the users
    who share a channel with the viewer, and the viewer."""
    if not viewer.is_guest:
        return None
    visible = {viewer.id}
    for member in sb.core.user_channel_members(viewer.id):
        visible.update(sb.core.channel_members_by_channel.get(member.channel_id, {}))
    return visible


def can_see(sb: Sandbox, viewer: User, user: User) -> bool:
    visible = visible_user_ids(sb, viewer)
    return visible is None or user.id in visible


@route("POST", "/api/v4/users")
def create_user(sb: Sandbox, req: Request) -> Response:
    data = req.json_object("user")
    if not sb.core.has_permission(req.user, "manage_system"):
        raise AppError(
            403,
            "api.user.create_user.no_open_server",
            "This server does not allow open signups.  Please speak with your Administrator to "
            "receive an invitation.",
        )
    if data.get("id"):
        raise invalid_body_param("user")
    auth_service = str_field(data, "auth_service")
    password = str_field(data, "password")
    if not auth_service:
        validate_password(password)
    props = data.get("props") or {}
    if not isinstance(props, dict):
        raise invalid_body_param("props")
    user = sb.core.create_user(
        str_field(data, "username"),
        str_field(data, "email"),
        password=password,
        first_name=str_field(data, "first_name"),
        last_name=str_field(data, "last_name"),
        nickname=str_field(data, "nickname"),
        position=str_field(data, "position"),
        locale=str_field(data, "locale", "en"),
        auth_service=auth_service,
        auth_data=str_field(data, "auth_data"),
        props={str(k): str(v) for k, v in props.items()},
    )
    # The user as created still holds RemoteId = "" (a non-nil pointer), so this one answer
    # carries "remote_id"; read back from the database it is nil and left out (real server).
    return json_response({**user.to_json(), "remote_id": ""}, 201)


@route("GET", "/api/v4/users")
def list_users(sb: Sandbox, req: Request) -> Response:
    core = sb.core
    page = Page.from_request(req)
    in_team = req.arg("in_team")
    in_channel = req.arg("in_channel")
    not_in_team = req.arg("not_in_team")
    not_in_channel = req.arg("not_in_channel")
    for name, value in (
        ("in_team", in_team),
        ("in_channel", in_channel),
        ("not_in_team", not_in_team),
        ("not_in_channel", not_in_channel),
    ):
        if value and len(value) != 26:
            raise invalid_url_param(name)
    users: list[User] = core.sorted_cached(
        ("users",), "users", lambda: core.users.values(), lambda u: (u.username, u.id)
    )
    if in_team:
        sb.require_permission(req, "view_team", team_id=in_team)
        members = core.team_members_by_team.get(in_team, {})
        users = [u for u in users if u.id in members and members[u.id].active]
    if not_in_team:
        sb.require_permission(req, "view_team", team_id=not_in_team)
        members = core.team_members_by_team.get(not_in_team, {})
        users = [u for u in users if u.id not in members or not members[u.id].active]
    if in_channel:
        sb.require_permission(req, "read_channel", channel_id=in_channel)
        cmembers = core.channel_members_by_channel.get(in_channel, {})
        users = [u for u in users if u.id in cmembers]
    if not_in_channel:
        sb.require_permission(req, "read_channel", channel_id=not_in_channel)
        cmembers = core.channel_members_by_channel.get(not_in_channel, {})
        users = [u for u in users if u.id not in cmembers]
    if req.flag("active"):
        users = [u for u in users if not u.delete_at]
    if req.flag("inactive"):
        users = [u for u in users if u.delete_at]
    role = req.arg("role")
    if role:
        users = [u for u in users if role in u.role_names]
    visible = visible_user_ids(sb, req.user)
    if visible is not None:
        users = [u for u in users if u.id in visible]
    return json_response([u.to_json() for u in page.slice(users)])


@route("POST", "/api/v4/users/usernames")
def users_by_usernames(sb: Sandbox, req: Request) -> Response:
    names = req.json("usernames")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise invalid_body_param("usernames")
    found: dict[str, User] = {}
    for name in names:
        user = sb.core.user_by_username(name) if name == name.lower() else None
        if user is not None and can_see(sb, req.user, user):
            found[user.id] = user
    ordered = sorted(found.values(), key=lambda u: u.username)
    return json_response([u.to_json() for u in ordered])


@route("POST", "/api/v4/users/ids")
def users_by_ids(sb: Sandbox, req: Request) -> Response:
    """MM api4/user.go → getUsersByIds: the visible users among the ids (unknown ids skipped)."""
    ids = req.json("user_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise invalid_body_param("user_ids")
    found: dict[str, User] = {}
    for uid in ids:
        user = sb.core.user(uid)
        if user is not None and can_see(sb, req.user, user):
            found[user.id] = user
    return json_response([u.to_json() for u in found.values()])


@route("GET", "/api/v4/users/username/{username}")
def user_by_username(sb: Sandbox, req: Request) -> Response:
    user = sb.core.user_by_username(url_name(req, "username"))
    if user is None or not can_see(sb, req.user, user):
        raise AppError(
            404,
            "app.user.get_by_username.app_error",
            "Unable to find an existing account matching your username for this team. This team may require an invite from the team owner to join.",
        )
    return json_response(user.to_json())


@route("GET", "/api/v4/users/{user_id}")
def get_user_by_id(sb: Sandbox, req: Request) -> Response:
    user = get_user(sb, url_id(req, "user_id"))
    if not can_see(sb, req.user, user):
        raise user_not_found()
    return json_response(user.to_json())


@route("GET", "/api/v4/users/{user_id}/teams")
def user_teams(sb: Sandbox, req: Request) -> Response:
    user_id = url_id(req, "user_id")
    if user_id != req.user.id and not sb.core.has_permission(req.user, "manage_system"):
        raise permission_error(req.user.id, "manage_system")
    get_user(sb, user_id)
    teams: list[dict[str, Any]] = []
    for member in sb.core.user_team_members(user_id):
        team = get_team(sb, member.team_id)
        if not team.delete_at:
            sanitize = not sb.core.has_permission(req.user, "manage_team", team_id=team.id)
            teams.append(team.to_json(sanitize=sanitize))
    return json_response(teams)


@route("GET", "/api/v4/users/{user_id}/teams/members")
def user_team_members(sb: Sandbox, req: Request) -> Response:
    """Every team membership of a user with its roles, removed ones included (MM api4
    `getTeamMembersForUser`: the user themself, or `read_other_users_teams`)."""
    user_id = url_id(req, "user_id")
    if user_id != req.user.id and not sb.core.has_permission(req.user, "read_other_users_teams"):
        raise permission_error(req.user.id, "read_other_users_teams")
    user = get_user(sb, user_id)
    if not can_see(sb, req.user, user):
        raise permission_error(req.user.id, "view_members")
    members = sorted(
        sb.core.team_members_by_user.get(user_id, {}).values(), key=lambda m: m.team_id
    )
    return json_response([m.to_json() for m in members])
