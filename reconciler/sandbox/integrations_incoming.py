"""Incoming webhooks: MM model/incoming_webhook.go (fields, IsValid) and the app
layer of app/webhook.go (create for a channel, full-replacement update, the
ownership move, soft delete). The routes (routes/hooks.py) add permissions and
the 501 when incoming webhooks are disabled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reconciler.sandbox.app import AppError
from reconciler.sandbox.ids import is_valid_id, now_ms
from reconciler.sandbox.integrations_base import (
    STAMPS,
    IntegrationState,
    Record,
    bad_request,
    check_valid,
    decode,
    is_valid_username,
    live,
    not_found,
    replace_keeping,
    soft_delete,
    stamp_new,
)

if TYPE_CHECKING:
    from reconciler.sandbox.records import Channel, User

_INCOMING_FIELDS: dict[str, Any] = {
    "id": "",
    **STAMPS,
    "user_id": "",
    "channel_id": "",
    "team_id": "",
    "display_name": "",
    "description": "",
    "username": "",
    "icon_url": "",
    "channel_locked": False,
    "webhook_schema_translation": None,
}


def validate_incoming(hook: Record) -> None:
    checks: tuple[tuple[bool, str], ...] = (
        (not is_valid_id(hook["id"]), "id"),
        (hook["create_at"] == 0, "create_at"),
        (hook["update_at"] == 0, "update_at"),
        (not is_valid_id(hook["user_id"]), "user_id"),
        (not is_valid_id(hook["channel_id"]), "channel_id"),
        (not is_valid_id(hook["team_id"]), "team_id"),
        (len(hook["display_name"].encode()) > 64, "display_name"),
        (len(hook["description"].encode()) > 500, "description"),
        (len(hook["username"].encode()) > 64, "username"),
        (len(hook["icon_url"].encode()) > 1024, "icon_url"),
    )
    check_valid(checks, "model.incoming_hook.{}.app_error", "Invalid {}.")


def decode_incoming(body: Any) -> Record:
    return decode(body, _INCOMING_FIELDS, "incoming_webhook")


class IncomingHooks(IntegrationState):
    """App.CreateIncomingWebhookForChannel, UpdateIncomingWebhook, MoveIncomingWebhook."""

    def get_incoming(self, hook_id: str) -> Record:
        hook = live(self.incoming, hook_id)
        if hook is None:
            raise not_found(
                "app.webhooks.get_incoming.app_error",
                "Unable to get the webhook.",
                f"id={hook_id}",
            )
        return hook

    def incoming_for_team(self, team_id: str, user_id: str = "") -> list[Record]:
        return [
            hook
            for hook in self.incoming.values()
            if not hook["delete_at"]
            and (not team_id or hook["team_id"] == team_id)
            and (not user_id or hook["user_id"] == user_id)
        ]

    def _check_override_fields(self, hook: Record, old: Record | None) -> None:
        if not self._setting("EnablePostUsernameOverride"):
            hook["username"] = old["username"] if old else ""
        if not self._setting("EnablePostIconOverride"):
            hook["icon_url"] = old["icon_url"] if old else ""
        if hook["username"] and not is_valid_username(hook["username"]):
            raise bad_request(
                "api.incoming_webhook.invalid_username.app_error",
                "Invalid username.",
            )

    def create_incoming(self, user_id: str, channel: Channel, hook: Record) -> Record:
        """App.CreateIncomingWebhookForChannel + store SaveIncoming."""
        hook["user_id"] = user_id
        hook["team_id"] = channel.team_id
        self._check_override_fields(hook, None)
        if hook["id"]:
            raise bad_request(
                "app.webhooks.save_incoming.existing.app_error",
                "You cannot overwrite an existing IncomingWebhook.",
            )
        validate_incoming(stamp_new(hook))
        self.incoming[hook["id"]] = hook
        return hook

    def update_incoming(self, old: Record, new: Record) -> Record:
        """App.UpdateIncomingWebhook: full replacement keeping identity fields."""
        self._check_override_fields(new, old)
        replace_keeping(old, new, "id", "user_id", "create_at", "team_id", "delete_at")
        self.incoming[old["id"]] = new
        return new

    def move_incoming(self, hook: Record, owner: User, channel: Channel) -> Record:
        """App.MoveIncomingWebhook: a new owner (`user_id`) for the same hook (id, URL).
        The owner must be an active non-bot account that can read a non-public channel."""
        if owner.is_bot:
            raise bad_request(
                "api.webhook.move_incoming.invalid_bot_owner.app_error",
                "An incoming webhook cannot be owned by a bot account.",
            )
        if owner.delete_at:
            raise bad_request(
                "api.webhook.move_incoming.inactive_owner.app_error",
                "An incoming webhook cannot be owned by a deactivated account.",
            )
        core = self.sandbox.core
        if channel.type != "O" and not core.has_permission(
            owner, "read_channel_content", channel_id=channel.id
        ):
            raise AppError(
                403,
                "api.webhook.move_incoming.owner_channel_permissions.app_error",
                "The new owner cannot read the webhook's channel.",
                f"user={owner.id}, channel={channel.id}",
            )
        hook["user_id"] = owner.id
        hook["update_at"] = now_ms()
        return hook

    def delete_incoming(self, hook_id: str) -> None:
        soft_delete(self.get_incoming(hook_id))
