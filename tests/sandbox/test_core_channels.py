"""Channels and channel members: CRUD, validation ids, archived-name trap, town-square
protections, guests, listing and moderation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from sandbox_helpers import ID_RE, add_channel, add_team, add_user, assert_error, join, make_sandbox

from reconciler.sandbox import Sandbox
from reconciler.sandbox.server import SandboxTransport

Login = Callable[[object], str]
ClientFor = Callable[[str | None], httpx.Client]


def new_channel(
    http: httpx.Client, team_id: str, name: str = "project-x", **extra: Any
) -> httpx.Response:
    body = {"team_id": team_id, "name": name, "display_name": " Project X ", "type": "O", **extra}
    return http.post("/api/v4/channels", json=body)


def test_create_channel_shape(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    response = new_channel(http, team.id, purpose="p", header="h")
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    channel = response.json()
    assert ID_RE.match(channel["id"])
    assert channel["display_name"] == "Project X"  # trimmed
    assert channel["creator_id"] == sandbox.core.admin_user_id
    assert channel["scheme_id"] is None and channel["props"] is None
    member = http.get(
        f"/api/v4/channels/{channel['id']}/members/{sandbox.core.admin_user_id}"
    ).json()
    assert member["scheme_admin"] is True and member["roles"] == "channel_user channel_admin"
    assert member["notify_props"]["mark_unread"] == "all"


def test_archived_name_trap(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    channel = new_channel(http, team.id, "dev").json()
    assert http.delete(f"/api/v4/channels/{channel['id']}").json() == {"status": "OK"}
    assert_error(
        new_channel(http, team.id, "dev"), 400, "store.sql_channel.save_channel.exists.app_error"
    )
    assert_error(
        http.get(f"/api/v4/teams/{team.id}/channels/name/dev"),
        404,
        "app.channel.get_by_name.missing.app_error",
    )
    found = http.get(f"/api/v4/teams/{team.id}/channels/name/DEV?include_deleted=true").json()
    assert found["id"] == channel["id"] and found["delete_at"] > 0
    by_team_name = http.get("/api/v4/teams/name/alpha/channels/name/dev?include_deleted=true")
    assert by_team_name.json()["id"] == channel["id"]
    assert http.get(f"/api/v4/channels/{channel['id']}").json()["delete_at"] > 0
    assert_error(
        http.put(f"/api/v4/channels/{channel['id']}/patch", json={"name": "dev2"}),
        400,
        "app.channel.update.bad_id",
    )
    assert_error(
        http.put(f"/api/v4/channels/{channel['id']}", json={"id": channel["id"], "name": "dev2"}),
        400,
        "api.channel.update_channel.deleted.app_error",
    )
    assert_error(
        http.delete(f"/api/v4/channels/{channel['id']}"),
        400,
        "api.channel.delete_channel.deleted.app_error",
    )
    assert_error(
        http.put(f"/api/v4/channels/{channel['id']}/privacy", json={"privacy": "P"}),
        400,
        "app.channel.update.bad_id",
    )
    deleted = http.get(f"/api/v4/teams/{team.id}/channels/deleted").json()
    assert [c["name"] for c in deleted] == ["dev"]
    restored = http.post(f"/api/v4/channels/{channel['id']}/restore").json()
    assert restored["delete_at"] == 0
    assert_error(
        http.post(f"/api/v4/channels/{channel['id']}/restore"),
        400,
        "api.channel.restore_channel.restored.app_error",
    )


def test_put_replaces_patch_merges(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    cid = new_channel(http, team.id, purpose="keep?", header="head").json()["id"]
    assert_error(
        http.put(f"/api/v4/channels/{cid}", json={"name": "x"}),
        400,
        "api.context.invalid_body_param.app_error",
    )
    replaced = http.put(f"/api/v4/channels/{cid}", json={"id": cid, "display_name": "New"}).json()
    assert replaced["display_name"] == "New" and replaced["name"] == "project-x"
    assert replaced["purpose"] == "" and replaced["header"] == ""
    assert_error(
        http.put(f"/api/v4/channels/{cid}", json={"id": cid, "type": "P"}),
        400,
        "api.channel.update_channel.typechange.app_error",
    )
    patched = http.put(f"/api/v4/channels/{cid}/patch", json={"purpose": "p", "type": "P"}).json()
    assert patched["purpose"] == "p" and patched["display_name"] == "New" and patched["type"] == "O"
    renamed = http.put(f"/api/v4/channels/{cid}/patch", json={"name": "project-y"}).json()
    assert renamed["name"] == "project-y"
    assert http.get(f"/api/v4/teams/{team.id}/channels/name/project-y").json()["id"] == cid
    assert_error(
        http.put(f"/api/v4/channels/{cid}/patch", json={"name": "off-topic"}),
        400,
        "app.channel.update.bad_id",
    )
    assert_error(
        http.put(f"/api/v4/channels/{cid}/patch", json={"name": "Bad Name"}),
        400,
        "model.channel.is_valid.1_or_more.app_error",
    )


def test_town_square_protections(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    town = sandbox.core.channel_by_name(team.id, "town-square")
    off = sandbox.core.channel_by_name(team.id, "off-topic")
    assert town and off
    assert_error(
        http.put(f"/api/v4/channels/{town.id}", json={"id": town.id, "name": "lobby"}),
        400,
        "api.channel.update_channel.tried.app_error",
    )
    assert_error(
        http.put(f"/api/v4/channels/{town.id}/patch", json={"name": "lobby"}),
        400,
        "api.channel.update_channel.tried.app_error",
    )
    assert_error(
        http.delete(f"/api/v4/channels/{town.id}"),
        400,
        "api.channel.delete_channel.cannot.app_error",
    )
    assert_error(
        http.put(f"/api/v4/channels/{town.id}/privacy", json={"privacy": "P"}),
        400,
        "api.channel.update_channel_privacy.default_channel_error",
    )
    bob = add_user(sandbox, "bob")
    join(sandbox, team, bob)
    assert_error(
        http.delete(f"/api/v4/channels/{town.id}/members/{bob.id}"),
        400,
        "api.channel.remove.default.app_error",
    )
    # off-topic has no protection
    assert http.delete(f"/api/v4/channels/{off.id}/members/{bob.id}").json() == {"status": "OK"}
    assert http.put(f"/api/v4/channels/{off.id}/patch", json={"name": "chatter"}).status_code == 200
    assert http.delete(f"/api/v4/channels/{off.id}").status_code == 200


def test_privacy_is_the_only_way_to_change_type(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    cid = new_channel(http, team.id).json()["id"]
    assert http.put(f"/api/v4/channels/{cid}/privacy", json={"privacy": "P"}).json()["type"] == "P"
    assert_error(
        http.put(f"/api/v4/channels/{cid}/privacy", json={"privacy": "X"}),
        400,
        "api.context.invalid_body_param.app_error",
    )
    private = [c["name"] for c in http.get(f"/api/v4/teams/{team.id}/channels/private").json()]
    public = [c["name"] for c in http.get(f"/api/v4/teams/{team.id}/channels").json()]
    assert private == ["project-x"] and public == ["off-topic", "town-square"]


def test_get_all_channels(
    sandbox: Sandbox, http: httpx.Client, login: Login, client_for: ClientFor
) -> None:
    alpha = add_team(sandbox)
    beta = add_team(sandbox, "beta")
    add_channel(sandbox, alpha, "secret", type="P")
    gone = add_channel(sandbox, beta, "gone")
    http.delete(f"/api/v4/channels/{gone.id}")
    items = http.get("/api/v4/channels").json()
    assert len(items) == 5 and {c["type"] for c in items} == {"O", "P"}
    assert {"team_display_name", "team_name", "team_update_at"} <= set(items[0])
    assert [c["display_name"] for c in items] == sorted(c["display_name"] for c in items)
    counted = http.get(
        "/api/v4/channels?include_deleted=true&include_total_count=true&per_page=2"
    ).json()
    assert counted["total_count"] == 6 and len(counted["channels"]) == 2
    no_defaults = http.get("/api/v4/channels?exclude_default_channels=true").json()
    assert [c["name"] for c in no_defaults] == ["secret"]
    bob = add_user(sandbox, "bob")
    assert_error(
        client_for(login(bob)).get("/api/v4/channels"), 403, "api.context.permissions.app_error"
    )


def test_channel_errors(sandbox: Sandbox, http: httpx.Client) -> None:
    assert_error(
        http.get("/api/v4/channels/" + "c" * 26), 404, "app.channel.get.existing.app_error"
    )
    assert_error(http.get("/api/v4/channels/short"), 400, "api.context.invalid_url_param.app_error")
    assert_error(
        http.delete("/api/v4/channels/" + "c" * 26), 404, "app.channel.get.existing.app_error"
    )
    team = add_team(sandbox)
    cid = new_channel(http, team.id).json()["id"]
    assert_error(
        http.delete(f"/api/v4/channels/{cid}?permanent=true"),
        401,
        "api.user.delete_channel.not_enabled.app_error",
    )


def test_plain_member_powers_and_limits(
    sandbox: Sandbox, http: httpx.Client, login: Login, client_for: ClientFor
) -> None:
    team = add_team(sandbox)
    bob, carol = add_user(sandbox, "bob"), add_user(sandbox, "carol")
    join(sandbox, team, bob)
    join(sandbox, team, carol)
    as_bob = client_for(login(bob))
    created = new_channel(as_bob, team.id, "bobs", type="P")
    assert created.status_code == 201
    cid = created.json()["id"]
    # channel_user may edit, manage members and archive its channels
    assert as_bob.put(f"/api/v4/channels/{cid}/patch", json={"purpose": "x"}).status_code == 200
    assert (
        as_bob.post(f"/api/v4/channels/{cid}/members", json={"user_id": carol.id}).status_code
        == 201
    )
    # but not convert (team_admin) nor move/list private (sysadmin)
    assert_error(
        as_bob.put(f"/api/v4/channels/{cid}/privacy", json={"privacy": "O"}),
        403,
        "api.context.permissions.app_error",
    )
    assert_error(
        as_bob.get(f"/api/v4/teams/{team.id}/channels/private"),
        403,
        "api.context.permissions.app_error",
    )
    assert_error(
        as_bob.post(f"/api/v4/channels/{cid}/move", json={"team_id": team.id, "force": False}),
        403,
        "api.context.permissions.app_error",
    )
    # a private channel the caller is not in: 403 by id, 404 by name
    secret = add_channel(sandbox, team, "secret", type="P")
    assert_error(
        as_bob.get(f"/api/v4/channels/{secret.id}"), 403, "api.context.permissions.app_error"
    )
    assert_error(
        as_bob.get(f"/api/v4/teams/{team.id}/channels/name/secret"),
        404,
        "app.channel.get_by_name.missing.app_error",
    )
    assert_error(
        as_bob.put(f"/api/v4/channels/{secret.id}/patch", json={"purpose": "x"}),
        403,
        "api.context.permissions.app_error",
    )
    assert as_bob.delete(f"/api/v4/channels/{cid}").status_code == 200
    # public channels: self-join with join_public_channels
    dev = add_channel(sandbox, team, "dev")
    assert (
        as_bob.post(f"/api/v4/channels/{dev.id}/members", json={"user_id": bob.id}).status_code
        == 201
    )


def test_channel_members_errors_and_bulk(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    dev = add_channel(sandbox, team, "dev")
    bob, stranger, leaver = (
        add_user(sandbox, "bob"),
        add_user(sandbox, "stranger"),
        add_user(sandbox, "leaver"),
    )
    join(sandbox, team, bob)
    join(sandbox, team, leaver)
    http.delete(f"/api/v4/teams/{team.id}/members/{leaver.id}")
    assert_error(
        http.post(f"/api/v4/channels/{dev.id}/members", json={"user_id": stranger.id}),
        404,
        "app.team.get_member.missing.app_error",
    )
    assert_error(
        http.post(f"/api/v4/channels/{dev.id}/members", json={"user_id": leaver.id}),
        400,
        "api.channel.add_user.to.channel.failed.deleted.app_error",
    )
    assert_error(
        http.post(f"/api/v4/channels/{dev.id}/members", json={}),
        400,
        "api.context.invalid_body_param.app_error",
    )
    bulk = http.post(f"/api/v4/channels/{dev.id}/members", json={"user_ids": [bob.id]})
    assert bulk.status_code == 201 and [m["user_id"] for m in bulk.json()] == [bob.id]
    again = http.post(f"/api/v4/channels/{dev.id}/members", json={"user_id": bob.id})
    assert again.status_code == 201 and again.json()["user_id"] == bob.id
    listed = http.get(f"/api/v4/channels/{dev.id}/members").json()
    assert sorted(m["user_id"] for m in listed) == sorted([bob.id, sandbox.core.admin_user_id])
    assert http.delete(f"/api/v4/channels/{dev.id}/members/{bob.id}").json() == {"status": "OK"}
    assert_error(
        http.delete(f"/api/v4/channels/{dev.id}/members/{bob.id}"),
        404,
        "app.channel.get_member.missing.app_error",
    )


def test_guest_visibility_and_eviction(
    sandbox: Sandbox, http: httpx.Client, login: Login, client_for: ClientFor
) -> None:
    team = add_team(sandbox)
    alpha = add_channel(sandbox, team, "project-alpha", type="P")
    dev = add_channel(sandbox, team, "dev")
    bob = add_user(sandbox, "bob")
    join(sandbox, team, bob, alpha)
    guest = add_user(sandbox, "klant", guest=True)
    added = http.post(
        f"/api/v4/teams/{team.id}/members", json={"team_id": team.id, "user_id": guest.id}
    ).json()
    assert added["roles"] == "team_guest" and added["scheme_guest"] is True
    town = sandbox.core.channel_by_name(team.id, "town-square")
    assert town is not None
    assert_error(
        http.get(f"/api/v4/channels/{town.id}/members/{guest.id}"),
        404,
        "app.channel.get_member.missing.app_error",
    )
    member = http.post(f"/api/v4/channels/{alpha.id}/members", json={"user_id": guest.id}).json()
    assert member["roles"] == "channel_guest"
    as_guest = client_for(login(guest))
    me = as_guest.get("/api/v4/users/me").json()
    assert me["roles"] == "system_guest"
    assert as_guest.get(f"/api/v4/channels/{alpha.id}").status_code == 200
    assert_error(
        as_guest.get(f"/api/v4/channels/{dev.id}"), 403, "api.context.permissions.app_error"
    )
    assert_error(
        as_guest.get(f"/api/v4/teams/{team.id}/channels"), 403, "api.context.permissions.app_error"
    )
    mine = as_guest.get(f"/api/v4/users/me/teams/{team.id}/channels").json()
    assert [c["name"] for c in mine] == ["project-alpha"]
    assert_error(
        new_channel(as_guest, team.id, "guestmade"), 403, "api.context.permissions.app_error"
    )
    # guests see only users who share a channel
    seen = {u["username"] for u in as_guest.get("/api/v4/users").json()}
    assert seen == {"klant", "bob", "sysadmin"}
    found = as_guest.post("/api/v4/users/usernames", json=["bob", "nobody", "klant"]).json()
    assert [u["username"] for u in found] == ["bob", "klant"]
    # last channel removal evicts the guest from the team
    assert http.delete(f"/api/v4/channels/{alpha.id}/members/{guest.id}").json() == {"status": "OK"}
    assert http.get(f"/api/v4/teams/{team.id}/members/{guest.id}").json()["delete_at"] > 0


def test_guest_may_leave_town_square(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    dev = add_channel(sandbox, team, "dev")
    town = sandbox.core.channel_by_name(team.id, "town-square")
    assert town is not None
    guest = add_user(sandbox, "klant", guest=True)
    join(sandbox, team, guest, town, dev)
    assert http.delete(f"/api/v4/channels/{town.id}/members/{guest.id}").json() == {"status": "OK"}
    assert http.get(f"/api/v4/teams/{team.id}/members/{guest.id}").json()["delete_at"] == 0


def test_move_channel(sandbox: Sandbox, http: httpx.Client) -> None:
    alpha, beta = add_team(sandbox), add_team(sandbox, "beta")
    dev = add_channel(sandbox, alpha, "dev")
    bob = add_user(sandbox, "bob")
    join(sandbox, alpha, bob, dev)
    assert_error(
        http.post(f"/api/v4/channels/{dev.id}/move", json={"team_id": beta.id}),
        400,
        "api.context.invalid_body_param.app_error",
    )
    assert_error(
        http.post(f"/api/v4/channels/{dev.id}/move", json={"team_id": beta.id, "force": False}),
        500,
        "app.channel.move_channel.members_do_not_match.error",
    )
    moved = http.post(
        f"/api/v4/channels/{dev.id}/move", json={"team_id": beta.id, "force": True}
    ).json()
    assert moved["team_id"] == beta.id
    assert sandbox.core.channel_member(dev.id, bob.id) is None
    assert http.get(f"/api/v4/teams/{beta.id}/channels/name/dev").json()["id"] == dev.id
    other = add_channel(sandbox, alpha, "dev")
    assert_error(
        http.post(f"/api/v4/channels/{other.id}/move", json={"team_id": beta.id, "force": True}),
        400,
        "app.channel.update.bad_id",
    )


def test_paging_cap_on_channels(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    with sandbox.lock:
        for i in range(250):
            sandbox.core.create_channel(
                None, team_id=team.id, name=f"c{i:03d}", display_name=f"C{i:03d}"
            )
    assert len(http.get(f"/api/v4/teams/{team.id}/channels").json()) == 60
    assert len(http.get(f"/api/v4/teams/{team.id}/channels?per_page=1000").json()) == 200
    assert len(http.get(f"/api/v4/teams/{team.id}/channels?per_page=200&page=1").json()) == 52
    assert http.get(f"/api/v4/teams/{team.id}/channels?per_page=0").json() == []


def moderation(items: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(i for i in items if i["name"] == name)


def test_moderation_licence(sandbox: Sandbox) -> None:
    sb = make_sandbox(licensed=False)
    team = add_team(sb)
    dev = add_channel(sb, team, "dev")
    with httpx.Client(
        transport=SandboxTransport(sb),
        base_url="http://sb",
        headers={"Authorization": f"Bearer {sb.core.admin_token}"},
    ) as client:
        assert_error(
            client.get(f"/api/v4/channels/{dev.id}/moderations"),
            403,
            "api.channel.get_channel_moderations.license.error",
        )
        assert_error(
            client.put(f"/api/v4/channels/{dev.id}/moderations/patch", json=[]),
            403,
            "api.channel.patch_channel_moderations.license.error",
        )


def test_moderation_scheme_flip_and_effect(
    sandbox: Sandbox, http: httpx.Client, login: Login, client_for: ClientFor
) -> None:
    team = add_team(sandbox)
    dev = add_channel(sandbox, team, "dev")
    bob = add_user(sandbox, "bob")
    join(sandbox, team, bob, dev)
    items = http.get(f"/api/v4/channels/{dev.id}/moderations").json()
    assert [i["name"] for i in items] == [
        "create_post",
        "create_reactions",
        "manage_members",
        "use_channel_mentions",
        "manage_bookmarks",
    ]
    assert moderation(items, "manage_members")["roles"]["guests"] is None
    assert moderation(items, "create_post")["roles"] == {
        "guests": {"value": True, "enabled": True},
        "members": {"value": True, "enabled": True},
    }
    patched = http.put(
        f"/api/v4/channels/{dev.id}/moderations/patch",
        json=[
            {"name": "create_post", "roles": {"members": False}},
            {"name": "bogus", "roles": {"members": False}},
        ],
    )
    assert patched.status_code == 200
    assert moderation(patched.json(), "create_post")["roles"]["members"] == {
        "value": False,
        "enabled": True,
    }
    scheme_id = http.get(f"/api/v4/channels/{dev.id}").json()["scheme_id"]
    assert scheme_id and ID_RE.match(scheme_id)
    assert not sandbox.core.has_permission(bob, "create_post", channel_id=dev.id)
    member = http.get(f"/api/v4/channels/{dev.id}/members/{bob.id}").json()
    assert member["roles"] != "channel_user"
    back = http.put(
        f"/api/v4/channels/{dev.id}/moderations/patch",
        json=[{"name": "create_post", "roles": {"members": True}}],
    )
    assert moderation(back.json(), "create_post")["roles"]["members"]["value"] is True
    assert http.get(f"/api/v4/channels/{dev.id}").json()["scheme_id"] is None
    assert sandbox.core.has_permission(bob, "create_post", channel_id=dev.id)
    # enabling what the higher scope lacks is an id-less 500
    assert_error(
        http.put(
            f"/api/v4/channels/{dev.id}/moderations/patch",
            json=[{"name": "manage_bookmarks", "roles": {"guests": True}}],
        ),
        500,
        "",
    )
    assert_error(
        client_for(login(bob)).get(f"/api/v4/channels/{dev.id}/moderations"),
        403,
        "api.context.permissions.app_error",
    )
