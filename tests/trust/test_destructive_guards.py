"""Deleting webhooks and slash commands needs --allow-destructive; prevent_destroy (on the
entry, and in the team's list that survives the entry) refuses it outright, a replace
included; prevent_archive follows a channel through renames."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from live_sandbox import LiveSandbox

HEAD = """\
version: 1
policy: {classes: {}}
settings:
  integrations: {incoming_webhooks: true, outgoing_webhooks: true, slash_commands: true,
                 bot_account_creation: true}
bots:
  - {username: n8n-bot, display_name: n8n}
teams:
  - name: asd
    display_name: ASD
"""
CHANNELS = """\
    channels:
      - {name: tickets, display_name: Tickets, visibility: public}
"""
HOOKS = """\
    incoming_webhooks:
      - {display_name: n8n, channel: tickets$OWNER$GUARD}
    outgoing_webhooks:
      - {display_name: trigger, channel: tickets, trigger_words: ["!t"],
         callback_urls: ["http://n8n.invalid/t"]}
    commands:
      - {trigger: reply, url: "http://n8n.invalid/reply"}
"""


def hooks(owner: str = "", guard: str = "") -> str:
    return HOOKS.replace("$OWNER", owner).replace("$GUARD", guard)


@pytest.fixture
def live(start_sandbox: Callable[..., LiveSandbox]) -> LiveSandbox:
    live = start_sandbox("empty")
    result = live.mmrc(
        "apply", "-f", str(live.workspace(HEAD + CHANNELS + hooks())), "--auto-approve"
    )
    assert result.exit_code == 0, result.output
    return live


def counts(live: LiveSandbox) -> tuple[int, int, int]:
    team = live.team("asd")["id"]
    return (
        len(live.api.get("/api/v4/hooks/incoming", {"team_id": team})),
        len(live.api.get("/api/v4/hooks/outgoing", {"team_id": team})),
        len(live.api.get("/api/v4/commands", {"team_id": team, "custom_only": "true"})),
    )


def test_removing_webhooks_and_commands_needs_allow_destructive(live: LiveSandbox) -> None:
    path = str(live.workspace(HEAD + "    prune: {webhooks: true, commands: true}\n" + CHANNELS))
    refused = live.mmrc("plan", "-f", path)
    assert refused.exit_code == 1
    for address, label in (
        ("team.asd/incoming_webhook.n8n", "incoming webhook"),
        ("team.asd/outgoing_webhook.trigger", "outgoing webhook"),
        ("team.asd/command.reply", "slash command"),
    ):
        assert f"{address}: deletes the {label}; the URL or token other systems hold" in (
            refused.output
        )
    assert live.mmrc("apply", "-f", path, "--auto-approve").exit_code == 1
    assert counts(live) == (1, 1, 1)
    done = live.mmrc("apply", "-f", path, "--auto-approve", "--allow-destructive")
    assert done.exit_code == 0, done.output
    assert counts(live) == (0, 0, 0)


def test_the_teams_prevent_destroy_survives_the_entry_leaving_the_file(live: LiveSandbox) -> None:
    text = (
        HEAD
        + "    prune: {webhooks: true, commands: true}\n"
        + "    prevent_destroy: [other, reply]\n"
        + CHANNELS
    )
    path = live.workspace(text)
    refused = live.mmrc("plan", "-f", str(path), "--allow-destructive")
    assert refused.exit_code == 1
    assert (
        f"{path}:12:30: teams[0].prevent_destroy[1]: the plan deletes the slash command "
        "team.asd/command.reply, which team 'asd' lists in prevent_destroy"
    ) in refused.output
    assert counts(live) == (1, 1, 1)


def test_prevent_destroy_on_the_entry_refuses_a_replace(live: LiveSandbox) -> None:
    path = live.workspace(
        HEAD + CHANNELS + hooks(owner=", owner: n8n-bot", guard=", prevent_destroy: true")
    )
    refused = live.mmrc("apply", "-f", str(path), "--auto-approve", "--allow-destructive")
    assert refused.exit_code == 1
    assert "teams[0].incoming_webhooks[0].prevent_destroy: the plan replaces (deletes and " in (
        refused.output
    )
    assert "incoming webhook team.asd/incoming_webhook.n8n, which sets prevent_destroy" in (
        refused.output
    )
    team = live.team("asd")["id"]
    [hook] = live.api.get("/api/v4/hooks/incoming", {"team_id": team})
    assert hook["user_id"] != live.user_id("n8n-bot")  # untouched


def test_prevent_archive_follows_a_rename_in_the_same_edit(
    start_sandbox: Callable[..., LiveSandbox],
) -> None:
    live = start_sandbox("empty")
    base = "version: 1\npolicy: {classes: {}}\nteams:\n  - name: asd\n    display_name: ASD\n"
    guarded = base + "    prevent_archive: [support]\n    channels:\n"
    setup = guarded + "      - {name: support, display_name: Support}\n"
    assert live.mmrc("apply", "-f", str(live.workspace(setup)), "--auto-approve").exit_code == 0
    renamed = guarded + (
        "      - {name: team-support, display_name: Support, renamed_from: [support], "
        "archived: true}\n"
    )
    refused = live.mmrc(
        "apply", "-f", str(live.workspace(renamed)), "--auto-approve", "--allow-destructive"
    )
    assert refused.exit_code == 1
    assert "teams[0].prevent_archive[0]: the plan archives team.asd/channel.team-support, " in (
        refused.output
    )
    assert "which team 'asd' lists in prevent_archive (as 'support')" in refused.output
    channel = live.channel("asd", "support")
    assert channel["delete_at"] == 0
