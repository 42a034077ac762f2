"""Deactivating and deleting users: `DELETE /users/{id}` (`?permanent=true`),
`PUT /users/{id}/active`, and how deactivated accounts show in the lists mmrc reads.

Pinned against MM api4/user.go (deleteUser, updateUserActive), app/user.go
(UpdateActive, userDeactivated, PermanentDeleteUser) and app/authorization.go
(SessionHasPermissionToUserOrBot).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sandbox_helpers import add_channel, add_team, add_user, assert_error, join, set_config

from reconciler.sandbox import Sandbox
from reconciler.sandbox.integrations_incoming import decode_incoming

Login = Callable[[object], str]
ClientFor = Callable[[str | None], httpx.Client]
MISSING_ID = "a" * 26


def test_delete_deactivates_and_revokes_sessions(
    sandbox: Sandbox, http: httpx.Client, login: Login, client_for: ClientFor
) -> None:
    alice = add_user(sandbox, "alice")
    session = client_for(login(alice))
    set_config(sandbox, "ServiceSettings.EnableUserAccessTokens", True)
    with sandbox.lock:
        pat = client_for(sandbox.core.create_access_token(alice.id, "ci").token)
    assert session.get("/api/v4/users/me").status_code == 200

    response = http.delete(f"/api/v4/users/{alice.id}")
    assert response.status_code == 200 and response.json() == {"status": "OK"}
    user = http.get(f"/api/v4/users/{alice.id}").json()
    assert user["delete_at"] > 0 and user["update_at"] == user["delete_at"]
    assert_error(session.get("/api/v4/users/me"), 401, "api.context.session_expired.app_error")
    assert_error(pat.get("/api/v4/users/me"), 401, "api.context.session_expired.app_error")

    # Deactivating again is not an error (UpdateActive sets delete_at anew).
    assert http.delete(f"/api/v4/users/{alice.id}").json() == {"status": "OK"}

    response = http.put(f"/api/v4/users/{alice.id}/active", json={"active": True})
    assert response.status_code == 200 and response.json() == {"status": "OK"}
    assert http.get(f"/api/v4/users/{alice.id}").json()["delete_at"] == 0
    # The access token works again; the login session was revoked for good.
    assert pat.get("/api/v4/users/me").json()["id"] == alice.id
    assert_error(session.get("/api/v4/users/me"), 401, "api.context.session_expired.app_error")


def test_deactivated_users_in_the_lists_mmrc_reads(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    channel = add_channel(sandbox, team, "ops")
    alice, bob = add_user(sandbox, "alice"), add_user(sandbox, "bob")
    join(sandbox, team, alice, channel)
    join(sandbox, team, bob, channel)
    http.delete(f"/api/v4/users/{alice.id}")

    by_name = http.post("/api/v4/users/usernames", json=["alice", "bob"]).json()
    assert [(u["username"], u["delete_at"] > 0) for u in by_name] == [
        ("alice", True),
        ("bob", False),
    ]
    by_id = http.post("/api/v4/users/ids", json=[alice.id]).json()
    assert [u["id"] for u in by_id] == [alice.id] and by_id[0]["delete_at"] > 0
    assert http.get("/api/v4/users/username/alice").json()["delete_at"] > 0

    # Memberships stay: the team and channel member lists still hold the account.
    members = http.get(f"/api/v4/teams/{team.id}/members").json()
    assert alice.id in {m["user_id"] for m in members}
    assert all(m["delete_at"] == 0 for m in members)
    live = http.get(f"/api/v4/teams/{team.id}/members?exclude_deleted_users=true").json()
    assert alice.id not in {m["user_id"] for m in live} and bob.id in {m["user_id"] for m in live}
    assert http.get(f"/api/v4/teams/{team.id}/members/{alice.id}").json()["delete_at"] == 0
    channel_members = http.get(f"/api/v4/channels/{channel.id}/members").json()
    assert alice.id in {m["user_id"] for m in channel_members}

    def usernames(query: str) -> set[str]:
        return {u["username"] for u in http.get(f"/api/v4/users?{query}").json()}

    assert "alice" in usernames(f"in_team={team.id}")
    assert "alice" not in usernames("active=true") and "bob" in usernames("active=true")
    assert usernames("inactive=true") == {"alice"}


def test_deactivated_members_do_not_count_towards_max_users_per_team(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    team = add_team(sandbox)  # the admin is its first member
    alice, bob = add_user(sandbox, "alice"), add_user(sandbox, "bob")
    join(sandbox, team, alice)
    set_config(sandbox, "TeamSettings.MaxUsersPerTeam", 2)
    body = {"team_id": team.id, "user_id": bob.id}
    assert_error(
        http.post(f"/api/v4/teams/{team.id}/members", json=body),
        400,
        "app.team.join_user_to_team.max_accounts.app_error",
    )
    http.delete(f"/api/v4/users/{alice.id}")
    assert http.post(f"/api/v4/teams/{team.id}/members", json=body).status_code == 201


def test_delete_user_errors(
    sandbox: Sandbox, http: httpx.Client, login: Login, client_for: ClientFor
) -> None:
    alice, bob = add_user(sandbox, "alice"), add_user(sandbox, "bob")
    as_bob = client_for(login(bob))
    assert_error(http.delete("/api/v4/users/nope"), 400, "api.context.invalid_url_param.app_error")
    assert_error(http.delete(f"/api/v4/users/{MISSING_ID}"), 404, "app.user.missing_account.const")
    body = assert_error(
        as_bob.delete(f"/api/v4/users/{alice.id}"), 403, "api.context.permissions.app_error"
    )
    assert body["message"] == "You do not have the appropriate permissions."
    # Without edit_other_users an unknown id is a 403 too (nothing is looked up).
    assert_error(
        as_bob.delete(f"/api/v4/users/{MISSING_ID}"), 403, "api.context.permissions.app_error"
    )
    body = assert_error(
        as_bob.delete("/api/v4/users/me"), 401, "api.user.update_active.not_enable.app_error"
    )
    assert body["message"].startswith("You cannot deactivate yourself")
    assert http.get(f"/api/v4/users/{bob.id}").json()["delete_at"] == 0

    # edit_other_users reaches other accounts, but a system admin's only with manage_system.
    with sandbox.lock:
        sandbox.core.roles["system_user"].permissions.append("edit_other_users")
    assert_error(
        as_bob.delete(f"/api/v4/users/{sandbox.core.admin_user_id}"),
        403,
        "api.context.permissions.app_error",
    )
    assert as_bob.delete(f"/api/v4/users/{alice.id}").json() == {"status": "OK"}

    set_config(sandbox, "TeamSettings.EnableUserDeactivation", True)
    assert as_bob.delete("/api/v4/users/me").json() == {"status": "OK"}
    assert_error(as_bob.get("/api/v4/users/me"), 401, "api.context.session_expired.app_error")


def test_permanent_delete(sandbox: Sandbox, http: httpx.Client) -> None:
    team = add_team(sandbox)
    channel = add_channel(sandbox, team, "ops")
    alice = add_user(sandbox, "alice")
    join(sandbox, team, alice, channel)
    set_config(sandbox, "ServiceSettings.EnableIncomingWebhooks", True)
    with sandbox.lock:
        hook = decode_incoming({"channel_id": channel.id})
        sandbox.integrations.create_incoming(alice.id, channel, hook)

    body = assert_error(
        http.delete(f"/api/v4/users/{alice.id}?permanent=true"),
        401,
        "api.user.delete_user.not_enabled.app_error",
    )
    assert body["message"] == (
        "Permanent user deletion feature is not enabled. Please contact your System Administrator."
    )
    assert http.get(f"/api/v4/users/{alice.id}").json()["delete_at"] == 0  # nothing changed

    set_config(sandbox, "ServiceSettings.EnableAPIUserDeletion", True)
    # `permanent` is strconv.ParseBool with the error dropped: a misspelling deactivates.
    assert http.delete(f"/api/v4/users/{alice.id}?permanent=yes").json() == {"status": "OK"}
    assert http.get(f"/api/v4/users/{alice.id}").json()["delete_at"] > 0

    assert http.delete(f"/api/v4/users/{alice.id}?permanent=True").json() == {"status": "OK"}
    assert_error(http.get(f"/api/v4/users/{alice.id}"), 404, "app.user.missing_account.const")
    assert http.post("/api/v4/users/usernames", json=["alice"]).json() == []
    assert_error(
        http.get(f"/api/v4/teams/{team.id}/members/{alice.id}"),
        404,
        "app.team.get_member.missing.app_error",
    )
    assert alice.id not in {
        m["user_id"] for m in http.get(f"/api/v4/channels/{channel.id}/members").json()
    }
    assert sandbox.integrations.incoming == {}
    # The username is free again.
    again = {"username": "alice", "email": "alice@example.com", "password": "password1"}
    assert http.post("/api/v4/users", json=again).status_code == 201


def test_owner_deactivation_disables_owned_bots(sandbox: Sandbox, http: httpx.Client) -> None:
    alice, carol = add_user(sandbox, "alice"), add_user(sandbox, "carol")
    with sandbox.lock:
        bot = sandbox.core.create_bot("alice-bot", "A", "", alice.id)
        kept = sandbox.core.create_bot("carol-bot", "C", "", carol.id)
    http.delete(f"/api/v4/users/{alice.id}")
    disabled = http.get(f"/api/v4/bots/{bot.user_id}?include_deleted=true").json()
    assert disabled["delete_at"] > 0
    assert http.get(f"/api/v4/users/{bot.user_id}").json()["delete_at"] > 0
    # Reactivating the owner leaves the bot disabled.
    http.put(f"/api/v4/users/{alice.id}/active", json={"active": True})
    assert_error(
        http.get(f"/api/v4/bots/{bot.user_id}"), 404, "store.sql_bot.get.missing.app_error"
    )

    set_config(sandbox, "ServiceSettings.DisableBotsWhenOwnerIsDeactivated", False)
    http.delete(f"/api/v4/users/{carol.id}")
    assert http.get(f"/api/v4/bots/{kept.user_id}").json()["delete_at"] == 0


def test_deactivating_a_bot_account_leaves_the_bot_record(
    sandbox: Sandbox, http: httpx.Client, login: Login, client_for: ClientFor
) -> None:
    alice, bob = add_user(sandbox, "alice"), add_user(sandbox, "bob")
    with sandbox.lock:
        bot = sandbox.core.create_bot("alice-bot", "A", "", alice.id)
        token = sandbox.core.create_access_token(bot.user_id, "bot").token
    # A bot account is guarded by the bot permissions: another user's bot needs
    # manage_others_bots, whatever edit_other_users says.
    assert_error(
        client_for(login(bob)).delete(f"/api/v4/users/{bot.user_id}"),
        403,
        "api.context.permissions.app_error",
    )
    assert http.delete(f"/api/v4/users/{bot.user_id}").json() == {"status": "OK"}
    assert http.get(f"/api/v4/users/{bot.user_id}").json()["delete_at"] > 0
    assert http.get(f"/api/v4/bots/{bot.user_id}").json()["delete_at"] == 0
    assert_error(
        client_for(token).get("/api/v4/users/me"), 401, "api.context.session_expired.app_error"
    )


def test_update_active_errors(
    sandbox: Sandbox, http: httpx.Client, login: Login, client_for: ClientFor
) -> None:
    alice, bob = add_user(sandbox, "alice"), add_user(sandbox, "bob")
    path = f"/api/v4/users/{alice.id}/active"
    for body in (b"not json", b"[]", b"{}", b'{"active": "false"}', b'{"active": null}'):
        assert_error(http.put(path, content=body), 400, "api.context.invalid_body_param.app_error")
    assert_error(
        http.put("/api/v4/users/nope/active", json={"active": False}),
        400,
        "api.context.invalid_url_param.app_error",
    )
    assert_error(
        http.put(f"/api/v4/users/{MISSING_ID}/active", json={"active": False}),
        404,
        "app.user.missing_account.const",
    )
    as_bob = client_for(login(bob))
    body = assert_error(
        as_bob.put(path, json={"active": False}),
        403,
        "api.user.update_active.permissions.app_error",
    )
    assert body["message"] == "You do not have the appropriate permissions."
    # Activating oneself is never "self-deactivation": it needs the permission as well.
    assert_error(
        as_bob.put("/api/v4/users/me/active", json={"active": True}),
        403,
        "api.user.update_active.permissions.app_error",
    )
    assert_error(
        as_bob.put("/api/v4/users/me/active", json={"active": False}),
        401,
        "api.user.update_active.not_enable.app_error",
    )
    set_config(sandbox, "TeamSettings.EnableUserDeactivation", True)
    assert as_bob.put("/api/v4/users/me/active", json={"active": False}).status_code == 200
    assert http.get(f"/api/v4/users/{bob.id}").json()["delete_at"] > 0


def test_reactivating_a_guest_needs_guest_accounts(sandbox: Sandbox, http: httpx.Client) -> None:
    guest = add_user(sandbox, "gina", guest=True)
    path = f"/api/v4/users/{guest.id}/active"
    assert http.put(path, json={"active": False}).status_code == 200  # deactivating is fine
    body = assert_error(
        http.put(path, json={"active": True}),
        401,
        "api.user.update_active.cannot_enable_guest_when_guest_feature_is_disabled.app_error",
    )
    assert body["message"] == (
        "You cannot activate a guest account because Guest Access feature is not enabled."
    )
    set_config(sandbox, "GuestAccountsSettings.Enable", True)
    assert http.put(path, json={"active": True}).status_code == 200
    assert http.get(f"/api/v4/users/{guest.id}").json()["delete_at"] == 0
