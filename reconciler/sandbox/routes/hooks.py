"""Incoming and outgoing webhooks (MM api4/webhook.go): create, list, get, update,
delete, regenerate an outgoing token, move an incoming hook to another owner.

The order of checks follows the server: decode, look up, permissions, then the
app layer (501 when disabled, validation). `POST /hooks/{id}` itself is in
webhook_posts.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reconciler.sandbox.app import (
    AppError,
    Request,
    Response,
    invalid_body_param,
    json_response,
    route,
    status_ok,
)
from reconciler.sandbox.integrations_base import Record
from reconciler.sandbox.integrations_incoming import decode_incoming
from reconciler.sandbox.integrations_outgoing import decode_outgoing
from reconciler.sandbox.paging import Page
from reconciler.sandbox.routes._core import get_channel, url_id, user_not_found
from reconciler.sandbox.routes._integrations import (
    can_read_channel,
    channel_perm,
    deny,
    require_enabled,
    route_not_found,
    system_perm,
    team_perm,
    user_id,
)

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox

HookGetter = Callable[["Sandbox", str], Record]


def _require_incoming_enabled(sb: Sandbox) -> None:
    require_enabled(
        sb, "EnableIncomingWebhooks", "api.incoming_webhook.disabled.app_error", "Incoming webhooks"
    )


def _require_outgoing_enabled(sb: Sandbox) -> None:
    require_enabled(
        sb, "EnableOutgoingWebhooks", "api.outgoing_webhook.disabled.app_error", "Outgoing webhooks"
    )


def _get_incoming(sb: Sandbox, hook_id: str) -> Record:
    _require_incoming_enabled(sb)
    return sb.integrations.get_incoming(hook_id)


def _get_outgoing(sb: Sandbox, hook_id: str) -> Record:
    _require_outgoing_enabled(sb)
    return sb.integrations.get_outgoing(hook_id)


def _read_update(
    sb: Sandbox, req: Request, decoder: Callable[[Any], Record], name: str, current: HookGetter
) -> tuple[Record, Record]:
    """PUT /hooks/{incoming,outgoing}/{id}: (the hook as stored, the body as decoded), the
    body's id the URL's, its team the hook's (an empty team_id means the hook's)."""
    hook_id = url_id(req, "hook_id")
    updated = decoder(req.json(name))
    if updated["id"] != hook_id:
        raise invalid_body_param("hook_id")
    old = current(sb, hook_id)
    if not updated["team_id"]:
        updated["team_id"] = old["team_id"]
    if updated["team_id"] != old["team_id"]:
        raise AppError(
            400,
            "api.webhook.team_mismatch.app_error",
            "Unable to update webhook across teams.",
            f"user_id={user_id(req)}",
        )
    return old, updated


def _listing_owner(req: Request, direction: str, may: Callable[[str], bool]) -> str:
    """Whose hooks a listing shows: 403 without manage_own_<direction>_webhooks (in the
    scope `may` checks), everyone's with manage_others_…, else the caller's own."""
    if not may(f"manage_own_{direction}_webhooks"):
        raise deny(req, f"manage_own_{direction}_webhooks")
    return "" if may(f"manage_others_{direction}_webhooks") else user_id(req)


# -- incoming webhooks ------------------------------------------------------------------------
@route("POST", "/api/v4/hooks/incoming")
def create_incoming_hook(sb: Sandbox, req: Request) -> Response:
    hook = decode_incoming(req.json("incoming_webhook"))
    channel = get_channel(sb, hook["channel_id"])
    if not team_perm(sb, req, "manage_own_incoming_webhooks", channel.team_id):
        raise deny(req, "manage_own_incoming_webhooks")
    if not can_read_channel(sb, req, channel):
        raise deny(req, "read_channel_content")
    owner = user_id(req)
    if hook["user_id"] and hook["user_id"] != owner:
        if not team_perm(sb, req, "manage_others_incoming_webhooks", channel.team_id):
            raise deny(req, "manage_others_incoming_webhooks")
        if sb.core.user(hook["user_id"]) is None:
            raise user_not_found(hook["user_id"])
        owner = hook["user_id"]
    if not team_perm(sb, req, "bypass_incoming_webhook_channel_lock", channel.team_id):
        hook["channel_locked"] = True
    hook["channel_id"] = channel.id
    _require_incoming_enabled(sb)
    created = sb.integrations.create_incoming(owner, channel, hook)
    return json_response(created, 201)


@route("GET", "/api/v4/hooks/incoming")
def list_incoming_hooks(sb: Sandbox, req: Request) -> Response:
    team_id = req.arg("team_id")
    if team_id:
        uid = _listing_owner(req, "incoming", lambda p: team_perm(sb, req, p, team_id))
    else:
        uid = _listing_owner(req, "incoming", lambda p: system_perm(sb, req, p))
    _require_incoming_enabled(sb)
    hooks = sb.integrations.incoming_for_team(team_id, uid)
    page = Page.from_request(req).slice(hooks)
    if req.flag("include_total_count"):
        return json_response({"incoming_webhooks": page, "total_count": len(hooks)})
    return json_response(page)


def _check_incoming_access(sb: Sandbox, req: Request, hook: Record) -> None:
    channel = get_channel(sb, hook["channel_id"])
    restricted = channel.type != "O" and not can_read_channel(sb, req, channel)
    if not team_perm(sb, req, "manage_own_incoming_webhooks", hook["team_id"]) or restricted:
        raise deny(req, "manage_own_incoming_webhooks")
    if user_id(req) != hook["user_id"] and not team_perm(
        sb, req, "manage_others_incoming_webhooks", hook["team_id"]
    ):
        raise deny(req, "manage_others_incoming_webhooks")


def _incoming_of_caller(sb: Sandbox, req: Request) -> Record:
    """The hook the URL names, if the caller may manage it."""
    hook = _get_incoming(sb, url_id(req, "hook_id"))
    _check_incoming_access(sb, req, hook)
    return hook


@route("GET", "/api/v4/hooks/incoming/{hook_id}")
def get_incoming_hook(sb: Sandbox, req: Request) -> Response:
    hook = _incoming_of_caller(sb, req)
    return json_response(hook)


@route("DELETE", "/api/v4/hooks/incoming/{hook_id}")
def delete_incoming_hook(sb: Sandbox, req: Request) -> Response:
    hook = _incoming_of_caller(sb, req)
    sb.integrations.delete_incoming(hook["id"])
    return status_ok()


@route("PUT", "/api/v4/hooks/incoming/{hook_id}")
def update_incoming_hook(sb: Sandbox, req: Request) -> Response:
    old, updated = _read_update(sb, req, decode_incoming, "incoming_webhook", _get_incoming)
    channel = get_channel(sb, updated["channel_id"])
    if channel.team_id != updated["team_id"]:
        raise invalid_body_param("channel_id")
    if not team_perm(sb, req, "manage_own_incoming_webhooks", channel.team_id):
        raise deny(req, "manage_own_incoming_webhooks")
    if user_id(req) != old["user_id"] and not team_perm(
        sb, req, "manage_others_incoming_webhooks", channel.team_id
    ):
        raise deny(req, "manage_others_incoming_webhooks")
    if channel.type != "O" and not can_read_channel(sb, req, channel):
        raise deny(req, "read_channel_content")
    if not team_perm(sb, req, "bypass_incoming_webhook_channel_lock", channel.team_id):
        updated["channel_locked"] = True
    updated["channel_id"] = channel.id
    _require_incoming_enabled(sb)
    return json_response(sb.integrations.update_incoming(old, updated), 201)


# POST /hooks/incoming/{hook_id}/move/{user_id}: ownership transfer. Added to Mattermost by
# mattermost/mattermost#36850 (opened 2026-06-02; api4/webhook.go `moveIncomingHook`, app
# `MoveIncomingWebhook`), together with `bot_user_id` post authorship. It is in no release
# whose version list could be read (the newest: 11.4.x); 11.9.0 is the first release after
# that PR and an estimate, not a release note. Older servers have no such route: 404.
MOVE_INCOMING_SINCE = "11.9.0"


@route("POST", "/api/v4/hooks/incoming/{hook_id}/move/{user_id}", auth=False)
def move_incoming_hook(sb: Sandbox, req: Request) -> Response:
    """moveIncomingHook: the caller needs manage_others_incoming_webhooks on the hook's team
    (even for its own hook) and, for a non-public channel, read access to it; the app layer
    refuses bots, deactivated accounts and owners who cannot read a non-public channel.
    200 with the hook; only `user_id` (and `update_at`) change, the id and URL stay."""
    if not sb.is_at_least(MOVE_INCOMING_SINCE):
        raise route_not_found()
    sb.core.authenticate(req)  # after the 404s: an older server has no route to guard
    hook_id = url_id(req, "hook_id")
    new_owner_id = url_id(req, "user_id")  # RequireUserId ("me" is the caller)
    hook = _get_incoming(sb, hook_id)
    channel = get_channel(sb, hook["channel_id"])
    restricted = channel.type != "O" and not can_read_channel(sb, req, channel)
    if restricted or not team_perm(sb, req, "manage_others_incoming_webhooks", hook["team_id"]):
        raise deny(req, "manage_others_incoming_webhooks")
    owner = sb.core.user(new_owner_id)
    if owner is None:
        raise user_not_found(new_owner_id)
    return json_response(sb.integrations.move_incoming(hook, owner, channel))


# -- outgoing webhooks ------------------------------------------------------------------------
@route("POST", "/api/v4/hooks/outgoing")
def create_outgoing_hook(sb: Sandbox, req: Request) -> Response:
    hook = decode_outgoing(req.json("outgoing_webhook"))
    team_id = hook["team_id"]
    if not team_perm(sb, req, "manage_own_outgoing_webhooks", team_id):
        raise deny(req, "manage_own_outgoing_webhooks")
    if not hook["creator_id"]:
        hook["creator_id"] = user_id(req)
    else:
        if not team_perm(sb, req, "manage_others_outgoing_webhooks", team_id):
            raise deny(req, "manage_others_outgoing_webhooks")
        if sb.core.user(hook["creator_id"]) is None:
            raise user_not_found(hook["creator_id"])
    _require_outgoing_enabled(sb)
    return json_response(sb.integrations.create_outgoing(hook), 201)


@route("GET", "/api/v4/hooks/outgoing")
def list_outgoing_hooks(sb: Sandbox, req: Request) -> Response:
    channel_id, team_id = req.arg("channel_id"), req.arg("team_id")
    if channel_id:
        uid = _listing_owner(req, "outgoing", lambda p: channel_perm(sb, req, p, channel_id))
    elif team_id:
        uid = _listing_owner(req, "outgoing", lambda p: team_perm(sb, req, p, team_id))
    else:
        uid = _listing_owner(req, "outgoing", lambda p: system_perm(sb, req, p))
    _require_outgoing_enabled(sb)
    hooks = sb.integrations.outgoing_list(team_id=team_id, channel_id=channel_id, user_id=uid)
    return json_response(Page.from_request(req).slice(hooks))


def _check_outgoing_access(sb: Sandbox, req: Request, hook: Record) -> None:
    if not team_perm(sb, req, "manage_own_outgoing_webhooks", hook["team_id"]):
        raise deny(req, "manage_own_outgoing_webhooks")
    if user_id(req) != hook["creator_id"] and not team_perm(
        sb, req, "manage_others_outgoing_webhooks", hook["team_id"]
    ):
        raise deny(req, "manage_others_outgoing_webhooks")


def _outgoing_of_caller(sb: Sandbox, req: Request) -> Record:
    """The hook the URL names, if the caller may manage it."""
    hook = _get_outgoing(sb, url_id(req, "hook_id"))
    _check_outgoing_access(sb, req, hook)
    return hook


@route("GET", "/api/v4/hooks/outgoing/{hook_id}")
def get_outgoing_hook(sb: Sandbox, req: Request) -> Response:
    hook = _outgoing_of_caller(sb, req)
    return json_response(hook)


@route("DELETE", "/api/v4/hooks/outgoing/{hook_id}")
def delete_outgoing_hook(sb: Sandbox, req: Request) -> Response:
    hook = _outgoing_of_caller(sb, req)
    sb.integrations.delete_outgoing(hook["id"])
    return status_ok()


@route("POST", "/api/v4/hooks/outgoing/{hook_id}/regen_token")
def regen_outgoing_token(sb: Sandbox, req: Request) -> Response:
    hook = _outgoing_of_caller(sb, req)
    return json_response(sb.integrations.regen_outgoing_token(hook))


@route("PUT", "/api/v4/hooks/outgoing/{hook_id}")
def update_outgoing_hook(sb: Sandbox, req: Request) -> Response:
    old, updated = _read_update(sb, req, decode_outgoing, "outgoing_webhook", _get_outgoing)
    _check_outgoing_access(sb, req, {**old, "team_id": updated["team_id"]})
    return json_response(sb.integrations.update_outgoing(old, updated))
