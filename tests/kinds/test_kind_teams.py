"""teams.plan on literal observations: create, update, privacy, restore, rename refusal."""

from __future__ import annotations

from kind_world import add_team, by_address, context, errors, observation, plan, workspace

from reconciler.kinds import teams
from reconciler.plan import Action, FieldChange


def test_a_team_not_on_the_server_is_created_with_its_declared_fields() -> None:
    ws = workspace({"name": "asd", "display_name": "ASD", "visibility": "open"})
    ctx = context(ws, observation())
    [change] = plan(teams, ctx)
    assert (change.address, change.action, change.team) == ("team.asd", Action.CREATE, "asd")
    assert change.before is None
    assert change.after == {"name": "asd", "display_name": "ASD", "visibility": "open"}
    assert change.changed_fields == ("name", "display_name", "visibility")
    assert change.order == ctx.order_of("team")


def test_only_changed_declared_fields_are_updated() -> None:
    obs = observation()
    add_team(obs, "asd", "ASD", description="old", allowed_domains="a.example")
    ws = workspace({"name": "asd", "display_name": "ASD", "description": "new"})
    [change] = plan(teams, context(ws, obs))
    assert change.action is Action.UPDATE
    assert change.fields == (FieldChange("description", "old", "new"),)
    assert change.after is not None and change.after["allowed_domains"] == ["a.example"]
    assert change.notes == ()


def test_a_team_that_matches_plans_nothing() -> None:
    obs = observation()
    add_team(obs, "asd", "ASD", type_="O", open_invite=True, allowed_domains="b.example, a.example")
    ws = workspace(
        {
            "name": "asd",
            "display_name": "ASD",
            "visibility": "open",
            "description": "",
            "allowed_domains": ["a.example", "b.example"],
        }
    )
    ctx = context(ws, obs)
    assert plan(teams, ctx) == []
    assert ctx.errors == [] and ctx.unmanaged_addresses == []


def test_allowed_domains_compare_as_a_case_insensitive_set() -> None:
    # Mattermost splits the list on spaces, commas and @, and compares domains lowercased
    obs = observation()
    add_team(obs, "asd", "ASD", allowed_domains="@Partner.Example  ASD-PMA.nl")
    ws = workspace(
        {"name": "asd", "display_name": "ASD", "allowed_domains": ["asd-pma.NL", "partner.example"]}
    )
    assert plan(teams, context(ws, obs)) == []


def test_visibility_is_the_type_and_open_invite_pair_with_a_privacy_note() -> None:
    obs = observation()
    add_team(obs, "asd", "ASD", type_="O", open_invite=True)
    ws = workspace({"name": "asd", "display_name": "ASD", "visibility": "invite-only"})
    [change] = plan(teams, context(ws, obs))
    assert change.fields == (FieldChange("visibility", "open", "invite-only"),)
    assert change.notes == (teams.PRIVACY_NOTE,)
    # type O without open invite is not open: it already is invite-only
    obs = observation()
    add_team(obs, "asd", "ASD", type_="O", open_invite=False)
    assert plan(teams, context(ws, obs)) == []


def test_a_deleted_team_holding_the_name_is_restored_not_created() -> None:
    obs = observation()
    add_team(obs, "asd", "ASD", deleted=True)
    ws = workspace({"name": "asd", "display_name": "ASD"})
    [change] = plan(teams, context(ws, obs))
    assert change.action is Action.RESTORE
    assert change.fields == ()
    assert "restored" in change.notes[0]
    ws = workspace({"name": "asd", "display_name": "ASD-PMA"})
    [change] = plan(teams, context(ws, obs))
    assert change.action is Action.RESTORE
    assert change.changed_fields == ("display_name",)


def test_a_team_rename_is_an_error_not_a_second_team() -> None:
    obs = observation()
    add_team(obs, "asd", "ASD-PMA")
    ws = workspace({"name": "asd-pma", "display_name": "ASD-PMA"})
    ctx = context(ws, obs)
    assert plan(teams, ctx) == []
    [problem] = errors(ctx)
    assert problem.startswith("teams[0].name: team 'asd-pma' does not exist")
    assert "cannot be changed over the Mattermost API" in problem
    assert ctx.errors[0].hint is not None and "keep `name: asd`" in ctx.errors[0].hint  # type: ignore[union-attr]


def test_a_new_team_with_its_own_display_name_is_no_rename() -> None:
    obs = observation()
    add_team(obs, "asd", "ASD-PMA")
    add_team(obs, "old", "Partners", deleted=True)  # deleted teams are no suspects
    ws = workspace(
        {"name": "asd", "display_name": "ASD-PMA"},
        {"name": "partners", "display_name": "Partners"},
    )
    ctx = context(ws, obs)
    changes = by_address(plan(teams, ctx))
    assert changes["team.partners"].action is Action.CREATE
    assert ctx.errors == []


def test_undeclared_live_teams_are_unmanaged_and_deleted_ones_ignored() -> None:
    obs = observation()
    add_team(obs, "asd", "ASD")
    add_team(obs, "other", "Other")
    add_team(obs, "gone", "Gone", deleted=True)
    ctx = context(workspace({"name": "asd", "display_name": "ASD"}), obs)
    assert plan(teams, ctx) == []
    assert ctx.unmanaged_addresses == ["team.other"]
