"""Incoming webhooks over real HTTP: CRUD, permissions, validation, 501."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from integration_fixtures import World, build_world, overrides
from sandbox_helpers import ID_RE, assert_error, set_config

from reconciler.sandbox import Sandbox

HOOKS = "/api/v4/hooks/incoming"
Clients = Callable[[str | None], httpx.Client]


@pytest.fixture
def world(sandbox: Sandbox) -> World:
    return build_world(sandbox)


def test_create_returns_201_with_the_full_shape(http: httpx.Client, world: World) -> None:
    r = http.post(
        HOOKS, json={"channel_id": world.tickets.id, "display_name": "n8n", "description": "d"}
    )
    assert r.status_code == 201
    hook = r.json()
    assert set(hook) == {
        "id", "create_at", "update_at", "delete_at", "user_id", "channel_id", "team_id",
        "display_name", "description", "username", "icon_url", "channel_locked",
        "webhook_schema_translation",
    }  # fmt: skip
    assert ID_RE.match(hook["id"])
    assert hook["team_id"] == world.team.id
    assert hook["user_id"] == world.sb.core.admin_user_id
    assert hook["create_at"] == hook["update_at"] > 0
    assert hook["delete_at"] == 0
    assert hook["channel_locked"] is False  # sysadmin may bypass the lock
    assert http.get(f"{HOOKS}/{hook['id']}").json() == hook


def test_username_and_icon_blanked_when_overrides_are_off(http: httpx.Client, world: World) -> None:
    r = http.post(
        HOOKS,
        json={
            "channel_id": world.tickets.id,
            "username": "redmine-bot",
            "icon_url": "https://x/i.png",
        },
    )
    assert r.status_code == 201
    assert (r.json()["username"], r.json()["icon_url"]) == ("", "")
    overrides(world.sb)
    r = http.post(
        HOOKS,
        json={
            "channel_id": world.tickets.id,
            "username": "redmine-bot",
            "icon_url": "https://x/i.png",
        },
    )
    assert (r.json()["username"], r.json()["icon_url"]) == ("redmine-bot", "https://x/i.png")


@pytest.mark.parametrize("username", ["Redmine Bot", "Redmine", "all", "x" * 65])
def test_invalid_username_is_400(http: httpx.Client, world: World, username: str) -> None:
    overrides(world.sb)
    r = http.post(HOOKS, json={"channel_id": world.tickets.id, "username": username})
    assert_error(r, 400, "api.incoming_webhook.invalid_username.app_error")


@pytest.mark.parametrize(
    ("field", "size", "error_id"),
    [
        ("display_name", 65, "model.incoming_hook.display_name.app_error"),
        ("description", 501, "model.incoming_hook.description.app_error"),
        ("icon_url", 1025, "model.incoming_hook.icon_url.app_error"),
    ],
)
def test_field_lengths(
    http: httpx.Client, world: World, field: str, size: int, error_id: str
) -> None:
    overrides(world.sb)
    assert (
        http.post(HOOKS, json={"channel_id": world.tickets.id, field: "a" * (size - 1)}).status_code
        == 201
    )
    assert_error(
        http.post(HOOKS, json={"channel_id": world.tickets.id, field: "a" * size}), 400, error_id
    )


def test_create_errors(http: httpx.Client, world: World) -> None:
    assert_error(
        http.post(HOOKS, json={"display_name": "x"}), 404, "app.channel.get.existing.app_error"
    )
    assert_error(
        http.post(HOOKS, content=b"{nope"), 400, "api.context.invalid_body_param.app_error"
    )
    assert_error(
        http.post(HOOKS, json={"channel_id": world.tickets.id, "display_name": 5}),
        400,
        "api.context.invalid_body_param.app_error",
    )
    assert_error(
        http.post(HOOKS, json={"channel_id": world.tickets.id, "id": "a" * 26}),
        400,
        "app.webhooks.save_incoming.existing.app_error",
    )


def test_501_when_disabled_on_every_call(http: httpx.Client, world: World) -> None:
    hook = http.post(HOOKS, json={"channel_id": world.tickets.id}).json()
    set_config(world.sb, "ServiceSettings.EnableIncomingWebhooks", False)
    disabled = "api.incoming_webhook.disabled.app_error"
    assert_error(http.post(HOOKS, json={"channel_id": world.tickets.id}), 501, disabled)
    assert_error(http.get(HOOKS, params={"team_id": world.team.id}), 501, disabled)
    assert_error(http.get(f"{HOOKS}/{hook['id']}"), 501, disabled)
    assert_error(http.put(f"{HOOKS}/{hook['id']}", json=hook), 501, disabled)
    assert_error(http.delete(f"{HOOKS}/{hook['id']}"), 501, disabled)


def test_permissions(
    client_for: Clients, login: Callable[[object], str], http: httpx.Client, world: World
) -> None:
    member = client_for(login(world.member))
    r = member.post(HOOKS, json={"channel_id": world.tickets.id})
    assert_error(r, 403, "api.context.permissions.app_error")
    assert_error(
        member.get(HOOKS, params={"team_id": world.team.id}),
        403,
        "api.context.permissions.app_error",
    )

    admin = client_for(login(world.team_admin))
    r = admin.post(HOOKS, json={"channel_id": world.tickets.id, "channel_locked": False})
    assert r.status_code == 201
    assert r.json()["user_id"] == world.team_admin.id
    # team_admin holds bypass_incoming_webhook_channel_lock, like sysadmin
    assert r.json()["channel_locked"] is False
    # a hook owned by someone else (the bot) needs manage_others: team_admin has it
    r = admin.post(HOOKS, json={"channel_id": world.tickets.id, "user_id": world.bot.id})
    assert r.status_code == 201 and r.json()["user_id"] == world.bot.id
    # a private channel the team admin cannot read → 403 (read_channel_content)
    assert_error(
        admin.post(HOOKS, json={"channel_id": world.private.id}),
        403,
        "api.context.permissions.app_error",
    )
    # unknown user for user_id → 404
    r = http.post(HOOKS, json={"channel_id": world.tickets.id, "user_id": "q" * 26})
    assert r.status_code == 404
    # no session → 401
    assert_error(client_for(None).get(HOOKS), 401, "api.context.session_expired.app_error")
    # team in another team: a team admin of asd cannot list partners' hooks
    assert_error(
        admin.get(HOOKS, params={"team_id": world.other_team.id}),
        403,
        "api.context.permissions.app_error",
    )


def test_list_paging_and_total_count(http: httpx.Client, world: World) -> None:
    ids = {
        http.post(HOOKS, json={"channel_id": world.tickets.id, "display_name": f"h{i}"}).json()[
            "id"
        ]
        for i in range(5)
    }
    page0 = http.get(HOOKS, params={"team_id": world.team.id, "per_page": 2}).json()
    page1 = http.get(HOOKS, params={"team_id": world.team.id, "per_page": 2, "page": 1}).json()
    page2 = http.get(HOOKS, params={"team_id": world.team.id, "per_page": 2, "page": 2}).json()
    assert [len(page0), len(page1), len(page2)] == [2, 2, 1]
    assert {h["id"] for h in page0 + page1 + page2} == ids
    counted = http.get(
        HOOKS, params={"team_id": world.team.id, "include_total_count": "true", "per_page": 1}
    ).json()
    assert set(counted) == {"incoming_webhooks", "total_count"}
    assert counted["total_count"] == 5 and len(counted["incoming_webhooks"]) == 1
    assert http.get(HOOKS, params={"team_id": world.other_team.id}).json() == []
    assert http.get(HOOKS, params={"team_id": world.team.id, "per_page": 0}).json() == []


def test_update_is_full_replacement_and_returns_201(http: httpx.Client, world: World) -> None:
    hook = http.post(
        HOOKS, json={"channel_id": world.tickets.id, "display_name": "n8n", "description": "keep?"}
    ).json()
    r = http.put(
        f"{HOOKS}/{hook['id']}",
        json={"id": hook["id"], "channel_id": world.alerts.id, "display_name": "Grafana"},
    )
    assert r.status_code == 201
    updated = r.json()
    assert updated["description"] == ""  # omitted → cleared
    assert updated["display_name"] == "Grafana"
    assert updated["channel_id"] == world.alerts.id
    assert (updated["id"], updated["user_id"], updated["create_at"], updated["team_id"]) == (
        hook["id"], hook["user_id"], hook["create_at"], hook["team_id"]
    )  # fmt: skip
    assert updated["update_at"] >= hook["update_at"]
    assert http.get(f"{HOOKS}/{hook['id']}").json() == updated


def test_update_keeps_username_when_override_off(http: httpx.Client, world: World) -> None:
    overrides(world.sb)
    hook = http.post(HOOKS, json={"channel_id": world.tickets.id, "username": "redmine-bot"}).json()
    overrides(world.sb, False)
    r = http.put(f"{HOOKS}/{hook['id']}", json={**hook, "username": "other"})
    assert r.json()["username"] == "redmine-bot"


def test_update_errors(http: httpx.Client, world: World) -> None:
    hook = http.post(HOOKS, json={"channel_id": world.tickets.id}).json()
    url = f"{HOOKS}/{hook['id']}"
    assert_error(
        http.put(url, json={**hook, "id": "x" * 26}),
        400,
        "api.context.invalid_body_param.app_error",
    )
    assert_error(http.put(url, json={"id": hook["id"]}), 404, "app.channel.get.existing.app_error")
    assert_error(
        http.put(url, json={**hook, "team_id": world.other_team.id}),
        400,
        "api.webhook.team_mismatch.app_error",
    )
    other_channel = world.sb.core.channel_by_name(world.other_team.id, "town-square")
    assert other_channel is not None
    assert_error(
        http.put(url, json={**hook, "channel_id": other_channel.id}),
        400,
        "api.context.invalid_body_param.app_error",
    )
    assert_error(
        http.put(f"{HOOKS}/bad", json=hook), 400, "api.context.invalid_url_param.app_error"
    )


def test_delete_then_404(http: httpx.Client, world: World) -> None:
    hook = http.post(HOOKS, json={"channel_id": world.tickets.id}).json()
    r = http.delete(f"{HOOKS}/{hook['id']}")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    assert_error(http.get(f"{HOOKS}/{hook['id']}"), 404, "app.webhooks.get_incoming.app_error")
    assert_error(http.delete(f"{HOOKS}/{hook['id']}"), 404, "app.webhooks.get_incoming.app_error")
    assert http.get(HOOKS, params={"team_id": world.team.id}).json() == []


def test_archiving_a_channel_deletes_its_hooks(http: httpx.Client, world: World) -> None:
    hook = http.post(HOOKS, json={"channel_id": world.alerts.id}).json()
    keep = http.post(HOOKS, json={"channel_id": world.tickets.id}).json()
    world.sb.integrations.on_channel_archived(world.alerts.id)
    assert_error(http.get(f"{HOOKS}/{hook['id']}"), 404, "app.webhooks.get_incoming.app_error")
    assert http.get(f"{HOOKS}/{keep['id']}").status_code == 200


def test_the_demo_seed_has_the_hand_made_integrations() -> None:
    """seeds/demo.json, created through the API: hooks owned by jan.devries, the command by
    the admin (POST /commands ignores creator_id on 11.1), GitLab half configured."""
    from sandbox_helpers import make_sandbox

    sb = make_sandbox(seed="demo")
    team = sb.core.team_by_name("asd")
    jan = sb.core.user_by_username("jan.devries")
    assert team is not None and jan is not None
    hooks = {h["display_name"]: h for h in sb.integrations.incoming.values()}
    assert sorted(hooks) == ["Grafana", "Zammad", "n8n"]
    assert {h["user_id"] for h in hooks.values()} == {jan.id}
    [ticket] = sb.integrations.outgoing.values()
    assert ticket["trigger_words"] == ["!ticket"] and ticket["creator_id"] == jan.id
    assert ticket["callback_urls"] == ["http://asd-n8n:5678/webhook/mattermost-ticket"]
    [reply] = sb.integrations.commands.values()
    assert reply["trigger"] == "reply" and reply["url"] == "http://asd-n8n:5678/webhook/reply"
    assert reply["creator_id"] == sb.core.admin_user_id
    assert sb.config.get("GitLabSettings.Enable") is True
    assert sb.config.get("GitLabSettings.UserAPIEndpoint") == ""  # half configured by hand
