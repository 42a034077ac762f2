"""Posts: just enough of MM app/post.go for integrations to be observable — webhook
and API posts in a channel, newest first, with the channel's counters kept — and
App.GetOrCreateDirectChannel for webhooks that post to `@username`.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from reconciler.sandbox.ids import new_id, now_ms
from reconciler.sandbox.integrations_base import IntegrationState, Record, live, not_found

if TYPE_CHECKING:
    from reconciler.sandbox.records import Channel

DEFAULT_WEBHOOK_USERNAME = "webhook"
MAX_POST_RUNES = 16383  # model.PostMessageMaxRunesV2


class Posts(IntegrationState):
    """Posts by channel, and direct channels."""

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
            "file_ids": [],
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
        post = live(self.posts, post_id)
        if post is None:
            raise not_found("app.post.get.app_error", "Unable to get the post.")
        return post

    def channel_posts(self, channel_id: str) -> list[Record]:
        """Newest first."""
        ids = self.posts_by_channel.get(channel_id, [])
        return [self.posts[pid] for pid in reversed(ids) if not self.posts[pid]["delete_at"]]

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
