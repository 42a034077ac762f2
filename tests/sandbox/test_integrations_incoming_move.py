"""POST /api/v4/hooks/incoming/{hook_id}/move/{user_id}: an incoming webhook's new owner.

Newest Mattermost (mattermost/mattermost#36850: api4/webhook.go `moveIncomingHook`, app
`MoveIncomingWebhook`): the caller needs manage_others_incoming_webhooks on the hook's
team, even for its own hook; the new owner must be an active non-bot account that can
read a non-public channel; 200 with the hook, whose id (and so URL) stays. A server
older than MOVE_INCOMING_SINCE has no such route (404 api.context.404.app_error).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from integration_fixtures import World, build_world
from sandbox_helpers import assert_error, join, make_sandbox, set_config

from reconciler.sandbox import Sandbox
from reconciler.sandbox.app import SERVER_VERSION
from reconciler.sandbox.routes.hooks import MOVE_INCOMING_SINCE

HOOKS = "/api/v4/hooks/incoming"
Clients = Callable[[str | None], httpx.Client]
FORBIDDEN = "api.context.permissions.app_error"


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox(server_version=MOVE_INCOMING_SINCE)


@pytest.fixture
def world(sandbox: Sandbox) -> World:
    return build_world(sandbox)


def new_hook(http: httpx.Client, channel_id: str, **fields: object) -> dict[str, object]:
    r = http.post(HOOKS, json={"channel_id": channel_id, "display_name": "n8n", **fields})
    assert r.status_code == 201, r.text
    hook: dict[str, object] = r.json()
    return hook


def move(client: httpx.Client, hook_id: object, user_id: object) -> httpx.Response:
    return client.post(f"{HOOKS}/{hook_id}/move/{user_id}")


def test_move_changes_only_the_owner(http: httpx.Client, world: World) -> None:
    hook = new_hook(http, world.tickets.id, description="d", channel_locked=True)
    assert hook["user_id"] == world.sb.core.admin_user_id
    r = move(http, hook["id"], world.member.id)
    assert r.status_code == 200
    moved = r.json()
    assert moved["user_id"] == world.member.id
    assert moved["id"] == hook["id"]  # same id: the hook URL /hooks/{id} does not change
    assert moved["update_at"] >= hook["update_at"]
    unchanged = {k: v for k, v in hook.items() if k not in ("user_id", "update_at")}
    assert {k: v for k, v in moved.items() if k not in ("user_id", "update_at")} == unchanged
    assert http.get(f"{HOOKS}/{hook['id']}").json() == moved
    listed = http.get(HOOKS, params={"team_id": world.team.id}).json()
    assert [h["user_id"] for h in listed] == [world.member.id]
    posted = http.post(f"/hooks/{hook['id']}", json={"text": "still works"})
    assert posted.status_code == 200 and posted.text == "ok"


def test_me_is_the_caller(http: httpx.Client, world: World) -> None:
    hook = new_hook(http, world.tickets.id, user_id=world.member.id)
    r = move(http, hook["id"], "me")
    assert r.status_code == 200
    assert r.json()["user_id"] == world.sb.core.admin_user_id


def test_unknown_or_deleted_hook_is_404(http: httpx.Client, world: World) -> None:
    missing = "app.webhooks.get_incoming.app_error"
    assert_error(move(http, "q" * 26, world.member.id), 404, missing)
    hook = new_hook(http, world.tickets.id)
    assert http.delete(f"{HOOKS}/{hook['id']}").status_code == 200
    assert_error(move(http, hook["id"], world.member.id), 404, missing)


def test_unknown_user_is_404(http: httpx.Client, world: World) -> None:
    hook = new_hook(http, world.tickets.id)
    assert_error(move(http, hook["id"], "q" * 26), 404, "app.user.missing_account.const")
    assert http.get(f"{HOOKS}/{hook['id']}").json()["user_id"] == hook["user_id"]


def test_invalid_ids(http: httpx.Client, world: World) -> None:
    hook = new_hook(http, world.tickets.id)
    bad_url = "api.context.invalid_url_param.app_error"
    body = assert_error(move(http, "short", world.member.id), 400, bad_url)
    assert "hook_id" in body["message"]
    body = assert_error(move(http, hook["id"], "short"), 400, bad_url)
    assert "user_id" in body["message"]
    body = assert_error(move(http, "short", "short"), 400, bad_url)  # hook_id is checked first
    assert "hook_id" in body["message"]
    # the route's {user_id:[A-Za-z0-9]+} does not match: the router's own 404
    response = move(http, hook["id"], "not-an-id")
    assert response.status_code == 404 and response.json()["id"] == "api.context.404.app_error"


def test_a_bot_cannot_own_it(http: httpx.Client, world: World) -> None:
    with world.sb.lock:
        bot = world.sb.core.create_bot("grafana-bot", "Grafana", "", world.sb.core.admin_user_id)
    hook = new_hook(http, world.tickets.id)
    assert_error(
        move(http, hook["id"], bot.user_id),
        400,
        "api.webhook.move_incoming.invalid_bot_owner.app_error",
    )
    # creating a hook for a bot is allowed (only the move refuses bots)
    assert new_hook(http, world.tickets.id, user_id=bot.user_id)["user_id"] == bot.user_id


def test_a_deactivated_account_cannot_own_it(http: httpx.Client, world: World) -> None:
    hook = new_hook(http, world.tickets.id)
    with world.sb.lock:
        world.member.delete_at = 1
    assert_error(
        move(http, hook["id"], world.member.id),
        400,
        "api.webhook.move_incoming.inactive_owner.app_error",
    )


def test_the_new_owner_must_read_a_private_channel(http: httpx.Client, world: World) -> None:
    hook = new_hook(http, world.private.id)
    assert_error(
        move(http, hook["id"], world.member.id),
        403,
        "api.webhook.move_incoming.owner_channel_permissions.app_error",
    )
    join(world.sb, world.team, world.member, world.private)
    r = move(http, hook["id"], world.member.id)
    assert r.status_code == 200 and r.json()["user_id"] == world.member.id


def test_caller_needs_manage_others_even_for_its_own_hook(
    client_for: Clients, login: Callable[[object], str], http: httpx.Client, world: World
) -> None:
    member = client_for(login(world.member))
    with world.sb.lock:  # team members may manage their own hooks, not others'
        role = world.sb.core.roles["team_user"]
        role.permissions = [*role.permissions, "manage_own_incoming_webhooks"]
    own = member.post(HOOKS, json={"channel_id": world.tickets.id})
    assert own.status_code == 201 and own.json()["user_id"] == world.member.id
    body = assert_error(move(member, own.json()["id"], world.team_admin.id), 403, FORBIDDEN)
    set_config(world.sb, "ServiceSettings.EnableDeveloper", True)
    body = assert_error(move(member, own.json()["id"], world.team_admin.id), 403, FORBIDDEN)
    assert "manage_others_incoming_webhooks" in body["detailed_error"]

    team_admin = client_for(login(world.team_admin))  # team_admin holds manage_others
    r = move(team_admin, own.json()["id"], world.team_admin.id)
    assert r.status_code == 200 and r.json()["user_id"] == world.team_admin.id
    # …but not in a private channel it cannot read
    hidden = new_hook(http, world.private.id)
    assert_error(move(team_admin, hidden["id"], world.team_admin.id), 403, FORBIDDEN)
    # …nor in another team
    elsewhere = world.sb.core.channel_by_name(world.other_team.id, "town-square")
    assert elsewhere is not None
    other = new_hook(http, elsewhere.id)
    assert_error(move(team_admin, other["id"], world.team_admin.id), 403, FORBIDDEN)
    assert_error(
        move(client_for(None), other["id"], world.team_admin.id),
        401,
        "api.context.session_expired.app_error",
    )


def test_501_when_incoming_webhooks_are_off(http: httpx.Client, world: World) -> None:
    hook = new_hook(http, world.tickets.id)
    set_config(world.sb, "ServiceSettings.EnableIncomingWebhooks", False)
    assert_error(
        move(http, hook["id"], world.member.id), 501, "api.incoming_webhook.disabled.app_error"
    )


def test_an_older_server_has_no_such_route(
    http: httpx.Client, client_for: Clients, sandbox: Sandbox, world: World
) -> None:
    hook = new_hook(http, world.tickets.id)
    version_id = http.get("/api/v4/system/ping").headers["x-version-id"]
    assert version_id.startswith(f"{MOVE_INCOMING_SINCE}.")
    sandbox.options.server_version = "11.8.9"
    assert_error(move(http, hook["id"], world.member.id), 404, "api.context.404.app_error")
    anonymous = client_for(None)  # no session: still 404, not 401 (there is no route)
    assert_error(move(anonymous, hook["id"], world.member.id), 404, "api.context.404.app_error")
    assert http.get("/api/v4/system/ping").headers["x-version-id"].startswith("11.8.9.")
    client_config = http.get("/api/v4/config/client", params={"format": "old"}).json()
    assert client_config["Version"] == "11.8.9"
    assert http.get(f"{HOOKS}/{hook['id']}").json()["user_id"] == hook["user_id"]


def test_the_default_sandbox_is_the_pinned_release() -> None:
    """The real server mmrc is tested against (tests/realserver) reports 11.1.0 and has no
    move route: neither has the default sandbox."""
    sb = make_sandbox()
    assert sb.options.server_version == SERVER_VERSION == "11.1.0"
    assert not sb.is_at_least(MOVE_INCOMING_SINCE)
    assert sb.is_at_least("10.11") and sb.is_at_least("9.11.5")
    assert not make_sandbox(server_version="nonsense").is_at_least("1.0.0")
