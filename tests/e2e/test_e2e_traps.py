"""Mattermost's traps (reference §6), each handled rather than hit, over real HTTP."""

from __future__ import annotations

import pathlib
from collections.abc import Callable

from live_sandbox import LiveSandbox

TEAM = """\
version: 1
policy: {{classes: {{}}}}
teams:
  - name: alpha
    display_name: Alpha
    visibility: {visibility}
    prune: {{channels: false, members: {prune_members}}}
{extra}
    channels:
{channels}
"""


def workspace(
    live: LiveSandbox,
    channels: str,
    *,
    visibility: str = "open",
    extra: str = "",
    prune_members: str = "false",
) -> str:
    text = TEAM.format(
        visibility=visibility, extra=extra, channels=channels, prune_members=prune_members
    )
    return str(live.workspace(text))


def converge(live: LiveSandbox, path: str, *extra: str) -> None:
    applied = live.mmrc("apply", "-f", path, "--auto-approve", *extra)
    assert applied.exit_code == 0, applied.output
    again = live.mmrc("plan", "-f", path, "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def writes(live: LiveSandbox) -> list[tuple[str, str]]:
    """The writes apply sent, without those of its apply lock (engine.lock)."""
    lock_channels = [
        c["id"]
        for c in live.api.get_paged("/api/v4/channels", {"include_deleted": "true"})
        if c["name"].startswith("apply-lock")
    ]
    found = [
        (r["method"], r["path"])
        for r in live.requests()
        if r["method"] != "GET"
        and not r["path"].startswith("/__sandbox__")
        and r["path"] not in ("/api/v4/users/usernames", "/api/v4/users/ids", "/api/v4/roles/names")
        and not any(channel in r["path"] for channel in lock_channels)
    ]
    for _ in lock_channels:  # each lock was taken by one POST /channels
        if ("POST", "/api/v4/channels") in found:
            found.remove(("POST", "/api/v4/channels"))
    return found


def test_an_archived_channel_holding_the_name_is_restored(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    path = workspace(live, "      - {name: dev, display_name: Dev}")
    converge(live, path)
    dev = live.channel("alpha", "dev")
    live.api.delete(f"/api/v4/channels/{dev['id']}")
    plan = live.mmrc("plan", "-f", path)
    assert "+ team.alpha/channel.dev (restore)" in plan.output
    assert "(create)" not in plan.output
    converge(live, path)
    restored = live.channel("alpha", "dev")
    assert restored["id"] == dev["id"] and restored["delete_at"] == 0


def test_updates_patch_only_changed_fields_and_never_send_empty_patches(
    sandbox_empty: LiveSandbox,
) -> None:
    live = sandbox_empty
    path = workspace(live, "      - {name: dev, display_name: Dev, purpose: one}")
    converge(live, path)
    live.api.put(f"/api/v4/channels/{live.channel('alpha', 'dev')['id']}/patch", {"header": "kept"})
    path = workspace(live, "      - {name: dev, display_name: Dev, purpose: two}")
    live.clear_requests()
    converge(live, path)
    channel = live.channel("alpha", "dev")
    assert (channel["purpose"], channel["header"]) == ("two", "kept")  # PATCH merged
    assert writes(live) == [("PUT", f"/api/v4/channels/{channel['id']}/patch")]
    live.clear_requests()
    assert live.mmrc("apply", "-f", path, "--auto-approve").exit_code == 0
    assert writes(live) == []  # nothing to change: no request that writes


def test_team_visibility_goes_through_the_privacy_endpoint(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    converge(live, workspace(live, "      - {name: dev, display_name: Dev}"))
    path = workspace(live, "      - {name: dev, display_name: Dev}", visibility="invite-only")
    live.clear_requests()
    plan = live.mmrc("plan", "-f", path)
    assert "privacy endpoint" in plan.output
    converge(live, path)
    team = live.team("alpha")
    assert (team["type"], team["allow_open_invite"]) == ("I", False)
    assert ("PUT", f"/api/v4/teams/{team['id']}/privacy") in writes(live)


def test_implicit_memberships_never_drift(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    for name in ("alice", "bob"):
        live.user(name)
    channels = (
        "      - {name: town-square, display_name: Town Square, members: [alice]}\n"
        "      - {name: dev, display_name: Dev, members: [alice]}"
    )
    path = workspace(live, channels, extra="    members: [alice, bob]", prune_members="true")
    converge(live, path)
    # converge() saw an empty second plan although prune.members is on: the applying
    # account (team admin, channel creator) and bob, whom Mattermost put in town-square,
    # are members the file does not list, and neither is planned for removal
    town_square = live.channel("alpha", "town-square")["id"]
    members = {m["user_id"] for m in live.api.get_paged(f"/api/v4/channels/{town_square}/members")}
    me = live.api.get("/api/v4/users/me")["id"]
    assert {live.user_id("bob"), me} <= members


def test_team_membership_comes_before_channel_membership(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    live.user("carol")
    path = workspace(live, "      - {name: dev, display_name: Dev, members: [carol]}")
    plan = live.mmrc("plan", "-f", path)
    assert "joins team alpha first" in plan.output
    converge(live, path)
    team = live.team("alpha")
    carol = live.user_id("carol")
    assert live.api.get(f"/api/v4/teams/{team['id']}/members/{carol}")["delete_at"] == 0


def test_a_guest_joins_only_the_channels_declared(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    live.api.put("/api/v4/config/patch", {"GuestAccountsSettings": {"Enable": True}})
    live.user("gina", guest=True)
    channels = (
        "      - {name: dev, display_name: Dev, guests: [gina]}\n"
        "      - {name: ops, display_name: Ops}"
    )
    path = workspace(live, channels, extra="    guests: [gina]")
    converge(live, path)
    gina = live.user_id("gina")
    joined = live.api.get(f"/api/v4/users/{gina}/teams/{live.team('alpha')['id']}/channels")
    assert sorted(c["name"] for c in joined) == ["dev"]


def test_renamed_from_renames_by_id(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    converge(live, workspace(live, "      - {name: support, display_name: Support}"))
    old = live.channel("alpha", "support")
    path = workspace(
        live, "      - {name: team-support, display_name: Support, renamed_from: [support]}"
    )
    assert "~ team.alpha/channel.team-support (rename)" in live.mmrc("plan", "-f", path).output
    converge(live, path)
    assert live.channel("alpha", "team-support")["id"] == old["id"]


def test_unknown_user_is_a_plan_error_with_its_line(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    path = workspace(live, "      - {name: dev, display_name: Dev, members: [nobody]}")
    result = live.mmrc("plan", "-f", path)
    assert result.exit_code == 1
    lines = pathlib.Path(path).read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "nobody" in text)
    assert f"{path}:{line}:" in result.output
    assert "user 'nobody' does not exist on the server" in result.output


def test_a_team_rename_is_an_error_that_says_so(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    converge(live, workspace(live, "      - {name: dev, display_name: Dev}"))
    renamed = live.workspace(
        "version: 1\nteams:\n  - name: alpha-two\n    display_name: Alpha\n", "renamed.yaml"
    )
    result = live.mmrc("plan", "-f", str(renamed))
    assert result.exit_code == 1
    assert "cannot be changed over the Mattermost API" in result.output
    assert "renamed.yaml:3:" in result.output


def test_moderation_on_an_unlicensed_server_is_a_plan_error(
    start_sandbox: Callable[..., LiveSandbox],
) -> None:
    live = start_sandbox("empty", licensed=False)
    path = workspace(
        live, "      - {name: dev, display_name: Dev, moderation: {members: {post: false}}}"
    )
    result = live.mmrc("plan", "-f", path)
    assert result.exit_code == 1
    assert "teams[0].channels[0].moderation" in result.output
    assert "licensed" in result.output


def test_apply_without_a_terminal_or_auto_approve_is_an_error(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    path = workspace(live, "      - {name: dev, display_name: Dev}")
    result = live.mmrc("apply", "-f", path)
    assert result.exit_code == 1
    assert "--auto-approve" in result.output
    assert live.api.get("/api/v4/teams") == []
