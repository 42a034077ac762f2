"""A user's own memberships with roles: GET /users/{id}/teams/members and
GET /users/{id}/teams/{team_id}/channels/members (what a plan reads to know its rights)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from sandbox_helpers import add_channel, add_team, add_user, assert_error, join

from reconciler.sandbox import Sandbox


def test_team_members_for_a_user_carry_roles_and_removed_rows(
    sandbox: Sandbox,
    http: httpx.Client,
    client_for: Callable[[str | None], httpx.Client],
    login: Callable[[Any], str],
) -> None:
    alpha, beta = add_team(sandbox, "alpha"), add_team(sandbox, "beta")
    alice = add_user(sandbox, "alice")
    join(sandbox, alpha, alice)
    join(sandbox, beta, alice)
    with sandbox.lock:
        sandbox.core.team_member(alpha.id, alice.id).scheme_admin = True  # type: ignore[union-attr]
        sandbox.core.remove_team_member(beta, alice)
    own = client_for(login(alice))
    for path in (f"/api/v4/users/{alice.id}/teams/members", "/api/v4/users/me/teams/members"):
        response = own.get(path)
        assert response.status_code == 200, response.text
        rows = {row["team_id"]: row for row in response.json()}
        assert rows[alpha.id]["roles"] == "team_user team_admin"
        assert rows[alpha.id]["delete_at"] == 0
        assert rows[beta.id]["delete_at"] > 0 and rows[beta.id]["roles"] == ""
    # someone else's needs read_other_users_teams (a system admin has it)
    bob = add_user(sandbox, "bob")
    forbidden = client_for(login(bob)).get(f"/api/v4/users/{alice.id}/teams/members")
    assert_error(forbidden, 403, "api.context.permissions.app_error")
    assert len(http.get(f"/api/v4/users/{alice.id}/teams/members").json()) == 2
    assert_error(
        http.get("/api/v4/users/nope/teams/members"), 400, "api.context.invalid_url_param.app_error"
    )


def test_channel_members_for_a_user_in_a_team(
    sandbox: Sandbox,
    http: httpx.Client,
    client_for: Callable[[str | None], httpx.Client],
    login: Callable[[Any], str],
) -> None:
    alpha, beta = add_team(sandbox, "alpha"), add_team(sandbox, "beta")
    dev = add_channel(sandbox, alpha, "dev")
    ops = add_channel(sandbox, alpha, "ops", type="P")
    other = add_channel(sandbox, beta, "other")
    alice = add_user(sandbox, "alice")
    join(sandbox, alpha, alice, dev, ops)
    join(sandbox, beta, alice, other)
    with sandbox.lock:
        sandbox.core.channel_member(ops.id, alice.id).scheme_admin = True  # type: ignore[union-attr]
        ops.delete_at = 1  # archived channels are included
    own = client_for(login(alice))
    response = own.get(f"/api/v4/users/me/teams/{alpha.id}/channels/members")
    assert response.status_code == 200, response.text
    roles = {row["channel_id"]: row["roles"] for row in response.json()}
    assert roles[dev.id] == "channel_user"
    assert roles[ops.id] == "channel_user channel_admin"
    assert other.id not in roles
    assert all(row["user_id"] == alice.id for row in response.json())
    # another user's needs manage_system; a team the caller cannot view is refused
    bob = add_user(sandbox, "bob")
    join(sandbox, alpha, bob)
    as_bob = client_for(login(bob))
    refused = as_bob.get(f"/api/v4/users/{alice.id}/teams/{alpha.id}/channels/members")
    assert_error(refused, 403, "api.context.permissions.app_error")
    assert_error(
        as_bob.get(f"/api/v4/users/me/teams/{beta.id}/channels/members"),
        403,
        "api.context.permissions.app_error",
    )
    assert (
        http.get(f"/api/v4/users/{alice.id}/teams/{alpha.id}/channels/members").status_code == 200
    )
