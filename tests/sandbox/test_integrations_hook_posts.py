"""`POST /hooks/{id}` with the seed documents' payloads, and the posts API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from integration_fixtures import World, build_world, overrides
from sandbox_helpers import add_user, assert_error, set_config

from reconciler.sandbox import Sandbox

Clients = Callable[[str | None], httpx.Client]


@pytest.fixture
def world(sandbox: Sandbox) -> World:
    return build_world(sandbox)


def make_hook(http: httpx.Client, channel_id: str, **fields: Any) -> dict[str, Any]:
    r = http.post("/api/v4/hooks/incoming", json={"channel_id": channel_id, **fields})
    assert r.status_code == 201, r.text
    hook: dict[str, Any] = r.json()
    return hook


def fire(client: httpx.Client, hook_id: str, payload: Any) -> httpx.Response:
    return client.post(f"/hooks/{hook_id}", json=payload)


def latest(http: httpx.Client, channel_id: str) -> dict[str, Any]:
    posts = http.get(f"/api/v4/channels/{channel_id}/posts").json()
    post: dict[str, Any] = posts["posts"][posts["order"][0]]
    return post


def assert_ok(r: httpx.Response) -> None:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/plain"
    assert r.text == "ok"


def test_plain_text_post(http: httpx.Client, client_for: Clients, world: World) -> None:
    hook = make_hook(http, world.tickets.id, display_name="n8n")
    anonymous = client_for(None)
    assert_ok(fire(anonymous, hook["id"], {"text": "Nieuw ticket: #123 - Bug in login"}))
    post = latest(http, world.tickets.id)
    assert post["message"] == "Nieuw ticket: #123 - Bug in login"
    assert post["user_id"] == hook["user_id"]
    assert post["type"] == ""
    assert post["props"] == {"from_webhook": "true", "webhook_display_name": "n8n"}
    assert http.get(f"/api/v4/posts/{post['id']}").json() == post


def test_seed_payload_channel_and_username_override(
    http: httpx.Client, client_for: Clients, world: World
) -> None:
    overrides(world.sb)
    hook = make_hook(http, world.alerts.id, channel_locked=False)
    payload = {
        "channel": "tickets",
        "username": "Redmine Bot",
        "icon_url": "https://redmine.org/favicon.ico",
        "text": "Nieuw ticket: #123 - Bug in login",
    }
    assert_ok(fire(client_for(None), hook["id"], payload))
    post = latest(http, world.tickets.id)
    assert post["props"]["override_username"] == "Redmine Bot"
    assert post["props"]["override_icon_url"] == "https://redmine.org/favicon.ico"
    assert http.get(f"/api/v4/channels/{world.alerts.id}/posts").json()["order"] == []
    assert_ok(fire(client_for(None), hook["id"], {"channel": "#tickets", "text": "hash form"}))
    assert latest(http, world.tickets.id)["message"] == "hash form"
    assert latest(http, world.tickets.id)["props"]["override_username"] == "webhook"


def test_overrides_off_drop_username_and_icon(http: httpx.Client, world: World) -> None:
    hook = make_hook(http, world.tickets.id)
    payload = {
        "text": "x",
        "username": "Zammad Bot",
        "icon_url": "https://i",
        "icon_emoji": ":ticket:",
    }
    assert_ok(fire(http, hook["id"], payload))
    props = latest(http, world.tickets.id)["props"]
    assert not any(key.startswith("override_") for key in props)


def test_icon_emoji_and_props(http: httpx.Client, world: World) -> None:
    overrides(world.sb)
    hook = make_hook(http, world.tickets.id, display_name="ASD")
    card = json.dumps({"header": "Deployment Details", "body": "Deployed by: jan"})
    payload = {
        "username": "ASD Bot",
        "icon_emoji": ":robot:",
        "text": "**New Deployment**\n\nService: zammad\nVersion: 6.1\nStatus: Success",
        "props": {
            "card": card,
            "from_webhook": "false",
            "override_username": "evil",
            "attachments": "x",
        },
    }
    assert_ok(fire(http, hook["id"], payload))
    post = latest(http, world.tickets.id)
    assert post["message"].startswith("**New Deployment**\n\nService")
    assert post["props"] == {
        "card": card,
        "from_webhook": "true",
        "webhook_display_name": "ASD",
        "override_username": "ASD Bot",
        "override_icon_emoji": ":robot:",
    }


def test_attachments_with_interactive_buttons(http: httpx.Client, world: World) -> None:
    hook = make_hook(http, world.tickets.id)
    payload = {
        "text": "Approve deployment?",
        "attachments": [
            {
                "text": "See <https://status.example.com|the status page>",
                "fields": [{"title": "Priority", "value": 1, "short": True}],
                "actions": [
                    {
                        "id": "approve",
                        "name": "Approve",
                        "integration": {
                            "url": "https://n8n.example.com/webhook/approve",
                            "context": {"deployment_id": "deploy-123"},
                        },
                    },
                    {
                        "id": "reject",
                        "name": "Reject",
                        "style": "danger",
                        "integration": {
                            "url": "https://n8n.example.com/webhook/reject",
                            "context": {"deployment_id": "deploy-123"},
                        },
                    },
                ],
            }
        ],
    }
    assert_ok(fire(http, hook["id"], payload))
    post = latest(http, world.tickets.id)
    assert post["type"] == "slack_attachment"
    [attachment] = post["props"]["attachments"]
    assert attachment["text"] == "See [the status page](https://status.example.com)"
    assert attachment["fields"] == [{"title": "Priority", "value": "1", "short": True}]
    approve, reject = attachment["actions"]
    assert approve == {
        "id": "approve",
        "name": "Approve",
        "integration": {
            "url": "https://n8n.example.com/webhook/approve",
            "context": {"deployment_id": "deploy-123"},
        },
    }
    assert reject["style"] == "danger"
    # attachments alone (no text) are enough
    assert_ok(fire(http, hook["id"], {"attachments": [{"text": "only"}]}))


def test_form_and_multipart_bodies(http: httpx.Client, world: World) -> None:
    hook = make_hook(http, world.tickets.id)
    r = http.post(f"/hooks/{hook['id']}", data={"payload": json.dumps({"text": "from a form"})})
    assert_ok(r)
    assert latest(http, world.tickets.id)["message"] == "from a form"
    r = http.post(f"/hooks/{hook['id']}", files={"text": (None, "from multipart")})
    assert_ok(r)
    assert latest(http, world.tickets.id)["message"] == "from multipart"


GENERAL = "web.incoming_webhook.general.app_error"
DECODE = "web.incoming_webhook.decode.app_error"


def test_errors_in_order(http: httpx.Client, client_for: Clients, world: World) -> None:
    """Each check's status, in Mattermost's order; web/webhook.go wraps every error in one id
    (decode, or general for App.HandleIncomingWebhook's), as the real server answers."""
    anonymous = client_for(None)
    locked = make_hook(http, world.tickets.id, channel_locked=True)
    unknown = "z" * 26
    assert_error(fire(anonymous, unknown, {}), 400, GENERAL)
    assert_error(fire(anonymous, unknown, {"text": "x"}), 400, GENERAL)
    r = anonymous.post(
        f"/hooks/{locked['id']}", content=b"{broken", headers={"Content-Type": "application/json"}
    )
    assert_error(r, 400, DECODE)
    assert_error(
        fire(anonymous, locked["id"], {"text": "x", "channel": "alerts"}),
        403,
        GENERAL,
    )
    open_hook = make_hook(http, world.tickets.id, channel_locked=False)
    assert_error(
        fire(anonymous, open_hook["id"], {"text": "x", "channel": "nope"}),
        404,
        GENERAL,
    )
    assert_error(
        fire(anonymous, open_hook["id"], {"text": "x", "channel": "@nobody"}),
        400,
        GENERAL,
    )
    assert_error(
        fire(anonymous, open_hook["id"], {"text": "x", "type": "system_join_channel"}),
        400,
        GENERAL,
    )
    # the admin owns the hook but is not in the private channel: it may still post there
    # (system admin reads everything); a member-owned hook may not.
    member_hook = make_hook(http, world.tickets.id, channel_locked=False, user_id=world.member.id)
    assert_error(
        fire(anonymous, member_hook["id"], {"text": "x", "channel": "finance"}),
        403,
        GENERAL,
    )
    set_config(world.sb, "ServiceSettings.EnableIncomingWebhooks", False)
    assert_error(
        fire(anonymous, open_hook["id"], {"text": "x"}),
        501,
        GENERAL,
    )


def test_direct_message_override(http: httpx.Client, world: World) -> None:
    hook = make_hook(http, world.tickets.id, channel_locked=False)
    target = add_user(world.sb, "pieter.jansen")
    assert_ok(fire(http, hook["id"], {"text": "psst", "channel": "@pieter.jansen"}))
    names = sorted((hook["user_id"], target.id))
    dm = world.sb.core.channel_by_name("", "__".join(names))
    assert dm is not None and dm.type == "D"
    assert latest(http, dm.id)["message"] == "psst"


def test_posts_api(
    http: httpx.Client, client_for: Clients, login: Callable[[object], str], world: World
) -> None:
    r = http.post(
        "/api/v4/posts", json={"channel_id": world.tickets.id, "message": "Hello from API!"}
    )
    assert r.status_code == 201
    first = r.json()
    assert first["message"] == "Hello from API!" and first["user_id"] == world.sb.core.admin_user_id
    ids = [first["id"]] + [
        http.post(
            "/api/v4/posts", json={"channel_id": world.tickets.id, "message": f"m{i}"}
        ).json()["id"]
        for i in range(4)
    ]
    listing = http.get(f"/api/v4/channels/{world.tickets.id}/posts", params={"per_page": 2}).json()
    assert listing["order"] == [ids[4], ids[3]]
    assert set(listing["posts"]) == {ids[4], ids[3]}
    assert listing["prev_post_id"] == ids[2] and listing["next_post_id"] == ""
    page2 = http.get(
        f"/api/v4/channels/{world.tickets.id}/posts", params={"per_page": 2, "page": 2}
    ).json()
    assert (
        page2["order"] == [ids[0]]
        and page2["next_post_id"] == ids[1]
        and page2["prev_post_id"] == ""
    )
    assert_error(http.get(f"/api/v4/posts/{'q' * 26}"), 404, "app.post.get.app_error")
    outsider = client_for(login(add_user(world.sb, "outsider")))
    assert_error(
        outsider.post("/api/v4/posts", json={"channel_id": world.tickets.id, "message": "x"}),
        403,
        "api.context.permissions.app_error",
    )
    assert_error(
        outsider.get(f"/api/v4/posts/{first['id']}"), 403, "api.context.permissions.app_error"
    )
    member = client_for(login(world.member))
    assert (
        member.post(
            "/api/v4/posts", json={"channel_id": world.tickets.id, "message": "hi"}
        ).status_code
        == 201
    )
