"""Posts: just enough of MM api4/post.go for integrations to be observable
(`POST /posts`, `GET /channels/{id}/posts`, `GET /posts/{id}`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reconciler.sandbox.app import (
    AppError,
    Request,
    Response,
    invalid_body_param,
    invalid_url_param,
    json_response,
    route,
)
from reconciler.sandbox.ids import is_valid_id
from reconciler.sandbox.integrations_posts import MAX_POST_RUNES
from reconciler.sandbox.paging import Page
from reconciler.sandbox.routes._core import get_channel
from reconciler.sandbox.routes._integrations import (
    can_read_channel,
    channel_perm,
    deny,
    user_id,
)

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox


@route("POST", "/api/v4/posts")
def create_post(sb: Sandbox, req: Request) -> Response:
    body = req.json("post")
    if not isinstance(body, dict):
        raise invalid_body_param("post")
    channel_id = body.get("channel_id") or ""
    message = body.get("message") or ""
    props = body.get("props") or {}
    post_type = body.get("type") or ""
    root_id = body.get("root_id") or ""
    if not all(isinstance(v, str) for v in (channel_id, message, post_type, root_id)):
        raise invalid_body_param("post")
    if not isinstance(props, dict):
        raise invalid_body_param("post")
    if not channel_perm(sb, req, "create_post", channel_id):
        raise deny(req, "create_post")
    channel = get_channel(sb, channel_id)
    if channel.delete_at:
        raise AppError(
            400,
            "api.post.create_post.can_not_post_to_deleted.error",
            "Can not post to deleted channel.",
        )
    if post_type.startswith("system_"):
        raise AppError(400, "api.context.invalid_param.app_error", "Invalid post.type parameter.")
    if len(message) > MAX_POST_RUNES:
        raise AppError(400, "model.post.is_valid.msg.app_error", "Invalid Message.")
    if root_id:
        root = sb.integrations.posts.get(root_id)
        if root is None or root["channel_id"] != channel.id:
            raise AppError(
                400, "api.post.create_post.root_id.app_error", "Invalid RootId parameter."
            )
    clean_props: dict[str, Any] = {
        k: v
        for k, v in props.items()
        if k not in ("from_webhook", "override_username", "override_icon_url")
    }
    post = sb.integrations.create_post(
        user_id(req), channel, message, post_type=post_type, props=clean_props, root_id=root_id
    )
    return json_response(post, 201)


@route("GET", "/api/v4/posts/{post_id}")
def get_post(sb: Sandbox, req: Request) -> Response:
    post_id = req.params["post_id"]
    if not is_valid_id(post_id):
        raise invalid_url_param("post_id")
    post = sb.integrations.get_post(post_id)
    channel = get_channel(sb, post["channel_id"])
    if not can_read_channel(sb, req, channel):
        raise deny(req, "read_channel_content")
    return json_response(post)


@route("GET", "/api/v4/channels/{channel_id}/posts")
def get_channel_posts(sb: Sandbox, req: Request) -> Response:
    channel_id = req.params["channel_id"]
    if not is_valid_id(channel_id):
        raise invalid_url_param("channel_id")
    channel = get_channel(sb, channel_id)
    if not can_read_channel(sb, req, channel):
        raise deny(req, "read_channel_content")
    posts = sb.integrations.channel_posts(channel.id)  # newest first
    since = req.int_arg("since", 0)
    if since:
        posts = [p for p in posts if p["update_at"] >= since]
    page = Page.from_request(req)
    window = page.slice(posts)
    start = page.page * page.per_page
    older = posts[start + len(window)] if start + len(window) < len(posts) else None
    newer = posts[start - 1] if 0 < start <= len(posts) else None
    return json_response(
        {
            "order": [p["id"] for p in window],
            "posts": {p["id"]: p for p in window},
            "next_post_id": newer["id"] if newer else "",
            "prev_post_id": older["id"] if older else "",
            "has_next": older is not None,
            "first_inaccessible_post_time": 0,
        }
    )
