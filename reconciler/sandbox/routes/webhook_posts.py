"""`POST /hooks/{id}` (MM web/webhook.go → app HandleIncomingWebhook,
CreateWebhookPost): JSON, form `payload=` or multipart bodies, Slack-style text and
attachments (slack.py), channel locks, username/icon overrides, long messages split.
Every error is JSON; success is `text/plain` `ok`.
"""

from __future__ import annotations

import json
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from reconciler.sandbox.app import AppError, Request, Response, route, text_response
from reconciler.sandbox.integrations_base import Record
from reconciler.sandbox.integrations_posts import DEFAULT_WEBHOOK_USERNAME, MAX_POST_RUNES
from reconciler.sandbox.routes._integrations import require_enabled
from reconciler.sandbox.routes.slack import normalize_attachment, slack_to_markdown

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox
    from reconciler.sandbox.records import Channel


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


_DECODE_ERRORS = frozenset(
    {"web.incoming_webhook.parse.app_error", "model.incoming_hook.parse_data.app_error"}
)


@route("POST", "/hooks/{hook_id}", auth=False)
def incoming_webhook(sb: Sandbox, req: Request) -> Response:
    """As web/webhook.go: the handler wraps every error of decoding the payload and of
    App.HandleIncomingWebhook in one error id of its own, keeping the status (settled on the
    real server: a post refused for channel permissions is 403 general.app_error)."""
    hook_id = req.params["hook_id"]  # letters and digits: the router matched it so
    media = req.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        return _handle_incoming(sb, req, hook_id)
    except AppError as error:
        if error.error_id in _DECODE_ERRORS:
            error_id, verb = "web.incoming_webhook.decode.app_error", "decode"
        else:
            error_id, verb = "web.incoming_webhook.general.app_error", "handle"
        raise AppError(
            error.status,
            error_id,
            f"Failed to {verb} the payload of media type {media} for incoming webhook {hook_id}.",
            f"{error.message}" if error.message else "",
        ) from None


def _handle_incoming(sb: Sandbox, req: Request, hook_id: str) -> Response:
    payload = parse_hook_payload(req)
    require_enabled(
        sb, "EnableIncomingWebhooks", "web.incoming_webhook.disabled.app_error", "Incoming webhooks"
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
