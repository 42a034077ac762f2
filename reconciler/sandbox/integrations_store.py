"""Integration state: incoming/outgoing webhooks, slash commands, posts.

Records are the JSON shapes Mattermost serves (MM server/public/model
incoming_webhook.go, outgoing_webhook.go, command.go, post.go), kept as
dicts. This module holds the app-layer rules (MM app/webhook.go, app/command.go:
defaults, `IsValid` with its error ids, uniqueness and intersection checks,
soft deletes); the route modules add the HTTP-level checks (permissions,
501 when disabled, URL params).
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from reconciler.sandbox.app import AppError
from reconciler.sandbox.ids import is_valid_id, new_id, now_ms

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox
    from reconciler.sandbox.records import Channel, User

Record = dict[str, Any]

DEFAULT_WEBHOOK_USERNAME = "webhook"
MAX_POST_RUNES = 16383  # model.PostMessageMaxRunesV2

_USERNAME_RE = re.compile(r"^[a-z0-9.\-_]+$")
_RESERVED_USERNAMES = frozenset({"all", "channel", "matterbot", "system"})
# Built-in slash commands of a current server (app/slashcommands), EnableTesting off.
BUILTIN_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("away", "Set your status away", ""),
    ("code", "Display text as a code block", "[text]"),
    ("collapse", "Turn on auto-collapsing of image previews", ""),
    ("dnd", "Do not disturb disables desktop and mobile push notifications.", ""),
    ("echo", "", ""),
    ("expand", "Turn off auto-collapsing of image previews", ""),
    (
        "groupmsg",
        "Sends a Group Message to the specified users",
        "@[username1],@[username2] 'message'",
    ),
    ("header", "Edit the channel header", "[text]"),
    ("help", "Open the Mattermost help page", ""),
    ("invite", "Invite user to the channel", "@[username] ~[channel]"),
    ("invite_people", "Send an email invite to your Mattermost team", "[name@domain.com ...]"),
    ("join", "Join the open channel", "~[channel]"),
    ("kick", "Remove a member from the channel", "@[username]"),
    ("leave", "Leave the current channel", ""),
    ("logout", "Logout of Mattermost", ""),
    ("me", "Do an action", "[message]"),
    ("msg", "Send Direct Message to a user", "@[username] [message]"),
    (
        "mute",
        "Turns off desktop, email and push notifications for the current channel.",
        "~[channel]",
    ),
    ("offline", "Set your status offline", ""),
    ("online", "Set your status online", ""),
    ("open", "Join the open channel", "~[channel]"),
    ("purpose", "Edit the channel purpose", "[text]"),
    ("remove", "Remove a member from the channel", "@[username]"),
    ("rename", "Rename the channel", "[text]"),
    ("search", "Search text in messages", "[text]"),
    ("settings", "Open the Settings dialog", ""),
    ("shortcuts", "Displays a list of keyboard shortcuts", ""),
    ("shrug", "Adds ¯\\_(ツ)_/¯ to your message", "[message]"),
    ("status", "Set your status", ""),
    ("marketplace", "Open the Marketplace", ""),
)
_TESTING_ONLY = frozenset({"echo"})


def is_valid_username(name: str) -> bool:
    return (
        0 < len(name) <= 64
        and bool(_USERNAME_RE.match(name))
        and name not in _RESERVED_USERNAMES
        and name[0].isalpha()
    )


def is_valid_http_url(url: str) -> bool:
    """model.IsValidHTTPURL: http(s) scheme and a host."""
    if not (url.startswith("http://") or url.startswith("https://")):
        return False
    try:
        parsed = urlparse(url)
    except ValueError:
        return False
    return bool(parsed.netloc)


def _bad(error_id: str, message: str, detail: str = "") -> AppError:
    return AppError(400, error_id, message, detail)


def not_found(error_id: str, message: str, detail: str = "") -> AppError:
    return AppError(404, error_id, message, detail)


def _go_len(values: list[str]) -> int:
    """len(fmt.Sprintf("%s", []string{...})): "[a b c]"."""
    return len(("[" + " ".join(values) + "]").encode())


# -- IsValid ---------------------------------------------------------------------------------
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
    for failed, field in checks:
        if failed:
            raise _bad(f"model.incoming_hook.{field}.app_error", f"Invalid {field}.")


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
        (_go_len(words) > 1024, prefix + "words"),
        (any(word == "" for word in words), prefix + "trigger_words"),
        (not urls or _go_len(urls) > 1024, prefix + "callback"),
        (not all(is_valid_http_url(url) for url in urls), prefix + "url"),
        (len(hook["display_name"].encode()) > 64, prefix + "display_name"),
        (len(hook["description"].encode()) > 500, prefix + "description"),
        (len(hook["content_type"].encode()) > 128, prefix + "content_type"),
        (hook["trigger_when"] > 1, prefix + "content_type"),
        (len(hook["username"].encode()) > 64, "model.outgoing_hook.username"),
        (len(hook["icon_url"].encode()) > 1024, "model.outgoing_hook.icon_url"),
    )
    for failed, error_id in checks:
        if failed:
            raise _bad(f"{error_id}.app_error", "Invalid outgoing webhook.")


def validate_command(cmd: Record) -> None:
    trigger: str = cmd["trigger"]
    url: str = cmd["url"]
    prefix = "model.command.is_valid."
    checks: tuple[tuple[bool, str], ...] = (
        (not is_valid_id(cmd["id"]), "id"),
        (len(cmd["token"]) != 26, "token"),
        (cmd["create_at"] == 0, "create_at"),
        (cmd["update_at"] == 0, "update_at"),
        (cmd["creator_id"] == "" and cmd["plugin_id"] == "", "plugin_id"),
        (cmd["plugin_id"] == "" and not is_valid_id(cmd["creator_id"]), "user_id"),
        (cmd["creator_id"] != "" and cmd["plugin_id"] != "", "plugin_id"),
        (not is_valid_id(cmd["team_id"]), "team_id"),
        (
            not 1 <= len(trigger.encode()) <= 128 or trigger.startswith("/") or " " in trigger,
            "trigger",
        ),
        (url == "" or len(url.encode()) > 1024, "url"),
        (not is_valid_http_url(url), "url_http"),
        (cmd["method"] not in ("P", "G"), "method"),
        (len(cmd["display_name"].encode()) > 64, "display_name"),
        (len(cmd["description"].encode()) > 128, "description"),
    )
    for failed, field in checks:
        if failed:
            raise _bad(f"{prefix}{field}.app_error", f"Invalid command {field}.")


# -- decoding (Go's json.Decode into the model struct) ---------------------------------------
_INCOMING_FIELDS: dict[str, Any] = {
    "id": "",
    "create_at": 0,
    "update_at": 0,
    "delete_at": 0,
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
_OUTGOING_FIELDS: dict[str, Any] = {
    "id": "",
    "token": "",
    "create_at": 0,
    "update_at": 0,
    "delete_at": 0,
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
_COMMAND_FIELDS: dict[str, Any] = {
    "id": "",
    "token": "",
    "create_at": 0,
    "update_at": 0,
    "delete_at": 0,
    "creator_id": "",
    "team_id": "",
    "trigger": "",
    "method": "",
    "username": "",
    "icon_url": "",
    "auto_complete": False,
    "auto_complete_desc": "",
    "auto_complete_hint": "",
    "display_name": "",
    "description": "",
    "url": "",
    "plugin_id": "",
}


def decode(body: Any, fields: dict[str, Any], name: str) -> Record:
    """Decode like encoding/json into a struct: unknown keys ignored, null → zero value,
    keys matched case-insensitively, a wrong JSON type → 400 invalid_body_param."""
    from reconciler.sandbox.app import invalid_body_param

    if not isinstance(body, dict):
        raise invalid_body_param(name)
    lowered = {key.lower(): key for key in body}
    record: Record = {}
    for key, zero in fields.items():
        source = key if key in body else lowered.get(key.lower())
        value = body.get(source) if source is not None else None
        if value is None:
            record[key] = copy.deepcopy(zero)
            continue
        if isinstance(zero, bool):
            ok = isinstance(value, bool)
        elif isinstance(zero, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(zero, str):
            ok = isinstance(value, str)
        elif isinstance(zero, list):
            ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        else:
            ok = True
        if not ok:
            raise invalid_body_param(name)
        record[key] = copy.deepcopy(value)
    return record


def decode_incoming(body: Any) -> Record:
    return decode(body, _INCOMING_FIELDS, "incoming_webhook")


def decode_outgoing(body: Any) -> Record:
    return decode(body, _OUTGOING_FIELDS, "outgoing_webhook")


def decode_command(body: Any) -> Record:
    record = decode(body, _COMMAND_FIELDS, "command")
    if isinstance(body, dict):
        for extra in ("autocomplete_data", "autocomplete_icon_data"):
            if body.get(extra):
                record[extra] = copy.deepcopy(body[extra])
    return record


def sanitize_command(cmd: Record) -> Record:
    result = dict(cmd)
    for key in ("token", "creator_id", "method", "url", "username", "icon_url"):
        result[key] = ""
    return result


def builtin_command(trigger: str, desc: str, hint: str) -> Record:
    record = {**copy.deepcopy(_COMMAND_FIELDS), "trigger": trigger}
    record.update(auto_complete=True, auto_complete_desc=desc, auto_complete_hint=hint)
    record["display_name"] = trigger
    return record


def _intersects(a: list[str], b: list[str]) -> bool:
    return bool(set(a) & set(b))


class IntegrationStore:
    """Hooks, commands and posts, with MM's app-layer semantics."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.incoming: dict[str, Record] = {}
        self.outgoing: dict[str, Record] = {}
        self.commands: dict[str, Record] = {}
        self.posts: dict[str, Record] = {}
        self.posts_by_channel: dict[str, list[str]] = {}

    # -- settings ------------------------------------------------------------------------
    def _setting(self, name: str) -> bool:
        return self.sandbox.config.get_bool(f"ServiceSettings.{name}")

    def builtin_triggers(self) -> list[tuple[str, str, str]]:
        testing = self._setting("EnableTesting")
        return [c for c in BUILTIN_COMMANDS if testing or c[0] not in _TESTING_ONLY]

    # -- incoming webhooks -----------------------------------------------------------------
    def get_incoming(self, hook_id: str) -> Record:
        hook = self.incoming.get(hook_id)
        if hook is None or hook["delete_at"]:
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
            raise _bad(
                "api.incoming_webhook.invalid_username.app_error",
                "Invalid username.",
            )

    def create_incoming(self, user_id: str, channel: Channel, hook: Record) -> Record:
        """App.CreateIncomingWebhookForChannel + store SaveIncoming."""
        hook["user_id"] = user_id
        hook["team_id"] = channel.team_id
        self._check_override_fields(hook, None)
        if hook["id"]:
            raise _bad(
                "app.webhooks.save_incoming.existing.app_error",
                "You cannot overwrite an existing IncomingWebhook.",
            )
        now = now_ms()
        hook.update(id=new_id(), create_at=now, update_at=now, delete_at=0)
        validate_incoming(hook)
        self.incoming[hook["id"]] = hook
        return hook

    def update_incoming(self, old: Record, new: Record) -> Record:
        """App.UpdateIncomingWebhook: full replacement keeping identity fields."""
        self._check_override_fields(new, old)
        new.update(
            id=old["id"],
            user_id=old["user_id"],
            create_at=old["create_at"],
            update_at=now_ms(),
            team_id=old["team_id"],
            delete_at=old["delete_at"],
        )
        self.incoming[old["id"]] = new
        return new

    def move_incoming(self, hook: Record, owner: User, channel: Channel) -> Record:
        """App.MoveIncomingWebhook: a new owner (`user_id`) for the same hook (id, URL).
        The owner must be an active non-bot account that can read a non-public channel."""
        if owner.is_bot:
            raise _bad(
                "api.webhook.move_incoming.invalid_bot_owner.app_error",
                "An incoming webhook cannot be owned by a bot account.",
            )
        if owner.delete_at:
            raise _bad(
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
        hook = self.get_incoming(hook_id)
        hook["delete_at"] = hook["update_at"] = now_ms()

    # -- outgoing webhooks -----------------------------------------------------------------
    def get_outgoing(self, hook_id: str) -> Record:
        hook = self.outgoing.get(hook_id)
        if hook is None or hook["delete_at"]:
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
            channel = self.sandbox.core.channel(hook["channel_id"])
            if channel is None or channel.delete_at:
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
                    400 if update else 403,
                    "api.webhook.create_outgoing.permissions.app_error",
                    "Invalid permissions to create outgoing webhook.",
                )
        elif not hook["trigger_words"]:
            if update:
                raise AppError(
                    500,
                    "api.webhook.update_outgoing.triggers.app_error",
                    "Either trigger_words or channel_id must be set.",
                )
            raise _bad(
                "api.webhook.create_outgoing.triggers.app_error",
                "Either trigger_words or channel_id must be set.",
            )

    def create_outgoing(self, hook: Record) -> Record:
        """App.CreateOutgoingWebhook + store SaveOutgoing (PreSave, IsValid)."""
        self._channel_for_outgoing(hook, hook["team_id"], update=False)
        for existing in self.outgoing_list(team_id=hook["team_id"]):
            if (
                existing["channel_id"] == hook["channel_id"]
                and _intersects(existing["callback_urls"], hook["callback_urls"])
                and _intersects(existing["trigger_words"], hook["trigger_words"])
            ):
                raise AppError(
                    500,
                    "api.webhook.create_outgoing.intersect.app_error",
                    "Outgoing webhooks from the same channel cannot have the same trigger words/callback URLs.",
                )
        if hook["id"]:
            raise _bad(
                "app.webhooks.save_outgoing.override.app_error",
                "You cannot overwrite an existing OutgoingWebhook.",
            )
        now = now_ms()
        hook.update(id=new_id(), create_at=now, update_at=now, delete_at=0)
        if not hook["token"]:
            hook["token"] = new_id()
        validate_outgoing(hook)
        self.outgoing[hook["id"]] = hook
        return hook

    def update_outgoing(self, old: Record, new: Record) -> Record:
        """App.UpdateOutgoingWebhook: the token comes from the body as sent."""
        self._channel_for_outgoing(new, old["team_id"], update=True)
        for existing in self.outgoing_list(team_id=old["team_id"]):
            if (
                existing["id"] != old["id"]
                and existing["channel_id"] == new["channel_id"]
                and _intersects(existing["callback_urls"], new["callback_urls"])
                and _intersects(existing["trigger_words"], new["trigger_words"])
            ):
                raise _bad(
                    "api.webhook.update_outgoing.intersect.app_error",
                    "Outgoing webhooks from the same channel cannot have the same trigger words/callback URLs.",
                )
        new.update(
            id=old["id"],
            creator_id=old["creator_id"],
            create_at=old["create_at"],
            delete_at=old["delete_at"],
            team_id=old["team_id"],
            update_at=now_ms(),
        )
        self.outgoing[old["id"]] = new
        return new

    def regen_outgoing_token(self, hook: Record) -> Record:
        hook["token"] = new_id()
        hook["update_at"] = now_ms()
        return hook

    def delete_outgoing(self, hook_id: str) -> None:
        hook = self.get_outgoing(hook_id)
        hook["delete_at"] = hook["update_at"] = now_ms()

    # -- slash commands --------------------------------------------------------------------
    def get_command(self, command_id: str) -> Record | None:
        cmd = self.commands.get(command_id)
        return None if cmd is None or cmd["delete_at"] else cmd

    def team_commands(self, team_id: str, user_id: str = "") -> list[Record]:
        return [
            cmd
            for cmd in self.commands.values()
            if not cmd["delete_at"]
            and cmd["team_id"] == team_id
            and (not user_id or cmd["creator_id"] == user_id)
        ]

    def _check_trigger(self, cmd: Record) -> None:
        trigger = cmd["trigger"]
        taken = any(
            other["trigger"].lower() == trigger and other["id"] != cmd["id"]
            for other in self.team_commands(cmd["team_id"])
        ) or any(builtin[0] == trigger for builtin in self.builtin_triggers())
        if taken:
            raise _bad(
                "api.command.duplicate_trigger.app_error",
                "This trigger word is already in use. Please choose another word.",
            )

    def create_command(self, cmd: Record) -> Record:
        """App.CreateCommand + store Save (PreSave, IsValid)."""
        cmd["trigger"] = cmd["trigger"].lower()
        self._check_trigger(cmd)
        if cmd["id"]:
            raise AppError(
                500,
                "app.command.createcommand.internal_error",
                "Unable to save the command.",
            )
        now = now_ms()
        cmd.update(id=new_id(), create_at=now, update_at=now, delete_at=0)
        if not cmd["token"]:
            cmd["token"] = new_id()
        validate_command(cmd)
        self.commands[cmd["id"]] = cmd
        return cmd

    def update_command(self, old: Record, new: Record) -> Record:
        """App.UpdateCommand: full replacement keeping identity fields and the token."""
        new["trigger"] = new["trigger"].lower()
        new.update(
            id=old["id"],
            token=old["token"],
            create_at=old["create_at"],
            update_at=now_ms(),
            delete_at=old["delete_at"],
            creator_id=old["creator_id"],
            plugin_id=old["plugin_id"],
            team_id=old["team_id"],
        )
        self._check_trigger(new)
        validate_command(new)
        self.commands[old["id"]] = new
        return new

    def regen_command_token(self, cmd: Record) -> str:
        cmd["token"] = new_id()
        cmd["update_at"] = now_ms()
        return str(cmd["token"])

    def move_command(self, cmd: Record, team_id: str) -> None:
        moved = {**cmd, "team_id": team_id}
        self._check_trigger(moved)
        cmd["team_id"] = team_id
        cmd["update_at"] = now_ms()

    def delete_command(self, cmd: Record) -> None:
        cmd["delete_at"] = cmd["update_at"] = now_ms()

    # -- posts -----------------------------------------------------------------------------
    def create_post(
        self,
        user_id: str,
        channel: Channel,
        message: str,
        *,
        post_type: str = "",
        props: dict[str, Any] | None = None,
        root_id: str = "",
    ) -> Record:
        now = now_ms()
        last = self.posts_by_channel.get(channel.id)
        if last:
            now = max(now, self.posts[last[-1]]["create_at"] + 1)  # strictly increasing order
        post: Record = {
            "id": new_id(),
            "create_at": now,
            "update_at": now,
            "edit_at": 0,
            "delete_at": 0,
            "is_pinned": False,
            "user_id": user_id,
            "channel_id": channel.id,
            "root_id": root_id,
            "original_id": "",
            "message": message,
            "type": post_type,
            "props": copy.deepcopy(props) if props else {},
            "hashtags": "",
            "pending_post_id": "",
            "reply_count": 0,
            "last_reply_at": 0,
            "participants": None,
            "metadata": {},
        }
        self.posts[post["id"]] = post
        self.posts_by_channel.setdefault(channel.id, []).append(post["id"])
        channel.last_post_at = now
        channel.total_msg_count += 1
        if not root_id:
            channel.last_root_post_at = now
            channel.total_msg_count_root += 1
        return post

    def get_post(self, post_id: str) -> Record:
        post = self.posts.get(post_id)
        if post is None or post["delete_at"]:
            raise not_found("app.post.get.app_error", "Unable to get the post.")
        return post

    def channel_posts(self, channel_id: str) -> list[Record]:
        """Newest first."""
        ids = self.posts_by_channel.get(channel_id, [])
        return [self.posts[pid] for pid in reversed(ids) if not self.posts[pid]["delete_at"]]

    # -- hooks from the core ---------------------------------------------------------------
    def on_channel_archived(self, channel_id: str) -> None:
        """App.DeleteChannel deletes the channel's incoming and outgoing webhooks."""
        now = now_ms()
        for hook in (*self.incoming.values(), *self.outgoing.values()):
            if hook["channel_id"] == channel_id and not hook["delete_at"]:
                hook["delete_at"] = hook["update_at"] = now

    def on_user_deleted(self, user_id: str) -> None:
        """App.PermanentDeleteUser: the user's hooks, commands and posts go (hard deletes)."""
        self.incoming = {k: h for k, h in self.incoming.items() if h["user_id"] != user_id}
        self.outgoing = {k: h for k, h in self.outgoing.items() if h["creator_id"] != user_id}
        self.commands = {k: c for k, c in self.commands.items() if c["creator_id"] != user_id}
        gone = {pid for pid, post in self.posts.items() if post["user_id"] == user_id}
        for pid in gone:
            del self.posts[pid]
        for channel_id, ids in self.posts_by_channel.items():
            self.posts_by_channel[channel_id] = [pid for pid in ids if pid not in gone]

    def seed_demo(self) -> None:
        seed_demo_integrations(self.sandbox)

    def direct_channel(self, user_a: str, user_b: str) -> Channel:
        """App.GetOrCreateDirectChannel (type D, no team, name `<id>__<id>` sorted)."""
        from reconciler.sandbox.records import Channel

        core = self.sandbox.core
        name = "__".join(sorted((user_a, user_b)))
        existing = core.channel_by_name("", name)
        if existing is not None:
            return existing
        now = now_ms()
        channel = Channel(
            id=new_id(),
            team_id="",
            type="D",
            name=name,
            display_name="",
            create_at=now,
            update_at=now,
        )
        core._index_channel(channel)
        for uid in dict.fromkeys((user_a, user_b)):
            user = core.user(uid)
            if user is not None:
                core.add_channel_member(channel, user)
        return channel

    # -- persistence -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "incoming_webhooks": list(self.incoming.values()),
            "outgoing_webhooks": list(self.outgoing.values()),
            "commands": list(self.commands.values()),
            "posts": [self.posts[pid] for ids in self.posts_by_channel.values() for pid in ids],
        }

    def load_dict(self, data: dict[str, Any]) -> None:
        self.incoming = {h["id"]: h for h in data.get("incoming_webhooks", [])}
        self.outgoing = {h["id"]: h for h in data.get("outgoing_webhooks", [])}
        self.commands = {c["id"]: c for c in data.get("commands", [])}
        self.posts = {}
        self.posts_by_channel = {}
        for post in data.get("posts", []):
            self.posts[post["id"]] = post
            self.posts_by_channel.setdefault(post["channel_id"], []).append(post["id"])


def channel_not_found(channel_id: str) -> AppError:
    return not_found(
        "app.channel.get.existing.app_error",
        "Unable to find the existing channel.",
        f"id={channel_id}",
    )


# -- the demo seed's hand-made integrations ------------------------------------------------------
N8N = "http://asd-n8n:5678"


def _first_channel(sb: Sandbox, team_id: str, names: tuple[str, ...]) -> Channel | None:
    for name in names:
        channel = sb.core.channel_by_name(team_id, name)
        if channel is not None:
            return channel
    return None


def seed_demo_integrations(sb: Sandbox) -> None:
    """What ASD-PMA clicked together before mmrc (shared/seeds): the n8n and Grafana
    incoming hooks, the `!ticket` outgoing hook and `/reply`, all owned by whoever
    made them (an admin), with drift from workspace.yaml (form-encoded `!ticket`,
    `/reply` at an older URL without autocomplete, GitLab SSO half configured)."""
    store, core = sb.integrations, sb.core
    team = core.team_by_name("asd") or next(iter(core.teams.values()), None)
    owner = core.user_by_username("jan.devries") or core.user(core.admin_user_id)
    if team is not None and owner is not None:
        hooks = (
            (("tickets", "topic-tickets"), "n8n", "Ticket Notificatie (Redmine via n8n)", False),
            (("alerts", "alert-monitoring"), "Grafana", "Alert Handler workflow", True),
            (("support", "team-support"), "Zammad", "Zammad meldingen", True),
        )
        for names, display_name, description, locked in hooks:
            channel = _first_channel(sb, team.id, names)
            if channel is None:
                continue
            hook = decode_incoming(
                {
                    "channel_id": channel.id,
                    "display_name": display_name,
                    "description": description,
                    "channel_locked": locked,
                }
            )
            store.create_incoming(owner.id, channel, hook)
        store.create_outgoing(
            decode_outgoing(
                {
                    "team_id": team.id,
                    "creator_id": owner.id,
                    "display_name": "n8n ticket trigger",
                    "description": "Command Handler workflow (!ticket)",
                    "trigger_words": ["!ticket"],
                    "trigger_when": 0,
                    "callback_urls": [f"{N8N}/webhook/mattermost-ticket"],
                    "content_type": "application/x-www-form-urlencoded",
                }
            )
        )
        store.create_command(
            decode_command(
                {
                    "team_id": team.id,
                    "creator_id": owner.id,
                    "trigger": "reply",
                    "method": "P",
                    "url": f"{N8N}/webhook/reply",
                    "display_name": "Reply",
                    "description": "Reageer op tickets",
                    "auto_complete": False,
                }
            )
        )
    config = sb.config
    for path, value in (
        ("ServiceSettings.EnablePostUsernameOverride", True),
        ("GitLabSettings.Enable", True),
        ("GitLabSettings.Id", "asd-mattermost"),
        ("GitLabSettings.Secret", "gitlab-secret-set-by-hand"),
        ("GitLabSettings.AuthEndpoint", "http://asd-gitlab/oauth/authorize"),
        ("GitLabSettings.TokenEndpoint", "http://asd-gitlab/oauth/token"),
    ):
        config.set(path, value)
