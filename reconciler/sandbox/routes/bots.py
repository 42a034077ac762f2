"""Bot routes: create, list, get, patch, disable/enable. Bots are users (`is_bot`)."""

from __future__ import annotations

from reconciler.sandbox.app import AppError, Request, Response, Sandbox, json_response, route
from reconciler.sandbox.paging import Page
from reconciler.sandbox.records import Bot
from reconciler.sandbox.routes._core import opt_str, str_field, url_id
from reconciler.sandbox.validation import validate_bot_fields


def _bot_or_404(sb: Sandbox, req: Request, *, include_deleted: bool = True) -> Bot:
    bot = sb.core.bot(url_id(req, "bot_user_id"))
    if bot is None or (bot.delete_at and not include_deleted):
        raise AppError(404, "store.sql_bot.get.missing.app_error", "Unable to find the bot.")
    return bot


def _require_bot_manage(sb: Sandbox, req: Request, bot: Bot) -> None:
    own = bot.owner_id == req.user.id
    sb.require_permission(req, "manage_bots" if own else "manage_others_bots")


@route("POST", "/api/v4/bots")
def create_bot(sb: Sandbox, req: Request) -> Response:
    data = req.json_object("bot")
    sb.require_permission(req, "create_bot")
    if not sb.core.setting_bool("ServiceSettings.EnableBotAccountCreation"):
        raise AppError(403, "api.bot.create_disabled", "Bot creation has been disabled.")
    # Bot.IsValidCreate sees the username as sent; PreSave lowercases it only afterwards, so
    # an upper-case letter is refused (real server: model.bot.is_valid.username.app_error).
    username = str_field(data, "username")
    display_name = str_field(data, "display_name")
    description = str_field(data, "description")
    validate_bot_fields(username, display_name, description)
    username = username.lower()
    bot = sb.core.create_bot(username, display_name, description, req.user.id)
    return json_response(bot.to_json(), 201)


@route("GET", "/api/v4/bots")
def list_bots(sb: Sandbox, req: Request) -> Response:
    page = Page.from_request(req)
    include_deleted = req.flag("include_deleted")
    only_orphaned = req.flag("only_orphaned")
    if sb.core.has_permission(req.user, "read_others_bots"):
        owner_filter = None
    else:
        sb.require_permission(req, "read_bots")
        owner_filter = req.user.id
    bots = [
        b
        for b in sb.core.bots.values()
        if (include_deleted or not b.delete_at)
        and (owner_filter is None or b.owner_id == owner_filter)
        and (not only_orphaned or sb.core.user(b.owner_id) is None)
    ]
    bots.sort(key=lambda b: (b.create_at, b.username))
    return json_response([b.to_json() for b in page.slice(bots)])


@route("GET", "/api/v4/bots/{bot_user_id}")
def get_bot(sb: Sandbox, req: Request) -> Response:
    bot = _bot_or_404(sb, req, include_deleted=req.flag("include_deleted"))
    if bot.owner_id != req.user.id:
        sb.require_permission(req, "read_others_bots")
    return json_response(bot.to_json())


@route("PUT", "/api/v4/bots/{bot_user_id}")
def patch_bot(sb: Sandbox, req: Request) -> Response:
    data = req.json_object("bot")
    bot = _bot_or_404(sb, req)
    _require_bot_manage(sb, req, bot)
    username = opt_str(data, "username")
    display_name = opt_str(data, "display_name")
    description = opt_str(data, "description")
    validate_bot_fields(
        username if username is not None else bot.username,
        display_name if display_name is not None else bot.display_name,
        description if description is not None else bot.description,
    )
    sb.core.patch_bot(bot, username=username, display_name=display_name, description=description)
    return json_response(bot.to_json())


def _set_active(sb: Sandbox, req: Request, active: bool) -> Response:
    bot = _bot_or_404(sb, req)
    _require_bot_manage(sb, req, bot)
    sb.core.set_bot_active(bot, active)
    return json_response(bot.to_json())


@route("POST", "/api/v4/bots/{bot_user_id}/disable")
def disable_bot(sb: Sandbox, req: Request) -> Response:
    return _set_active(sb, req, False)


@route("POST", "/api/v4/bots/{bot_user_id}/enable")
def enable_bot(sb: Sandbox, req: Request) -> Response:
    return _set_active(sb, req, True)
