"""moderation.plan on literal observations: declared settings only, licence and permission,
settings the higher scope does not grant, channels not created yet."""

from __future__ import annotations

from typing import Any

from kind_world import (
    add_channel,
    add_moderation,
    add_team,
    context,
    errors,
    observation,
    plan,
    workspace,
)

from reconciler.kinds import moderation
from reconciler.kinds.base import Observation
from reconciler.plan import Action, FieldChange

DEV = "team.asd/channel.dev"
LIVE = {
    "guests.post": True,
    "guests.reactions": True,
    "guests.channel_mentions": True,
    "members.post": True,
    "members.reactions": True,
    "members.channel_mentions": True,
    "members.manage_members": True,
}


def ws_with(mod: dict[str, Any] | None = None, **top: Any) -> Any:
    chan: dict[str, Any] = {"name": "dev", "display_name": "Dev"}
    if mod is not None:
        chan["moderation"] = mod
    return workspace({"name": "asd", "display_name": "ASD", "channels": [chan]}, **top)


def world(**options: Any) -> Observation:
    obs = observation(**options)
    add_team(obs, "asd", "ASD")
    add_channel(obs, "asd", "dev", "Dev")
    return obs


def test_only_declared_settings_that_differ_are_patched() -> None:
    obs = world()
    add_moderation(obs, DEV, LIVE)
    ctx = context(ws_with({"guests": {"channel_mentions": False}, "members": {"post": True}}), obs)
    [change] = plan(moderation, ctx)
    assert (change.address, change.action) == (f"{DEV}/moderation", Action.UPDATE)
    assert change.fields == (FieldChange("guests.channel_mentions", True, False),)


def test_no_moderation_declared_plans_nothing_even_unlicensed() -> None:
    ctx = context(ws_with(None), world(licensed=False))
    assert plan(moderation, ctx) == []
    assert ctx.errors == []


def test_an_unlicensed_server_is_a_plan_time_error_at_the_field() -> None:
    ctx = context(ws_with({"guests": {"post": False}}), world(licensed=False))
    assert plan(moderation, ctx) == []
    [problem] = errors(ctx)
    assert problem.startswith(
        "teams[0].channels[0].moderation: channel moderation needs a licensed"
    )


def test_moderation_from_a_naming_class_says_so() -> None:
    policy = {"classes": {"alert": {"moderation": {"members": {"post": False}}}}}
    ws = workspace(
        {
            "name": "asd",
            "display_name": "ASD",
            "channels": [{"name": "alert-x", "display_name": "X"}],
        },
        policy=policy,
    )
    ctx = context(ws, world(licensed=False))
    plan(moderation, ctx)
    [problem] = errors(ctx)
    assert problem.startswith("teams[0].channels[0]: channel moderation (from its naming class)")


def test_a_change_without_the_write_permission_is_an_error() -> None:
    obs = world(admin=False)
    obs.permissions = frozenset({moderation.READ_PERMISSION})
    add_moderation(obs, DEV, LIVE)
    ctx = context(ws_with({"guests": {"post": False}}), obs)
    assert plan(moderation, ctx) == []
    assert errors(ctx) == [
        "teams[0].channels[0].moderation: channel moderation needs the "
        "sysconsole_write_user_management_channels permission (system-wide), which mmrc "
        "lacks: apply would fail with 403"
    ]
    # a token that only plans (--no-permission-check) gets the plan
    ctx = context(ws_with({"guests": {"post": False}}), obs, check_permissions=False)
    assert len(plan(moderation, ctx)) == 1 and ctx.errors == []


def test_reading_without_writing_is_fine_when_nothing_changes() -> None:
    obs = world(admin=False)  # e.g. a read-only system admin planning in CI
    obs.permissions = frozenset({moderation.READ_PERMISSION})
    add_moderation(obs, DEV, LIVE)
    ctx = context(ws_with({"guests": {"post": True}}), obs)
    assert plan(moderation, ctx) == []
    assert ctx.errors == []


def test_enabling_what_the_scheme_does_not_grant_is_an_error() -> None:
    obs = world()
    add_moderation(obs, DEV, {**LIVE, "guests.post": False}, enabled={"guests.post": False})
    ctx = context(ws_with({"guests": {"post": True}}), obs)
    plan(moderation, ctx)
    [problem] = errors(ctx)
    assert "guests.post: true is not granted by the team/system permission scheme" in problem


def test_a_channel_without_moderation_read_yet_gets_every_declared_setting() -> None:
    obs = world()  # the channel is new (or was not read): nothing live to compare
    mod = {"guests": {"post": True}, "members": {"manage_members": False}}
    [change] = plan(moderation, context(ws_with(mod), obs))
    assert change.before is None
    assert change.fields == (
        FieldChange("guests.post", None, True),
        FieldChange("members.manage_members", None, False),
    )
    assert change.notes == ("set once the channel exists",)


def test_an_archived_channel_is_not_moderated() -> None:
    ws = workspace(
        {
            "name": "asd",
            "display_name": "ASD",
            "channels": [
                {
                    "name": "dev",
                    "display_name": "Dev",
                    "archived": True,
                    "moderation": {"guests": {"post": False}},
                }
            ],
        }
    )
    ctx = context(ws, world(licensed=False))
    assert plan(moderation, ctx) == []
    assert ctx.errors == []
