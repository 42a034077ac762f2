"""Saved plans: the file round-trips, a stale one is refused naming what moved, and nothing
secret (secret values, incoming-webhook ids, hook and command tokens) is written to it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from live_sandbox import LiveSandbox

from reconciler.client import Client
from reconciler.engine.planner import make_plan
from reconciler.engine.saved import (
    desired_digest,
    make_binding,
    moved_objects,
    read_plan,
    reobserve,
    write_plan,
)
from reconciler.errors import ReconcilerError, StalePlanError
from reconciler.kinds.base import LiveObject, Observation
from reconciler.plan import Action, Plan, ResourceChange
from reconciler.workspace import load_workspace

REPO = Path(__file__).resolve().parents[2]
SECRET = "gitlab-oauth-secret-value-for-the-plan-file-test"

WORKSPACE = """\
version: 1
policy: {classes: {}}
teams:
  - name: alpha
    display_name: Alpha
    allowed_domains: [example.com, a.example]
    members: [alice]
    channels:
      - {name: dev, display_name: Dev, purpose: new, members: [alice]}
      - {name: ops, display_name: Ops}
"""


@pytest.fixture
def live(start_sandbox: Callable[..., LiveSandbox]) -> LiveSandbox:
    live = start_sandbox("empty")
    live.user("alice")
    setup = live.workspace(WORKSPACE.replace("purpose: new", "purpose: old"), "setup.yaml")
    assert live.mmrc("apply", "-f", str(setup), "--auto-approve").exit_code == 0
    return live


def test_a_saved_plan_reads_back_equal(live: LiveSandbox, tmp_path: Path) -> None:
    loaded = load_workspace(live.workspace(WORKSPACE))
    with Client(live.url, live.token) as client:
        planned = make_plan(loaded, client)
        binding = make_binding(client, loaded)
    assert not planned.plan.is_empty
    path = tmp_path / "plan.json"
    write_plan(path, planned.plan, loaded, binding)
    saved = read_plan(path)
    assert saved.plan == planned.plan
    assert saved.plan.fingerprint() == planned.plan.fingerprint()
    assert saved.workspace == loaded.workspace
    assert json.loads(path.read_text())["desired"]["teams"][0]["name"] == "alpha"
    assert not list(tmp_path.glob(".mmrc-plan-*"))  # written atomically, no temp file left


def test_files_that_are_not_plans_are_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ReconcilerError, match="cannot read plan file"):
        read_plan(broken)
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(Plan().to_dict()))
    with pytest.raises(ReconcilerError, match="no 'desired' section"):
        read_plan(plain)
    unbound = tmp_path / "unbound.json"
    unbound.write_text(json.dumps({**Plan().to_dict(), "desired": {}}))
    with pytest.raises(ReconcilerError, match="not bound to a server and a workspace"):
        read_plan(unbound)
    future = tmp_path / "future.json"
    binding = dict.fromkeys(("server_url", "server_id", "workspace_file", "workspace_sha256"), "x")
    binding["desired_sha256"] = desired_digest({})
    future.write_text(
        json.dumps({**Plan().to_dict(), "format_version": "2.0", "binding": binding, "desired": {}})
    )
    with pytest.raises(ReconcilerError, match="unsupported plan format_version"):
        read_plan(future)


# -- staleness -----------------------------------------------------------------------------------


def obj(address: str, **data: str) -> LiveObject:
    return LiveObject(address, "x", "id", dict(data), {})


def observed(*objects: LiveObject) -> Observation:
    observation = Observation()
    for item in objects:
        observation.add(item)
    return observation


def test_moved_objects_names_each_touched_address_that_moved() -> None:
    then = observed(
        obj("team.a", display_name="A"),
        obj("team.a/channel.dev", purpose="p"),
        obj("team.a/channel.gone"),
        obj("team.a/channel.untouched", purpose="p"),
    )
    plan = Plan(
        changes=(
            ResourceChange("team.a/channel.dev/member.x", "channel_member", Action.CREATE),
            ResourceChange("team.a/channel.gone", "channel", Action.ARCHIVE),
            ResourceChange("team.a/channel.new", "channel", Action.CREATE),
        ),
        observed={a: o.fingerprint() for a, o in then.objects.items()},
    )
    assert moved_objects(plan, then) == []
    now = observed(
        obj("team.a", display_name="A"),
        obj("team.a/channel.dev", purpose="changed by hand"),
        obj("team.a/channel.new"),
        obj("team.a/channel.untouched", purpose="changed too, but the plan does not touch it"),
    )
    assert moved_objects(plan, now) == [
        "team.a/channel.dev: changed on the server",  # the parent of a planned member
        "team.a/channel.gone: no longer exists on the server",
        "team.a/channel.new: now exists on the server",
    ]


def test_archiving_by_hand_makes_a_plan_stale() -> None:
    then = obj("team.a/channel.dev", purpose="p")
    now = LiveObject(then.address, "x", "id", dict(then.data), {}, archived=True)
    plan = Plan(
        changes=(ResourceChange(then.address, "channel", Action.UPDATE),),
        observed={then.address: then.fingerprint()},
    )
    assert moved_objects(plan, observed(now)) == ["team.a/channel.dev: changed on the server"]


def test_a_server_id_is_no_part_of_the_fingerprint() -> None:
    one = LiveObject("team.a", "team", "id-one", {"name": "a"}, {"id": "id-one"})
    two = LiveObject("team.a", "team", "id-two", {"name": "a"}, {"id": "id-two"})
    assert one.fingerprint() == two.fingerprint()


def test_a_stale_saved_plan_is_refused_naming_the_moved_address(
    live: LiveSandbox, tmp_path: Path
) -> None:
    loaded = load_workspace(live.workspace(WORKSPACE))
    path = tmp_path / "plan.json"
    with Client(live.url, live.token) as client:
        write_plan(path, make_plan(loaded, client).plan, loaded, make_binding(client, loaded))
        saved = read_plan(path)
        reobserve(saved, client)  # nothing moved yet
        team = live.team("alpha")["id"]
        live.api.put(f"/api/v4/teams/{team}/patch", {"description": "by hand"})
        with pytest.raises(StalePlanError) as raised:
            reobserve(saved, client)
    assert raised.value.moved == ("team.alpha: changed on the server",)


# -- nothing secret in the file ------------------------------------------------------------------


def test_no_secret_hook_id_or_token_is_written(
    start_sandbox: Callable[..., LiveSandbox], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = start_sandbox("demo")
    monkeypatch.setenv("GITLAB_OAUTH_SECRET", SECRET)
    path = tmp_path / "plan.json"
    result = live.mmrc("plan", "-f", str(REPO / "workspace.yaml"), "--out", str(path))
    assert result.exit_code == 0, result.output
    text = path.read_text()
    incoming = live.api.get("/api/v4/hooks/incoming", {"per_page": 200})
    outgoing = live.api.get("/api/v4/hooks/outgoing", {"per_page": 200})
    team = live.team("asd")["id"]
    commands = live.api.get("/api/v4/commands", {"team_id": team, "custom_only": "true"})
    assert incoming and outgoing and commands  # the demo seed has hooks and commands
    credentials = [hook["id"] for hook in incoming]
    credentials += [hook["token"] for hook in outgoing] + [command["token"] for command in commands]
    assert [value for value in (SECRET, live.token, *credentials) if value in text] == []
    data = json.loads(text)
    assert data["desired"]["settings"]["sso"]["gitlab"]["secret"] == "${env:GITLAB_OAUTH_SECRET}"
    assert any(
        change["address"].startswith("team.asd/incoming_webhook.") for change in data["changes"]
    )
