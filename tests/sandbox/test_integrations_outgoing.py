"""Outgoing webhooks over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from integration_fixtures import World, build_world
from sandbox_helpers import ID_RE, assert_error, set_config

from reconciler.sandbox import Sandbox

HOOKS = "/api/v4/hooks/outgoing"
N8N = "http://asd-n8n:5678/webhook/mattermost-ticket"
Clients = Callable[[str | None], httpx.Client]


@pytest.fixture
def world(sandbox: Sandbox) -> World:
    return build_world(sandbox)


def ticket_hook(world: World, **fields: Any) -> dict[str, Any]:
    return {
        "team_id": world.team.id,
        "display_name": "n8n ticket trigger",
        "trigger_words": ["!ticket"],
        "trigger_when": 0,
        "callback_urls": [N8N],
        "content_type": "application/json",
        **fields,
    }


def test_create_201_and_shape(http: httpx.Client, world: World) -> None:
    r = http.post(HOOKS, json=ticket_hook(world))
    assert r.status_code == 201
    hook = r.json()
    assert set(hook) == {
        "id", "token", "create_at", "update_at", "delete_at", "creator_id", "channel_id",
        "team_id", "trigger_words", "trigger_when", "callback_urls", "display_name",
        "description", "content_type", "username", "icon_url",
    }  # fmt: skip
    assert ID_RE.match(hook["token"]) and hook["token"] != hook["id"]
    assert hook["creator_id"] == world.sb.core.admin_user_id
    assert http.get(f"{HOOKS}/{hook['id']}").json() == hook


def test_create_errors(http: httpx.Client, world: World) -> None:
    assert_error(
        http.post(HOOKS, json=ticket_hook(world, channel_id=world.private.id)),
        403,
        "api.outgoing_webhook.disabled.app_error",
    )
    assert_error(
        http.post(HOOKS, json=ticket_hook(world, trigger_words=[])),
        400,
        "api.webhook.create_outgoing.triggers.app_error",
    )
    assert_error(
        http.post(HOOKS, json=ticket_hook(world, channel_id="q" * 26)),
        404,
        "app.channel.get.existing.app_error",
    )
    other = world.sb.core.channel_by_name(world.other_team.id, "town-square")
    assert other is not None
    assert_error(
        http.post(HOOKS, json=ticket_hook(world, channel_id=other.id)),
        403,
        "api.webhook.create_outgoing.permissions.app_error",
    )
    assert http.post(HOOKS, json=ticket_hook(world)).status_code == 201
    assert_error(
        http.post(HOOKS, json=ticket_hook(world)),
        500,
        "api.webhook.create_outgoing.intersect.app_error",
    )
    assert_error(
        http.post(HOOKS, json=ticket_hook(world, id="q" * 26, trigger_words=["!x"])),
        400,
        "app.webhooks.save_outgoing.override.app_error",
    )
    assert_error(
        http.post(HOOKS, json={k: v for k, v in ticket_hook(world).items() if k != "team_id"}),
        403,
        "api.context.permissions.app_error",
    )


@pytest.mark.parametrize(
    ("fields", "error_id"),
    [
        ({"callback_urls": []}, "model.outgoing_hook.is_valid.callback.app_error"),
        ({"callback_urls": ["ftp://x"]}, "model.outgoing_hook.is_valid.url.app_error"),
        ({"trigger_words": ["a", ""]}, "model.outgoing_hook.is_valid.trigger_words.app_error"),
        ({"trigger_words": ["w" * 1100]}, "model.outgoing_hook.is_valid.words.app_error"),
        ({"display_name": "d" * 65}, "model.outgoing_hook.is_valid.display_name.app_error"),
        ({"description": "d" * 501}, "model.outgoing_hook.is_valid.description.app_error"),
        ({"content_type": "c" * 129}, "model.outgoing_hook.is_valid.content_type.app_error"),
        ({"trigger_when": 2}, "model.outgoing_hook.is_valid.content_type.app_error"),
        ({"username": "u" * 65}, "model.outgoing_hook.username.app_error"),
        ({"icon_url": "i" * 1025}, "model.outgoing_hook.icon_url.app_error"),
        ({"token": "short"}, "model.outgoing_hook.is_valid.token.app_error"),
    ],
)
def test_validation_ids(
    http: httpx.Client, world: World, fields: dict[str, Any], error_id: str
) -> None:
    assert_error(http.post(HOOKS, json=ticket_hook(world, **fields)), 400, error_id)


def test_trigger_when_one_and_channel_only(http: httpx.Client, world: World) -> None:
    r = http.post(
        HOOKS,
        json=ticket_hook(world, trigger_when=1, channel_id=world.tickets.id, trigger_words=[]),
    )
    assert (
        r.status_code == 201 and r.json()["trigger_when"] == 1 and r.json()["trigger_words"] == []
    )


def test_put_stores_the_token_as_sent(http: httpx.Client, world: World) -> None:
    hook = http.post(HOOKS, json=ticket_hook(world, description="old")).json()
    sent_token = "t" * 26
    r = http.put(
        f"{HOOKS}/{hook['id']}",
        json={**hook, "token": sent_token, "description": "new", "creator_id": "", "create_at": 1},
    )
    assert r.status_code == 200
    updated = r.json()
    assert updated["token"] == sent_token
    assert updated["description"] == "new"
    assert (updated["creator_id"], updated["create_at"]) == (hook["creator_id"], hook["create_at"])
    # omitting the token stores an empty one (no IsValid on update): always send it
    r = http.put(f"{HOOKS}/{hook['id']}", json={k: v for k, v in hook.items() if k != "token"})
    assert r.json()["token"] == ""


def test_put_errors(http: httpx.Client, world: World) -> None:
    hook = http.post(HOOKS, json=ticket_hook(world)).json()
    url = f"{HOOKS}/{hook['id']}"
    assert_error(
        http.put(url, json={**hook, "id": "q" * 26}),
        400,
        "api.context.invalid_body_param.app_error",
    )
    assert_error(
        http.put(url, json={**hook, "team_id": world.other_team.id}),
        400,
        "api.webhook.team_mismatch.app_error",
    )
    assert_error(
        http.put(url, json={**hook, "trigger_words": []}),
        500,
        "api.webhook.create_outgoing.triggers.app_error",
    )
    other = http.post(HOOKS, json=ticket_hook(world, trigger_words=["!other"])).json()
    assert_error(
        http.put(f"{HOOKS}/{other['id']}", json={**other, "trigger_words": ["!ticket"]}),
        400,
        "api.webhook.update_outgoing.intersect.app_error",
    )


def test_list_requires_scope_and_filters(
    http: httpx.Client, client_for: Clients, login: Callable[[object], str], world: World
) -> None:
    a = http.post(HOOKS, json=ticket_hook(world)).json()
    b = http.post(
        HOOKS, json=ticket_hook(world, channel_id=world.tickets.id, trigger_words=["!b"])
    ).json()
    assert {h["id"] for h in http.get(HOOKS, params={"team_id": world.team.id}).json()} == {
        a["id"],
        b["id"],
    }
    assert [h["id"] for h in http.get(HOOKS, params={"channel_id": world.tickets.id}).json()] == [
        b["id"]
    ]
    assert (
        len(http.get(HOOKS, params={"team_id": world.team.id, "per_page": 1, "page": 1}).json())
        == 1
    )
    member = client_for(login(world.member))
    assert_error(
        member.get(HOOKS, params={"team_id": world.team.id}),
        403,
        "api.context.permissions.app_error",
    )
    assert_error(member.get(HOOKS), 403, "api.context.permissions.app_error")


def test_regen_delete_and_501(http: httpx.Client, world: World) -> None:
    hook = http.post(HOOKS, json=ticket_hook(world)).json()
    r = http.post(f"{HOOKS}/{hook['id']}/regen_token")
    assert (
        r.status_code == 200
        and r.json()["token"] != hook["token"]
        and ID_RE.match(r.json()["token"])
    )
    set_config(world.sb, "ServiceSettings.EnableOutgoingWebhooks", False)
    disabled = "api.outgoing_webhook.disabled.app_error"
    assert_error(http.get(f"{HOOKS}/{hook['id']}"), 501, disabled)
    assert_error(http.post(HOOKS, json=ticket_hook(world, trigger_words=["!z"])), 501, disabled)
    assert_error(http.get(HOOKS, params={"team_id": world.team.id}), 501, disabled)
    assert_error(http.post(f"{HOOKS}/{hook['id']}/regen_token"), 501, disabled)
    set_config(world.sb, "ServiceSettings.EnableOutgoingWebhooks", True)
    assert http.delete(f"{HOOKS}/{hook['id']}").json() == {"status": "OK"}
    assert_error(http.get(f"{HOOKS}/{hook['id']}"), 404, "app.webhooks.get_outgoing.app_error")


def test_team_admin_manages_others_member_cannot(
    http: httpx.Client, client_for: Clients, login: Callable[[object], str], world: World
) -> None:
    hook = http.post(HOOKS, json=ticket_hook(world, creator_id=world.bot.id)).json()
    assert hook["creator_id"] == world.bot.id
    admin = client_for(login(world.team_admin))
    assert admin.get(f"{HOOKS}/{hook['id']}").status_code == 200
    member = client_for(login(world.member))
    assert_error(member.get(f"{HOOKS}/{hook['id']}"), 403, "api.context.permissions.app_error")
