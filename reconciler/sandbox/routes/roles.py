"""Role routes: by id, by name, by names, and patch (which changes behaviour: every
permission check reads the role table)."""

from __future__ import annotations

import re

from reconciler.sandbox import permissions as perms
from reconciler.sandbox.app import (
    AppError,
    Request,
    Response,
    Sandbox,
    invalid_body_param,
    invalid_url_param,
    json_response,
    route,
)
from reconciler.sandbox.ids import now_ms
from reconciler.sandbox.records import Role
from reconciler.sandbox.routes._core import url_id

ROLE_NAME_RE = re.compile(r"^[a-z0-9_]{1,64}$")


@route("GET", "/api/v4/roles/{role_id}")
def get_role(sb: Sandbox, req: Request) -> Response:
    role = sb.core.role_by_id(url_id(req, "role_id"))
    if role is None:
        raise AppError(404, "app.role.get.app_error", "Unable to get role.")
    return json_response(role.to_json())


@route("GET", "/api/v4/roles/name/{role_name}")
def get_role_by_name(sb: Sandbox, req: Request) -> Response:
    name = req.params["role_name"]
    if not ROLE_NAME_RE.match(name):
        raise invalid_url_param("role_name")
    role = sb.core.role(name)
    if role is None:
        raise AppError(404, "app.role.get_by_name.app_error", "Unable to get role.")
    return json_response(role.to_json())


@route("POST", "/api/v4/roles/names")
def get_roles_by_names(sb: Sandbox, req: Request) -> Response:
    names = req.json("rolenames")
    if not isinstance(names, list) or not names:
        raise invalid_body_param("rolenames")
    roles: list[Role] = []
    for name in names:
        if not isinstance(name, str) or not ROLE_NAME_RE.match(name):
            raise invalid_body_param("rolename")
        role = sb.core.role(name)
        if role is not None and role not in roles:
            roles.append(role)
    return json_response([r.to_json() for r in roles])


def _is_guest_role(sb: Sandbox, role: Role) -> bool:
    if role.name in perms.GUEST_ROLES:
        return True
    return any(s.default_channel_guest_role == role.name for s in sb.core.schemes.values())


@route("PUT", "/api/v4/roles/{role_id}/patch")
def patch_role(sb: Sandbox, req: Request) -> Response:
    role_id = url_id(req, "role_id")
    data = req.json_object("role")
    permissions = data.get("permissions")
    if permissions is not None and (
        not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions)
    ):
        raise invalid_body_param("role")
    role = sb.core.role_by_id(role_id)
    if role is None:
        raise AppError(404, "app.role.get.app_error", "Unable to get role.")
    if role.name in perms.MANAGE_SYSTEM_ROLES:
        sb.require_permission(req, "manage_system")
    elif role.name in perms.SCHEME_ROLES or role.scheme_managed:
        sb.require_permission(req, "sysconsole_write_user_management_permissions")
    else:
        sb.require_permission(req, "sysconsole_write_user_management_system_roles")
    if permissions is None:
        return json_response(role.to_json())
    new = list(dict.fromkeys(permissions))
    changed = set(new) ^ set(role.permissions)
    licensed = sb.core.is_licensed()
    if not licensed and changed - perms.UNLICENSED_PATCHABLE:
        raise AppError(
            501,
            "api.roles.patch_roles.license.error",
            "Your license does not support advanced permissions.",
        )
    if not licensed and _is_guest_role(sb, role):
        raise AppError(
            501,
            "api.roles.patch_roles.license.error",
            "Your license does not support advanced permissions.",
        )
    if "manage_roles" in changed:
        raise AppError(
            501,
            "api.roles.patch_roles.not_allowed_permission.error",
            "One or more of the following permissions that you are attempting to add or "
            "remove is not allowed",
        )
    role.permissions = new
    role.update_at = now_ms()
    return json_response(role.to_json())
