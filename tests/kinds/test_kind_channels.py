"""channels.plan on literal observations: create, update, rename by id, restore, privacy,
archive, town-square rules, prune and the unmanaged list."""

from __future__ import annotations

from typing import Any

from kind_world import (
    add_channel,
    add_team,
    by_address,
    context,
    errors,
    observation,
    plan,
    workspace,
)

from reconciler.kinds import channels, teams
from reconciler.kinds.base import Observation
from reconciler.plan import Action, FieldChange


def team(*channel_list: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": "asd", "display_name": "ASD", "channels": list(channel_list), **extra}


def live_asd() -> Observation:
    obs = observation()
    add_team(obs, "asd", "ASD")
    return obs


def test_a_new_channel_is_created_with_every_declared_field() -> None:
    ws = workspace(team({"name": "dev", "display_name": "Dev", "visibility": "private"}))
    ctx = context(ws, live_asd())
    [change] = plan(channels, ctx)
    assert (change.address, change.action) == ("team.asd/channel.dev", Action.CREATE)
    assert change.after == {"name": "dev", "display_name": "Dev", "visibility": "private"}
    assert change.team == "asd" and change.order == ctx.order_of("channel")


def test_an_update_touches_only_declared_fields_that_differ() -> None:
    obs = live_asd()
    add_channel(obs, "asd", "dev", "Dev", purpose="old", header="by hand")
    ws = workspace(team({"name": "dev", "display_name": "Dev", "purpose": "new"}))
    [change] = plan(channels, context(ws, obs))
    assert change.action is Action.UPDATE
    assert change.fields == (FieldChange("purpose", "old", "new"),)
    assert change.after is not None and change.after["header"] == "by hand"
    ws = workspace(team({"name": "dev", "display_name": "Dev", "purpose": "old"}))
    assert plan(channels, context(ws, obs)) == []


def test_renamed_from_finds_the_live_channel_and_renames_it_by_id() -> None:
    obs = live_asd()
    old = add_channel(obs, "asd", "support", "Support", purpose="p")
    ws = workspace(
        team(
            {
                "name": "team-support",
                "display_name": "Support",
                "purpose": "p",
                "renamed_from": ["help", "support"],
            }
        )
    )
    ctx = context(ws, obs)
    channels._resolve_renames(ctx)  # what observe does after reading
    assert obs.aliases == {"team.asd/channel.team-support": "team.asd/channel.support"}
    assert obs.resolve("team.asd/channel.team-support") is old
    [change] = plan(channels, ctx)
    assert (change.address, change.action) == ("team.asd/channel.team-support", Action.RENAME)
    assert change.fields == (FieldChange("name", "support", "team-support"),)
    assert change.notes == ("renamed from 'support' (same channel, by id)",)
    assert ctx.unmanaged_addresses == []  # the old name is claimed, not left over


def test_an_old_name_that_is_still_declared_is_not_a_rename_source() -> None:
    obs = live_asd()
    add_channel(obs, "asd", "dev", "Dev")
    ws = workspace(
        team(
            {"name": "dev", "display_name": "Dev"},
            {"name": "project-dev", "display_name": "Dev 2", "renamed_from": ["dev"]},
        )
    )
    ctx = context(ws, obs)
    channels._resolve_renames(ctx)
    assert obs.aliases == {}
    assert by_address(plan(channels, ctx))["team.asd/channel.project-dev"].action is Action.CREATE


def test_an_archived_channel_holding_the_name_is_restored() -> None:
    obs = live_asd()
    add_channel(obs, "asd", "dev", "Dev", purpose="old", deleted=True)
    ws = workspace(team({"name": "dev", "display_name": "Dev", "purpose": "new"}))
    [change] = plan(channels, context(ws, obs))
    assert change.action is Action.RESTORE
    assert change.fields == (FieldChange("purpose", "old", "new"),)
    assert change.notes[0].startswith("an archived channel holds this name")
    # nothing else to change: still restored
    ws = workspace(team({"name": "dev", "display_name": "Dev"}))
    [change] = plan(channels, context(ws, obs))
    assert (change.action, change.fields) == (Action.RESTORE, ())


def test_public_to_private_has_a_privacy_note_and_a_warning() -> None:
    obs = live_asd()
    add_channel(obs, "asd", "dev", "Dev", type_="O")
    ws = workspace(team({"name": "dev", "display_name": "Dev", "visibility": "private"}))
    ctx = context(ws, obs)
    [change] = plan(channels, ctx)
    assert change.fields == (FieldChange("visibility", "public", "private"),)
    assert change.notes == (channels.PRIVACY_NOTE,)
    assert ctx.warnings == [
        "team.asd/channel.dev: public → private hides the channel's history from everyone "
        "who is not a member"
    ]


def test_private_to_public_has_the_note_and_a_warning() -> None:
    obs = live_asd()
    add_channel(obs, "asd", "dev", "Dev", type_="P")
    ws = workspace(team({"name": "dev", "display_name": "Dev", "visibility": "public"}))
    ctx = context(ws, obs)
    [change] = plan(channels, ctx)
    assert change.notes == (channels.PRIVACY_NOTE,)
    assert ctx.warnings == [
        "team.asd/channel.dev: private → public opens the channel and its whole history to "
        "everyone in the team (and to anyone who joins it later)"
    ]


def test_a_new_channel_without_visibility_shows_public_after_its_names() -> None:
    ws = workspace(team({"name": "dev", "display_name": "Dev", "purpose": "p"}))
    [change] = plan(channels, context(ws, live_asd()))
    assert change.action is Action.CREATE
    assert [f.field for f in change.fields] == ["name", "display_name", "visibility", "purpose"]
    assert change.after == {
        "name": "dev",
        "display_name": "Dev",
        "visibility": "public",
        "purpose": "p",
    }


def test_visibility_comes_from_the_naming_class_when_not_written() -> None:
    obs = live_asd()
    add_channel(obs, "asd", "alert-db", "DB", type_="P")
    ws = workspace(
        team({"name": "alert-db", "display_name": "DB"}),
        policy={"classes": {"alert": {"visibility": "public"}}},
    )
    [change] = plan(channels, context(ws, obs))
    assert change.fields == (FieldChange("visibility", "private", "public"),)


def test_archived_true_archives_once_and_warns_when_absent() -> None:
    obs = live_asd()
    add_channel(obs, "asd", "old", "Old")
    add_channel(obs, "asd", "older", "Older", deleted=True)
    ws = workspace(
        team(
            {"name": "old", "display_name": "Old", "archived": True},
            {"name": "older", "display_name": "Older", "archived": True},
            {"name": "never", "display_name": "Never", "archived": True},
        )
    )
    ctx = context(ws, obs)
    [change] = plan(channels, ctx)
    assert (change.address, change.action, change.after) == (
        "team.asd/channel.old",
        Action.ARCHIVE,
        None,
    )
    assert ctx.warnings == [
        "team.asd/channel.never: declared archived but not on the server; nothing to do"
    ]


def test_town_square_can_be_neither_private_nor_archived() -> None:
    obs = live_asd()
    add_channel(obs, "asd", "town-square", "Town Square")
    ws = workspace(
        team(
            {
                "name": "town-square",
                "display_name": "Town Square",
                "visibility": "private",
                "archived": True,
            }
        )
    )
    ctx = context(ws, obs)
    plan(channels, ctx)
    assert errors(ctx) == [
        "teams[0].channels[0].visibility: town-square cannot be made private (Mattermost forbids it)",
        "teams[0].channels[0].archived: town-square cannot be archived (Mattermost forbids it)",
    ]


def test_default_channels_of_a_new_team_are_updated_not_created() -> None:
    ws = workspace(
        team(
            {"name": "town-square", "display_name": "Lobby", "purpose": "hi"},
            {"name": "dev", "display_name": "Dev"},
        )
    )
    ctx = context(ws, observation())
    plan(teams, ctx)
    changes = by_address(plan(channels, ctx))
    lobby = changes["team.asd/channel.town-square"]
    assert lobby.action is Action.UPDATE
    assert lobby.changed_fields == ("display_name", "purpose")
    assert "Mattermost creates this channel with the team" in lobby.notes[0]
    assert changes["team.asd/channel.dev"].action is Action.CREATE


def test_undeclared_channels_are_unmanaged_without_prune() -> None:
    obs = live_asd()
    add_channel(obs, "asd", "dev", "Dev")
    add_channel(obs, "asd", "random", "Random")
    add_channel(obs, "asd", "gone", "Gone", deleted=True)
    ctx = context(workspace(team({"name": "dev", "display_name": "Dev"})), obs)
    assert plan(channels, ctx) == []
    assert ctx.unmanaged_addresses == ["team.asd/channel.random"]


def test_prune_archives_undeclared_channels_but_never_the_default_ones() -> None:
    obs = live_asd()
    for name in ("town-square", "off-topic", "dev", "random"):
        add_channel(obs, "asd", name)
    add_channel(obs, "asd", "gone", deleted=True)
    ws = workspace(team({"name": "dev", "display_name": "Dev"}, prune={"channels": True}))
    ctx = context(ws, obs)
    [change] = plan(channels, ctx)
    assert (change.address, change.action) == ("team.asd/channel.random", Action.ARCHIVE)
    assert change.notes == ("not in the file, and prune.channels is on",)
    assert ctx.unmanaged_addresses == ["team.asd/channel.town-square", "team.asd/channel.off-topic"]


def test_channels_of_other_teams_are_not_this_teams_business() -> None:
    obs = live_asd()
    add_team(obs, "other", "Other")
    add_channel(obs, "other", "random")
    ws = workspace(team(prune={"channels": True}))
    ctx = context(ws, obs)
    assert plan(channels, ctx) == []
    assert ctx.unmanaged_addresses == []
