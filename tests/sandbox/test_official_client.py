"""Mattermost's official JavaScript client cannot tell the sandbox from a real server.

Drives `@mattermost/client` (Client4, pinned in official_client/package-lock.json) with Node
through every endpoint mmrc uses, against the sandbox over real HTTP: official_client/check.js
checks each answer the way a real server's would look to the client (JSON parsed because the
Content-Type is exactly `application/json`, shapes, statuses, ClientError ids) and prints a JSON
report, which this test asserts on.

`npm ci` installs the client into official_client/node_modules the first time (and again only when
package.json or the lockfile change). Without node/npm, or without a reachable npm registry, the
test is skipped (an environment limit, never a pass).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sandbox_helpers import ADMIN_TOKEN

HERE = Path(__file__).parent / "official_client"
NODE_MODULES = HERE / "node_modules"
STAMP = NODE_MODULES / ".mmrc-installed"
MIN_NODE = 18  # global fetch
INSTALL_TIMEOUT = 240
RUN_TIMEOUT = 60

# npm's error codes for "could not reach the registry" (an environment limit, not a failure).
NETWORK_ERRORS = re.compile(
    r"\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ESOCKETTIMEDOUT|ENETUNREACH|"
    r"EHOSTUNREACH|ERR_SOCKET_TIMEOUT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN|"
    r"request to \S+ failed|network)\b",
    re.IGNORECASE,
)

# Every Client4 method the run must exercise: the endpoints mmrc uses.
REQUIRED_METHODS = {
    "ping",
    "getMe",
    "getClientLicenseOld",
    "createTeam",
    "getTeams",
    "getTeamByName",
    "getTeam",
    "patchTeam",
    "doFetch PUT /teams/{id}/privacy (no named method)",
    "deleteTeam",
    "unarchiveTeam",
    "getTeamsForUser",
    "getTeamMembersForUser",
    "addToTeam",
    "addUsersToTeam",
    "getTeamMembers",
    "getTeamMember",
    "removeFromTeam",
    "createChannel",
    "getAllChannels",
    "getChannelByName",
    "getChannels",
    "getArchivedChannels",
    "patchChannel",
    "updateChannelPrivacy",
    "deleteChannel",
    "unarchiveChannel",
    "addToChannel",
    "getChannelMembers",
    "getChannelMember",
    "getMyChannelMembers",
    "removeFromChannel",
    "getChannelModerations",
    "patchChannelModerations",
    "createUser",
    "getProfilesByUsernames",
    "getProfilesByIds",
    "getUserByUsername",
    "createBot",
    "getBots",
    "getBotsIncludeDeleted",
    "getBot",
    "patchBot",
    "disableBot",
    "enableBot",
    "createIncomingWebhook",
    "getIncomingWebhook",
    "getIncomingWebhooks",
    "updateIncomingWebhook",
    "removeIncomingWebhook",
    "createOutgoingWebhook",
    "getOutgoingWebhook",
    "getOutgoingWebhooks",
    "updateOutgoingWebhook",
    "regenOutgoingHookToken",
    "removeOutgoingWebhook",
    "addCommand",
    "getCustomTeamCommands",
    "editCommand",
    "regenCommandToken",
    "deleteCommand",
    "getConfig",
    "patchConfig",
    "getEnvironmentConfig",
    "getRolesByNames",
    "getAudits",
}


def _lock_digest() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()


@contextmanager
def _install_lock() -> Iterator[None]:
    """Serialises installs between concurrent test runs sharing this working tree."""
    path = Path(tempfile.gettempdir()) / (
        "mmrc-official-client-" + hashlib.sha256(str(HERE).encode()).hexdigest()[:16] + ".lock"
    )
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: cannot run Mattermost's official JS client")
    answer = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    found = re.match(r"v(\d+)\.", answer.stdout.strip())
    if answer.returncode != 0 or found is None or int(found.group(1)) < MIN_NODE:
        pytest.skip(f"node {answer.stdout.strip() or '?'} is older than v{MIN_NODE} (no fetch)")
    return node


def _install() -> None:
    """`npm ci` into official_client/node_modules unless it already matches the lockfile."""
    digest = _lock_digest()
    if STAMP.is_file() and STAMP.read_text().strip() == digest:
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not on PATH: cannot install Mattermost's official JS client")
    command = [
        npm,
        "ci",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--no-update-notifier",
        # fail fast without a network instead of npm's minutes of retries
        "--fetch-retries=2",
        "--fetch-retry-mintimeout=2000",
        "--fetch-retry-maxtimeout=10000",
        "--fetch-timeout=60000",
    ]
    try:
        answer = subprocess.run(
            command,
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
            env={**os.environ, "npm_config_loglevel": "error"},
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm ci took over {INSTALL_TIMEOUT} s: npm registry unreachable or too slow")
    if answer.returncode != 0:
        output = (answer.stderr + answer.stdout).strip()
        if NETWORK_ERRORS.search(output):
            lines = [line for line in output.splitlines() if line.strip()][:3]
            pytest.skip(
                "npm registry unreachable, cannot install @mattermost/client: " + " | ".join(lines)
            )
        pytest.fail(f"npm ci failed (exit {answer.returncode}):\n{output}")
    STAMP.write_text(digest + "\n")


@pytest.fixture(scope="module")
def node() -> str:
    binary = _node()
    with _install_lock():
        _install()
    return binary


def _describe(call: dict[str, Any]) -> str:
    parts = [f"{call['name']} [{call['method']}]"]
    for problem in call.get("problems") or ():
        parts.append(f"    problem: {problem}")
    if call.get("error"):
        parts.append(f"    error: {json.dumps(call['error'])}")
    for exchange in call.get("http") or ():
        parts.append(
            f"    {exchange['method']} {exchange['path']} -> {exchange['status']} "
            f"({exchange['content_type']})"
        )
    return "\n".join(parts)


def test_official_js_client_cannot_tell_the_sandbox_from_a_real_server(node: str, url: str) -> None:
    check_report(node, url, ADMIN_TOKEN)


@pytest.mark.contract
def test_official_js_client_on_the_real_server(node: str) -> None:
    """The same run against the real server of `scripts/real-mattermost` (its real-server
    stage): check.js's expectations are the real server's answers, not the sandbox's."""
    real_url, real_token = os.environ.get("MM_URL", ""), os.environ.get("MM_TOKEN", "")
    if os.environ.get("MMRC_REAL_SERVER") != "1" or not real_url or not real_token:
        pytest.skip("the real server: run `scripts/real-mattermost test` (MMRC_REAL_SERVER=1)")
    check_report(node, real_url, real_token)


def check_report(node: str, url: str, token: str) -> None:
    try:
        answer = subprocess.run(
            [node, str(HERE / "check.js"), url, token],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"check.js did not finish within {RUN_TIMEOUT} s: {exc.stderr!r}")
    try:
        report: dict[str, Any] = json.loads(answer.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"check.js exited {answer.returncode} without a JSON report:\n"
            f"stdout: {answer.stdout[-3000:]}\nstderr: {answer.stderr[-3000:]}"
        )
    calls: list[dict[str, Any]] = report["calls"]
    failed = [call for call in calls if not call["ok"]]
    assert not failed, (
        f"{len(failed)} of {len(calls)} official-client calls saw a difference from a real "
        f"server (@mattermost/client {report['client']['version']}):\n"
        + "\n".join(_describe(call) for call in failed)
    )
    assert answer.returncode == 0, answer.stderr
    missing = REQUIRED_METHODS - {call["method"] for call in calls}
    assert not missing, f"check.js no longer exercises: {sorted(missing)}"
    # the error paths the client must see exactly as from a real server
    errors = {
        call["name"]: (call["error"]["status_code"], call["error"]["server_error_id"])
        for call in calls
        if "expected" in call
    }
    assert errors["create channel with a taken name"] == (
        400,
        "store.sql_channel.save_channel.exists.app_error",
    )
    assert errors["bad token"] == (401, "api.context.session_expired.app_error")
    assert all(call["error"]["type"] == "ClientError" for call in calls if "expected" in call)
