"""Guards, prevent_archive, stale saved plans, concurrent applies and injected faults."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from live_sandbox import LiveSandbox

from reconciler.client import Client
from reconciler.engine.applier import apply_plan
from reconciler.engine.planner import make_plan
from reconciler.workspace import load_workspace

HEAD = "version: 1\npolicy: {classes: {}}\nteams:\n  - name: alpha\n    display_name: Alpha\n"


def channels(*names: str, extra: str = "") -> str:
    return "    channels:\n" + "".join(
        f"      - {{name: {n}, display_name: {n.title()}{extra}}}\n" for n in names
    )


def setup(live: LiveSandbox, text: str) -> str:
    path = str(live.workspace(text))
    result = live.mmrc("apply", "-f", path, "--auto-approve")
    assert result.exit_code == 0, result.output
    return path


def test_archiving_too_many_channels_needs_allow_destructive(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    names = [f"c{i:02}" for i in range(10)]
    setup(live, HEAD + channels(*names))
    kept = names[:6]  # archives 4 of 12 live channels (with town-square and off-topic)
    path = str(live.workspace(HEAD + "    prune: {channels: true}\n" + channels(*kept)))
    refused = live.mmrc("plan", "-f", path)
    assert refused.exit_code == 1
    assert "- team.alpha/channel.c07 (archive)" in refused.output  # shown, then refused
    assert "team.alpha: archives 4 of its 12 channels (more than 25%)" in refused.output
    assert live.mmrc("apply", "-f", path, "--auto-approve").exit_code == 1
    assert live.channel("alpha", "c07")["delete_at"] == 0
    done = live.mmrc("apply", "-f", path, "--auto-approve", "--allow-destructive")
    assert done.exit_code == 0, done.output
    assert live.channel("alpha", "c07")["delete_at"] > 0
    assert live.mmrc("plan", "-f", path, "--detailed-exitcode").exit_code == 0


def test_public_to_private_warns_and_needs_allow_destructive(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    setup(live, HEAD + channels("dev", extra=", visibility: public"))
    path = str(live.workspace(HEAD + channels("dev", extra=", visibility: private")))
    refused = live.mmrc("plan", "-f", path)
    assert refused.exit_code == 1
    assert "public → private hides the channel's history" in refused.output
    assert "makes a public channel private" in refused.output
    done = live.mmrc("apply", "-f", path, "--auto-approve", "--allow-destructive")
    assert done.exit_code == 0, done.output
    assert live.channel("alpha", "dev")["type"] == "P"


def test_removing_too_many_members_needs_allow_destructive(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    names = [f"u{i}" for i in range(1, 12)]
    for name in names:
        live.user(name)
    setup(live, HEAD + f"    members: [{', '.join(names)}]\n")
    path = str(live.workspace(HEAD + "    members: [u1]\n    prune: {members: true}\n"))
    refused = live.mmrc("plan", "-f", path)
    assert refused.exit_code == 1
    assert "team.alpha: removes 10 of its 12 members (more than 25%)" in refused.output
    assert "member.sysadmin" not in refused.output  # the applying account is implicit
    done = live.mmrc("apply", "-f", path, "--auto-approve", "--allow-destructive")
    assert done.exit_code == 0, done.output
    assert live.mmrc("plan", "-f", path, "--detailed-exitcode").exit_code == 0


def test_prevent_archive_on_the_channel_and_on_the_team(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    setup(live, HEAD + channels("a", "b", "c", "d", "e"))
    own = str(
        live.workspace(
            HEAD
            + channels("a", "b", "c", "d")
            + "      - {name: e, display_name: E, archived: true, prevent_archive: true}\n"
        )
    )
    refused = live.mmrc("plan", "-f", own, "--allow-destructive")
    assert refused.exit_code == 1
    assert "prevent_archive" in refused.output
    # the channel's own guard leaves with it; the team's guard survives
    gone = (
        HEAD
        + "    prune: {channels: true}\n    prevent_archive: [e]\n"
        + channels("a", "b", "c", "d")
    )
    refused = live.mmrc("plan", "-f", str(live.workspace(gone)), "--allow-destructive")
    assert refused.exit_code == 1
    assert "lists in prevent_archive" in refused.output
    allowed = HEAD + "    prune: {channels: true}\n" + channels("a", "b", "c", "d")
    assert live.mmrc("plan", "-f", str(live.workspace(allowed))).exit_code == 0


def test_a_stale_saved_plan_is_refused_naming_what_moved(
    sandbox_empty: LiveSandbox, tmp_path: Path
) -> None:
    live = sandbox_empty
    setup(live, HEAD + channels("dev", "ops"))
    path = str(live.workspace(HEAD + channels("dev", "ops", extra=", purpose: new")))
    planfile = tmp_path / "plan.json"
    assert live.mmrc("plan", "-f", path, "--out", str(planfile)).exit_code == 0
    dev = live.channel("alpha", "dev")["id"]
    live.api.put(f"/api/v4/channels/{dev}/patch", {"display_name": "Changed meanwhile"})
    stale = live.mmrc("apply", str(planfile), "--auto-approve")
    assert stale.exit_code == 1
    assert "team.alpha/channel.dev: changed on the server" in stale.output
    assert "channel.ops" not in stale.output.split("Changed:")[-1]
    assert live.channel("alpha", "ops")["purpose"] == ""  # nothing was applied
    fresh = tmp_path / "fresh.json"
    assert live.mmrc("plan", "-f", path, "--out", str(fresh)).exit_code == 0
    applied = live.mmrc("apply", str(fresh), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert live.channel("alpha", "ops")["purpose"] == "new"


def _names(live: LiveSandbox) -> Counter[str]:
    teams = live.api.get_paged("/api/v4/teams")
    found: Counter[str] = Counter(f"team:{t['name']}" for t in teams)
    for channel in live.api.get_paged("/api/v4/channels", {"include_deleted": "true"}):
        found[f"channel:{channel['team_id']}:{channel['name']}"] += 1
    return found


def test_two_applies_at_once_converge_without_duplicates(sandbox_empty: LiveSandbox) -> None:
    live = sandbox_empty
    live.user("alice")
    text = HEAD + "    members: [alice]\n" + channels(*(f"c{i}" for i in range(12)))
    path = live.workspace(text)
    loaded = load_workspace(path)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with Client(live.url, live.token) as client:
                planned = make_plan(loaded, client)
                apply_plan(planned.plan, client, planned.observation)
        except BaseException as error:  # collected: the main thread asserts
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # one of the two may lose a create race (the name is taken): running again converges
    assert live.mmrc("apply", "-f", str(path), "--auto-approve").exit_code == 0
    assert live.mmrc("plan", "-f", str(path), "--detailed-exitcode").exit_code == 0
    assert max(_names(live).values()) == 1
    assert not [e for e in errors if not str(e)]


def test_apply_under_injected_faults_converges_without_duplicates(
    sandbox_empty: LiveSandbox,
) -> None:
    live = sandbox_empty
    for name in ("alice", "bob"):
        live.user(name)
    text = (
        HEAD
        + "    members: [alice, bob]\n"
        + "    channels:\n"
        + "".join(
            f"      - {{name: c{i}, display_name: C{i}, purpose: p, members: [alice]}}\n"
            for i in range(10)
        )
    )
    path = str(live.workspace(text))
    live.set_faults(
        seed=7,
        error_rate=0.15,
        error_statuses=[500, 502, 503],
        rate_429=0.1,
        retry_after=0,
        lost_response_rate=0.25,
        methods=["POST", "PUT", "DELETE"],
        path_regex="^/api/v4/(teams|channels)",
    )
    for _ in range(6):
        if live.mmrc("apply", "-f", path, "--auto-approve").exit_code == 0:
            break
    faults = live.api.get("/__sandbox__/faults")["counts"]
    assert faults["lost_response"] > 0 and faults["error"] > 0  # faults really happened
    live.clear_faults()
    final = live.mmrc("plan", "-f", path, "--detailed-exitcode")
    assert final.exit_code == 0, final.output
    assert max(_names(live).values()) == 1
