"""A saved plan is bound to the server it read (URL and identity) and to the workspace
content it was made from; a mismatch is refused naming both sides, and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from live_sandbox import ADMIN_TOKEN, LiveSandbox

from reconciler.client import Client
from reconciler.sandbox import Sandbox, SandboxOptions
from reconciler.sandbox.server import start_in_thread

WORKSPACE = """\
version: 1
policy: {classes: {}}
include: [teams/beta.yaml]
teams:
  - name: alpha
    display_name: Alpha
    channels:
      - {name: dev, display_name: Dev, purpose: planned}
"""
BETA = """\
teams:
  - name: beta
    display_name: Beta
"""


def workspace(live: LiveSandbox) -> Path:
    (live.tmp / "teams").mkdir(exist_ok=True)
    (live.tmp / "teams" / "beta.yaml").write_text(BETA, encoding="utf-8")
    return live.workspace(WORKSPACE)


def save_plan(live: LiveSandbox, path: Path) -> Path:
    planfile = live.tmp / "plan.json"
    result = live.mmrc("plan", "-f", str(path), "--out", str(planfile))
    assert result.exit_code == 0, result.output
    return planfile


def team_names(live: LiveSandbox) -> list[str]:
    """The teams on the server, without the one that holds the apply lock."""
    teams = live.api.get_paged("/api/v4/teams")
    return sorted(team["name"] for team in teams if team["name"] != "mmrc-lock")


def test_a_plan_saved_against_one_server_is_refused_on_another(
    start_sandbox: Callable[..., LiveSandbox],
) -> None:
    first, second = start_sandbox(), start_sandbox()
    planfile = save_plan(first, workspace(first))
    binding = json.loads(planfile.read_text())["binding"]
    assert binding["server_url"] == first.url
    result = second.mmrc("apply", str(planfile), "--auto-approve")
    assert result.exit_code == 1
    assert f"was made against {first.url}, not {second.url}" in result.output
    assert team_names(second) == []  # nothing was written
    assert "Apply complete" not in result.output


def test_a_plan_is_refused_by_another_server_at_the_same_url(
    start_sandbox: Callable[..., LiveSandbox],
) -> None:
    first = start_sandbox()
    planfile = save_plan(first, workspace(first))
    port = int(first.url.rsplit(":", 1)[1])
    first.api.close()
    first.running.stop()
    other = Sandbox(SandboxOptions(admin_token=ADMIN_TOKEN, seed="empty", admin_api=True))
    running = start_in_thread(other, port=port)
    try:
        assert running.url == first.url
        replacement = LiveSandbox(running, ADMIN_TOKEN, Client(running.url, ADMIN_TOKEN), first.tmp)
        result = replacement.mmrc("apply", str(planfile), "--auto-approve")
        assert result.exit_code == 1
        role = replacement.api.get("/api/v4/roles/name/system_user")["id"]
        bound = json.loads(planfile.read_text())["binding"]["server_id"]
        assert bound != role
        assert f"identity (system_user role id) was {bound}" in result.output
        assert f"the server there now is {role}, another server" in result.output
        assert team_names(replacement) == []
        replacement.api.close()
    finally:
        running.stop()


def test_a_plan_is_refused_when_the_workspace_or_an_include_changed(
    sandbox_empty: LiveSandbox,
) -> None:
    live = sandbox_empty
    path = workspace(live)
    planfile = save_plan(live, path)
    include = live.tmp / "teams" / "beta.yaml"
    include.write_text(BETA.replace("Beta", "Beta changed"), encoding="utf-8")
    for args in (["-f", str(path)], []):  # -f given, or the file the plan names
        refused = live.mmrc("apply", str(planfile), *args, "--auto-approve")
        assert refused.exit_code == 1
        assert f"but {path} is now" in refused.output
        assert "the workspace changed since the plan was made" in refused.output
    assert team_names(live) == []
    include.write_text(BETA, encoding="utf-8")  # the content the plan was made from
    applied = live.mmrc("apply", str(planfile), "-f", str(path), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert team_names(live) == ["alpha", "beta"]


def test_a_plan_file_edited_by_hand_is_refused(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    planfile = save_plan(live, workspace(live))
    data = json.loads(planfile.read_text())
    data["desired"]["teams"][0]["display_name"] = "Edited"
    planfile.write_text(json.dumps(data))
    result = live.mmrc("apply", str(planfile), "--auto-approve")
    assert result.exit_code == 1
    assert "was changed after it was saved" in result.output
    assert team_names(live) == []
