"""mmrc's product on the real server, against the sandbox (`scripts/real-mattermost test`).

The real server was started with `--seed demo` (MMRC_REAL_SEED=demo): the same description,
created through the same API requests, as `mmrc sandbox --seed demo`. The plan of the
repository's workspace.yaml must then be the same on both, change by change and value by value;
apply must converge on the real server, and import, drift, output, rotate and the smoke test
must work there. The tests run in file order: the plan comparison reads the fresh seed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import cli

pytestmark = pytest.mark.realserver

REPO = Path(__file__).resolve().parents[2]
WORKSPACE = REPO / "workspace.yaml"
ENV = {"GITLAB_OAUTH_SECRET": "real-server-demo-secret", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def server() -> dict[str, str]:
    url, token = os.environ.get("MM_URL", ""), os.environ.get("MM_TOKEN", "")
    if not url or not token or os.environ.get("MMRC_REAL_SEED") != "demo":
        pytest.skip("needs a real server started with `scripts/real-mattermost start --seed demo`")
    return {"MM_URL": url, "MM_TOKEN": token}


def mmrc(env: dict[str, str], *args: str, expect: int = 0) -> Result:
    result = CliRunner().invoke(cli, list(args), env={**env, **ENV}, catch_exceptions=False)
    assert result.exit_code == expect, f"mmrc {' '.join(args)}: exit {result.exit_code}\n" + (
        result.stdout + result.stderr
    )
    return result


def comparable(plan: dict[str, Any]) -> dict[str, Any]:
    """A plan without what names the server it was made on."""
    return {key: value for key, value in plan.items() if key not in ("server", "observed")}


def test_the_plan_is_the_same_on_the_real_server_and_the_sandbox(server: dict[str, str]) -> None:
    real = json.loads(mmrc(server, "plan", "-f", str(WORKSPACE), "--format", "json").stdout)
    sandbox = json.loads(
        mmrc({}, "plan", "-f", str(WORKSPACE), "--sandbox", "demo", "--format", "json").stdout
    )
    assert real["server"]["version"] == sandbox["server"]["version"]
    real_changes = {change["address"]: change for change in real["changes"]}
    sandbox_changes = {change["address"]: change for change in sandbox["changes"]}
    assert sorted(real_changes) == sorted(sandbox_changes)
    for address, change in real_changes.items():
        assert change == sandbox_changes[address], address
    assert comparable(real) == comparable(sandbox)
    assert len(real["changes"]) > 30  # the demo's drift: renames, replaces, creates, updates


def test_apply_converges_and_the_tools_work_on_the_real_server(
    server: dict[str, str], tmp_path: Path
) -> None:
    outputs = tmp_path / "outputs.json"
    applied = mmrc(
        server,
        "apply",
        "-f",
        str(WORKSPACE),
        "--auto-approve",
        "--outputs-file",
        str(outputs),
        "--smoke-test",
    )
    assert "Apply complete!" in applied.stdout
    assert ENV["GITLAB_OAUTH_SECRET"] not in applied.stdout + applied.stderr
    mmrc(server, "plan", "-f", str(WORKSPACE), "--detailed-exitcode")  # converged
    mmrc(server, "drift", "-f", str(WORKSPACE), "--detailed-exitcode")  # nothing by hand

    written = json.loads(outputs.read_text())["outputs"]
    hook = written["team.asd/incoming_webhook.Redmine"]
    assert hook["url"].startswith(server["MM_URL"] + "/hooks/")
    masked = mmrc(server, "output", "-f", str(WORKSPACE))
    assert "team.asd/incoming_webhook.Redmine" in masked.stdout
    assert hook["url"] not in masked.stdout

    before = written["team.asd/command.reply"]["token"]
    mmrc(server, "rotate", "-f", str(WORKSPACE), "--auto-approve", "--outputs-file", str(outputs))
    after = json.loads(outputs.read_text())["outputs"]["team.asd/command.reply"]["token"]
    assert after and after != before
    mmrc(server, "plan", "-f", str(WORKSPACE), "--detailed-exitcode")  # rotation is no drift

    imported = tmp_path / "imported.yaml"
    mmrc(server, "import", "-o", str(imported), "--members")
    # the imported file names the secret it cannot read as ${env:MM_GITLAB_SECRET}
    secret = {"MM_GITLAB_SECRET": ENV["GITLAB_OAUTH_SECRET"]}
    mmrc({**server, **secret}, "plan", "-f", str(imported), "--detailed-exitcode")  # zero diff
