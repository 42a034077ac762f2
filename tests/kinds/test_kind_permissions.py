"""Permission awareness on literal observations: `Observation.may_at` (system, channel, team
and creator roles, as Mattermost checks) and what each core kind's changes require."""

from __future__ import annotations

from typing import Any

import pytest
from kind_world import (
    add_channel,
    add_member,
    add_team,
    context,
    errors,
    observation,
    plan,
    workspace,
)

from reconciler.kinds import channel_members, channels, team_members, teams
from reconciler.kinds.base import Observation

# Mattermost's default role permissions (reference §4), as far as these tests need them
SYSTEM_USER = frozenset({"list_public_teams", "join_public_teams", "create_team"})
TEAM_USER = frozenset(
    {"list_team_channels", "join_public_channels", "view_team", "add_user_to_team"}
    | {"create_public_channel", "create_private_channel"}
)
TEAM_ADMIN = frozenset(
    {"manage_team", "remove_user_from_team", "manage_channel_roles"}
    | {"convert_public_channel_to_private", "convert_private_channel_to_public"}
)
CHANNEL_USER = frozenset(
    {"read_channel", "manage_public_channel_members", "manage_private_channel_members"}
    | {"manage_public_channel_properties", "manage_private_channel_properties"}
    | {"delete_public_channel", "delete_private_channel"}
)
CHANNEL_ADMIN = frozenset({"manage_channel_roles"})
DEV = "team.asd/channel.dev"


def world(*users: str, team_roles: frozenset[str] = TEAM_USER, in_dev: bool = False) -> Observation:
    """A plain account (not a system admin) in team asd, with #dev (public) and #ops
    (private) live; `team_roles` are its permissions in the team."""
    obs = observation(*users, admin=False)
    obs.permissions = SYSTEM_USER
    add_team(obs, "asd", "ASD")
    add_channel(obs, "asd", "dev", "Dev")
    add_channel(obs, "asd", "ops", "Ops", type_="P")
    obs.scoped_permissions = {"team.asd": team_roles}
    if in_dev:
        obs.scoped_permissions[DEV] = CHANNEL_USER
    obs.creator_permissions = {
        "team": TEAM_USER | TEAM_ADMIN,
        "channel": CHANNEL_USER | CHANNEL_ADMIN,
    }
    return obs


def asd(**extra: Any) -> dict[str, Any]:
    return {"name": "asd", "display_name": "ASD", **extra}


def refusals(kind: Any, ws: Any, obs: Observation, **options: Any) -> list[str]:
    ctx = context(ws, obs, **options)
    plan(kind, ctx)
    return errors(ctx)


# -- may_at ---------------------------------------------------------------------------------------


def test_may_at_follows_channel_then_team_then_system_roles() -> None:
    obs = world(in_dev=True)
    assert obs.may_at(DEV, "manage_public_channel_properties")  # its channel role
    assert not obs.may_at("team.asd/channel.ops", "manage_private_channel_properties")
    assert obs.may_at("team.asd/channel.ops", "create_private_channel")  # via the team
    assert obs.may_at(DEV, "create_team")  # system-wide counts everywhere
    assert not obs.may_at("team.asd", "manage_team")
    assert not obs.may_at("", "manage_system") and obs.may_at("", "create_team")


def test_may_at_counts_a_creators_roles_where_the_plan_creates() -> None:
    obs = world()
    assert obs.may_at("team.new", "manage_team")  # POST /teams makes it a team admin
    assert obs.may_at("team.asd/channel.new", "manage_public_channel_properties")
    assert not obs.may_at("team.asd/channel.new", "manage_team")  # not in an existing team


def test_may_at_follows_renames_to_the_live_channel() -> None:
    obs = world(in_dev=True)
    obs.aliases["team.asd/channel.project-dev"] = DEV
    assert obs.may_at("team.asd/channel.project-dev", "manage_public_channel_properties")


def test_what_cannot_be_known_is_allowed() -> None:
    obs = world()
    obs.scoped_permissions = None  # not read (or not readable)
    assert obs.may_at(DEV, "manage_public_channel_properties")
    assert not obs.may_at("", "manage_system")  # the system roles were read
    admin = observation()  # a system admin holds everything
    assert admin.may_at(DEV, "anything") and admin.may_at("", "anything")


# -- teams ----------------------------------------------------------------------------------------


def test_team_changes_need_manage_team_named_at_each_field() -> None:
    ws = workspace(asd(display_name="ASD-PMA", visibility="open"))
    assert refusals(teams, ws, world()) == [
        "teams[0].display_name: changing display_name of team.asd needs the manage_team "
        "permission on team.asd, which mmrc lacks: apply would fail with 403",
        "teams[0].visibility: changing visibility of team.asd needs the manage_team "
        "permission on team.asd, which mmrc lacks: apply would fail with 403",
    ]
    assert refusals(teams, ws, world(team_roles=TEAM_USER | TEAM_ADMIN)) == []
    assert refusals(teams, ws, world(), check_permissions=False) == []


def test_creating_a_team_needs_create_team_system_wide() -> None:
    obs = world()
    ws = workspace(asd(), {"name": "new", "display_name": "New"})
    assert refusals(teams, ws, obs) == []
    obs.permissions = SYSTEM_USER - {"create_team"}
    assert refusals(teams, ws, obs) == [
        "teams[1].name: creating team.new needs the create_team permission (system-wide), "
        "which mmrc lacks: apply would fail with 403"
    ]


def test_restoring_a_team_needs_manage_team() -> None:
    obs = world()
    add_team(obs, "old", "Old", deleted=True)
    [problem] = refusals(teams, workspace(asd(), {"name": "old", "display_name": "Old"}), obs)
    assert problem.startswith("teams[1].name: restoring team.old needs the manage_team")


# -- channels -------------------------------------------------------------------------------------


def channel_ws(*channel_list: dict[str, Any], **team: Any) -> Any:
    return workspace(asd(channels=list(channel_list), **team))


def test_channel_properties_need_the_channel_role_and_privacy_the_convert_permission() -> None:
    ws = channel_ws(
        {"name": "dev", "display_name": "Dev", "purpose": "new", "visibility": "private"}
    )
    problems = refusals(channels, ws, world())
    assert problems == [
        "teams[0].channels[0].visibility: changing visibility of team.asd/channel.dev needs "
        "the convert_public_channel_to_private permission on team.asd/channel.dev, which mmrc "
        "lacks: apply would fail with 403",
        # the purpose is patched after the privacy change: the private channel's permission
        "teams[0].channels[0].purpose: changing purpose of team.asd/channel.dev needs the "
        "manage_private_channel_properties permission on team.asd/channel.dev, which mmrc "
        "lacks: apply would fail with 403",
    ]
    assert refusals(channels, ws, world(team_roles=TEAM_USER | TEAM_ADMIN, in_dev=True)) == []


def test_a_rename_needs_the_properties_permission() -> None:
    obs = world()
    obs.aliases["team.asd/channel.project-dev"] = DEV
    ws = channel_ws({"name": "project-dev", "display_name": "Dev", "renamed_from": ["dev"]})
    [problem] = refusals(channels, ws, obs)
    assert problem.startswith("teams[0].channels[0].name: changing name of ")
    assert "manage_public_channel_properties permission on team.asd/channel.project-dev" in problem


def test_creating_a_channel_needs_the_teams_create_permission() -> None:
    ws = channel_ws({"name": "new", "display_name": "New", "visibility": "private"})
    assert refusals(channels, ws, world()) == []
    [problem] = refusals(channels, ws, world(team_roles=frozenset({"view_team"})))
    assert problem == (
        "teams[0].channels[0].name: creating team.asd/channel.new needs the "
        "create_private_channel permission on team.asd, which mmrc lacks: apply would fail "
        "with 403"
    )


def test_archiving_needs_delete_on_the_channel_declared_or_pruned() -> None:
    declared = channel_ws({"name": "dev", "display_name": "Dev", "archived": True})
    [problem] = refusals(channels, declared, world())
    assert problem.startswith("teams[0].channels[0].archived: archiving team.asd/channel.dev")
    assert "delete_public_channel permission on team.asd/channel.dev" in problem
    assert refusals(channels, declared, world(in_dev=True)) == []
    pruned = channel_ws({"name": "dev", "display_name": "Dev"}, prune={"channels": True})
    [problem] = refusals(channels, pruned, world(in_dev=True))
    assert problem.startswith(
        "teams[0].prune.channels: archiving team.asd/channel.ops (prune.channels) needs the "
        "delete_private_channel permission"
    )


def test_restoring_a_channel_needs_manage_team_or_the_system_console() -> None:
    obs = world()
    add_channel(obs, "asd", "old", "Old", deleted=True)
    ws = channel_ws({"name": "old", "display_name": "Old"})
    [problem] = refusals(channels, ws, obs)
    assert "needs the manage_team or sysconsole_write_user_management_channels permission" in (
        problem
    )
    obs.permissions = SYSTEM_USER | {"sysconsole_write_user_management_channels"}
    assert refusals(channels, ws, obs) == []


def test_a_limited_view_of_private_channels_warns_on_create() -> None:
    obs = world()
    obs.extra[channels.PARTIAL] = True
    ctx = context(channel_ws({"name": "new", "display_name": "New"}), obs)
    plan(channels, ctx)
    assert ctx.warnings == [
        "team.asd/channel.new: this token cannot see every private channel of team.asd; if a "
        "private channel of this name exists, creating it will fail (a team admin's or "
        "system admin's token sees it)"
    ]
    obs = world(team_roles=TEAM_USER | TEAM_ADMIN)  # a team admin finds them by name
    obs.extra[channels.PARTIAL] = True
    ctx = context(channel_ws({"name": "new", "display_name": "New"}), obs)
    plan(channels, ctx)
    assert ctx.warnings == []


# -- memberships ----------------------------------------------------------------------------------


def test_team_members_add_with_add_user_to_team_and_prune_with_remove() -> None:
    obs = world("alice", "bob", team_roles=frozenset({"view_team"}))
    add_member(obs, "team.asd", "bob")
    ws = workspace(asd(members=["alice"], prune={"members": True}))
    assert refusals(team_members, ws, obs) == [
        "teams[0].members[0]: adding alice to team.asd needs the add_user_to_team permission "
        "on team.asd, which mmrc lacks: apply would fail with 403",
        "teams[0].prune.members: removing bob from team.asd (prune.members) needs the "
        "remove_user_from_team permission on team.asd, which mmrc lacks: apply would fail "
        "with 403",
    ]
    assert (
        refusals(team_members, ws, world("alice", "bob", team_roles=TEAM_USER | TEAM_ADMIN)) == []
    )


def test_joining_a_team_itself_needs_a_join_permission_system_wide() -> None:
    obs = world()
    obs.scoped_permissions = {}  # not in team asd (invite-only) yet
    [problem] = refusals(team_members, workspace(asd(members=["mmrc"])), obs)
    assert problem == (
        "teams[0].members[0]: adding mmrc to team.asd needs the join_private_teams permission "
        "(system-wide), which mmrc lacks: apply would fail with 403"
    )


@pytest.mark.parametrize(("in_channel", "expected"), [(True, 0), (False, 1)])
def test_channel_members_need_manage_members_in_the_channel(
    in_channel: bool, expected: int
) -> None:
    obs = world("alice", in_dev=in_channel)
    add_member(obs, "team.asd", "alice")
    ws = channel_ws({"name": "dev", "display_name": "Dev", "members": ["alice"]})
    problems = refusals(channel_members, ws, obs)
    assert len(problems) == expected
    if problems:
        assert problems[0] == (
            "teams[0].channels[0].members[0]: adding alice to team.asd/channel.dev needs the "
            "manage_public_channel_members permission on team.asd/channel.dev, which mmrc "
            "lacks: apply would fail with 403"
        )


def test_a_channel_member_joining_the_team_first_needs_add_user_to_team_too() -> None:
    obs = world("alice", team_roles=frozenset({"view_team"}))
    obs.scoped_permissions["team.asd/channel.ops"] = CHANNEL_USER  # type: ignore[index]
    ws = channel_ws({"name": "ops", "display_name": "Ops", "members": ["alice"]})
    assert refusals(channel_members, ws, obs) == [
        "teams[0].channels[0].members[0]: adding alice to team.asd needs the add_user_to_team "
        "permission on team.asd, which mmrc lacks: apply would fail with 403"
    ]


def test_the_account_joins_a_public_channel_with_join_public_channels() -> None:
    obs = world()
    add_member(obs, "team.asd", "mmrc")
    ws = channel_ws({"name": "dev", "display_name": "Dev", "members": ["mmrc"]})
    assert refusals(channel_members, ws, obs) == []  # team_user has join_public_channels
    obs.scoped_permissions = {"team.asd": frozenset({"view_team"})}
    [problem] = refusals(channel_members, ws, obs)
    assert "needs the join_public_channels permission on team.asd" in problem


def test_pruning_channel_members_needs_manage_members() -> None:
    obs = world("alice", "bob")
    add_member(obs, "team.asd", "alice")
    add_member(obs, "team.asd", "bob")
    add_member(obs, "team.asd/channel.ops", "bob")
    ws = channel_ws({"name": "ops", "display_name": "Ops", "members": []}, prune={"members": True})
    [problem] = refusals(channel_members, ws, obs)
    assert problem.startswith(
        "teams[0].prune.members: removing bob from team.asd/channel.ops (prune.members) needs "
        "the manage_private_channel_members permission"
    )


def test_members_that_cannot_be_read_are_an_error_not_a_guess() -> None:
    obs = world("alice")
    obs.extra[team_members.UNREADABLE] = {"asd"}
    obs.extra[channel_members.UNREADABLE] = {"team.asd/channel.ops"}
    ws = workspace(
        asd(
            members=["alice"],
            channels=[{"name": "ops", "display_name": "Ops", "guests": []}],
        )
    )
    ctx = context(ws, obs)
    plan(team_members, ctx)
    plan(channel_members, ctx)
    assert [e.split(":")[0] for e in errors(ctx)] == [
        "teams[0].members",
        "teams[0].channels[0].guests",
    ]
    assert "cannot be read with this token" in errors(ctx)[1]
