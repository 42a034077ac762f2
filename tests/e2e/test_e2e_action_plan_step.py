"""The mmrc-plan GitHub action's plan step, run for real under bash with the installed mmrc
against a sandbox: it finds `--commit` and `--no-permission-check` in `mmrc plan --help`
and passes them (the planning token only reads)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from live_sandbox import LiveSandbox
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
SHA = "0123456789abcdef0123456789abcdef01234567"
WORKSPACE = """\
version: 1
policy: {classes: {}}
teams:
  - name: alpha
    display_name: Alpha
    description: "%s"
"""

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def plan_step() -> str:
    action = YAML(typ="safe", pure=True).load(
        (REPO / ".github/actions/mmrc-plan/action.yml").read_text()
    )
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "plan")
    return str(step["run"])


def run_step(live: LiveSandbox, tmp_path: Path, token: str) -> tuple[dict[str, str], str]:
    """Run the step as GitHub does (`bash --noprofile --norc -eo pipefail`); (outputs, plan)."""
    mmrc = Path(sys.executable).parent / "mmrc"
    assert mmrc.exists(), "mmrc is not installed next to this Python"
    output = tmp_path / "github_output"
    output.write_text("")
    env = {
        "PATH": f"{mmrc.parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(output),
        "WORKSPACE": str(live.workspace(WORKSPACE % "changed")),
        "PLAN_FILE": str(tmp_path / "plan.json"),
        "COMMIT": SHA,
        "EXTRA_ARGS": "--no-color",
        "MM_URL": live.url,
        "MM_TOKEN": token,
    }
    subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", plan_step()],
        env=env,
        cwd=tmp_path,
        check=True,
        timeout=120,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs["exitcode"] == "2", (tmp_path / "mmrc-plan.err").read_text()
    return outputs, (tmp_path / "mmrc-plan.md").read_text()


@pytest.fixture
def live(start_sandbox: Callable[..., LiveSandbox]) -> LiveSandbox:
    live = start_sandbox("empty")
    live.api.put("/api/v4/config/patch", {"ServiceSettings": {"EnableUserAccessTokens": True}})
    applied = live.mmrc("apply", "-f", str(live.workspace(WORKSPACE % "")), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    return live


def test_the_step_names_the_commit(live: LiveSandbox, tmp_path: Path) -> None:
    outputs, markdown = run_step(live, tmp_path, live.token)
    assert "Planned commit `0123456`" in markdown
    assert outputs["plan-file"] == str(tmp_path / "plan.json")


def test_a_read_only_token_gets_a_plan_not_permission_errors(
    live: LiveSandbox, tmp_path: Path
) -> None:
    reader = live.user("reader")  # a plain member of alpha: it may not change the team
    team = live.team("alpha")["id"]
    live.api.post(f"/api/v4/teams/{team}/members", {"team_id": team, "user_id": reader["id"]})
    token = str(
        live.api.post(f"/api/v4/users/{reader['id']}/tokens", {"description": "ci"})["token"]
    )
    live.token = token
    refused = live.mmrc("plan", "-f", str(live.workspace(WORKSPACE % "changed")))
    assert refused.exit_code == 1 and "manage_team" in refused.output
    _, markdown = run_step(live, tmp_path, token)
    assert "team.alpha" in markdown and "manage_team" not in markdown
