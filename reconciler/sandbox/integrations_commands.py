"""Slash commands: MM model/command.go (fields, IsValid), the built-in commands,
and the app layer of app/command.go (trigger uniqueness per team, built-ins
included; full-replacement update keeping the token; token regeneration; moving
to another team; soft delete). The routes (routes/commands.py) add permissions
and the 501/404 when commands are disabled.
"""

from __future__ import annotations

import copy
from typing import Any

from reconciler.sandbox.app import AppError
from reconciler.sandbox.ids import is_valid_id, now_ms
from reconciler.sandbox.integrations_base import (
    STAMPS,
    IntegrationState,
    Record,
    bad_request,
    check_valid,
    decode,
    is_valid_http_url,
    live,
    new_token,
    replace_keeping,
    soft_delete,
    stamp_new,
)

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

_COMMAND_FIELDS: dict[str, Any] = {
    "id": "",
    "token": "",
    **STAMPS,
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
    check_valid(checks, prefix + "{}.app_error", "Invalid command {}.")


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


class SlashCommands(IntegrationState):
    """App.CreateCommand, UpdateCommand, RegenCommandToken, MoveCommand, DeleteCommand."""

    def builtin_triggers(self) -> list[tuple[str, str, str]]:
        testing = self._setting("EnableTesting")
        return [c for c in BUILTIN_COMMANDS if testing or c[0] not in _TESTING_ONLY]

    def get_command(self, command_id: str) -> Record | None:
        return live(self.commands, command_id)

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
            raise bad_request(
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
        validate_command(stamp_new(cmd, token=True))
        self.commands[cmd["id"]] = cmd
        return cmd

    def update_command(self, old: Record, new: Record) -> Record:
        """App.UpdateCommand: full replacement keeping identity fields and the token."""
        new["trigger"] = new["trigger"].lower()
        replace_keeping(
            old, new, "id", "token", "create_at", "delete_at", "creator_id", "plugin_id", "team_id"
        )
        self._check_trigger(new)
        validate_command(new)
        self.commands[old["id"]] = new
        return new

    def regen_command_token(self, cmd: Record) -> str:
        return new_token(cmd)

    def move_command(self, cmd: Record, team_id: str) -> None:
        moved = {**cmd, "team_id": team_id}
        self._check_trigger(moved)
        cmd["team_id"] = team_id
        cmd["update_at"] = now_ms()

    def delete_command(self, cmd: Record) -> None:
        soft_delete(cmd)
