"""The guards of engine/safety.py on literal plans and observations: each threshold at and
just past its limit, prevent_archive on the channel and on the team, the applying account."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.engine.safety import archive_guard_errors, check_safety, unsafe_reasons
from reconciler.errors import Diagnostic, UnsafePlanError
from reconciler.kinds.base import LiveObject, Observation, PlanContext, PlanOptions
from reconciler.plan import Action, FieldChange, Plan, ResourceChange
from reconciler.workspace.models import Workspace

TEAM = "team.asd"


def live(address: str, kind: str, *, archived: bool = False, **data: Any) -> LiveObject:
    return LiveObject(address, kind, f"id-{address}", dict(data), {}, "asd", archived)


def world(channels: int = 0, members: int = 0, channel_members: int = 0) -> Observation:
    """Team asd with `channels` live channels c0.., `members` team members u0.. and
    `channel_members` members of channel c0; one archived channel that never counts."""
    obs = Observation()
    obs.me = {"id": "me", "username": "mmrc", "roles": "system_user system_admin"}
    obs.add(live(TEAM, "team"))
    for i in range(channels):
        obs.add(live(f"{TEAM}/channel.c{i}", "channel", name=f"c{i}"))
    obs.add(live(f"{TEAM}/channel.old", "channel", archived=True, name="old"))
    for i in range(members):
        obs.add(live(f"{TEAM}/member.u{i}", "team_member", username=f"u{i}", role="member"))
    for i in range(channel_members):
        address = f"{TEAM}/channel.c0/member.u{i}"
        obs.add(live(address, "channel_member", username=f"u{i}", role="member"))
    return obs


def archives(count: int) -> list[ResourceChange]:
    return [
        ResourceChange(f"{TEAM}/channel.c{i}", "channel", Action.ARCHIVE, {"name": f"c{i}"}, None)
        for i in range(count)
    ]


def removals(parent: str, kind: str, count: int) -> list[ResourceChange]:
    return [
        ResourceChange(
            f"{parent}/member.u{i}",
            kind,
            Action.REMOVE,
            {"username": f"u{i}", "role": "member"},
            None,
        )
        for i in range(count)
    ]


def reasons(changes: list[ResourceChange], obs: Observation, **options: Any) -> list[str]:
    return unsafe_reasons(Plan(changes=tuple(changes)), obs, PlanOptions(**options))


# -- thresholds ----------------------------------------------------------------------------------


def test_archiving_exactly_the_default_share_passes_and_one_more_is_refused() -> None:
    obs = world(channels=12)  # 25% of 12 = 3; the archived channel is not counted
    assert reasons(archives(3), obs) == []
    assert reasons(archives(4), obs) == ["team.asd: archives 4 of its 12 channels (more than 25%)"]


def test_the_archive_share_is_an_option() -> None:
    obs = world(channels=10)
    assert reasons(archives(5), obs, max_archive_share=0.5, max_archives=9) == []
    assert reasons(archives(6), obs, max_archive_share=0.5, max_archives=9) == [
        "team.asd: archives 6 of its 10 channels (more than 50%)"
    ]


def test_shares_apply_only_from_the_floor_on() -> None:
    # 1 of 2 members is 50%, 3 of 9 channels is 33%: below 10 live objects, no share applies
    assert reasons(removals(TEAM, "team_member", 1), world(members=2)) == []
    assert reasons(archives(3), world(channels=9)) == []
    assert reasons(archives(3), world(channels=10)) == [
        "team.asd: archives 3 of its 10 channels (more than 25%)"
    ]
    assert reasons(archives(3), world(channels=9), share_floor=9) == [
        "team.asd: archives 3 of its 9 channels (more than 25%)"
    ]


def test_the_absolute_caps_apply_at_any_size() -> None:
    assert reasons(archives(5), world(channels=8)) == []
    assert reasons(archives(6), world(channels=8)) == [
        "team.asd: archives 6 of its 8 channels (more than 5 at once)"
    ]
    assert reasons(archives(6), world(channels=1000)) == [
        "team.asd: archives 6 of its 1000 channels (more than 5 at once)"
    ]
    assert reasons(removals(TEAM, "team_member", 10), world(members=1000)) == []
    assert reasons(removals(TEAM, "team_member", 11), world(members=1000)) == [
        "team.asd: removes 11 of its 1000 members (more than 10 at once)"
    ]


def test_removing_team_members_at_and_just_past_the_share() -> None:
    obs = world(members=16)
    assert reasons(removals(TEAM, "team_member", 4), obs) == []
    assert reasons(removals(TEAM, "team_member", 5), obs) == [
        "team.asd: removes 5 of its 16 members (more than 25%)"
    ]
    assert reasons(removals(TEAM, "team_member", 5), obs, max_member_removal_share=0.3125) == []


def test_removing_channel_members_counts_per_channel() -> None:
    channel = f"{TEAM}/channel.c0"
    obs = world(channels=1, members=100, channel_members=12)
    assert reasons(removals(channel, "channel_member", 3), obs) == []
    assert reasons(removals(channel, "channel_member", 4), obs) == [
        "team.asd/channel.c0: removes 4 of its 12 members (more than 25%)"
    ]


def test_team_and_channel_removals_are_counted_apart() -> None:
    obs = world(channels=1, members=12, channel_members=12)
    changes = removals(TEAM, "team_member", 3) + removals(f"{TEAM}/channel.c0", "channel_member", 3)
    assert reasons(changes, obs) == []


def test_public_to_private_is_refused_and_private_to_public_is_not() -> None:
    obs = world(channels=1)

    def visibility(before: str, after: str) -> ResourceChange:
        return ResourceChange(
            f"{TEAM}/channel.c0",
            "channel",
            Action.UPDATE,
            {"visibility": before},
            {"visibility": after},
            (FieldChange("visibility", before, after),),
        )

    assert reasons([visibility("public", "private")], obs) == [
        "team.asd/channel.c0: makes a public channel private (its history is hidden from "
        "non-members)"
    ]
    assert reasons([visibility("private", "public")], obs) == []


def test_removing_the_applying_account_is_refused_whatever_the_share() -> None:
    obs = world(channels=1, members=100, channel_members=100)
    mine = [
        ResourceChange(f"{TEAM}/member.mmrc", "team_member", Action.REMOVE, {"username": "mmrc"}),
        ResourceChange(
            f"{TEAM}/channel.c0/member.mmrc",
            "channel_member",
            Action.REMOVE,
            {"username": "mmrc"},
        ),
    ]
    assert reasons(mine, obs) == [
        "team.asd/member.mmrc: removes the applying account (mmrc) and with it its admin "
        "rights there",
        "team.asd/channel.c0/member.mmrc: removes the applying account (mmrc) and with it "
        "its admin rights there",
    ]


def test_check_safety_raises_with_every_reason_unless_overridden() -> None:
    obs = world(channels=10, members=10)
    plan = Plan(changes=tuple(archives(3) + removals(TEAM, "team_member", 3)))
    with pytest.raises(UnsafePlanError) as raised:
        check_safety(plan, obs, PlanOptions())
    assert raised.value.reasons == (
        "team.asd: archives 3 of its 10 channels (more than 25%)",
        "team.asd: removes 3 of its 10 members (more than 25%)",
    )
    assert "--allow-destructive" in str(raised.value)
    check_safety(plan, obs, PlanOptions(allow_destructive=True))  # no exception


# -- prevent_archive -----------------------------------------------------------------------------


def guard_errors(team: dict[str, Any], changes: list[ResourceChange]) -> list[Diagnostic]:
    ws = Workspace.model_validate({"version": 1, "policy": {"classes": {}}, "teams": [team]})
    context = PlanContext(workspace=ws, observation=Observation(), changes=list(changes))
    archive_guard_errors(context)
    assert all(isinstance(e, Diagnostic) for e in context.errors)
    return [e for e in context.errors if isinstance(e, Diagnostic)]


def archive(channel: str, team: str | None = "asd") -> ResourceChange:
    return ResourceChange(f"team.asd/channel.{channel}", "channel", Action.ARCHIVE, team=team)


def test_prevent_archive_on_the_channel_refuses_its_archive() -> None:
    team = {
        "name": "asd",
        "display_name": "ASD",
        "channels": [
            {"name": "a", "display_name": "A"},
            {"name": "b", "display_name": "B", "archived": True, "prevent_archive": True},
        ],
    }
    [error] = guard_errors(team, [archive("b")])
    assert error.path == "teams[0].channels[1].prevent_archive"
    assert error.message == "the plan archives team.asd/channel.b, which sets prevent_archive: true"
    assert guard_errors(team, [archive("a")]) == []


def test_prevent_archive_on_the_team_survives_the_channel_leaving_the_file() -> None:
    team = {
        "name": "asd",
        "display_name": "ASD",
        "prune": {"channels": True},
        "prevent_archive": ["x", "b"],
        "channels": [{"name": "a", "display_name": "A"}],
    }
    [error] = guard_errors(team, [archive("b")])
    assert error.path == "teams[0].prevent_archive[1]"
    assert "which team 'asd' lists in prevent_archive" in error.message
    assert guard_errors(team, [archive("c")]) == []


def test_prevent_archive_ignores_other_actions_and_kinds() -> None:
    team = {"name": "asd", "display_name": "ASD", "prevent_archive": ["b"]}
    others = [
        ResourceChange("team.asd/channel.b", "channel", Action.UPDATE, team="asd"),
        ResourceChange("team.asd/channel.b/member.x", "channel_member", Action.REMOVE, team="asd"),
    ]
    assert guard_errors(team, others) == []
