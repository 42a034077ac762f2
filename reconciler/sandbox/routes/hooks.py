"""Incoming and outgoing webhooks (MM api4/webhook.go) and `POST /hooks/{id}`
(MM web/webhook.go → app HandleIncomingWebhook, CreateWebhookPost).

The order of checks follows the server: decode, look up, permissions, then the
app layer (501 when disabled, validation). Every error is JSON except the
success of `/hooks/{id}`, which is `text/plain` `ok`.
"""

from __future__ import annotations

import json
import re
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from reconciler.sandbox.app import (
    AppError,
    Request,
    Response,
    invalid_url_param,
    json_response,
    permission_error,
    route,
    status_ok,
    text_response,
)
from reconciler.sandbox.ids import is_valid_id
from reconciler.sandbox.integrations_base import Record, channel_not_found
from reconciler.sandbox.integrations_incoming import decode_incoming
from reconciler.sandbox.integrations_outgoing import decode_outgoing
from reconciler.sandbox.integrations_posts import DEFAULT_WEBHOOK_USERNAME, MAX_POST_RUNES
from reconciler.sandbox.paging import Page
from reconciler.sandbox.routes._core import url_id

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox
    from reconciler.sandbox.records import Channel


# -- shared permission helpers (also used by commands.py and posts.py) ----------------------
def user_id(req: Request) -> str:
    return str(getattr(req.user, "id", ""))


def team_perm(sb: Sandbox, req: Request, permission: str, team_id: str) -> bool:
    """SessionHasPermissionToTeam: an empty team id is always false."""
    return bool(team_id) and sb.core.has_permission(req.user, permission, team_id=team_id)


def system_perm(sb: Sandbox, req: Request, permission: str) -> bool:
    return sb.core.has_permission(req.user, permission)


def channel_perm(sb: Sandbox, req: Request, permission: str, channel_id: str) -> bool:
    return bool(channel_id) and sb.core.has_permission(req.user, permission, channel_id=channel_id)


def can_read_channel(sb: Sandbox, req: Request, channel: Channel) -> bool:
    """SessionHasPermissionToReadChannel."""
    if sb.core.has_permission(req.user, "read_channel_content", channel_id=channel.id):
        return True
    return channel.type == "O" and team_perm(sb, req, "read_public_channel", channel.team_id)


def deny(req: Request, permission: str) -> AppError:
    return permission_error(user_id(req), permission)


def get_channel(sb: Sandbox, channel_id: str) -> Channel:
    """App.GetChannel: unknown → 404 app.channel.get.existing.app_error (archived ones count)."""
    channel = sb.core.channel(channel_id) if channel_id else None
    if channel is None:
        raise channel_not_found(channel_id)
    return channel


def require_hook_id(req: Request) -> str:
    hook_id = req.params["hook_id"]
    if not is_valid_id(hook_id):
        raise invalid_url_param("hook_id")
    return hook_id


def _incoming_disabled() -> AppError:
    return AppError(
        501,
        "api.incoming_webhook.disabled.app_error",
        "Incoming webhooks have been disabled by the system admin.",
    )


def _outgoing_disabled() -> AppError:
    return AppError(
        501,
        "api.outgoing_webhook.disabled.app_error",
        "Outgoing webhooks have been disabled by the system admin.",
    )


def _require_incoming_enabled(sb: Sandbox) -> None:
    if not sb.config.get_bool("ServiceSettings.EnableIncomingWebhooks"):
        raise _incoming_disabled()


def _require_outgoing_enabled(sb: Sandbox) -> None:
    if not sb.config.get_bool("ServiceSettings.EnableOutgoingWebhooks"):
        raise _outgoing_disabled()


def _get_incoming(sb: Sandbox, hook_id: str) -> Record:
    _require_incoming_enabled(sb)
    return sb.integrations.get_incoming(hook_id)


def _get_outgoing(sb: Sandbox, hook_id: str) -> Record:
    _require_outgoing_enabled(sb)
    return sb.integrations.get_outgoing(hook_id)


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
            raise _user_missing(hook["user_id"])
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
    uid = user_id(req)
    if team_id:
        if not team_perm(sb, req, "manage_own_incoming_webhooks", team_id):
            raise deny(req, "manage_own_incoming_webhooks")
        if team_perm(sb, req, "manage_others_incoming_webhooks", team_id):
            uid = ""
    else:
        if not system_perm(sb, req, "manage_own_incoming_webhooks"):
            raise deny(req, "manage_own_incoming_webhooks")
        if system_perm(sb, req, "manage_others_incoming_webhooks"):
            uid = ""
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


@route("GET", "/api/v4/hooks/incoming/{hook_id}")
def get_incoming_hook(sb: Sandbox, req: Request) -> Response:
    hook = _get_incoming(sb, require_hook_id(req))
    _check_incoming_access(sb, req, hook)
    return json_response(hook)


@route("DELETE", "/api/v4/hooks/incoming/{hook_id}")
def delete_incoming_hook(sb: Sandbox, req: Request) -> Response:
    hook = _get_incoming(sb, require_hook_id(req))
    _check_incoming_access(sb, req, hook)
    sb.integrations.delete_incoming(hook["id"])
    return status_ok()


@route("PUT", "/api/v4/hooks/incoming/{hook_id}")
def update_incoming_hook(sb: Sandbox, req: Request) -> Response:
    hook_id = require_hook_id(req)
    updated = decode_incoming(req.json("incoming_webhook"))
    if updated["id"] != hook_id:
        raise invalid_param("hook_id")
    old = _get_incoming(sb, hook_id)
    if not updated["team_id"]:
        updated["team_id"] = old["team_id"]
    if updated["team_id"] != old["team_id"]:
        raise AppError(
            400,
            "api.webhook.team_mismatch.app_error",
            "Unable to update webhook across teams.",
            f"user_id={user_id(req)}",
        )
    channel = get_channel(sb, updated["channel_id"])
    if channel.team_id != updated["team_id"]:
        raise invalid_param("channel_id")
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


def _route_not_found() -> AppError:
    return AppError(404, "api.context.404.app_error", "Sorry, we could not find the page.")


@route("POST", "/api/v4/hooks/incoming/{hook_id}/move/{user_id}", auth=False)
def move_incoming_hook(sb: Sandbox, req: Request) -> Response:
    """moveIncomingHook: the caller needs manage_others_incoming_webhooks on the hook's team
    (even for its own hook) and, for a non-public channel, read access to it; the app layer
    refuses bots, deactivated accounts and owners who cannot read a non-public channel.
    200 with the hook; only `user_id` (and `update_at`) change, the id and URL stay."""
    if not sb.is_at_least(MOVE_INCOMING_SINCE):
        raise _route_not_found()
    if not (req.params["hook_id"].isalnum() and req.params["user_id"].isalnum()):
        raise _route_not_found()  # the route's {id:[A-Za-z0-9]+} patterns do not match
    sb.core.authenticate(req)  # after the 404s: an older server has no route to guard
    hook_id = require_hook_id(req)
    new_owner_id = url_id(req, "user_id")  # RequireUserId ("me" is the caller)
    hook = _get_incoming(sb, hook_id)
    channel = get_channel(sb, hook["channel_id"])
    restricted = channel.type != "O" and not can_read_channel(sb, req, channel)
    if restricted or not team_perm(sb, req, "manage_others_incoming_webhooks", hook["team_id"]):
        raise deny(req, "manage_others_incoming_webhooks")
    owner = sb.core.user(new_owner_id)
    if owner is None:
        raise _user_missing(new_owner_id)
    return json_response(sb.integrations.move_incoming(hook, owner, channel))


def invalid_param(name: str) -> AppError:
    return AppError(
        400,
        "api.context.invalid_body_param.app_error",
        f"Invalid or missing {name} in request body.",
    )


def _user_missing(uid: str) -> AppError:
    return AppError(
        404,
        "app.user.missing_account.const",
        "Unable to find the user.",
        f"user_id={uid}",
    )


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
            raise _user_missing(hook["creator_id"])
    _require_outgoing_enabled(sb)
    return json_response(sb.integrations.create_outgoing(hook), 201)


@route("GET", "/api/v4/hooks/outgoing")
def list_outgoing_hooks(sb: Sandbox, req: Request) -> Response:
    channel_id, team_id = req.arg("channel_id"), req.arg("team_id")
    uid = user_id(req)
    if channel_id:
        if not channel_perm(sb, req, "manage_own_outgoing_webhooks", channel_id):
            raise deny(req, "manage_own_outgoing_webhooks")
        if channel_perm(sb, req, "manage_others_outgoing_webhooks", channel_id):
            uid = ""
    elif team_id:
        if not team_perm(sb, req, "manage_own_outgoing_webhooks", team_id):
            raise deny(req, "manage_own_outgoing_webhooks")
        if team_perm(sb, req, "manage_others_outgoing_webhooks", team_id):
            uid = ""
    else:
        if not system_perm(sb, req, "manage_own_outgoing_webhooks"):
            raise deny(req, "manage_own_outgoing_webhooks")
        if system_perm(sb, req, "manage_others_outgoing_webhooks"):
            uid = ""
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


@route("GET", "/api/v4/hooks/outgoing/{hook_id}")
def get_outgoing_hook(sb: Sandbox, req: Request) -> Response:
    hook = _get_outgoing(sb, require_hook_id(req))
    _check_outgoing_access(sb, req, hook)
    return json_response(hook)


@route("DELETE", "/api/v4/hooks/outgoing/{hook_id}")
def delete_outgoing_hook(sb: Sandbox, req: Request) -> Response:
    hook = _get_outgoing(sb, require_hook_id(req))
    _check_outgoing_access(sb, req, hook)
    sb.integrations.delete_outgoing(hook["id"])
    return status_ok()


@route("POST", "/api/v4/hooks/outgoing/{hook_id}/regen_token")
def regen_outgoing_token(sb: Sandbox, req: Request) -> Response:
    hook = _get_outgoing(sb, require_hook_id(req))
    _check_outgoing_access(sb, req, hook)
    return json_response(sb.integrations.regen_outgoing_token(hook))


@route("PUT", "/api/v4/hooks/outgoing/{hook_id}")
def update_outgoing_hook(sb: Sandbox, req: Request) -> Response:
    hook_id = require_hook_id(req)
    updated = decode_outgoing(req.json("outgoing_webhook"))
    if updated["id"] != hook_id:
        raise invalid_param("hook_id")
    old = _get_outgoing(sb, hook_id)
    if not updated["team_id"]:
        updated["team_id"] = old["team_id"]
    if updated["team_id"] != old["team_id"]:
        raise AppError(
            400,
            "api.webhook.team_mismatch.app_error",
            "Unable to update webhook across teams.",
            f"user_id={user_id(req)}",
        )
    _check_outgoing_access(sb, req, {**old, "team_id": updated["team_id"]})
    return json_response(sb.integrations.update_outgoing(old, updated))


# -- POST /hooks/{id} ---------------------------------------------------------------------------
_SLACK_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>")
_SLACK_MENTIONS = (("<!channel>", "@channel"), ("<!here>", "@here"), ("<!all>", "@all"))


def slack_to_markdown(text: str) -> str:
    """model.ParseSlackLinksToMarkdown plus ProcessSlackText's mention forms."""
    for slack, markdown in _SLACK_MENTIONS:
        text = text.replace(slack, markdown)
    return _SLACK_LINK.sub(r"[\2](\1)", text)


def _stringify(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)


_ATTACHMENT_TEXT_FIELDS = (
    "fallback", "color", "pretext", "author_name", "author_link", "author_icon",
    "title", "title_link", "text",
)  # fmt: skip
_ATTACHMENT_TAIL_FIELDS = ("image_url", "thumb_url", "footer", "footer_icon")
_ACTION_FIELDS = (
    "id", "type", "name", "disabled", "style", "data_source", "options",
    "default_option", "integration", "cookie",
)  # fmt: skip


def _normalize_action(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    action = {key: raw[key] for key in _ACTION_FIELDS if raw.get(key) not in (None, "", False, [])}
    integration = action.get("integration")
    if isinstance(integration, dict):
        action["integration"] = {
            key: integration[key] for key in ("url", "context") if integration.get(key)
        }
    return action


def normalize_attachment(raw: Any) -> dict[str, Any] | None:
    """A SlackAttachment as the server stores it: every field present, field values
    stringified, `<url|text>` turned into markdown in text/pretext/field values."""
    if not isinstance(raw, dict):
        return None
    out: dict[str, Any] = {"id": raw.get("id") if isinstance(raw.get("id"), int) else 0}
    for key in _ATTACHMENT_TEXT_FIELDS:
        out[key] = raw.get(key) if isinstance(raw.get(key), str) else ""
    out["text"] = slack_to_markdown(out["text"])
    out["pretext"] = slack_to_markdown(out["pretext"])
    fields = []
    for field in raw.get("fields") or []:
        if isinstance(field, dict):
            fields.append(
                {
                    "title": _stringify(field.get("title")),
                    "value": slack_to_markdown(_stringify(field.get("value"))),
                    "short": bool(field.get("short")),
                }
            )
    out["fields"] = fields or None
    for key in _ATTACHMENT_TAIL_FIELDS:
        out[key] = raw.get(key) if isinstance(raw.get(key), str) else ""
    out["ts"] = raw.get("ts")
    actions = [a for a in (_normalize_action(x) for x in raw.get("actions") or []) if a]
    if actions:
        out["actions"] = actions
    return out


def _parse_error() -> AppError:
    return AppError(400, "web.incoming_webhook.parse.app_error", "Unable to parse incoming data.")


def _decode_json_payload(data: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(data or b"null")
    except (ValueError, UnicodeDecodeError):
        raise AppError(
            400,
            "model.incoming_hook.parse_data.app_error",
            "Unable to parse incoming data.",
        ) from None
    if not isinstance(payload, dict):
        raise AppError(
            400, "model.incoming_hook.parse_data.app_error", "Unable to parse incoming data."
        )
    return payload


def parse_hook_payload(req: Request) -> dict[str, Any]:
    """JSON, form `payload=<json>`, or multipart form fields (web/webhook.go)."""
    content_type = req.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(req.body.decode(), keep_blank_values=True)
        except UnicodeDecodeError:
            raise _parse_error() from None
        return _decode_json_payload(form.get("payload", [""])[0].encode())
    if media == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + req.body
        )
        if not message.is_multipart():
            raise _parse_error()
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields[name] = payload.decode(errors="replace")
        if "payload" in fields:
            return _decode_json_payload(str(fields["payload"]).encode())
        return fields
    return _decode_json_payload(req.body)


def _str(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise AppError(
            400, "model.incoming_hook.parse_data.app_error", "Unable to parse incoming data."
        )
    return value


def _split_message(text: str) -> list[str]:
    if len(text) <= MAX_POST_RUNES:
        return [text]
    return [text[i : i + MAX_POST_RUNES] for i in range(0, len(text), MAX_POST_RUNES)]


@route("POST", "/hooks/{hook_id}", auth=False)
def incoming_webhook(sb: Sandbox, req: Request) -> Response:
    hook_id = req.params["hook_id"]
    if not hook_id.isalnum():
        raise AppError(404, "api.context.404.app_error", "Sorry, we could not find the page.")
    payload = parse_hook_payload(req)
    if not sb.config.get_bool("ServiceSettings.EnableIncomingWebhooks"):
        raise AppError(
            501,
            "web.incoming_webhook.disabled.app_error",
            "Incoming webhooks have been disabled by the system admin.",
        )
    text = _str(payload, "text")
    attachments_raw = payload.get("attachments")
    if not text and attachments_raw is None:
        raise AppError(400, "web.incoming_webhook.text.app_error", "No text specified.")
    hook = sb.integrations.incoming.get(hook_id)
    if hook is None or hook["delete_at"]:
        raise AppError(400, "web.incoming_webhook.invalid.app_error", "Invalid webhook.")
    props_raw = payload.get("props")
    props: dict[str, Any] = dict(props_raw) if isinstance(props_raw, dict) else {}
    props["webhook_display_name"] = hook["display_name"]
    text = slack_to_markdown(text)
    post_type = _str(payload, "type")
    attachments: list[dict[str, Any]] = []
    if isinstance(attachments_raw, list):
        attachments = [a for a in (normalize_attachment(x) for x in attachments_raw) if a]
    props.pop("attachments", None)  # a client's props.attachments is not trusted
    if attachments:
        props["attachments"] = attachments
        post_type = "slack_attachment"
    channel = _hook_target_channel(sb, hook, _str(payload, "channel"))
    if hook["channel_locked"] and hook["channel_id"] != channel.id:
        raise AppError(
            403,
            "web.incoming_webhook.channel_locked.app_error",
            "This webhook is not permitted to post to the requested channel.",
        )
    owner = sb.core.user(hook["user_id"])
    if owner is None:
        raise AppError(400, "web.incoming_webhook.user.app_error", "Couldn't find the user.")
    if channel.type != "O" and not sb.core.has_permission(
        owner, "read_channel_content", channel_id=channel.id
    ):
        raise AppError(
            403,
            "web.incoming_webhook.permissions.app_error",
            "Inappropriate channel permissions.",
        )
    if post_type.startswith("system_"):
        raise AppError(
            400,
            "api.context.invalid_param.app_error",
            "Invalid post.type parameter.",
        )
    post_props = {
        key: value
        for key, value in props.items()
        if not key.startswith("override_") and key != "from_webhook"
    }
    post_props["from_webhook"] = "true"
    if sb.config.get_bool("ServiceSettings.EnablePostUsernameOverride"):
        username = _str(payload, "username") or hook["username"]
        post_props["override_username"] = username or DEFAULT_WEBHOOK_USERNAME
    if sb.config.get_bool("ServiceSettings.EnablePostIconOverride"):
        icon_url = _str(payload, "icon_url") or hook["icon_url"]
        if icon_url:
            post_props["override_icon_url"] = icon_url
        icon_emoji = _str(payload, "icon_emoji")
        if icon_emoji:
            post_props["override_icon_emoji"] = icon_emoji
    for chunk in _split_message(text):
        sb.integrations.create_post(
            hook["user_id"], channel, chunk, post_type=post_type, props=post_props
        )
    return text_response("ok")


def _hook_target_channel(sb: Sandbox, hook: Record, channel_name: str) -> Channel:
    if not channel_name:
        channel = sb.core.channel(hook["channel_id"])
        if channel is None:
            raise AppError(
                404, "web.incoming_webhook.channel.app_error", "Couldn't find the channel."
            )
        return channel
    if channel_name.startswith("@"):
        target = sb.core.user_by_username(channel_name[1:])
        if target is None:
            raise AppError(400, "web.incoming_webhook.user.app_error", "Couldn't find the user.")
        return sb.integrations.direct_channel(hook["user_id"], target.id)
    name = channel_name[1:] if channel_name.startswith("#") else channel_name
    channel = sb.core.channel_by_name(hook["team_id"], name)
    if channel is None:
        raise AppError(404, "web.incoming_webhook.channel.app_error", "Couldn't find the channel.")
    return channel
