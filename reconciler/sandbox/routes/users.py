"""User routes: me, create, list, by name/id, usernames, guests (demote/promote),
personal access tokens, and a user's teams."""

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
    status_ok,
)
from reconciler.sandbox.paging import Page
from reconciler.sandbox.records import User
from reconciler.sandbox.routes._core import (
    get_team,
    get_user,
    opt_str,
    str_field,
    url_id,
    url_name,
)
from reconciler.sandbox.validation import validate_password, validate_user

TOKEN_DESCRIPTION_MAX = 255


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
    return json_response(user.to_json(), 201)


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
        raise AppError(404, "app.user.missing_account.const", "Unable to find the user.")
    return json_response(user.to_json())


@route("POST", "/api/v4/users/{user_id}/demote")
def demote_user(sb: Sandbox, req: Request) -> Response:
    user_id = url_id(req, "user_id")
    if not sb.core.is_licensed():
        raise AppError(
            501,
            "api.team.demote_user_to_guest.license.error",
            "Guest accounts are not supported by the current license.",
        )
    if not sb.core.setting_bool("GuestAccountsSettings.Enable"):
        raise AppError(
            501,
            "api.team.demote_user_to_guest.disabled.error",
            "Guest accounts are disabled on this server.",
        )
    sb.require_permission(req, "demote_to_guest")
    user = get_user(sb, user_id)
    if user.is_guest:
        raise AppError(
            400,
            "api.user.demote_user_to_guest.already_guest.app_error",
            "Unable to convert the user to guest because is already a guest.",
        )
    if user.is_bot:
        raise AppError(400, "api.user.demote_user_to_guest.bot.app_error", "Bots cannot be guests.")
    sb.core.demote_to_guest(user)
    return status_ok()


@route("POST", "/api/v4/users/{user_id}/promote")
def promote_guest(sb: Sandbox, req: Request) -> Response:
    user_id = url_id(req, "user_id")
    if not sb.core.is_licensed():
        raise AppError(
            501,
            "api.team.promote_guest_to_user.license.error",
            "Guest accounts are not supported by the current license.",
        )
    sb.require_permission(req, "promote_guest")
    user = get_user(sb, user_id)
    if not user.is_guest:
        raise AppError(
            400,
            "api.user.promote_guest_to_user.no_guest.app_error",
            "Unable to convert the guest to regular user because is not a guest.",
        )
    sb.core.promote_guest(user)
    return status_ok()


def can_edit_user(sb: Sandbox, req: Request, user_id: str) -> bool:
    """SessionHasPermissionToUserOrBot: a bot's account needs manage_bots (its owner) or
    manage_others_bots; any other account is the caller's own, or needs manage_system, or
    edit_other_users when it is not a system admin's."""
    core = sb.core
    bot = core.bot(user_id)
    if bot is not None:
        own = bot.owner_id == req.user.id
        return core.has_permission(req.user, "manage_bots" if own else "manage_others_bots")
    if user_id == req.user.id or core.has_permission(req.user, "manage_system"):
        return True
    target = core.user(user_id)
    return (
        core.has_permission(req.user, "edit_other_users")
        and target is not None
        and not target.is_system_admin
    )


def _self_deactivation_disabled(user_id: str) -> AppError:
    return AppError(
        401,
        "api.user.update_active.not_enable.app_error",
        "You cannot deactivate yourself because this feature is not enabled. Please contact "
        "your System Administrator.",
        f"userId={user_id}",
    )


def _require_admin_for_admin(sb: Sandbox, req: Request, user: User) -> None:
    """Only a system admin may (de)activate or delete a system admin."""
    if user.is_system_admin:
        sb.require_permission(req, "manage_system")


@route("DELETE", "/api/v4/users/{user_id}")
def delete_user(sb: Sandbox, req: Request) -> Response:
    """MM api4 deleteUser: deactivate (App.UpdateActive), or with `?permanent=true` and
    ServiceSettings.EnableAPIUserDeletion, delete for good (App.PermanentDeleteUser)."""
    user_id = url_id(req, "user_id")
    if not can_edit_user(sb, req, user_id):
        raise permission_error(req.user.id, "edit_other_users")
    core = sb.core
    if (
        user_id == req.user.id
        and not core.setting_bool("TeamSettings.EnableUserDeactivation")
        and not core.has_permission(req.user, "manage_system")
    ):
        raise _self_deactivation_disabled(user_id)
    user = get_user(sb, user_id)
    _require_admin_for_admin(sb, req, user)
    if not req.go_bool("permanent"):
        core.set_user_active(user, False)
    elif core.setting_bool("ServiceSettings.EnableAPIUserDeletion"):
        core.permanent_delete_user(user)
    else:
        raise AppError(
            401,
            "api.user.delete_user.not_enabled.app_error",
            "Permanent user deletion feature is not enabled. Please contact your System "
            "Administrator.",
            f"userId={user_id}",
        )
    return status_ok()


@route("PUT", "/api/v4/users/{user_id}/active")
def update_user_active(sb: Sandbox, req: Request) -> Response:
    """MM api4 updateUserActive `{"active": bool}`: others' accounts need
    sysconsole_write_user_management_users; deactivating oneself needs
    TeamSettings.EnableUserDeactivation instead."""
    user_id = url_id(req, "user_id")
    try:
        props = req.json("active")
    except AppError:  # model.StringInterfaceFromJSON: a body that does not parse is {}
        props = None
    active = props.get("active") if isinstance(props, dict) else None
    if not isinstance(active, bool):
        raise invalid_body_param("active")
    core = sb.core
    self_deactivate = not active and user_id == req.user.id
    if not self_deactivate and not core.has_permission(
        req.user, "sysconsole_write_user_management_users"
    ):
        raise AppError(
            403,
            "api.user.update_active.permissions.app_error",
            "You do not have the appropriate permissions.",
            f"userId={user_id}",
        )
    if self_deactivate and not core.setting_bool("TeamSettings.EnableUserDeactivation"):
        raise _self_deactivation_disabled(user_id)
    user = get_user(sb, user_id)
    _require_admin_for_admin(sb, req, user)
    if active and user.is_guest and not core.setting_bool("GuestAccountsSettings.Enable"):
        raise AppError(
            401,
            "api.user.update_active.cannot_enable_guest_when_guest_feature_is_disabled.app_error",
            "You cannot activate a guest account because Guest Access feature is not enabled.",
            f"userId={user_id}",
        )
    core.set_user_active(user, active)
    return status_ok()


def _token_permission(sb: Sandbox, req: Request, target: User, permission: str) -> None:
    sb.require_permission(req, permission)
    if target.id != req.user.id:
        if target.is_bot:
            sb.require_permission(req, "manage_others_bots")
        else:
            sb.require_permission(req, "edit_other_users")


@route("POST", "/api/v4/users/{user_id}/tokens")
def create_token(sb: Sandbox, req: Request) -> Response:
    user_id = url_id(req, "user_id")
    data = req.json_object("user_access_token")
    target = get_user(sb, user_id)
    if not target.is_bot and not sb.core.setting_bool("ServiceSettings.EnableUserAccessTokens"):
        raise AppError(
            501,
            "app.user_access_token.disabled",
            "Personal access tokens are disabled on this server. Please contact your system administrator for details.",
        )
    description = str_field(data, "description")
    if not description:
        raise invalid_body_param("description")
    _token_permission(sb, req, target, "create_user_access_token")
    if len(description) > TOKEN_DESCRIPTION_MAX:
        raise AppError(
            400,
            "model.user_access_token.is_valid.description.app_error",
            "Invalid description, must be 255 or less characters.",
        )
    token = sb.core.create_access_token(target.id, description)
    return json_response(token.to_json(with_token=True))


@route("GET", "/api/v4/users/{user_id}/tokens")
def list_tokens(sb: Sandbox, req: Request) -> Response:
    target = get_user(sb, url_id(req, "user_id"))
    _token_permission(sb, req, target, "read_user_access_token")
    page = Page.from_request(req)
    tokens = [t for t in sb.core.tokens_by_id.values() if t.user_id == target.id]
    return json_response([t.to_json() for t in page.slice(tokens)])


@route("POST", "/api/v4/users/tokens/revoke")
def revoke_token(sb: Sandbox, req: Request) -> Response:
    data = req.json_object("token_id")
    token_id = str_field(data, "token_id")
    if not token_id:
        raise invalid_body_param("token_id")
    record = sb.core.tokens_by_id.get(token_id)
    if record is None:
        raise AppError(
            404, "app.user_access_token.get_by_id.app_error", "Unable to get user access token."
        )
    target = get_user(sb, record.user_id)
    _token_permission(sb, req, target, "revoke_user_access_token")
    sb.core.revoke_access_token(token_id)
    return status_ok()


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


def patch_fields(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in names:
        value = opt_str(data, name)
        if value is not None:
            out[name] = value
    return out


__all__ = ["can_see", "patch_fields", "validate_user", "visible_user_ids"]
