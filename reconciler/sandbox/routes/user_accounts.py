"""A user account's state: guest or not (demote, promote), active or not (PUT …/active,
DELETE /users/{id}), deleted for good (`?permanent=true`)."""

from __future__ import annotations

from reconciler.sandbox.app import (
    AppError,
    Request,
    Response,
    Sandbox,
    invalid_body_param,
    permission_error,
    route,
    status_ok,
)
from reconciler.sandbox.records import User
from reconciler.sandbox.routes._core import get_user, require_permanent_deletion, url_id


def _require_guest_licence(sb: Sandbox, action: str) -> None:
    if not sb.core.is_licensed():
        raise AppError(
            501,
            f"api.team.{action}.license.error",
            "Guest accounts are not supported by the current license.",
        )


@route("POST", "/api/v4/users/{user_id}/demote")
def demote_user(sb: Sandbox, req: Request) -> Response:
    user_id = url_id(req, "user_id")
    _require_guest_licence(sb, "demote_user_to_guest")
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
    _require_guest_licence(sb, "promote_guest_to_user")
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
    if not req.flag("permanent"):
        core.set_user_active(user, False)
    else:
        require_permanent_deletion(sb, "user", f"userId={user_id}")
        core.permanent_delete_user(user)
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
