"""Personal access tokens (and bots' tokens): create, list, revoke."""

from __future__ import annotations

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
from reconciler.sandbox.paging import Page
from reconciler.sandbox.records import User
from reconciler.sandbox.routes._core import get_user, str_field, url_id

TOKEN_DESCRIPTION_MAX = 255


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
