"""`--commit SHA` on `mmrc plan` and `mmrc drift`: the markdown names the commit (the GitHub
action's use of it runs in test_e2e_action_plan_step.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from live_sandbox import LiveSandbox

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
