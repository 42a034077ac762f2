"""`mmrc plan --format markdown` says in the comment itself that apply will refuse the plan."""

from __future__ import annotations

from collections.abc import Callable

from live_sandbox import LiveSandbox

WORKSPACE = """\
version: 1
teams:
  - name: asd
    display_name: ASD
    channels:
      - {name: team-dev, display_name: Dev, visibility: %s}
"""


def test_markdown_plan_names_the_guards_refusal(start_sandbox: Callable[..., LiveSandbox]) -> None:
    live = start_sandbox("empty")
    team = live.api.post("/api/v4/teams", {"name": "asd", "display_name": "ASD", "type": "O"})
    live.api.post(
        "/api/v4/channels",
        {"team_id": team["id"], "name": "team-dev", "display_name": "Dev", "type": "O"},
    )
    path = live.workspace(WORKSPACE % "private")
    refused = live.mmrc("plan", "-f", str(path), "--format", "markdown")
    assert refused.exit_code == 1
    assert "> [!CAUTION]\n> **Apply will refuse this plan**" in refused.stdout
    assert "> - team.asd/channel.team-dev: makes a public channel private" in refused.stdout
    allowed = live.mmrc("plan", "-f", str(path), "--format", "markdown", "--allow-destructive")
    assert allowed.exit_code == 0, allowed.output
    assert "CAUTION" not in allowed.stdout
