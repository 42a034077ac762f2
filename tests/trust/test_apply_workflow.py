"""apply-main.yml's gates, run for real: its github-script steps under node with a fake
GitHub API (approvals only from OWNER/MEMBER/COLLABORATOR; the saved plan only from this
repository's own pull_request run of plan-pr.yml for the merged PR's last commit), and its
Python steps (the saved plan's workspace hash against the merged tree; the summary from
plan.json)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from live_sandbox import LiveSandbox
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / ".github" / "workflows" / "apply-main.yml"

HARNESS = r"""
const fs = require('fs');
const [scriptPath, statePath] = process.argv.slice(2);
const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
const outputs = {};
const messages = [];
let failed = null;
const github = {
  rest: {
    repos: {
      listPullRequestsAssociatedWithCommit: async () => ({ data: state.prs }),
    },
    pulls: { listReviews: async () => ({ data: state.reviews }) },
    actions: {
      listArtifactsForRepo: async () => ({ data: { artifacts: state.artifacts } }),
      getWorkflowRun: async (p) => ({ data: state.runs[String(p.run_id)] }),
    },
  },
  paginate: async (fn, p) => (await fn(p)).data,
};
const context = { repo: { owner: 'o', repo: 'r' }, sha: 'merge-sha', eventName: 'push' };
const core = {
  info(m) { messages.push(m); }, notice(m) { messages.push(m); }, warning(m) { messages.push(m); },
  setOutput(k, v) { outputs[k] = v; }, setFailed(m) { failed = m; },
};
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('github', 'context', 'core', 'require', fs.readFileSync(scriptPath, 'utf8'))(
  github, context, core, require,
).then(() => fs.writeFileSync(statePath, JSON.stringify({ outputs, failed, messages })))
  .catch((e) => { console.error(e); process.exit(1); });
"""


def steps() -> list[dict[str, Any]]:
    flow: dict[str, Any] = YAML(typ="safe").load(FLOW.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = flow["jobs"]["prepare"]["steps"]
    return found


def step(name: str) -> dict[str, Any]:
    return next(s for s in steps() if s.get("name") == name)


@pytest.fixture
def run_script(tmp_path: Path) -> Callable[..., dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS, encoding="utf-8")

    def run(name: str, state: dict[str, Any], **env: str) -> dict[str, Any]:
        script = tmp_path / "script.js"
        script.write_text(step(name)["with"]["script"], encoding="utf-8")
        state_file = tmp_path / "state.json"
        state_file.write_text(json.dumps(state), encoding="utf-8")
        result = subprocess.run(
            [node, str(harness), str(script), str(state_file)],
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        out: dict[str, Any] = json.loads(state_file.read_text(encoding="utf-8"))
        return out

    return run


PR = {
    "number": 7,
    "merged_at": "2026-01-01",
    "merge_commit_sha": "merge-sha",
    "head": {"sha": "h1"},
}


def review(login: str, state: str, association: str) -> dict[str, Any]:
    return {"user": {"login": login}, "state": state, "author_association": association}


def test_only_approvals_from_people_with_write_access_count(run_script: Any) -> None:
    outsider = {"prs": [PR], "reviews": [review("drive-by", "APPROVED", "CONTRIBUTOR")]}
    result = run_script("Require an approved pull request", outsider)
    assert result["failed"] is not None and "was not approved" in result["failed"]
    for association in ("OWNER", "MEMBER", "COLLABORATOR"):
        state = {"prs": [PR], "reviews": [review("maintainer", "APPROVED", association)]}
        result = run_script("Require an approved pull request", state)
        assert result["failed"] is None
        assert result["outputs"] == {"number": "7", "head-sha": "h1"}
    mixed = {
        "prs": [PR],
        "reviews": [
            review("maintainer", "APPROVED", "MEMBER"),
            review("none", "CHANGES_REQUESTED", "NONE"),  # an outsider cannot block either
        ],
    }
    assert run_script("Require an approved pull request", mixed)["failed"] is None


def good_run(run_id: int, **changes: Any) -> dict[str, Any]:
    run = {
        "id": run_id,
        "event": "pull_request",
        "path": ".github/workflows/plan-pr.yml",
        "repository": {"full_name": "o/r"},
        "head_repository": {"full_name": "o/r"},
        "conclusion": "success",
        "head_sha": "h1",
        "html_url": f"https://github.example/o/r/actions/runs/{run_id}",
    }
    run.update(changes)
    return run


def test_only_this_repositorys_own_pull_request_plan_run_is_trusted(run_script: Any) -> None:
    name = "mmrc-plan-tree1"
    bad = {
        "11": good_run(11, head_repository={"full_name": "fork/r"}),  # a fork's run
        "12": good_run(12, event="pull_request_target"),
        "13": good_run(13, path=".github/workflows/other.yml"),
        "14": good_run(14, head_sha="h0"),  # an older push of the pull request
        "15": good_run(15, conclusion="failure"),
    }
    artifacts = [
        {
            "id": 100 + int(run_id),
            "name": name,
            "expired": False,
            "created_at": f"2026-01-01T00:00:{run_id}Z",  # the forged ones are the newest
            "workflow_run": {"id": int(run_id)},
        }
        for run_id in bad
    ]
    env = {"NAME": name, "PLAN_WORKFLOW": ".github/workflows/plan-pr.yml", "HEAD_SHA": "h1"}
    state = {"artifacts": artifacts, "runs": bad}
    result = run_script("Find the plan saved for this content", state, **env)
    assert result["outputs"]["run-id"] == ""
    assert any("a fork" in m for m in result["messages"])
    trusted = {"id": 110, "name": name, "expired": False, "created_at": "2026-01-01T00:00:01Z",
               "workflow_run": {"id": 10}}  # fmt: skip
    state = {"artifacts": [*artifacts, trusted], "runs": {**bad, "10": good_run(10)}}
    result = run_script("Find the plan saved for this content", state, **env)
    assert result["outputs"]["run-id"] == "10"
    assert result["outputs"]["run-url"].endswith("/runs/10")


def python_snippets() -> list[str]:
    text = step("Use the saved plan, or plan again")["run"]
    return re.findall(r"<<'PY'\n(.*?)\nPY\n", text, re.S)


def test_the_saved_plan_must_match_the_merged_tree_and_the_summary_is_rendered_from_it(
    sandbox_empty: LiveSandbox, tmp_path: Path
) -> None:
    live = sandbox_empty
    check, summary = python_snippets()
    work = tmp_path / "repo"
    (work / ".mmrc-plan").mkdir(parents=True)
    ws = work / "workspace.yaml"
    ws.write_text(
        "version: 1\npolicy: {classes: {}}\nteams:\n  - {name: alpha, display_name: Alpha}\n"
    )
    saved = live.mmrc("plan", "-f", str(ws), "--out", str(work / ".mmrc-plan" / "plan.json"))
    assert saved.exit_code == 0, saved.output

    def python(code: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "MMRC_WORKSPACE": "workspace.yaml"}
        return subprocess.run(
            [sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True
        )

    assert python(check).returncode == 0  # made from this tree
    rendered = python(summary)
    assert rendered.returncode == 0, rendered.stderr
    assert "team.alpha" in rendered.stdout
    ws.write_text(ws.read_text().replace("Alpha", "Alpha (changed after the plan)"))
    mismatch = python(check)
    assert mismatch.returncode == 1
    assert "made from other workspace content than the merged tree" in mismatch.stdout
