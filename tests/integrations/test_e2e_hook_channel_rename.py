"""A hook whose channel the same file renames has not moved: compared by channel id, the plan
shows only the rename, and apply leaves the hook (and its URL) alone."""

from __future__ import annotations

import json
from collections.abc import Callable

from live_sandbox import LiveSandbox

WORKSPACE = """\
version: 1
policy: {exempt: [town-square, off-topic]}
teams:
  - name: asd
    display_name: ASD
    channels:
      - {name: topic-business, display_name: Business, renamed_from: [business]}
    incoming_webhooks:
      - {display_name: ERPNext, channel: topic-business, description: deals%s}
    outgoing_webhooks:
      - display_name: n8n trigger
        channel: topic-business
        trigger_words: ["!deal"]
        callback_urls: ["http://n8n:5678/hook"]
"""


def test_hooks_on_a_channel_renamed_in_the_same_file(
    start_sandbox: Callable[..., LiveSandbox],
) -> None:
    live = start_sandbox("empty")
    team = live.api.post("/api/v4/teams", {"name": "asd", "display_name": "ASD", "type": "O"})
    channel = live.api.post(
        "/api/v4/channels",
        {"team_id": team["id"], "name": "business", "display_name": "Business", "type": "O"},
    )
    incoming = live.api.post(
        "/api/v4/hooks/incoming",
        {"channel_id": channel["id"], "display_name": "ERPNext", "description": "deals"},
    )
    live.api.post(
        "/api/v4/hooks/outgoing",
        {
            "team_id": team["id"],
            "channel_id": channel["id"],
            "display_name": "n8n trigger",
            "trigger_words": ["!deal"],
            "callback_urls": ["http://n8n:5678/hook"],
            "content_type": "application/x-www-form-urlencoded",
        },
    )
    path = live.workspace(WORKSPACE % "")
    plan = live.mmrc("plan", "-f", str(path), "--format", "json")
    assert plan.exit_code == 0, plan.output
    changes = {c["address"]: c for c in json.loads(plan.stdout)["changes"]}
    assert list(changes) == ["team.asd/channel.topic-business"], list(changes)

    # another field of the hook changes: the channel still reads as unchanged
    changed = live.workspace(WORKSPACE % " and milestones")
    text = live.mmrc("plan", "-f", str(changed), "--no-color")
    assert text.exit_code == 0, text.output
    assert "~ team.asd/incoming_webhook.ERPNext (update in place)" in text.stdout
    assert 'description: "deals" → "deals and milestones"' in text.stdout
    block = text.stdout.split("incoming_webhook.ERPNext (update in place)\n")[1].split("\n  ")[0]
    assert "channel" not in block, block

    applied = live.mmrc("apply", "-f", str(changed), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    hook = live.api.get(f"/api/v4/hooks/incoming/{incoming['id']}")
    assert hook["channel_id"] == channel["id"] and hook["description"] == "deals and milestones"
    again = live.mmrc("plan", "-f", str(changed), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
