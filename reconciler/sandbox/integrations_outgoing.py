"""Outgoing webhooks: MM model/outgoing_webhook.go (fields, IsValid) and the app
layer of app/webhook.go (channel and trigger rules, the trigger-word/URL clash
check, full-replacement update with the token as sent, token regeneration, soft
delete). The routes (routes/hooks.py) add permissions and the 501 when outgoing
webhooks are disabled.
"""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.app import AppError
from reconciler.sandbox.ids import is_valid_id
from reconciler.sandbox.integrations_base import (
    STAMPS,
    IntegrationState,
    Record,
    bad_request,
    channel_not_found,
    check_valid,
    decode,
    go_len,
    is_valid_http_url,
    live,
    new_token,
    not_found,
    replace_keeping,
    soft_delete,
    stamp_new,
)

_INTERSECT = (
    "Outgoing webhooks from the same channel cannot have the same trigger words/callback URLs."
)

_OUTGOING_FIELDS: dict[str, Any] = {
    "id": "",
    "token": "",
    **STAMPS,
    "creator_id": "",
    "channel_id": "",
    "team_id": "",
    "trigger_words": [],
    "trigger_when": 0,
    "callback_urls": [],
    "display_name": "",
    "description": "",
    "content_type": "",
    "username": "",
    "icon_url": "",
}


def validate_outgoing(hook: Record) -> None:
    words: list[str] = hook["trigger_words"]
    urls: list[str] = hook["callback_urls"]
    prefix = "model.outgoing_hook.is_valid."
    checks: tuple[tuple[bool, str], ...] = (
        (not is_valid_id(hook["id"]), prefix + "id"),
        (len(hook["token"]) != 26, prefix + "token"),
        (hook["create_at"] == 0, prefix + "create_at"),
        (hook["update_at"] == 0, prefix + "update_at"),
        (not is_valid_id(hook["creator_id"]), prefix + "user_id"),
        (hook["channel_id"] != "" and not is_valid_id(hook["channel_id"]), prefix + "channel_id"),
        (not is_valid_id(hook["team_id"]), prefix + "team_id"),
        (go_len(words) > 1024, prefix + "words"),
        (any(word == "" for word in words), prefix + "trigger_words"),
        (not urls or go_len(urls) > 1024, prefix + "callback"),
        (not all(is_valid_http_url(url) for url in urls), prefix + "url"),
        (len(hook["display_name"].encode()) > 64, prefix + "display_name"),
        (len(hook["description"].encode()) > 500, prefix + "description"),
        (len(hook["content_type"].encode()) > 128, prefix + "content_type"),
        (hook["trigger_when"] > 1, prefix + "content_type"),
        (len(hook["username"].encode()) > 64, "model.outgoing_hook.username"),
        (len(hook["icon_url"].encode()) > 1024, "model.outgoing_hook.icon_url"),
    )
    check_valid(checks, "{}.app_error", "Invalid outgoing webhook.")


def decode_outgoing(body: Any) -> Record:
    return decode(body, _OUTGOING_FIELDS, "outgoing_webhook")


def _intersects(a: list[str], b: list[str]) -> bool:
    return bool(set(a) & set(b))


class OutgoingHooks(IntegrationState):
    """App.CreateOutgoingWebhook, UpdateOutgoingWebhook, RegenOutgoingWebhookToken."""

    def get_outgoing(self, hook_id: str) -> Record:
        hook = live(self.outgoing, hook_id)
        if hook is None:
            raise not_found(
                "app.webhooks.get_outgoing.app_error",
                "Unable to get the webhook.",
                f"id={hook_id}",
            )
        return hook

    def outgoing_list(
        self, *, team_id: str = "", channel_id: str = "", user_id: str = ""
    ) -> list[Record]:
        return [
            hook
            for hook in self.outgoing.values()
            if not hook["delete_at"]
            and (not team_id or hook["team_id"] == team_id)
            and (not channel_id or hook["channel_id"] == channel_id)
            and (not user_id or hook["creator_id"] == user_id)
        ]

    def _channel_for_outgoing(self, hook: Record, team_id: str, *, update: bool) -> None:
        if hook["channel_id"]:
            # App.GetChannel finds an archived channel too: a hook may point at one (real
            # server, docs/fidelity.md)
            channel = self.sandbox.core.channel(hook["channel_id"])
            if channel is None:
                raise channel_not_found(hook["channel_id"])
            if channel.type != "O":
                if update:
                    raise AppError(
                        403,
                        "api.webhook.create_outgoing.not_open.app_error",
                        "Outgoing webhooks can only be created for public channels.",
                    )
                raise AppError(
                    403,
                    "api.outgoing_webhook.disabled.app_error",
                    "Outgoing webhooks have been disabled by the system admin.",
                )
            if channel.team_id != team_id:
                raise AppError(
                    403,
                    "api.webhook.create_outgoing.permissions.app_error",
                    "Invalid permissions to create outgoing webhook.",
                )
        elif not hook["trigger_words"]:
            if update:
                raise AppError(  # a 500, with the create's id (real server)
                    500,
                    "api.webhook.create_outgoing.triggers.app_error",
                    "Either trigger_words or channel_id must be set.",
                )
            raise bad_request(
                "api.webhook.create_outgoing.triggers.app_error",
                "Either trigger_words or channel_id must be set.",
            )

    def _clashes(self, hook: Record, team_id: str, own_id: str = "") -> bool:
        """Another hook of the team in the same channel shares a trigger word and a URL."""
        return any(
            other["id"] != own_id
            and other["channel_id"] == hook["channel_id"]
            and _intersects(other["callback_urls"], hook["callback_urls"])
            and _intersects(other["trigger_words"], hook["trigger_words"])
            for other in self.outgoing_list(team_id=team_id)
        )

    def create_outgoing(self, hook: Record) -> Record:
        """App.CreateOutgoingWebhook + store SaveOutgoing (PreSave, IsValid)."""
        self._channel_for_outgoing(hook, hook["team_id"], update=False)
        if self._clashes(hook, hook["team_id"]):
            raise AppError(500, "api.webhook.create_outgoing.intersect.app_error", _INTERSECT)
        if hook["id"]:
            raise bad_request(
                "app.webhooks.save_outgoing.override.app_error",
                "You cannot overwrite an existing OutgoingWebhook.",
            )
        validate_outgoing(stamp_new(hook, token=True))
        self.outgoing[hook["id"]] = hook
        return hook

    def update_outgoing(self, old: Record, new: Record) -> Record:
        """App.UpdateOutgoingWebhook: the token comes from the body as sent."""
        self._channel_for_outgoing(new, old["team_id"], update=True)
        if self._clashes(new, old["team_id"], old["id"]):
            raise bad_request("api.webhook.update_outgoing.intersect.app_error", _INTERSECT)
        replace_keeping(old, new, "id", "creator_id", "create_at", "delete_at", "team_id")
        self.outgoing[old["id"]] = new
        return new

    def regen_outgoing_token(self, hook: Record) -> Record:
        new_token(hook)
        return hook

    def delete_outgoing(self, hook_id: str) -> None:
        soft_delete(self.get_outgoing(hook_id))
