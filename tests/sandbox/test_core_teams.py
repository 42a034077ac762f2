"""Teams and team members: CRUD, validation ids, soft delete, paging, implicit memberships."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sandbox_helpers import ID_RE, add_channel, add_team, add_user, assert_error, join, set_config

from reconciler.sandbox import Sandbox

TEAM = {"name": "asd", "display_name": "ASD-PMA", "type": "O"}


def test_create_team_shape_and_implicit_memberships(sandbox: Sandbox, http: httpx.Client) -> None:
    response = http.post("/api/v4/teams", json=TEAM)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    team = response.json()
    assert ID_RE.match(team["id"]) and ID_RE.match(team["invite_id"])
    assert team["name"] == "asd" and team["display_name"] == "ASD-PMA" and team["type"] == "O"
    assert team["email"] == "sysadmin@sandbox.example"
    assert team["delete_at"] == 0 and team["create_at"] > 1_600_000_000_000
    assert team["scheme_id"] is None and team["policy_id"] is None
    admin_id = sandbox.core.admin_user_id
    member = http.get(f"/api/v4/teams/{team['id']}/members/{admin_id}").json()
    assert member["roles"] == "team_user team_admin" and member["scheme_admin"] is True
    channels = http.get(f"/api/v4/teams/{team['id']}/channels").json()
    assert sorted(c["name"] for c in channels) == ["off-topic", "town-square"]
    for channel in channels:
        cm = http.get(f"/api/v4/channels/{channel['id']}/members/{admin_id}")
        assert cm.status_code == 200


def test_duplicate_team_including_deleted(http: httpx.Client) -> None:
    team = http.post("/api/v4/teams", json=TEAM).json()
    assert_error(
        http.post("/api/v4/teams", json=TEAM), 400, "store.sql_team.save_team.existing.app_error"
    )
    assert http.delete(f"/api/v4/teams/{team['id']}").json() == {"status": "OK"}
    assert_error(
        http.post("/api/v4/teams", json=TEAM), 400, "store.sql_team.save_team.existing.app_error"
    )
    by_name = http.get("/api/v4/teams/name/ASD").json()  # URL names are lowercased
    assert by_name["id"] == team["id"] and by_name["delete_at"] > 0
    assert http.get("/api/v4/teams/name/asd/exists").json() == {"exists": True}
    assert http.get("/api/v4/teams/name/nope/exists").json() == {"exists": False}
    restored = http.post(f"/api/v4/teams/{team['id']}/restore").json()
    assert restored["delete_at"] == 0


def test_get_team_errors(http: httpx.Client) -> None:
    assert_error(http.get("/api/v4/teams/" + "a" * 26), 404, "app.team.get.find.app_error")
    assert_error(http.get("/api/v4/teams/notanid"), 400, "api.context.invalid_url_param.app_error")
    assert_error(http.get("/api/v4/teams/name/nope"), 404, "app.team.get_by_name.missing.app_error")


def test_list_teams_includes_deleted_sorted_paged_and_counted(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    for name, display in (("zeta", "Zeta"), ("alpha", "Alpha"), ("mid", "Mid")):
        http.post("/api/v4/teams", json={"name": name, "display_name": display, "type": "O"})
    mid = http.get("/api/v4/teams/name/mid").json()
    http.delete(f"/api/v4/teams/{mid['id']}")
    teams = http.get("/api/v4/teams").json()
    assert [t["name"] for t in teams] == ["alpha", "mid", "zeta"]
    assert teams[1]["delete_at"] > 0
    counted = http.get("/api/v4/teams?include_total_count=true&per_page=2&page=1").json()
    assert counted["total_count"] == 3 and [t["name"] for t in counted["teams"]] == ["zeta"]
    assert http.get("/api/v4/teams?per_page=0").json() == []
    assert http.get("/api/v4/teams?page=5").json() == []


def test_team_paging_default_and_cap(sandbox: Sandbox, http: httpx.Client) -> None:
    with sandbox.lock:
        admin = sandbox.core.user(sandbox.core.admin_user_id)
        for i in range(205):
            sandbox.core.create_team(admin, name=f"t{i:03d}", display_name=f"T{i:03d}", type="O")
    assert len(http.get("/api/v4/teams").json()) == 60
    assert len(http.get("/api/v4/teams?per_page=500").json()) == 200
    assert len(http.get("/api/v4/teams?per_page=-3").json()) == 60
    assert len(http.get("/api/v4/teams?per_page=abc&page=3").json()) == 25


def test_put_replaces_and_patch_merges(http: httpx.Client) -> None:
    team = http.post(
        "/api/v4/teams", json={**TEAM, "description": "old", "company_name": "ASD"}
    ).json()
    tid = team["id"]
    assert_error(
        http.put(f"/api/v4/teams/{tid}", json={"display_name": "X"}),
        400,
        "api.context.invalid_body_param.app_error",
    )
    assert_error(
        http.put(f"/api/v4/teams/{tid}", json={"id": tid}),
        400,
        "model.team.is_valid.name.app_error",
    )
    replaced = http.put(
        f"/api/v4/teams/{tid}",
        json={"id": tid, "display_name": "New", "name": "ignored", "type": "I"},
    ).json()
    assert (
        replaced["display_name"] == "New"
        and replaced["description"] == ""
        and replaced["company_name"] == ""
    )
    assert replaced["name"] == "asd" and replaced["type"] == "O"
    patched = http.put(f"/api/v4/teams/{tid}/patch", json={"description": "kept"}).json()
    assert patched["display_name"] == "New" and patched["description"] == "kept"
    invite = patched["invite_id"]
    patched = http.put(f"/api/v4/teams/{tid}/patch", json={"allow_open_invite": False}).json()
    assert patched["invite_id"] != invite


def test_privacy_sets_type_and_open_invite(http: httpx.Client) -> None:
    team = http.post("/api/v4/teams", json=TEAM).json()
    private = http.put(f"/api/v4/teams/{team['id']}/privacy", json={"privacy": "I"}).json()
    assert private["type"] == "I" and private["allow_open_invite"] is False
    assert private["invite_id"] != team["invite_id"]
    public = http.put(f"/api/v4/teams/{team['id']}/privacy", json={"privacy": "O"}).json()
    assert public["type"] == "O" and public["allow_open_invite"] is True
    assert_error(
        http.put(f"/api/v4/teams/{team['id']}/privacy", json={"privacy": "P"}),
        400,
        "api.context.invalid_body_param.app_error",
    )


def test_permanent_delete_disabled(http: httpx.Client) -> None:
    team = http.post("/api/v4/teams", json=TEAM).json()
    assert_error(
        http.delete(f"/api/v4/teams/{team['id']}?permanent=true"),
        401,
        "api.user.delete_team.not_enabled.app_error",
    )


def test_plain_user_permissions(
    sandbox: Sandbox,
    http: httpx.Client,
    login: Callable[[object], str],
    client_for: Callable[[str | None], httpx.Client],
) -> None:
    team = add_team(sandbox, "alpha")
    bob = add_user(sandbox, "bob")
    as_bob = client_for(login(bob))
    assert_error(
        as_bob.put(f"/api/v4/teams/{team.id}/patch", json={"description": "x"}),
        403,
        "api.context.permissions.app_error",
    )
    assert_error(
        as_bob.delete(f"/api/v4/teams/{team.id}"), 403, "api.context.permissions.app_error"
    )
    # a non-member sees only open teams, sanitized
    seen = as_bob.get(f"/api/v4/teams/{team.id}").json()
    assert seen["email"] == "" and seen["invite_id"] == ""
    # a plain user can create a team and becomes its admin
    own = as_bob.post("/api/v4/teams", json={"name": "bobs", "display_name": "Bob", "type": "I"})
    assert own.status_code == 201 and own.json()["email"] == "bob@example.com"
    # and cannot see a private team it is not in
    private = add_team(sandbox, "hidden", type="I")
    assert_error(
        as_bob.get(f"/api/v4/teams/{private.id}"), 403, "api.context.permissions.app_error"
    )
    names = [t["name"] for t in as_bob.get("/api/v4/teams").json()]
    assert "alpha" in names and "hidden" not in names


def test_team_creation_forbidden_without_create_team(
    sandbox: Sandbox,
    http: httpx.Client,
    login: Callable[[object], str],
    client_for: Callable[[str | None], httpx.Client],
) -> None:
    guest = add_user(sandbox, "gina", guest=True)
    response = client_for(login(guest)).post("/api/v4/teams", json=TEAM)
    assert_error(response, 403, "api.team.is_team_creation_allowed.disabled.app_error")


def test_add_member_joins_default_channels_and_revives(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    team = add_team(sandbox)
    bob = add_user(sandbox, "bob")
    response = http.post(
        f"/api/v4/teams/{team.id}/members", json={"team_id": team.id, "user_id": bob.id}
    )
    assert response.status_code == 201
    member = response.json()
    assert member["roles"] == "team_user" and member["delete_at"] == 0
    assert set(member) == {
        "team_id",
        "user_id",
        "roles",
        "delete_at",
        "scheme_guest",
        "scheme_user",
        "scheme_admin",
        "explicit_roles",
    }
    town = sandbox.core.channel_by_name(team.id, "town-square")
    off = sandbox.core.channel_by_name(team.id, "off-topic")
    assert town and off
    assert http.get(f"/api/v4/channels/{town.id}/members/{bob.id}").status_code == 200
    assert http.get(f"/api/v4/channels/{off.id}/members/{bob.id}").status_code == 200
    again = http.post(
        f"/api/v4/teams/{team.id}/members", json={"team_id": team.id, "user_id": bob.id}
    )
    assert again.status_code == 201 and again.json()["roles"] == "team_user"


def test_remove_member_is_soft_and_cascades_to_channels(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    team = add_team(sandbox)
    dev = add_channel(sandbox, team, "dev")
    archived = add_channel(sandbox, team, "old")
    bob = add_user(sandbox, "bob")
    join(sandbox, team, bob, dev, archived)
    http.delete(f"/api/v4/channels/{archived.id}")
    assert http.delete(f"/api/v4/teams/{team.id}/members/{bob.id}").json() == {"status": "OK"}
    removed = http.get(f"/api/v4/teams/{team.id}/members/{bob.id}").json()
    assert removed["delete_at"] > 0 and removed["roles"] == ""
    listed = [m["user_id"] for m in http.get(f"/api/v4/teams/{team.id}/members").json()]
    assert bob.id not in listed
    for channel in (dev, archived):
        assert_error(
            http.get(f"/api/v4/channels/{channel.id}/members/{bob.id}"),
            404,
            "app.channel.get_member.missing.app_error",
        )
    assert not sandbox.core.channel_members_by_user.get(bob.id)
    assert_error(
        http.delete(f"/api/v4/teams/{team.id}/members/{bob.id}"),
        400,
        "api.team.remove_user_from_team.missing.app_error",
    )
    # re-adding does not restore the channels
    http.post(f"/api/v4/teams/{team.id}/members", json={"team_id": team.id, "user_id": bob.id})
    assert_error(
        http.get(f"/api/v4/channels/{dev.id}/members/{bob.id}"),
        404,
        "app.channel.get_member.missing.app_error",
    )


def test_member_errors(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    bob = add_user(sandbox, "bob")
    assert_error(
        http.get(f"/api/v4/teams/{team.id}/members/{bob.id}"),
        404,
        "app.team.get_member.missing.app_error",
    )
    assert_error(
        http.post(f"/api/v4/teams/{team.id}/members", json={"team_id": "x", "user_id": bob.id}),
        400,
        "api.context.invalid_body_param.app_error",
    )
    assert_error(
        http.post(
            f"/api/v4/teams/{team.id}/members", json={"team_id": team.id, "user_id": "z" * 26}
        ),
        404,
        "app.user.missing_account.const",
    )


def test_max_users_per_team(sandbox: Sandbox, http: httpx.Client) -> None:
    set_config(sandbox, "TeamSettings.MaxUsersPerTeam", 2)
    team = add_team(sandbox)  # the admin is member 1
    first = add_user(sandbox, "u1")
    second = add_user(sandbox, "u2")
    assert (
        http.post(
            f"/api/v4/teams/{team.id}/members", json={"team_id": team.id, "user_id": first.id}
        ).status_code
        == 201
    )
    assert_error(
        http.post(
            f"/api/v4/teams/{team.id}/members", json={"team_id": team.id, "user_id": second.id}
        ),
        400,
        "app.team.join_user_to_team.max_accounts.app_error",
    )


def test_allowed_domains(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    http.put(f"/api/v4/teams/{team.id}/patch", json={"allowed_domains": "corp.example"})
    bob = add_user(sandbox, "bob")
    assert_error(
        http.post(f"/api/v4/teams/{team.id}/members", json={"team_id": team.id, "user_id": bob.id}),
        400,
        "api.team.join_user_to_team.allowed_domains.app_error",
    )


def test_batch_add_graceful(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    bob = add_user(sandbox, "bob")
    body = [{"team_id": team.id, "user_id": bob.id}, {"team_id": team.id, "user_id": "q" * 26}]
    assert_error(
        http.post(f"/api/v4/teams/{team.id}/members/batch", json=body),
        404,
        "app.user.missing_account.const",
    )
    graceful = http.post(f"/api/v4/teams/{team.id}/members/batch?graceful=true", json=body)
    assert graceful.status_code == 201
    results = graceful.json()
    assert results[0]["member"]["user_id"] == bob.id
    assert results[1]["error"]["id"] == "app.user.missing_account.const"


def test_user_teams(
    sandbox: Sandbox,
    http: httpx.Client,
    login: Callable[[object], str],
    client_for: Callable[[str | None], httpx.Client],
) -> None:
    team = add_team(sandbox)
    gone = add_team(sandbox, "gone")
    bob = add_user(sandbox, "bob")
    join(sandbox, team, bob)
    join(sandbox, gone, bob)
    http.delete(f"/api/v4/teams/{gone.id}")
    as_bob = client_for(login(bob))
    assert [t["name"] for t in as_bob.get("/api/v4/users/me/teams").json()] == ["alpha"]
    assert_error(
        as_bob.get(f"/api/v4/users/{sandbox.core.admin_user_id}/teams"),
        403,
        "api.context.permissions.app_error",
    )
