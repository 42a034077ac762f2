"""Integration state: incoming/outgoing webhooks, slash commands, posts.

`IntegrationStore` joins the families, each a module of its own with MM's
app-layer rules (MM app/webhook.go, app/command.go: defaults, `IsValid` with its
error ids, uniqueness and intersection checks, soft deletes):
integrations_incoming, integrations_outgoing, integrations_commands,
integrations_posts (on the shared state of integrations_base). Here: what
crosses families (channel archived, user deleted), the demo seed, persistence.
The route modules add the HTTP-level checks (permissions, 501 when disabled,
URL params).
"""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.ids import now_ms
from reconciler.sandbox.integrations_commands import SlashCommands, decode_command
from reconciler.sandbox.integrations_incoming import IncomingHooks, decode_incoming
from reconciler.sandbox.integrations_outgoing import OutgoingHooks, decode_outgoing
from reconciler.sandbox.integrations_posts import Posts

__all__ = ["IntegrationStore", "decode_command", "decode_incoming", "decode_outgoing"]


class IntegrationStore(IncomingHooks, OutgoingHooks, SlashCommands, Posts):
    """Hooks, commands and posts, with MM's app-layer semantics."""

    # -- hooks from the core ---------------------------------------------------------
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

    # -- persistence -----------------------------------------------------------------
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
