"""Golden files of real plans: `mmrc plan --format text|markdown|json` for the repository's
workspace.yaml against a fresh `--seed demo` sandbox, pinned in tests/e2e/golden/.

Only the sandbox's URL (a free port) is normalised. Anything else that varies between
runs (ordering, ids) is a bug in the engine, not something to normalise here.
Regenerate with `UPDATE_GOLDEN=1 pytest tests/e2e/test_e2e_golden.py` and read the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from live_sandbox import LiveSandbox

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
SECRETS = {"GITLAB_OAUTH_SECRET": "gitlab-oauth-secret-for-tests"}
EXTENSIONS = {"text": "txt", "markdown": "md", "json": "json"}
URL = "http://sandbox.invalid"


def plan_output(live: LiveSandbox, fmt: str) -> str:
    result = live.mmrc("plan", "-f", "workspace.yaml", "--format", fmt, **SECRETS)
    assert result.exit_code == 0, result.output
    return result.stdout.replace(live.url, URL)


def check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.exists(), f"{path} is missing; run UPDATE_GOLDEN=1 pytest {__file__}"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs; run UPDATE_GOLDEN=1 pytest {__file__}"


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_plan_of_the_repository_workspace_on_the_demo_seed(
    fmt: str, start_sandbox: Callable[..., LiveSandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)  # as a user runs it: `mmrc plan -f workspace.yaml`
    check(f"plan.{EXTENSIONS[fmt]}", plan_output(start_sandbox("demo"), fmt))


def test_two_fresh_servers_give_the_same_plan(
    start_sandbox: Callable[..., LiveSandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every sandbox draws new random ids; the plan must not depend on them.
    monkeypatch.chdir(REPO)
    first = plan_output(start_sandbox("demo"), "json")
    second = plan_output(start_sandbox("demo"), "json")
    assert first == second
