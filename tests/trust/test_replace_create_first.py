"""A replace creates the new hook or command before it deletes the old one: a failed create
leaves the old one untouched, a failed delete is reported as such, and a replace that works
leaves exactly one object with the declared key and the new owner."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from live_sandbox import LiveSandbox

from reconciler.client import Client
from reconciler.engine.applier import apply_plan
from reconciler.engine.planner import make_plan
from reconciler.outcome import ApplyResult
from reconciler.plan import Action
from reconciler.workspace import load_workspace

WORKSPACE = """\
version: 1
policy: {{classes: {{}}}}
settings:
  integrations: {{incoming_webhooks: true, outgoing_webhooks: true, slash_commands: true,
                 bot_account_creation: true}}
bots:
  - {{username: n8n-bot, display_name: n8n}}
teams:
  - name: asd
    display_name: ASD
    channels:
      - {{name: tickets, display_name: Tickets, visibility: public}}
    incoming_webhooks:
      - {{display_name: n8n, channel: tickets{owner}}}
    outgoing_webhooks:
      - {{display_name: trigger, channel: tickets, trigger_words: ["!ticket"],
         callback_urls: ["http://n8n.invalid/hook"]{owner}}}
    commands:
      - {{trigger: reply, url: "http://n8n.invalid/reply"{owner}}}
"""


def workspace(owner: str | None = None) -> str:
    return WORKSPACE.format(owner=f", owner: {owner}" if owner else "")


@pytest.fixture
def live(start_sandbox: Callable[..., LiveSandbox]) -> LiveSandbox:
    # 11.4 honours a command's creator_id; a bot owner still replaces an incoming webhook
    live = start_sandbox("empty", server_version="11.4.0")
    applied = live.mmrc("apply", "-f", str(live.workspace(workspace())), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    return live


def listing(live: LiveSandbox) -> dict[str, list[dict[str, Any]]]:
    team = live.team("asd")["id"]
    return {
        "incoming": live.api.get("/api/v4/hooks/incoming", {"team_id": team}),
        "outgoing": live.api.get("/api/v4/hooks/outgoing", {"team_id": team}),
        "commands": live.api.get("/api/v4/commands", {"team_id": team, "custom_only": "true"}),
    }


def plan_and_apply(live: LiveSandbox, text: str) -> ApplyResult:
    loaded = load_workspace(live.workspace(text))
    with Client(live.url, live.token, retries=0) as client:
        planned = make_plan(loaded, client)
        assert {c.action for c in planned.plan.changes} == {Action.REPLACE}
        return apply_plan(planned.plan, client, planned.observation)


def test_a_replace_creates_before_it_deletes_and_converges(live: LiveSandbox) -> None:
    before = listing(live)
    outputs = live.tmp / "outputs.json"
    live.clear_requests()
    result = live.mmrc(
        "apply",
        "-f",
        str(live.workspace(workspace("n8n-bot"))),
        "--auto-approve",
        "--outputs-file",
        str(outputs),
    )
    assert result.exit_code == 0, result.output
    calls = [(r["method"], r["path"]) for r in live.requests() if r["method"] != "GET"]
    for endpoint, old in (
        ("/api/v4/hooks/incoming", before["incoming"][0]),
        ("/api/v4/hooks/outgoing", before["outgoing"][0]),
        ("/api/v4/commands", before["commands"][0]),
    ):
        created = calls.index(("POST", endpoint))
        deleted = calls.index(("DELETE", f"{endpoint}/{old['id']}"))
        assert created < deleted, calls
    after = listing(live)
    bot = live.user_id("n8n-bot")
    [incoming], [outgoing], [command] = after["incoming"], after["outgoing"], after["commands"]
    assert incoming["user_id"] == bot and incoming["id"] != before["incoming"][0]["id"]
    assert outgoing["creator_id"] == bot and outgoing["trigger_words"] == ["!ticket"]
    assert command["creator_id"] == bot and command["trigger"] == "reply"
    written = json.loads(outputs.read_text())["outputs"]
    assert written["team.asd/command.reply"]["token"] == command["token"]
    assert written["team.asd/outgoing_webhook.trigger"]["token"] == outgoing["token"]
    again = live.mmrc("plan", "-f", str(live.workspace(workspace("n8n-bot"))))
    assert "No changes" in again.output, again.output


def test_a_failed_create_leaves_the_old_object_untouched(live: LiveSandbox) -> None:
    before = listing(live)
    live.set_faults(error_rate=1.0, error_statuses=[500], methods=["POST"], path_regex="^/api/v4/")
    result = plan_and_apply(live, workspace("n8n-bot"))
    live.clear_faults()
    assert not result.ok
    assert listing(live) == before  # nothing deleted, nothing created


def test_a_failed_delete_after_the_create_says_both_exist(live: LiveSandbox) -> None:
    live.set_faults(
        error_rate=1.0,
        error_statuses=[503],
        methods=["DELETE"],
        path_regex="^/api/v4/hooks/incoming/",
    )
    result = plan_and_apply(live, workspace("n8n-bot"))
    live.clear_faults()
    [failed] = [o for o in result.outcomes if o.status == "failed"]
    assert failed.address == "team.asd/incoming_webhook.n8n"
    assert failed.error is not None
    assert "the new incoming webhook was created, but deleting the one it replaces failed" in (
        failed.error
    )
    assert "both exist now" in failed.error
    hooks = listing(live)["incoming"]
    assert len(hooks) == 2  # the old one still posts; the new one exists
    assert all(hook["id"] not in failed.error for hook in hooks)  # hook ids are credentials
