"""`--commit SHA` on `mmrc plan` and `mmrc drift`: the markdown names the commit, and the
GitHub action's plan step (run for real, with the installed mmrc) finds and passes it."""

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
WORKSPACE = REPO / "workspace.yaml"
SECRETS = {"GITLAB_OAUTH_SECRET": "gitlab-oauth-secret-for-tests"}
SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def demo(start_sandbox: Callable[..., LiveSandbox]) -> LiveSandbox:
    return start_sandbox("demo")


def test_plan_markdown_names_the_commit_once(demo: LiveSandbox) -> None:
    result = demo.mmrc(
        "plan", "-f", str(WORKSPACE), "--format", "markdown", "--commit", SHA, **SECRETS
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:4] == ["<!-- mmrc-plan -->", "### mmrc plan", "", "Planned commit `0123456`"]
    assert result.output.count("0123456") == 1
    without = demo.mmrc("plan", "-f", str(WORKSPACE), "--format", "markdown", **SECRETS)
    assert "commit" not in without.output.split("**Plan:**")[0]


def test_a_branch_name_is_shown_whole_and_markup_is_dropped(demo: LiveSandbox) -> None:
    result = demo.mmrc(
        "plan", "-f", str(WORKSPACE), "--format", "markdown", "--commit", "main`<b>", **SECRETS
    )
    assert "Planned commit `mainb`" in result.output


def test_text_and_json_plans_do_not_change_with_a_commit(demo: LiveSandbox) -> None:
    for fmt in ("text", "json"):
        args = ("plan", "-f", str(WORKSPACE), "--format", fmt, "--no-color")
        plain = demo.mmrc(*args, **SECRETS)
        named = demo.mmrc(*args, "--commit", SHA, **SECRETS)
        assert plain.exit_code == named.exit_code == 0
        assert plain.output == named.output


def test_drift_names_the_checked_commit(demo: LiveSandbox) -> None:
    result = demo.mmrc(
        "drift", "-f", str(WORKSPACE), "--format", "markdown", "--commit", SHA, **SECRETS
    )
    assert result.exit_code == 0, result.output
    assert "Checked commit `0123456`" in result.output
    via_plan = demo.mmrc(
        "plan", "-f", str(WORKSPACE), "--drift", "--format", "markdown", "--commit", SHA, **SECRETS
    )
    assert "Checked commit `0123456`" in via_plan.output


def plan_step() -> str:
    action = YAML(typ="safe").load((REPO / ".github/actions/mmrc-plan/action.yml").read_text())
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "plan")
    return str(step["run"])


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_actions_plan_step_passes_the_commit_to_the_real_mmrc(
    demo: LiveSandbox, tmp_path: Path
) -> None:
    mmrc = Path(sys.executable).parent / "mmrc"
    assert mmrc.exists(), "mmrc is not installed next to this Python"
    output = tmp_path / "github_output"
    output.write_text("")
    env = {
        "PATH": f"{mmrc.parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(output),
        "WORKSPACE": str(WORKSPACE),
        "PLAN_FILE": str(tmp_path / "plan.json"),
        "COMMIT": SHA,
        "EXTRA_ARGS": "--no-color",
        "MM_URL": demo.url,
        "MM_TOKEN": demo.token,
        **SECRETS,
    }
    # GitHub runs `shell: bash` steps as `bash --noprofile --norc -eo pipefail`
    subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", plan_step()],
        env=env,
        cwd=tmp_path,
        check=True,
        timeout=120,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs["exitcode"] == "2", (tmp_path / "mmrc-plan.err").read_text()
    markdown = (tmp_path / "mmrc-plan.md").read_text()
    assert "Planned commit `0123456`" in markdown
    assert (tmp_path / "plan.json").exists()
