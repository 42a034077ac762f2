"""Users, bots, guests (demote/promote), roles, seeds and state persistence."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
from sandbox_helpers import (
    ID_RE,
    add_channel,
    add_team,
    add_user,
    assert_error,
    join,
    make_sandbox,
    set_config,
)

from reconciler.sandbox import Sandbox
from reconciler.sandbox.seed import seed_large
from reconciler.sandbox.server import SandboxTransport

Login = Callable[[object], str]
ClientFor = Callable[[str | None], httpx.Client]

USER = {"username": "alice", "email": "alice@example.com", "password": "password1"}


def test_create_user_shape(http: httpx.Client) -> None:
    response = http.post("/api/v4/users", json={**USER, "first_name": "Alice"})
    assert response.status_code == 201
    user = response.json()
    assert (
        ID_RE.match(user["id"]) and user["username"] == "alice" and user["roles"] == "system_user"
    )
    assert "password" not in user and "password_hash" not in user
    assert user["notify_props"] and user["timezone"]["useAutomaticTimezone"] == "true"
    # only the answer to the create carries remote_id (as the real server's)
    assert user.pop("remote_id") == ""
    assert http.get(f"/api/v4/users/{user['id']}").json() == user
    assert http.get("/api/v4/users/username/ALICE").json()["id"] == user["id"]


def test_create_user_errors(http: httpx.Client) -> None:
    http.post("/api/v4/users", json=USER)
    assert_error(
        http.post("/api/v4/users", json=USER), 400, "app.user.save.username_exists.app_error"
    )
    assert_error(
        http.post("/api/v4/users", json={**USER, "username": "alice2"}),
        400,
        "app.user.save.email_exists.app_error",
    )
    assert_error(
        http.post("/api/v4/users", json={**USER, "username": "all"}),
        400,
        "model.user.is_valid.username.app_error",
    )
    assert_error(
        http.post("/api/v4/users", json={**USER, "username": "bad name"}),
        400,
        "model.user.is_valid.username.app_error",
    )
    assert_error(
        http.post("/api/v4/users", json={**USER, "username": "ok", "email": "nope"}),
        400,
        "model.user.is_valid.email.app_error",
    )
    assert_error(
        http.post(
            "/api/v4/users",
            json={**USER, "username": "ok", "email": "ok@x.example", "password": "short"},
        ),
        400,
        "model.user.is_valid.pwd.app_error",
    )


def test_plain_user_cannot_create_users(
    sandbox: Sandbox, login: Login, client_for: ClientFor
) -> None:
    bob = add_user(sandbox, "bob")
    assert_error(
        client_for(login(bob)).post("/api/v4/users", json=USER),
        403,
        "api.user.create_user.no_open_server",
    )


def test_user_lookups_and_lists(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    dev = add_channel(sandbox, team, "dev")
    carol, bob = add_user(sandbox, "carol"), add_user(sandbox, "bob")
    join(sandbox, team, bob, dev)
    assert [u["username"] for u in http.get("/api/v4/users").json()] == ["bob", "carol", "sysadmin"]
    assert [u["username"] for u in http.get(f"/api/v4/users?in_team={team.id}").json()] == [
        "bob",
        "sysadmin",
    ]
    assert [u["username"] for u in http.get(f"/api/v4/users?not_in_team={team.id}").json()] == [
        "carol"
    ]
    assert [u["username"] for u in http.get(f"/api/v4/users?in_channel={dev.id}").json()] == [
        "bob",
        "sysadmin",
    ]
    assert [u["username"] for u in http.get("/api/v4/users?per_page=1&page=1").json()] == ["carol"]
    found = http.post("/api/v4/users/usernames", json=["sysadmin", "ghost", "bob"]).json()
    assert [u["username"] for u in found] == ["bob", "sysadmin"]
    assert_error(
        http.post("/api/v4/users/usernames", json=[]),
        400,
        "api.context.invalid_body_param.app_error",
    )
    assert_error(
        http.get("/api/v4/users/username/ghost"), 404, "app.user.get_by_username.app_error"
    )
    assert_error(http.get("/api/v4/users/" + "u" * 26), 404, "app.user.missing_account.const")
    assert_error(http.get("/api/v4/users/nope"), 400, "api.context.invalid_url_param.app_error")
    assert carol.id


def test_demote_and_promote(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    dev = add_channel(sandbox, team, "dev")
    bob = add_user(sandbox, "bob")
    join(sandbox, team, bob, dev)
    assert_error(
        http.post(f"/api/v4/users/{bob.id}/demote"),
        501,
        "api.team.demote_user_to_guest.disabled.error",
    )
    set_config(sandbox, "GuestAccountsSettings.Enable", True)
    assert http.post(f"/api/v4/users/{bob.id}/demote").json() == {"status": "OK"}
    assert http.get(f"/api/v4/users/{bob.id}").json()["roles"] == "system_guest"
    assert http.get(f"/api/v4/teams/{team.id}/members/{bob.id}").json()["roles"] == "team_guest"
    assert (
        http.get(f"/api/v4/channels/{dev.id}/members/{bob.id}").json()["roles"] == "channel_guest"
    )
    assert_error(
        http.post(f"/api/v4/users/{bob.id}/demote"),
        400,
        "api.user.demote_user_to_guest.already_guest.app_error",
    )
    assert http.post(f"/api/v4/users/{bob.id}/promote").json() == {"status": "OK"}
    assert http.get(f"/api/v4/teams/{team.id}/members/{bob.id}").json()["roles"] == "team_user"
    assert_error(
        http.post(f"/api/v4/users/{bob.id}/promote"),
        400,
        "api.user.promote_guest_to_user.no_guest.app_error",
    )


def test_demote_needs_licence() -> None:
    sb = make_sandbox(licensed=False)
    bob = add_user(sb, "bob")
    with httpx.Client(
        transport=SandboxTransport(sb),
        base_url="http://sb",
        headers={"Authorization": f"Bearer {sb.core.admin_token}"},
    ) as client:
        assert_error(
            client.post(f"/api/v4/users/{bob.id}/demote"),
            501,
            "api.team.demote_user_to_guest.license.error",
        )
        assert_error(
            client.post(f"/api/v4/users/{bob.id}/promote"),
            501,
            "api.team.promote_guest_to_user.license.error",
        )


def test_bots(sandbox: Sandbox, http: httpx.Client, login: Login, client_for: ClientFor) -> None:
    assert_error(
        http.post("/api/v4/bots", json={"username": "n8n-bot"}), 403, "api.bot.create_disabled"
    )
    set_config(sandbox, "ServiceSettings.EnableBotAccountCreation", True)
    assert_error(
        http.post("/api/v4/bots", json={"username": "Bad Bot"}),
        400,
        "model.bot.is_valid.username.app_error",
    )
    assert_error(
        http.post("/api/v4/bots", json={"username": "b", "description": "d" * 1025}),
        400,
        "model.bot.is_valid.description.app_error",
    )
    response = http.post(
        "/api/v4/bots", json={"username": "n8n-bot", "display_name": "n8n", "description": "flows"}
    )
    assert response.status_code == 201
    bot = response.json()
    assert bot["owner_id"] == sandbox.core.admin_user_id and bot["display_name"] == "n8n"
    assert set(bot) >= {"user_id", "username", "owner_id", "create_at", "update_at", "delete_at"}
    user = http.get(f"/api/v4/users/{bot['user_id']}").json()
    assert user["is_bot"] is True and user["bot_description"] == "flows"
    assert_error(
        http.post("/api/v4/bots", json={"username": "n8n-bot"}),
        400,
        "app.user.save.username_exists.app_error",
    )
    patched = http.put(f"/api/v4/bots/{bot['user_id']}", json={"description": "new"}).json()
    assert patched["description"] == "new" and patched["display_name"] == "n8n"
    assert http.post(f"/api/v4/bots/{bot['user_id']}/disable").json()["delete_at"] > 0
    assert http.get("/api/v4/bots").json() == []
    assert [b["username"] for b in http.get("/api/v4/bots?include_deleted=true").json()] == [
        "n8n-bot"
    ]
    assert_error(
        http.get(f"/api/v4/bots/{bot['user_id']}"), 404, "store.sql_bot.get.missing.app_error"
    )
    assert http.post(f"/api/v4/bots/{bot['user_id']}/enable").json()["delete_at"] == 0
    bob = add_user(sandbox, "bob")
    assert_error(
        client_for(login(bob)).post("/api/v4/bots", json={"username": "mine"}),
        403,
        "api.context.permissions.app_error",
    )


def test_roles_read_and_patch_changes_behaviour(
    sandbox: Sandbox, http: httpx.Client, login: Login, client_for: ClientFor
) -> None:
    role = http.get("/api/v4/roles/name/system_user").json()
    assert "create_team" in role["permissions"] and role["built_in"] is True
    assert http.get(f"/api/v4/roles/{role['id']}").json() == role
    found = http.post("/api/v4/roles/names", json=["team_user", "nope", "channel_guest"]).json()
    assert [r["name"] for r in found] == ["team_user", "channel_guest"]
    assert_error(http.get("/api/v4/roles/name/nope"), 404, "app.role.get_by_name.app_error")
    assert_error(http.get("/api/v4/roles/" + "r" * 26), 404, "app.role.get.app_error")
    bob = add_user(sandbox, "bob")
    as_bob = client_for(login(bob))
    assert_error(
        as_bob.put(f"/api/v4/roles/{role['id']}/patch", json={"permissions": []}),
        403,
        "api.context.permissions.app_error",
    )
    without = [p for p in role["permissions"] if p != "create_team"]
    patched = http.put(
        f"/api/v4/roles/{role['id']}/patch", json={"permissions": [*without, *without]}
    ).json()
    assert patched["permissions"] == without
    assert_error(
        as_bob.post("/api/v4/teams", json={"name": "bobs", "display_name": "B", "type": "O"}),
        403,
        "api.team.is_team_creation_allowed.disabled.app_error",
    )
    assert_error(
        http.put(
            f"/api/v4/roles/{role['id']}/patch", json={"permissions": [*without, "manage_roles"]}
        ),
        501,
        "api.roles.patch_roles.not_allowed_permission.error",
    )


def test_role_patch_unlicensed() -> None:
    sb = make_sandbox(licensed=False)
    with httpx.Client(
        transport=SandboxTransport(sb),
        base_url="http://sb",
        headers={"Authorization": f"Bearer {sb.core.admin_token}"},
    ) as client:
        role = client.get("/api/v4/roles/name/team_user").json()
        ok = client.put(
            f"/api/v4/roles/{role['id']}/patch",
            json={"permissions": [*role["permissions"], "manage_incoming_webhooks"]},
        )
        assert ok.status_code == 200
        assert_error(
            client.put(f"/api/v4/roles/{role['id']}/patch", json={"permissions": ["view_team"]}),
            501,
            "api.roles.patch_roles.license.error",
        )
        guest = client.get("/api/v4/roles/name/channel_guest").json()
        assert_error(
            client.put(
                f"/api/v4/roles/{guest['id']}/patch",
                json={"permissions": [*guest["permissions"], "create_team"]},
            ),
            501,
            "api.roles.patch_roles.license.error",
        )


def test_demo_seed() -> None:
    sb = make_sandbox(seed="demo")
    core = sb.core
    team = core.team_by_name("asd")
    assert team is not None and team.display_name == "ASD-PMA"
    names = {c.name for c in core.team_channels(team.id)}
    assert {
        "town-square",
        "off-topic",
        "dev",
        "tickets",
        "alerts",
        "general",
        "support",
        "development",
        "business",
        "finance",
    } <= names
    guests = [u for u in core.users.values() if u.is_guest]
    assert {g.username for g in guests} >= {"klant.acme", "bouw.partner"}
    acme = core.user_by_username("klant.acme")
    assert acme is not None
    member = core.team_member(team.id, acme.id)
    assert member is not None and member.roles == "team_guest"
    town = core.channel_by_name(team.id, "town-square")
    assert town is not None and core.channel_member(town.id, acme.id) is None
    assert core.user_by_username("jan.devries") is not None


def test_state_round_trip(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    dev = add_channel(sandbox, team, "dev")
    bob = add_user(sandbox, "bob", guest=True)
    join(sandbox, team, bob, dev)
    http.put(
        f"/api/v4/channels/{dev.id}/moderations/patch",
        json=[{"name": "create_post", "roles": {"members": False}}],
    )
    snapshot = json.loads(json.dumps(sandbox.core.to_dict()))
    other = make_sandbox(admin_token="different")
    other.core.load_dict(snapshot)
    assert other.core.to_dict() == snapshot
    assert other.options.admin_token == sandbox.core.admin_token
    restored = other.core.channel_by_name(team.id, "dev")
    assert restored is not None and restored.scheme_id == dev.scheme_id
    assert other.core.team_member(team.id, bob.id) is not None


def test_large_seed_is_fast_and_pages_quickly() -> None:
    sb = make_sandbox()
    started = time.perf_counter()
    with sb.lock:
        seed_large(sb, teams=20, channels_per_team=200, users=1000)
    assert time.perf_counter() - started < 5
    assert len(sb.core.channels) == 4000 and len(sb.core.users) == 1001
    with httpx.Client(
        transport=SandboxTransport(sb),
        base_url="http://sb",
        headers={"Authorization": f"Bearer {sb.core.admin_token}"},
    ) as client:
        client.get("/api/v4/channels?per_page=200")
        started = time.perf_counter()
        pages = [client.get(f"/api/v4/channels?per_page=200&page={p}").json() for p in range(20)]
        elapsed = time.perf_counter() - started
    assert sum(len(p) for p in pages) == sum(
        1 for c in sb.core.channels.values() if not c.delete_at
    )
    assert elapsed < 2.0
