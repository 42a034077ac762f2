"""The repository's non-Python deliverables: GitHub workflows and actions, compose.yaml,
the pre-commit hook, and the Mattermost bootstrap script.

Every YAML file must parse, and the facts the docs promise must hold: the PR plan edits
one comment found by its marker, apply runs in a protected environment, drift keeps one
issue, compose serves Mattermost on loopback 9107 with a ping health check. The bootstrap
script is run for real against a small fake Mattermost.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONS = ROOT / ".github" / "actions"
BOOTSTRAP = ROOT / "scripts" / "bootstrap-mattermost.sh"
YAML_FILES = sorted(
    [
        *WORKFLOWS.glob("*.yml"),
        *ACTIONS.glob("*/action.yml"),
        ROOT / "compose.yaml",
        ROOT / ".pre-commit-hooks.yaml",
    ]
)
USER_FACING = ("plan-pr.yml", "apply-main.yml", "drift.yml")


def load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def workflow(name: str) -> dict[str, Any]:
    data: dict[str, Any] = load(WORKFLOWS / name)
    return data


def action(name: str) -> dict[str, Any]:
    data: dict[str, Any] = load(ACTIONS / name / "action.yml")
    return data


def triggers(flow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 readers turn the key `on` into True; ruamel's safe loader keeps "on".
    on = flow.get("on", flow.get(True))
    assert isinstance(on, dict), on
    return on


def step_text(steps: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(step) for step in steps)


# -- every file parses ---------------------------------------------------------------------------


def test_the_expected_files_exist() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in YAML_FILES}
    assert names >= {
        ".github/workflows/ci.yml",
        ".github/workflows/live.yml",
        ".github/workflows/plan-pr.yml",
        ".github/workflows/apply-main.yml",
        ".github/workflows/drift.yml",
        ".github/actions/mmrc-plan/action.yml",
        ".github/actions/mmrc-drift/action.yml",
        "compose.yaml",
        ".pre-commit-hooks.yaml",
    }


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_yaml_parses(path: Path) -> None:
    data = load(path)
    assert isinstance(data, dict | list) and data
    if path.parent == WORKFLOWS:
        assert triggers(data)
        for job_id, job in data["jobs"].items():
            assert "runs-on" in job, job_id
            assert job.get("steps"), job_id
    if path.name == "action.yml":
        assert data["runs"]["using"] == "composite"
        for step in data["runs"]["steps"]:  # composite run steps must name their shell
            assert "uses" in step or step.get("shell") == "bash", step


def test_local_actions_are_given_only_inputs_they_declare() -> None:
    for name in USER_FACING:
        for job in workflow(name)["jobs"].values():
            for step in job["steps"]:
                uses = step.get("uses", "")
                if uses.startswith("./.github/actions/"):
                    declared = action(uses.rsplit("/", 1)[-1])["inputs"]
                    assert set(step.get("with", {})) <= set(declared), (name, uses)


# -- pull-request plan ---------------------------------------------------------------------------


def test_plan_workflow_validates_without_secrets_and_plans_only_same_repo_prs() -> None:
    flow = workflow("plan-pr.yml")
    on = triggers(flow)
    assert "pull_request" in on and "pull_request_target" not in on
    validate, plan = flow["jobs"]["validate"], flow["jobs"]["plan"]
    assert "secrets." not in json.dumps(validate)
    assert "mmrc validate" in step_text(validate["steps"])
    assert plan["needs"] == "validate"
    assert "head.repo.full_name == github.repository" in plan["if"]
    assert plan["permissions"]["pull-requests"] == "write"
    uses = [s for s in plan["steps"] if s.get("uses") == "./.github/actions/mmrc-plan"]
    assert len(uses) == 1
    assert uses[0]["with"]["token"] == "${{ secrets.MM_TOKEN_READONLY }}"
    uploads = [
        s for s in plan["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact")
    ]
    assert uploads and uploads[0]["with"]["name"].startswith("mmrc-plan-")


def test_plan_action_edits_one_comment_found_by_its_marker() -> None:
    steps = action("mmrc-plan")["runs"]["steps"]
    text = step_text(steps)
    assert "--format markdown" in text and "--detailed-exitcode" in text and "--out" in text
    composer = next(s for s in steps if s.get("id") == "body")
    assert 'MARKER = "<!-- mmrc-plan -->"' in composer["run"]
    assert "header = MARKER" in composer["run"]  # the marker is the first line
    script = next(s for s in steps if s.get("id") == "comment")["with"]["script"]
    assert "const marker = '<!-- mmrc-plan -->'" in script
    assert "startsWith(marker)" in script
    assert "github.paginate(github.rest.issues.listComments" in script
    # edit when found; create only when there is none yet
    found, none_yet = script.split("if (ours.length > 0) {", 1)[1].split("} else {", 1)
    assert "updateComment" in found and "createComment" not in found
    assert "createComment" in none_yet
    assert script.count("createComment") == 1


def test_plan_comment_says_which_commit_and_no_changes() -> None:
    steps = action("mmrc-plan")["runs"]["steps"]
    composer = next(s for s in steps if s.get("id") == "body")
    assert composer["env"]["COMMIT"] == "${{ inputs.commit }}"
    assert "Planned commit" in composer["run"] and "No changes" in composer["run"]
    assert "65_000" in composer["run"]  # GitHub's comment size limit


# -- apply on merge ------------------------------------------------------------------------------


def test_apply_runs_in_the_production_environment_after_an_approved_pr() -> None:
    flow = workflow("apply-main.yml")
    assert triggers(flow)["push"]["branches"] == ["main"]
    assert flow["concurrency"]["cancel-in-progress"] is False
    prepare, apply = flow["jobs"]["prepare"], flow["jobs"]["apply"]
    assert apply["environment"]["name"] == "production"
    assert apply["needs"] == "prepare"
    assert "mmrc apply .mmrc-plan/plan.json --auto-approve" in step_text(apply["steps"])
    assert "secrets.MM_TOKEN }}" in json.dumps(apply)
    # the write token is only in the environment-gated job
    assert "secrets.MM_TOKEN }}" not in json.dumps(prepare)
    text = step_text(prepare["steps"])
    assert "listPullRequestsAssociatedWithCommit" in text and "APPROVED" in text
    assert "mmrc-plan-${{ steps.key.outputs.tree }}" in text  # the PR run's artifact name


# -- drift ----------------------------------------------------------------------------------------


def test_drift_runs_on_a_schedule_and_keeps_one_issue() -> None:
    flow = workflow("drift.yml")
    assert triggers(flow)["schedule"][0]["cron"]
    job = flow["jobs"]["drift"]
    assert job["permissions"]["issues"] == "write"
    step = next(s for s in job["steps"] if s.get("uses") == "./.github/actions/mmrc-drift")
    assert step["with"]["label"] == "mmrc-drift"

    steps = action("mmrc-drift")["runs"]["steps"]
    run = next(s for s in steps if s.get("id") == "drift")["run"]
    assert "mmrc drift" in run and "--format markdown" in run and "--detailed-exitcode" in run
    script = next(s for s in steps if s.get("id") == "issue")["with"]["script"]
    assert "const marker = '<!-- mmrc-drift -->'" in script
    assert "state: 'open', labels: label" in script
    assert script.count("issues.create(") == 1  # opened only when none is open
    assert "issue_number: existing.number, body" in script  # edited while it lasts
    assert "state: 'closed'" in script  # closed when the drift is gone


# -- this repository's CI and the live suite -----------------------------------------------------


def test_ci_runs_the_same_command_as_ci_run() -> None:
    job = workflow("ci.yml")["jobs"]["test"]
    assert "bash .ci/run" in step_text(job["steps"])
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for tool in ("ruff check", "mypy", "lint-imports", "pytest"):
        assert tool in ci_run


def test_live_workflow_runs_the_live_suite_against_service_containers() -> None:
    flow = workflow("live.yml")
    assert triggers(flow)["workflow_dispatch"]["inputs"]["record"]["type"] == "boolean"
    job = flow["jobs"]["live"]
    services = job["services"]
    assert "mattermost/mattermost-" in services["mattermost"]["image"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert "/api/v4/system/ping" in services["mattermost"]["options"]
    text = step_text(job["steps"])
    assert "scripts/bootstrap-mattermost.sh" in text
    assert "pytest -m live" in text
    assert "::add-mask::$MM_TOKEN" in text
    run_tests = next(s for s in job["steps"] if "pytest -m live" in s.get("run", ""))
    assert run_tests["env"]["MMRC_RECORD_CASSETTES"] == "${{ inputs.record && '1' || '' }}"
    upload = next(s for s in job["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "tests/cassettes/"


def test_docs_name_every_setting_the_user_facing_workflows_read() -> None:
    docs = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    names: set[str] = set()
    for name in USER_FACING:
        names |= set(re.findall(r"\b(?:secrets|vars)\.([A-Z_]+)", (WORKFLOWS / name).read_text()))
    assert names >= {"MM_URL", "MM_TOKEN", "MM_TOKEN_READONLY"}
    for setting in sorted(names):
        assert setting in docs, setting
    assert "production" in docs and "required reviewers" in docs.lower()
    assert (
        'docker compose up -d && eval "$(scripts/bootstrap-mattermost.sh)" && pytest -m live'
        in docs
    )


# -- compose and pre-commit ----------------------------------------------------------------------


def test_compose_serves_mattermost_on_loopback_9107_with_a_ping_health_check() -> None:
    services = load(ROOT / "compose.yaml")["services"]
    mattermost, postgres = services["mattermost"], services["postgres"]
    assert mattermost["container_name"] == "asd-mattermost"
    assert postgres["container_name"] == "asd-mattermost-postgres"
    assert mattermost["ports"] == ["127.0.0.1:9107:8065"]
    assert "ports" not in postgres  # the database is reachable from the compose network only
    health = " ".join(mattermost["healthcheck"]["test"])
    assert "http://127.0.0.1:8065/api/v4/system/ping" in health
    assert mattermost["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    # Env-pinned settings cannot be changed over the API: only the database and SiteURL here.
    assert set(mattermost["environment"]) == {
        "MM_SQLSETTINGS_DRIVERNAME",
        "MM_SQLSETTINGS_DATASOURCE",
        "MM_SERVICESETTINGS_SITEURL",
    }


def test_pre_commit_hook_runs_mmrc_validate() -> None:
    hooks = load(ROOT / ".pre-commit-hooks.yaml")
    hook = next(h for h in hooks if h["id"] == "mmrc-validate")
    assert hook["entry"] == "mmrc validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert re.search(hook["files"], "teams/support.yaml")
    assert not re.search(hook["files"], "README.md")


# -- the bootstrap script ------------------------------------------------------------------------


def test_bootstrap_script_is_valid_bash() -> None:
    assert BOOTSTRAP.stat().st_mode & 0o111, "not executable"
    result = subprocess.run(["bash", "-n", str(BOOTSTRAP)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_bootstrap_script_passes_shellcheck() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    result = subprocess.run(["shellcheck", str(BOOTSTRAP)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


SETTINGS = (
    "EnableUserAccessTokens",
    "EnableBotAccountCreation",
    "EnableIncomingWebhooks",
    "EnableOutgoingWebhooks",
    "EnableCommands",
    "EnablePostUsernameOverride",
    "EnablePostIconOverride",
)


@dataclass
class FakeMattermost:
    """Just enough Mattermost for the bootstrap script: ping, users, login, config patch, PATs."""

    failing_pings: int = 1
    pinned: frozenset[str] = frozenset()
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)
    settings: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(SETTINGS, False))
    log: list[str] = field(default_factory=list)

    def add_user(self, username: str, password: str, roles: str) -> dict[str, Any]:
        user = {"id": f"{username:x<26}"[:26], "username": username, "roles": roles}
        self.users[username] = {**user, "password": password}
        return user

    def handle(
        self, method: str, path: str, headers: Any, body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        self.log.append(f"{method} {path}")
        if path == "/api/v4/system/ping":
            if self.failing_pings > 0:
                self.failing_pings -= 1
                return 503, {"status": "UNHEALTHY"}, {}
            return 200, {"status": "OK"}, {"X-Version-Id": "10.11.0.1.abc.false"}
        if method == "POST" and path == "/api/v4/users":
            if body["username"] in self.users:
                return (
                    400,
                    {"id": "app.user.save.username_exists.app_error", "message": "taken"},
                    {},
                )
            roles = "system_user" if self.users else "system_admin system_user"
            return 201, self.add_user(body["username"], body["password"], roles), {}
        if method == "POST" and path == "/api/v4/users/login":
            user = self.users.get(body["login_id"])
            if user is None or user["password"] != body["password"]:
                return 401, {"id": "api.user.login.invalid_credentials", "message": "no"}, {}
            session = f"session{len(self.sessions)}"
            self.sessions[session] = user["id"]
            return 200, {k: v for k, v in user.items() if k != "password"}, {"Token": session}
        caller = self.sessions.get(headers.get("Authorization", "").removeprefix("Bearer "))
        if caller is None:
            return 401, {"id": "api.context.session_expired.app_error", "message": "no"}, {}
        if method == "PUT" and path == "/api/v4/config/patch":
            for key, value in body.get("ServiceSettings", {}).items():
                if key not in self.pinned:
                    self.settings[key] = value
            return 200, {"ServiceSettings": dict(self.settings)}, {}
        if method == "POST" and path == f"/api/v4/users/{caller}/tokens":
            if not self.settings["EnableUserAccessTokens"]:
                return 501, {"id": "app.user_access_token.disabled", "message": "off"}, {}
            self.tokens.append(f"pat{len(self.tokens)}" + "t" * 20)
            return 200, {"id": "tokenid", "token": self.tokens[-1], "user_id": caller}, {}
        return 404, {"id": "api.context.404.app_error", "message": "?"}, {}


@pytest.fixture
def fake_mattermost() -> Iterator[tuple[FakeMattermost, str]]:
    fake = FakeMattermost()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, payload, extra = fake.handle(
                self.command, self.path, self.headers, json.loads(raw) if raw else None
            )
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )  # shutdown() waits for the next poll: serve_forever's default is 0.5 s
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_bootstrap(url: str, **env: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    return subprocess.run(
        ["bash", str(BOOTSTRAP)],
        env={
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "MM_URL": url,
            "MM_BOOTSTRAP_TIMEOUT": "30",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def exports(stdout: str) -> dict[str, str]:
    """What `eval "$(bootstrap)"` sets, evaluated by bash itself."""
    script = stdout + '\nprintf "%s\\n%s" "$MM_URL" "$MM_TOKEN"'
    url, token = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    return {"MM_URL": url, "MM_TOKEN": token}


def test_bootstrap_creates_the_admin_enables_tokens_and_prints_exports(
    fake_mattermost: tuple[FakeMattermost, str],
) -> None:
    fake, url = fake_mattermost
    result = run_bootstrap(url + "/")
    assert result.returncode == 0, result.stderr
    assert exports(result.stdout) == {"MM_URL": url, "MM_TOKEN": fake.tokens[0]}
    assert result.stdout.count("\n") == 2  # nothing but the two exports on stdout
    assert fake.users["sysadmin"]["roles"] == "system_admin system_user"
    assert all(fake.settings.values()), fake.settings
    assert fake.log[:3] == ["GET /api/v4/system/ping"] * 2 + ["POST /api/v4/users/login"]
    assert "POST /api/v4/users" in fake.log
    assert "10.11.0.1.abc.false" in result.stderr


def test_bootstrap_again_logs_in_instead_of_creating(
    fake_mattermost: tuple[FakeMattermost, str],
) -> None:
    fake, url = fake_mattermost
    fake.failing_pings = 0
    fake.add_user("admin", "Secret-pass-1", "system_user system_admin")
    result = run_bootstrap(url, MM_ADMIN_USERNAME="admin", MM_ADMIN_PASSWORD="Secret-pass-1")
    assert result.returncode == 0, result.stderr
    assert "POST /api/v4/users" not in fake.log
    assert exports(result.stdout)["MM_TOKEN"] == fake.tokens[0]


def test_bootstrap_refuses_a_server_set_up_by_someone_else(
    fake_mattermost: tuple[FakeMattermost, str],
) -> None:
    fake, url = fake_mattermost
    fake.failing_pings = 0
    fake.add_user("owner", "Owner-pass-1", "system_admin system_user")
    fake.add_user("sysadmin", "Sysadmin-local-only-1", "system_user")
    result = run_bootstrap(url)
    assert result.returncode == 1
    assert "not a system admin" in result.stderr
    assert result.stdout == "" and fake.tokens == []


def test_bootstrap_warns_about_settings_pinned_by_the_environment(
    fake_mattermost: tuple[FakeMattermost, str],
) -> None:
    fake, url = fake_mattermost
    fake.failing_pings = 0
    fake.pinned = frozenset({"EnableCommands"})
    result = run_bootstrap(url)
    assert result.returncode == 0, result.stderr
    assert "still off after the patch" in result.stderr and "EnableCommands" in result.stderr


def test_bootstrap_gives_up_when_the_server_never_answers() -> None:
    result = run_bootstrap("http://127.0.0.1:9", MM_BOOTSTRAP_TIMEOUT="1")
    assert result.returncode == 1
    assert "no healthy answer" in result.stderr and result.stdout == ""


# -- the code inside the actions, run -------------------------------------------------------------


def compose_comment(tmp_path: Path, plan_md: str | None, **env: str) -> str:
    """Run the mmrc-plan action's "Compose the comment" step as the runner would."""
    step = next(s for s in action("mmrc-plan")["runs"]["steps"] if s.get("id") == "body")
    if plan_md is not None:
        (tmp_path / "mmrc-plan.md").write_text(plan_md, encoding="utf-8")
    (tmp_path / "output").unlink(missing_ok=True)
    (tmp_path / "mmrc-plan.err").write_text("Error: guard: 3 of 4 channels archived\n")
    (tmp_path / "mmrc-validate.txt").write_text("workspace.yaml:3:5: teams[0].name: bad\n")
    full_env = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "VALIDATE_CODE": "0",
        "PLAN_CODE": "2",
        "COMMIT": "0123456789abcdef0123456789abcdef01234567",
        "COMMENT_KEY": "",
        "WORKSPACE": "workspace.yaml",
        "RUN_URL": "https://github.example/o/r/actions/runs/1",
        **env,
    }
    subprocess.run(["bash", "-c", step["run"]], env=full_env, check=True, timeout=60)
    assert (tmp_path / "output").read_text() == f"file={tmp_path / 'mmrc-comment.md'}\n"
    return (tmp_path / "mmrc-comment.md").read_text(encoding="utf-8")


def test_comment_starts_with_the_marker_once_and_names_the_commit(tmp_path: Path) -> None:
    plan = "<!-- mmrc-plan -->\n## mmrc plan\n\n1 to create\n<details><summary>team asd</summary>\n"
    body = compose_comment(tmp_path, plan)
    assert body.startswith("<!-- mmrc-plan -->\n")
    assert body.count("<!-- mmrc-plan -->") == 1
    assert "Planned commit `0123456789abcdef0123456789abcdef01234567`" in body
    assert "<details><summary>team asd</summary>" in body
    assert "actions/runs/1" in body

    # A renderer that already names the commit (short form) gets no second line.
    named = compose_comment(tmp_path, "<!-- mmrc-plan -->\nPlanned commit `0123456`\n")
    assert "Planned commit" in named and named.count("0123456") == 1


def test_comment_for_no_changes_invalid_workspace_failed_plan_and_keys(tmp_path: Path) -> None:
    assert "No changes" in compose_comment(tmp_path, "", PLAN_CODE="0")
    invalid = compose_comment(tmp_path, None, VALIDATE_CODE="1", PLAN_CODE="")
    assert "does not validate" in invalid and "teams[0].name: bad" in invalid
    failed = compose_comment(tmp_path, "<!-- mmrc-plan -->\n- archive x\n", PLAN_CODE="1")
    assert "plan failed" in failed and "guard: 3 of 4" in failed and "- archive x" in failed
    keyed = compose_comment(tmp_path, "x", COMMENT_KEY="prod")
    assert keyed.startswith("<!-- mmrc-plan -->\n<!-- mmrc-plan-key: prod -->\n")


def test_comment_stays_under_githubs_limit(tmp_path: Path) -> None:
    body = compose_comment(tmp_path, "<!-- mmrc-plan -->\n" + "+ line\n" * 20_000)
    assert len(body) < 65_536
    assert "truncated" in body and body.startswith("<!-- mmrc-plan -->")


GITHUB_SCRIPT_HARNESS = r"""
const fs = require('fs');
const [scriptPath, statePath] = process.argv.slice(2);
const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
state.calls = [];
const outputs = {};
let failed = null;
const call = (name, fn) => async (p) => { state.calls.push(name); return fn(p); };
const url = (c) => ({ ...c, html_url: `https://github.example/c/${c.id}` });
const issues = {
  listComments: call('listComments', async (p) => ({ data: state.comments.filter((c) => c.issue === p.issue_number) })),
  updateComment: call('updateComment', async (p) => {
    const c = state.comments.find((x) => x.id === p.comment_id); c.body = p.body; return { data: url(c) };
  }),
  createComment: call('createComment', async (p) => {
    const c = { id: state.next++, issue: p.issue_number, user: { type: 'Bot', login: 'github-actions[bot]' }, body: p.body };
    state.comments.push(c); return { data: url(c) };
  }),
  listForRepo: call('listForRepo', async (p) => ({
    data: state.issues.filter((i) => i.state === p.state && i.labels.includes(p.labels)),
  })),
  update: call('update', async (p) => {
    const i = state.issues.find((x) => x.number === p.issue_number);
    for (const k of ['state', 'state_reason', 'body']) if (k in p) i[k] = p[k];
    return { data: i };
  }),
  create: call('create', async (p) => {
    const i = { number: state.next++, title: p.title, body: p.body, labels: p.labels, state: 'open' };
    state.issues.push(i); return { data: i };
  }),
  getLabel: call('getLabel', async (p) => {
    if (!state.labels.includes(p.name)) { const e = new Error('Not Found'); e.status = 404; throw e; }
    return { data: { name: p.name } };
  }),
  createLabel: call('createLabel', async (p) => { state.labels.push(p.name); return { data: {} }; }),
};
const github = { rest: { issues }, paginate: async (fn, p) => (await fn(p)).data };
const context = { repo: { owner: 'o', repo: 'r' }, payload: { pull_request: { number: 7 } } };
const core = {
  info() {}, notice() {}, warning() {},
  setOutput(k, v) { outputs[k] = v; }, setFailed(m) { failed = m; },
};
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('github', 'context', 'core', 'require', fs.readFileSync(scriptPath, 'utf8'))(
  github, context, core, require,
).then(() => fs.writeFileSync(statePath, JSON.stringify({ ...state, outputs, failed })))
  .catch((e) => { console.error(e); process.exit(1); });
"""


@pytest.fixture
def github_script(tmp_path: Path) -> Any:
    """Run an action's actions/github-script step under node with a fake GitHub API."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    harness = tmp_path / "harness.js"
    harness.write_text(GITHUB_SCRIPT_HARNESS, encoding="utf-8")

    def run(action_name: str, step_id: str, state: dict[str, Any], **env: str) -> dict[str, Any]:
        step = next(s for s in action(action_name)["runs"]["steps"] if s.get("id") == step_id)
        script = tmp_path / f"{step_id}.js"
        script.write_text(step["with"]["script"], encoding="utf-8")
        state_file = tmp_path / "state.json"
        state_file.write_text(json.dumps(state), encoding="utf-8")
        full_env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "RUNNER_TEMP": str(tmp_path), **env}
        result = subprocess.run(
            [node, str(harness), str(script), str(state_file)],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        new_state: dict[str, Any] = json.loads(state_file.read_text(encoding="utf-8"))
        return new_state

    return run


def test_plan_comment_is_created_once_then_edited(github_script: Any, tmp_path: Path) -> None:
    comment_file = tmp_path / "comment.md"
    env = {"COMMENT_FILE": str(comment_file), "COMMENT_KEY": ""}
    state: dict[str, Any] = {
        "next": 100,
        "comments": [
            {"id": 1, "issue": 7, "user": {"type": "User"}, "body": "<!-- mmrc-plan --> quoted"},
            {"id": 2, "issue": 7, "user": {"type": "Bot"}, "body": "another bot"},
            {"id": 3, "issue": 8, "user": {"type": "Bot"}, "body": "<!-- mmrc-plan -->\nother PR"},
            {  # another app's bot posting the marker is not ours
                "id": 4,
                "issue": 7,
                "user": {"type": "Bot", "login": "evil-app[bot]"},
                "body": "<!-- mmrc-plan -->\nforged",
            },
        ],
        "issues": [],
        "labels": [],
    }
    comment_file.write_text("<!-- mmrc-plan -->\nfirst push\n")
    state = github_script("mmrc-plan", "comment", state, **env)
    assert state["calls"] == ["listComments", "createComment"]
    ours = [c for c in state["comments"] if c["id"] >= 100]
    assert len(ours) == 1 and ours[0]["body"].endswith("first push\n")

    comment_file.write_text("<!-- mmrc-plan -->\nsecond push\n")
    state = github_script("mmrc-plan", "comment", state, **env)
    assert state["calls"] == ["listComments", "updateComment"]
    assert [c["body"] for c in state["comments"] if c["id"] >= 100] == [
        "<!-- mmrc-plan -->\nsecond push\n"
    ]
    assert state["comments"][0]["body"] == "<!-- mmrc-plan --> quoted"  # a human's: untouched
    assert state["comments"][3]["body"] == "<!-- mmrc-plan -->\nforged"  # another bot's
    assert state["outputs"]["url"] == "https://github.example/c/100"

    # Another workspace's comment (keyed) is separate from the unkeyed one.
    comment_file.write_text("<!-- mmrc-plan -->\n<!-- mmrc-plan-key: prod -->\nprod\n")
    state = github_script(
        "mmrc-plan", "comment", state, COMMENT_FILE=str(comment_file), COMMENT_KEY="prod"
    )
    assert state["calls"] == ["listComments", "createComment"]


def test_drift_issue_is_opened_edited_and_closed(github_script: Any, tmp_path: Path) -> None:
    report = tmp_path / "mmrc-drift.md"
    env = {
        "LABEL": "mmrc-drift",
        "TITLE": "Mattermost drift",
        "RUN_URL": "https://github.example/run/1",
    }
    state: dict[str, Any] = {"next": 10, "comments": [], "issues": [], "labels": []}
    state["issues"].append(
        {"number": 1, "title": "x", "body": "unrelated", "labels": ["mmrc-drift"], "state": "open"}
    )

    report.write_text("<!-- mmrc-drift -->\n~ team.asd/channel.dev purpose\n")
    state = github_script("mmrc-drift", "issue", state, DRIFT="true", **env)
    assert state["calls"] == ["listForRepo", "getLabel", "createLabel", "create"]
    issue = state["issues"][-1]
    assert issue["body"].startswith("<!-- mmrc-drift -->\n") and "channel.dev" in issue["body"]
    assert issue["labels"] == ["mmrc-drift"] and state["outputs"]["number"] == str(issue["number"])

    state = github_script("mmrc-drift", "issue", state, DRIFT="true", **env)  # same drift
    assert state["calls"] == ["listForRepo", "getLabel", "update"]
    assert len(state["issues"]) == 2 and state["comments"] == []

    report.write_text("<!-- mmrc-drift -->\n~ team.asd/channel.dev header\n")
    state = github_script("mmrc-drift", "issue", state, DRIFT="true", **env)  # drift changed
    assert state["calls"] == ["listForRepo", "getLabel", "update", "createComment"]
    assert "channel.dev header" in state["issues"][-1]["body"]

    state = github_script("mmrc-drift", "issue", state, DRIFT="false", **env)  # drift gone
    assert state["calls"] == ["listForRepo", "createComment", "update"]
    assert state["issues"][-1]["state"] == "closed"
    assert "No drift since" in state["comments"][-1]["body"]
    assert state["issues"][0]["state"] == "open"  # the unrelated issue is left alone

    state = github_script("mmrc-drift", "issue", state, DRIFT="false", **env)
    assert state["calls"] == ["listForRepo"]


STUB_MMRC = """#!/usr/bin/env bash
if [ "$2" = "--help" ]; then printf '%s\\n' "$STUB_HELP"; exit 0; fi
printf '%s\\n' "$*" >>"$STUB_LOG"
printf '%s' "$STUB_OUT"
if [ -n "$STUB_WRITE" ]; then echo '{}' >"$STUB_WRITE"; fi
exit "$STUB_CODE"
"""


def run_action_step(
    tmp_path: Path, action_name: str, step_id: str, **env: str
) -> tuple[dict[str, str], list[str]]:
    """Run one `run:` step of an action with a stub `mmrc` on PATH; (outputs, mmrc calls)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stub = bin_dir / "mmrc"
    stub.write_text(STUB_MMRC, encoding="utf-8")
    stub.chmod(0o755)
    for name in ("output", "summary", "log"):
        (tmp_path / name).write_text("")
    step = next(s for s in action(action_name)["runs"]["steps"] if s.get("id") == step_id)
    full_env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "STUB_LOG": str(tmp_path / "log"),
        "STUB_HELP": "",
        "STUB_OUT": "",
        "STUB_WRITE": "",
        "STUB_CODE": "0",
        "WORKSPACE": "workspace.yaml",
        "EXTRA_ARGS": "",
        **env,
    }
    subprocess.run(["bash", "-e", "-c", step["run"]], env=full_env, cwd=tmp_path, check=True)
    outputs = dict(
        line.split("=", 1) for line in (tmp_path / "output").read_text().splitlines() if line
    )
    return outputs, (tmp_path / "log").read_text().splitlines()


def test_plan_step_runs_mmrc_plan_and_reads_its_exit_code(tmp_path: Path) -> None:
    plan_env = {"PLAN_FILE": "plan.json", "COMMIT": "abc123", "EXTRA_ARGS": "--max-rps 5"}
    outputs, calls = run_action_step(
        tmp_path, "mmrc-plan", "plan", STUB_OUT="<!-- mmrc-plan -->\n+ x\n", STUB_CODE="2",
        STUB_WRITE=str(tmp_path / "plan.json"), **plan_env,
    )  # fmt: skip
    assert calls == [
        "plan -f workspace.yaml --format markdown --out plan.json --detailed-exitcode --max-rps 5"
    ]
    assert outputs == {
        "exitcode": "2",
        "has-changes": "true",
        "plan-file": str((tmp_path / "plan.json").resolve()),
    }
    # an mmrc that knows --commit gets it
    _, calls = run_action_step(
        tmp_path, "mmrc-plan", "plan", STUB_HELP="  --commit SHA  the planned commit",
        STUB_OUT="x", **plan_env,
    )  # fmt: skip
    assert calls[0].endswith("--detailed-exitcode --commit abc123 --max-rps 5")
    # exit 2 with no plan printed is click's usage error, not "changes"
    (tmp_path / "plan.json").unlink()
    outputs, _ = run_action_step(tmp_path, "mmrc-plan", "plan", STUB_CODE="2", **plan_env)
    assert outputs == {"exitcode": "1", "has-changes": "false", "plan-file": ""}


def test_drift_step_reports_drift_only_with_a_report(tmp_path: Path) -> None:
    outputs, calls = run_action_step(
        tmp_path, "mmrc-drift", "drift", STUB_OUT="<!-- mmrc-drift -->\n! x\n", STUB_CODE="2"
    )
    assert calls == ["drift -f workspace.yaml --format markdown --detailed-exitcode"]
    assert outputs == {"exitcode": "2", "drift": "true"}
    assert "! x" in (tmp_path / "summary").read_text()
    outputs, _ = run_action_step(tmp_path, "mmrc-drift", "drift", STUB_CODE="0")
    assert outputs == {"exitcode": "0", "drift": "false"}
    outputs, _ = run_action_step(tmp_path, "mmrc-drift", "drift", STUB_CODE="2")  # usage error
    assert outputs == {"exitcode": "1", "drift": "false"}
