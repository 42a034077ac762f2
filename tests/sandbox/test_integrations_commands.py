"""Slash commands over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from integration_fixtures import World, build_world
from sandbox_helpers import ID_RE, assert_error, set_config

from reconciler.sandbox import Sandbox

COMMANDS = "/api/v4/commands"
Clients = Callable[[str | None], httpx.Client]
NOT_FOUND = "store.sql_command.save.get.app_error"


@pytest.fixture
def world(sandbox: Sandbox) -> World:
    return build_world(sandbox)


def reply(world: World, **fields: Any) -> dict[str, Any]:
    return {
        "team_id": world.team.id,
        "trigger": "Reply",
        "method": "P",
        "url": "http://asd-n8n:5678/webhook/mattermost-reply",
        "display_name": "Reply",
        "auto_complete": True,
        **fields,
    }


def test_create_201_lowercases_trigger(http: httpx.Client, world: World) -> None:
    r = http.post(COMMANDS, json=reply(world))
    assert r.status_code == 201
    cmd = r.json()
    assert cmd["trigger"] == "reply"
    assert ID_RE.match(cmd["token"]) and cmd["creator_id"] == world.sb.core.admin_user_id
    assert cmd["plugin_id"] == "" and cmd["delete_at"] == 0
    assert http.get(f"{COMMANDS}/{cmd['id']}").json() == cmd


def test_create_errors(http: httpx.Client, world: World) -> None:
    assert_error(
        http.post(COMMANDS, json={k: v for k, v in reply(world).items() if k != "team_id"}),
        403,
        "api.context.permissions.app_error",
    )
    assert http.post(COMMANDS, json=reply(world)).status_code == 201
    assert_error(
        http.post(COMMANDS, json=reply(world, trigger="REPLY")),
        400,
        "api.command.duplicate_trigger.app_error",
    )
    assert_error(
        http.post(COMMANDS, json=reply(world, trigger="away")),
        400,
        "api.command.duplicate_trigger.app_error",
    )
    assert_error(
        http.post(COMMANDS, json=reply(world, trigger="x", id="q" * 26)),
        500,
        "app.command.createcommand.internal_error",
    )
    # the same trigger in another team is fine
    assert http.post(COMMANDS, json=reply(world, team_id=world.other_team.id)).status_code == 201


def test_list_custom_only_vs_all(http: httpx.Client, world: World) -> None:
    cmd = http.post(COMMANDS, json=reply(world)).json()
    custom = http.get(COMMANDS, params={"team_id": world.team.id, "custom_only": "true"}).json()
    assert custom == [cmd]
    everything = http.get(COMMANDS, params={"team_id": world.team.id}).json()
    triggers = [c["trigger"] for c in everything]
    assert "away" in triggers and "reply" in triggers and "echo" not in triggers
    [sanitized] = [c for c in everything if c["trigger"] == "reply"]
    assert (sanitized["token"], sanitized["url"], sanitized["method"], sanitized["creator_id"]) == (
        "",
        "",
        "",
        "",
    )
    assert_error(http.get(COMMANDS), 400, "api.context.invalid_url_param.app_error")


def test_put_needs_team_id_and_keeps_token(http: httpx.Client, world: World) -> None:
    cmd = http.post(COMMANDS, json=reply(world, description="old")).json()
    url = f"{COMMANDS}/{cmd['id']}"
    no_team = {k: v for k, v in cmd.items() if k != "team_id"}
    assert_error(http.put(url, json=no_team), 400, "api.command.team_mismatch.app_error")
    assert_error(
        http.put(url, json={**cmd, "team_id": world.other_team.id}),
        400,
        "api.command.team_mismatch.app_error",
    )
    assert_error(
        http.put(url, json={**cmd, "id": "q" * 26}), 400, "api.context.invalid_body_param.app_error"
    )
    r = http.put(
        url,
        json={
            **cmd,
            "token": "t" * 26,
            "url": "http://asd-n8n:5678/webhook/reply2",
            "trigger": "Answer",
        },
    )
    assert r.status_code == 200
    updated = r.json()
    assert updated["token"] == cmd["token"]  # kept, unlike outgoing hooks
    assert updated["trigger"] == "answer" and updated["url"].endswith("reply2")
    assert updated["description"] == "old"  # sent back whole
    assert_error(
        http.put(url, json={**updated, "trigger": "away"}),
        400,
        "api.command.duplicate_trigger.app_error",
    )


def test_regen_move_delete(http: httpx.Client, world: World) -> None:
    cmd = http.post(COMMANDS, json=reply(world)).json()
    r = http.put(f"{COMMANDS}/{cmd['id']}/regen_token")
    assert r.status_code == 200 and set(r.json()) == {"token"} and r.json()["token"] != cmd["token"]
    assert http.get(f"{COMMANDS}/{cmd['id']}").json()["token"] == r.json()["token"]
    r = http.put(f"{COMMANDS}/{cmd['id']}/move", json={"team_id": world.other_team.id})
    assert r.json() == {"status": "OK"}
    assert http.get(f"{COMMANDS}/{cmd['id']}").json()["team_id"] == world.other_team.id
    assert_error(
        http.put(f"{COMMANDS}/{cmd['id']}/move", json={"team_id": "q" * 26}),
        404,
        "app.team.get.find.app_error",
    )
    assert http.delete(f"{COMMANDS}/{cmd['id']}").json() == {"status": "OK"}
    assert_error(http.get(f"{COMMANDS}/{cmd['id']}"), 404, NOT_FOUND)


def test_404_hides_existence_and_501_when_disabled(
    http: httpx.Client, client_for: Clients, login: Callable[[object], str], world: World
) -> None:
    cmd = http.post(COMMANDS, json=reply(world)).json()
    member = client_for(login(world.member))
    assert_error(member.get(f"{COMMANDS}/{cmd['id']}"), 404, NOT_FOUND)
    assert_error(member.put(f"{COMMANDS}/{cmd['id']}", json=cmd), 404, NOT_FOUND)
    assert_error(member.delete(f"{COMMANDS}/{cmd['id']}"), 404, NOT_FOUND)
    assert_error(member.put(f"{COMMANDS}/{cmd['id']}/regen_token"), 404, NOT_FOUND)
    assert_error(
        member.post(COMMANDS, json=reply(world, trigger="mine")),
        403,
        "api.context.permissions.app_error",
    )
    # a member sees built-ins and autocomplete customs, sanitized
    listed = member.get(COMMANDS, params={"team_id": world.team.id}).json()
    assert any(c["trigger"] == "reply" and c["token"] == "" for c in listed)
    assert_error(
        member.get(COMMANDS, params={"team_id": world.team.id, "custom_only": "true"}),
        403,
        "api.context.permissions.app_error",
    )
    admin = client_for(login(world.team_admin))
    assert admin.get(f"{COMMANDS}/{cmd['id']}").status_code == 200
    set_config(world.sb, "ServiceSettings.EnableCommands", False)
    assert_error(
        http.post(COMMANDS, json=reply(world, trigger="other")),
        501,
        "api.command.disabled.app_error",
    )
    assert_error(
        http.get(COMMANDS, params={"team_id": world.team.id, "custom_only": "true"}),
        501,
        "api.command.disabled.app_error",
    )
    assert_error(
        http.get(f"{COMMANDS}/{cmd['id']}"), 404, NOT_FOUND
    )  # GetCommand's 501 surfaces as 404
    assert all(
        c["trigger"] != "reply"
        for c in http.get(COMMANDS, params={"team_id": world.team.id}).json()
    )
