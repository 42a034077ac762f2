"""team_members and channel_members plans on literal observations: adds, implicit members,
guests only where declared, membership order, prune on and off."""

from __future__ import annotations

from typing import Any

from kind_world import (
    BOT_ID,
    ME_ID,
    add_channel,
    add_member,
    add_team,
    by_address,
    context,
    errors,
    observation,
    plan,
    workspace,
)

from reconciler.kinds import channel_members, team_members, teams
from reconciler.kinds.base import Observation
from reconciler.plan import Action

TEAM = "team.asd"
DEV = "team.asd/channel.dev"


def asd(**extra: Any) -> dict[str, Any]:
    return {"name": "asd", "display_name": "ASD", **extra}


def world(*users: str, guests: tuple[str, ...] = ()) -> Observation:
    obs = observation(*users, guests=guests)
    add_team(obs, "asd", "ASD")
    add_channel(obs, "asd", "dev", "Dev")
    add_channel(obs, "asd", "town-square", "Town Square")
    return obs


# -- team members ------------------------------------------------------------------------------


def test_declared_members_missing_from_the_team_are_added() -> None:
    obs = world("alice", "bob")
    add_member(obs, TEAM, "alice")
    ctx = context(workspace(asd(members=["alice", "bob"])), obs)
    [change] = plan(team_members, ctx)
    assert (change.address, change.action) == ("team.asd/member.bob", Action.CREATE)
    assert change.after == {"username": "bob", "role": "member"}
    assert ctx.unmanaged_addresses == []


def test_the_applying_account_and_bots_are_implicit_members() -> None:
    obs = world("alice")
    add_member(obs, TEAM, "alice")
    add_member(obs, TEAM, "mmrc")
    add_member(obs, TEAM, "some-bot")
    assert obs.get("team.asd/member.mmrc").id == ME_ID  # type: ignore[union-attr]
    assert obs.get("team.asd/member.some-bot").id == BOT_ID  # type: ignore[union-attr]
    for prune in (False, True):
        ws = workspace(asd(members=["alice"], prune={"members": prune}))
        ctx = context(ws, obs)
        assert plan(team_members, ctx) == []
        assert ctx.unmanaged_addresses == []


def test_undeclared_members_are_listed_without_prune_and_removed_with_it() -> None:
    obs = world("alice", "bob")
    add_member(obs, TEAM, "alice")
    add_member(obs, TEAM, "bob")
    ctx = context(workspace(asd(members=["alice"])), obs)
    assert plan(team_members, ctx) == []
    assert ctx.unmanaged_addresses == ["team.asd/member.bob"]
    ctx = context(workspace(asd(members=["alice"], prune={"members": True})), obs)
    [change] = plan(team_members, ctx)
    assert (change.address, change.action, change.after) == (
        "team.asd/member.bob",
        Action.REMOVE,
        None,
    )
    assert change.before == {"username": "bob", "role": "member"}
    assert "removes the user from all its channels" in change.notes[0]


def test_team_membership_is_not_managed_when_neither_list_is_declared() -> None:
    obs = world("alice")
    add_member(obs, TEAM, "alice")
    ctx = context(workspace(asd(prune={"members": True})), obs)
    assert plan(team_members, ctx) == []
    assert ctx.unmanaged_addresses == []


def test_guests_are_managed_only_where_declared() -> None:
    obs = world("alice", guests=("carol",))
    add_member(obs, TEAM, "alice")
    add_member(obs, TEAM, "carol", guest=True)
    # members declared, guests not: the live guest is neither removed nor listed
    ctx = context(workspace(asd(members=["alice"], prune={"members": True})), obs)
    assert plan(team_members, ctx) == []
    assert ctx.unmanaged_addresses == []
    # guests declared (empty), members not: the guest goes, the member stays
    ctx = context(workspace(asd(guests=[], prune={"members": True})), obs)
    [change] = plan(team_members, ctx)
    assert (change.address, change.action) == ("team.asd/guest.carol", Action.REMOVE)


def test_a_guest_under_members_or_a_member_under_guests_is_an_error() -> None:
    obs = world("alice", guests=("carol",))
    ctx = context(workspace(asd(members=["carol"], guests=["alice"])), obs)
    assert plan(team_members, ctx) == []
    assert errors(ctx) == [
        "teams[0].members[0]: user 'carol' is a guest account; list it under guests",
        "teams[0].guests[0]: user 'alice' is not a guest account; list it under members",
    ]


def test_unknown_users_are_skipped_here_the_engine_reports_them() -> None:
    ctx = context(workspace(asd(members=["nobody"])), world())
    assert plan(team_members, ctx) == []
    assert ctx.errors == []


def test_the_applying_account_is_not_added_to_a_team_it_creates() -> None:
    obs = observation("alice")
    ctx = context(workspace(asd(members=["mmrc", "alice"])), obs)
    plan(teams, ctx)
    changes = plan(team_members, ctx)
    assert [c.address for c in changes] == ["team.asd/member.alice"]


# -- channel members ---------------------------------------------------------------------------


def channel(**extra: Any) -> dict[str, Any]:
    return {"name": "dev", "display_name": "Dev", **extra}


def test_a_channel_member_already_on_the_team_joins_the_channel_only() -> None:
    obs = world("alice")
    add_member(obs, TEAM, "alice")
    ctx = context(workspace(asd(channels=[channel(members=["alice"])])), obs)
    [change] = plan(channel_members, ctx)
    assert (change.address, change.action) == ("team.asd/channel.dev/member.alice", Action.CREATE)
    assert change.after == {"username": "alice", "role": "member", "join_team": False}
    assert change.notes == ()


def test_a_channel_member_not_on_the_team_joins_the_team_first() -> None:
    obs = world("alice")
    ctx = context(workspace(asd(channels=[channel(members=["alice"])])), obs)
    [change] = plan(channel_members, ctx)
    assert change.after is not None and change.after["join_team"] is True
    assert change.notes == ("joins team asd first",)


def test_a_team_membership_planned_earlier_makes_the_team_join_unneeded() -> None:
    obs = world("alice")
    ctx = context(workspace(asd(members=["alice"], channels=[channel(members=["alice"])])), obs)
    plan(team_members, ctx)
    [change] = plan(channel_members, ctx)
    assert change.after is not None and change.after["join_team"] is False
    assert ctx.order_of("team_member") < ctx.order_of("channel_member")


def test_a_channel_member_the_plan_removes_from_the_team_is_an_error() -> None:
    obs = world("alice", "bob")
    add_member(obs, TEAM, "alice")
    add_member(obs, TEAM, "bob")
    ws = workspace(
        asd(members=["alice"], prune={"members": True}, channels=[channel(members=["bob"])])
    )
    ctx = context(ws, obs)
    plan(team_members, ctx)
    assert plan(channel_members, ctx) == []
    assert errors(ctx) == [
        "teams[0].channels[0].members[0]: user 'bob' is declared in this channel but the "
        "plan removes them from team 'asd'"
    ]


def test_implicit_channel_members_never_drift() -> None:
    obs = world("alice", "bob", guests=("carol",))
    square = "team.asd/channel.town-square"
    for username in ("alice", "bob", "mmrc", "some-bot"):
        add_member(obs, square, username)
    add_member(obs, square, "carol", guest=True)
    add_member(obs, DEV, "mmrc")
    add_member(obs, DEV, "some-bot")
    ws = workspace(
        asd(
            prune={"members": True},
            channels=[
                channel(members=[]),
                {"name": "town-square", "display_name": "Town Square", "members": [], "guests": []},
            ],
        )
    )
    ctx = context(ws, obs)
    # every team member sits in town-square by construction; a guest does not
    [change] = plan(channel_members, ctx)
    assert (change.address, change.action) == (
        "team.asd/channel.town-square/guest.carol",
        Action.REMOVE,
    )


def test_guests_join_only_the_channels_that_name_them() -> None:
    obs = world(guests=("carol",))
    add_member(obs, TEAM, "carol", guest=True)
    add_channel(obs, "asd", "project-x", "X", type_="P")
    ws = workspace(
        asd(
            guests=["carol"],
            channels=[
                channel(members=[]),
                {"name": "project-x", "display_name": "X", "guests": ["carol"]},
                {"name": "town-square", "display_name": "Town Square"},
            ],
        )
    )
    ctx = context(ws, obs)
    plan(team_members, ctx)
    changes = plan(channel_members, ctx)
    assert [c.address for c in changes] == ["team.asd/channel.project-x/guest.carol"]


def test_undeclared_channel_members_are_listed_or_pruned() -> None:
    obs = world("alice", "bob")
    add_member(obs, TEAM, "alice")
    add_member(obs, TEAM, "bob")
    add_member(obs, DEV, "alice")
    add_member(obs, DEV, "bob")
    ctx = context(workspace(asd(channels=[channel(members=["alice"])])), obs)
    assert plan(channel_members, ctx) == []
    assert ctx.unmanaged_addresses == ["team.asd/channel.dev/member.bob"]
    ws = workspace(asd(prune={"members": True}, channels=[channel(members=["alice"])]))
    ctx = context(ws, obs)
    [change] = plan(channel_members, ctx)
    assert (change.address, change.action) == ("team.asd/channel.dev/member.bob", Action.REMOVE)


def test_members_of_an_archived_or_new_channel() -> None:
    obs = world("alice")
    add_member(obs, TEAM, "alice")
    ws = workspace(
        asd(
            channels=[
                channel(members=["alice"], archived=True),
                {"name": "new", "display_name": "New", "members": ["alice", "mmrc"]},
            ]
        )
    )
    ctx = context(ws, obs)
    changes = by_address(plan(channel_members, ctx))
    # the archived channel is left alone; the creator of a new channel is in it already
    assert list(changes) == ["team.asd/channel.new/member.alice"]


def test_an_empty_list_without_prune_removes_no_one_and_the_plan_says_so() -> None:
    obs = world("alice", "bob")
    add_member(obs, TEAM, "alice")
    add_member(obs, TEAM, "bob")
    add_member(obs, DEV, "alice")
    ctx = context(workspace(asd(members=[], channels=[channel(members=[])])), obs)
    assert plan(team_members, ctx) == [] and plan(channel_members, ctx) == []
    assert ctx.warnings == [
        "team.asd: members: [] adds no one and removes no one: without prune.members: true "
        "its 2 members stay (listed as unmanaged); set prune.members: true to empty it",
        "team.asd/channel.dev: members: [] adds no one and removes no one: without "
        "prune.members: true its 1 member stays (listed as unmanaged); set prune.members: true "
        "to empty it",
    ]
    pruned = context(workspace(asd(members=[], prune={"members": True})), obs)
    removed = plan(team_members, pruned)
    assert sorted(c.address for c in removed) == ["team.asd/member.alice", "team.asd/member.bob"]
    assert pruned.warnings == []
    # a non-empty list says who is added; the rest is listed as unmanaged, without a warning
    listed = context(workspace(asd(members=["alice"])), obs)
    assert plan(team_members, listed) == [] and listed.warnings == []
