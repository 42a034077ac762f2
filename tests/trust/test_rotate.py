"""`mmrc rotate` asks on a terminal and needs --auto-approve elsewhere; after a lost answer
it reads the token back and writes the one the server holds."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from live_sandbox import LiveSandbox

WORKSPACE = """\
version: 1
policy: {classes: {}}
settings:
  integrations: {outgoing_webhooks: true, slash_commands: true}
teams:
  - name: asd
    display_name: ASD
    channels:
      - {name: tickets, display_name: Tickets, visibility: public}
    outgoing_webhooks:
      - {display_name: trigger, channel: tickets, trigger_words: ["!t"],
         callback_urls: ["http://n8n.invalid/t"]}
    commands:
      - {trigger: reply, url: "http://n8n.invalid/reply"}
"""
HOOK = "team.asd/outgoing_webhook.trigger"


@pytest.fixture
def live(start_sandbox: Callable[..., LiveSandbox]) -> LiveSandbox:
    live = start_sandbox("empty")
    result = live.mmrc("apply", "-f", str(live.workspace(WORKSPACE)), "--auto-approve")
    assert result.exit_code == 0, result.output
    return live


def tokens(live: LiveSandbox) -> dict[str, str]:
    team = live.team("asd")["id"]
    [hook] = live.api.get("/api/v4/hooks/outgoing", {"team_id": team})
    [command] = live.api.get("/api/v4/commands", {"team_id": team, "custom_only": "true"})
    return {"hook": hook["token"], "command": command["token"]}


def test_rotate_without_a_terminal_needs_auto_approve(live: LiveSandbox) -> None:
    before = tokens(live)
    result = live.mmrc("rotate", "-f", str(live.tmp / "workspace.yaml"))
    assert result.exit_code == 1
    assert "pass --auto-approve to rotate without asking" in result.output
    assert tokens(live) == before


def test_rotate_asks_on_a_terminal(live: LiveSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reconciler.commands.rotate.interactive", lambda: True)
    before = tokens(live)
    path = str(live.tmp / "workspace.yaml")
    declined = live.mmrc("rotate", "-f", path, input="n\n")
    assert declined.exit_code == 1
    assert f"  {HOOK}" in declined.output
    assert "Rotate these 2 tokens? The old ones stop working at once" in declined.output
    assert "rotate cancelled; no token was changed" in declined.output
    assert tokens(live) == before
    accepted = live.mmrc("rotate", "-f", path, "reply", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    after = tokens(live)
    assert after["command"] != before["command"] and after["hook"] == before["hook"]


def test_a_lost_answer_is_read_back_and_the_new_token_written(live: LiveSandbox) -> None:
    before = tokens(live)
    out: Path = live.tmp / "outputs.json"
    live.set_faults(lost_response_rate=1.0, methods=["POST"], path_regex="regen_token$")
    result = live.mmrc(
        "rotate", "-f", str(live.tmp / "workspace.yaml"), "trigger", "--auto-approve",
        "--outputs-file", str(out),
    )  # fmt: skip
    live.clear_faults()
    assert result.exit_code == 0, result.output
    assert f"rotated {HOOK}" in result.output
    now = tokens(live)
    assert now["hook"] != before["hook"]  # the server did rotate it
    written = json.loads(out.read_text())["outputs"]
    assert written[HOOK]["token"] == now["hook"]
    assert now["hook"] not in result.output
