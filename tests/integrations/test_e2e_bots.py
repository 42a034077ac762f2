"""Bots end to end through `mmrc` against a sandbox on real HTTP: update in place,
`--prune-bots` (only the bots the mmrc account owns), re-declaring a disabled bot
(enable), integrations owned by a bot created in the same apply, and bots as implicit
members when members are pruned."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from integrations_helpers import Mmrc

from reconciler.sandbox.store import Bot

SETTINGS = "settings:\n  integrations: {bot_account_creation: true}\n"


def bots_yaml(*bots: str) -> str:
    return "bots:\n" + "".join(f"  - {bot}\n" for bot in bots) if bots else "bots: []\n"


def plan_json(mmrc: Mmrc, ws: Path, *flags: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        mmrc.run("plan", "-f", str(ws), "--format", "json", *flags).stdout
    )
    return data


def bot(mmrc: Mmrc, username: str) -> Bot:
    with mmrc.sandbox.lock:
        user = mmrc.sandbox.core.user_by_username(username)
        assert user is not None and user.is_bot
        found = mmrc.sandbox.core.bot(user.id)
    assert found is not None
    return found


def test_display_name_and_description_update_in_place(mmrc: Mmrc) -> None:
    ws = mmrc.write(
        "version: 1\n"
        + SETTINGS
        + bots_yaml("{username: n8n-bot, display_name: n8n, description: Workflows}")
    )
    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    created = bot(mmrc, "n8n-bot")
    assert (created.display_name, created.description) == ("n8n", "Workflows")
    assert created.owner_id == mmrc.sandbox.core.admin_user_id

    mmrc.write(
        "version: 1\n"
        + SETTINGS
        + bots_yaml("{username: n8n-bot, display_name: n8n Automation, description: Tickets}")
    )
    [change] = plan_json(mmrc, ws)["changes"]
    assert (change["address"], change["action"]) == ("bot.n8n-bot", "update")
    assert set(change["changed_fields"]) == {"display_name", "description"}
    text = mmrc.run("plan", "-f", str(ws)).stdout
    assert "~ bot.n8n-bot (update in place)" in text
    assert 'display_name: "n8n" → "n8n Automation"' in text
    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    updated = bot(mmrc, "n8n-bot")
    assert (updated.display_name, updated.description) == ("n8n Automation", "Tickets")
    assert updated.user_id == created.user_id and not updated.delete_at  # same bot
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=0)

    # a field the file leaves out is not managed: dropping `description` changes nothing
    mmrc.write("version: 1\n" + SETTINGS + bots_yaml("{username: n8n-bot}"))
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=0)


def others_bots(mmrc: Mmrc) -> None:
    """Bots the mmrc account does not own: a colleague's, and a plugin's."""
    sb = mmrc.sandbox
    with sb.lock:
        jan = sb.core.create_user("jan.devries", "jan@asd-pma.nl", password="Password-1")
        sb.core.create_bot("jans-bot", "Jan's bot", "", jan.id)
        sb.core.create_bot("playbooks", "Playbooks", "", "playbooks")  # owner: the plugin id


def test_prune_bots_disables_only_undeclared_bots_of_the_mmrc_account(mmrc: Mmrc) -> None:
    others_bots(mmrc)
    ws = mmrc.write(
        "version: 1\n"
        + SETTINGS
        + bots_yaml("{username: n8n-bot}", "{username: grafana-bot, display_name: Grafana}")
    )
    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    mmrc.write("version: 1\n" + SETTINGS + bots_yaml("{username: n8n-bot}"))

    # without --prune-bots: every undeclared bot is left alone and listed
    plain = plan_json(mmrc, ws)
    assert plain["changes"] == []
    assert {"bot.grafana-bot", "bot.jans-bot", "bot.playbooks"} <= set(plain["unmanaged"])

    pruned = plan_json(mmrc, ws, "--prune-bots")
    assert [(c["address"], c["action"]) for c in pruned["changes"]] == [
        ("bot.grafana-bot", "disable")
    ]
    assert {"bot.jans-bot", "bot.playbooks"} <= set(pruned["unmanaged"])
    assert "bot.grafana-bot" not in pruned["unmanaged"]
    text = mmrc.run("plan", "-f", str(ws), "--prune-bots").stdout
    assert "- bot.grafana-bot (disable)" in text
    assert "owned by the mmrc account, and --prune-bots is on" in text

    mmrc.run("apply", "-f", str(ws), "--auto-approve", "--prune-bots")
    assert bot(mmrc, "grafana-bot").delete_at > 0
    assert not bot(mmrc, "jans-bot").delete_at and not bot(mmrc, "playbooks").delete_at
    assert not bot(mmrc, "n8n-bot").delete_at
    mmrc.run("plan", "-f", str(ws), "--prune-bots", "--detailed-exitcode", expect=0)
    # a disabled bot is neither pruned again nor unmanaged
    assert "bot.grafana-bot" not in plan_json(mmrc, ws, "--prune-bots")["unmanaged"]


def test_declaring_a_disabled_bot_again_enables_it(mmrc: Mmrc) -> None:
    ws = mmrc.write(
        "version: 1\n"
        + SETTINGS
        + bots_yaml("{username: grafana-bot, display_name: Grafana, description: Alerts}")
    )
    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    grafana = bot(mmrc, "grafana-bot")
    mmrc.write("version: 1\n" + SETTINGS + bots_yaml())
    mmrc.run("apply", "-f", str(ws), "--auto-approve", "--prune-bots")
    assert bot(mmrc, "grafana-bot").delete_at > 0

    mmrc.write(
        "version: 1\n"
        + SETTINGS
        + bots_yaml("{username: grafana-bot, display_name: Grafana, description: Monitoring}")
    )
    [change] = plan_json(mmrc, ws)["changes"]
    assert (change["address"], change["action"]) == ("bot.grafana-bot", "enable")
    assert change["changed_fields"] == ["description"]
    text = mmrc.run("plan", "-f", str(ws)).stdout
    assert "+ bot.grafana-bot (enable)" in text
    assert "the bot is disabled; it is enabled again" in text
    assert "create" not in text.split("Plan:")[0]  # the same bot, not a new one

    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    enabled = bot(mmrc, "grafana-bot")
    assert enabled.user_id == grafana.user_id and enabled.delete_at == 0
    assert enabled.description == "Monitoring"
    with mmrc.sandbox.lock:
        user = mmrc.sandbox.core.user(enabled.user_id)
    assert user is not None and user.delete_at == 0  # its user account is active again
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=0)


INTEGRATIONS_OF_A_NEW_BOT = """\
version: 1
settings:
  integrations:
    incoming_webhooks: true
    outgoing_webhooks: true
    slash_commands: true
    bot_account_creation: true
bots:
  - {username: alerts-bot, display_name: Alerts}
teams:
  - name: asd
    display_name: ASD-PMA
    channels:
      - {name: alert-monitoring, display_name: Alerts, visibility: public, purpose: Alerts}
    incoming_webhooks:
      - {display_name: Grafana, channel: alert-monitoring, owner: alerts-bot}
    outgoing_webhooks:
      - display_name: ack
        channel: alert-monitoring
        trigger_words: ["!ack"]
        callback_urls: ["http://asd-n8n:5678/webhook/ack"]
        owner: alerts-bot
    commands:
      - {trigger: ack, url: "http://asd-n8n:5678/webhook/ack", owner: alerts-bot}
"""


# a bot owns a slash command only where POST /commands honours creator_id (11.4 on)
@pytest.mark.parametrize("server_options", [{"server_version": "11.4.0"}])
def test_integrations_owned_by_a_bot_created_in_the_same_apply(mmrc: Mmrc) -> None:
    ws = mmrc.write(INTEGRATIONS_OF_A_NEW_BOT)
    planned = plan_json(mmrc, ws)
    actions = [(c["address"], c["action"]) for c in planned["changes"]]
    assert ("bot.alerts-bot", "create") in actions
    position = {address: index for index, (address, _) in enumerate(actions)}
    for address in (
        "team.asd/incoming_webhook.Grafana",
        "team.asd/outgoing_webhook.ack",
        "team.asd/command.ack",
    ):
        assert position["bot.alerts-bot"] < position[address]  # the bot exists first

    out = mmrc.workdir / "outputs.json"
    mmrc.run("apply", "-f", str(ws), "--auto-approve", "--outputs-file", str(out), "--smoke-test")
    alerts = bot(mmrc, "alerts-bot")
    integrations = mmrc.sandbox.integrations
    with mmrc.sandbox.lock:
        [incoming] = [h for h in integrations.incoming.values() if not h["delete_at"]]
        [outgoing] = [h for h in integrations.outgoing.values() if not h["delete_at"]]
        [command] = [c for c in integrations.commands.values() if not c["delete_at"]]
        smoke = [p for p in integrations.posts.values() if "mmrc smoke test" in p["message"]]
    assert incoming["user_id"] == alerts.user_id
    assert outgoing["creator_id"] == alerts.user_id
    assert command["creator_id"] == alerts.user_id
    assert [p["user_id"] for p in smoke] == [alerts.user_id]  # the hook posts as the bot
    assert set(json.loads(out.read_text())["outputs"]) == {
        "team.asd/incoming_webhook.Grafana",
        "team.asd/outgoing_webhook.ack",
        "team.asd/command.ack",
    }
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=0)


def test_bots_are_implicit_members_when_members_are_pruned(mmrc: Mmrc) -> None:
    """A declared bot that was added to a team (to post there) is not a member the file
    must list: prune.members leaves it (and the mmrc account) alone."""
    with mmrc.sandbox.lock:
        mmrc.sandbox.core.create_user("jan.devries", "jan@asd-pma.nl", password="Password-1")
    team = """\
teams:
  - name: asd
    display_name: ASD-PMA
    members: [jan.devries]
    prune: {members: true}
"""
    ws = mmrc.write("version: 1\n" + SETTINGS + bots_yaml("{username: n8n-bot}") + team)
    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    sb = mmrc.sandbox
    with sb.lock:
        asd = sb.core.team_by_name("asd")
        assert asd is not None
        n8n = sb.core.user_by_username("n8n-bot")
        assert n8n is not None
        sb.core.add_team_member(asd, n8n)
    planned = plan_json(mmrc, ws)
    assert planned["changes"] == [], planned["changes"]
    assert "team.asd/member.n8n-bot" not in planned["unmanaged"]
    mmrc.run("plan", "-f", str(ws), "--prune-bots", "--detailed-exitcode", expect=0)


OWNED_BY_GRAFANA_BOT = """\
version: 1
settings:
  integrations: {{incoming_webhooks: true, bot_account_creation: true}}
{bots}
teams:
  - name: asd
    display_name: ASD-PMA
    channels:
      - {{name: alert-monitoring, display_name: Alerts, visibility: public, purpose: Alerts}}
    incoming_webhooks:
      - {{display_name: Grafana, channel: alert-monitoring, owner: grafana-bot}}
"""


def test_prune_bots_keeps_a_bot_that_owns_a_declared_integration(mmrc: Mmrc) -> None:
    ws = mmrc.write(OWNED_BY_GRAFANA_BOT.format(bots="bots:\n  - {username: grafana-bot}"))
    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    # the bot leaves `bots:` but still owns the declared hook: pruning it would leave the
    # hook to a deactivated account, so it stays (and is not "unmanaged": the file uses it)
    mmrc.write(OWNED_BY_GRAFANA_BOT.format(bots="bots: []"))
    pruned = plan_json(mmrc, ws, "--prune-bots")
    assert pruned["changes"] == []
    assert "bot.grafana-bot" not in pruned["unmanaged"]
    mmrc.run("apply", "-f", str(ws), "--auto-approve", "--prune-bots")
    assert not bot(mmrc, "grafana-bot").delete_at

    # disabled by hand while a declared hook still names it: a warning says so
    grafana = bot(mmrc, "grafana-bot")
    with mmrc.sandbox.lock:
        mmrc.sandbox.core.set_bot_active(grafana, False)
    text = mmrc.run("plan", "-f", str(ws), "--prune-bots").stdout
    assert (
        "Warning: bot.grafana-bot is disabled, but team.asd/incoming_webhook.Grafana names "
        "it as owner"
    ) in text
    assert "declare grafana-bot under bots: to enable it again" in text
