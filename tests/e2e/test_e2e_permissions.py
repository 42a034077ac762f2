"""Permission awareness beyond system level, with a team admin's and a plain member's token:
what apply would be refused (403) is a plan-time error at the field, naming the permission;
what the plan lets through applies without a 403."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from live_sandbox import LiveSandbox

from reconciler.client import Client
from reconciler.engine.applier import apply_plan
from reconciler.engine.planner import make_plan
from reconciler.kinds.base import PlanOptions
from reconciler.workspace import load_workspace

# Team alpha, set up by the system admin (who is in every channel it created). `lead`
# becomes its team admin; `plain` is a plain member, in #dev and #secret. #hidden is private
# and holds only bob (and sysadmin).
BASE = """\
version: 1
policy: {classes: {}}
teams:
  - name: alpha
    display_name: Alpha
    description: "%(description)s"
    members: [sysadmin, alice, bob, %(dave)slead, plain%(more)s]
    prune: {members: %(prune)s}
    channels:
      - {name: dev, display_name: Dev, purpose: "%(dev)s", members: [sysadmin, alice, plain]}
      - {name: ops, display_name: Ops, purpose: "%(ops)s"}
      - name: secret
        display_name: Secret
        visibility: private
        purpose: "%(secret)s"
        members: [sysadmin, bob, lead, plain]
%(hidden)s%(extra)s"""
HIDDEN = (
    "      - {name: hidden, display_name: Hidden, visibility: private, members: [sysadmin, bob]}\n"
)


def workspace(**changes: str) -> str:
    values = {
        "description": "d",
        "more": "",
        "dave": "dave, ",
        "prune": "false",
        "dev": "",
        "ops": "",
        "secret": "",
        "hidden": HIDDEN,
        "extra": "",
    }
    values.update(changes)
    return BASE % values


def token_for(live: LiveSandbox, username: str) -> str:
    user_id = live.user_id(username)
    token = live.api.post(f"/api/v4/users/{user_id}/tokens", {"description": "mmrc"})
    return str(token["token"])


@pytest.fixture
def live(start_sandbox: Callable[..., LiveSandbox]) -> LiveSandbox:
    live = start_sandbox("empty")
    live.api.put("/api/v4/config/patch", {"ServiceSettings": {"EnableUserAccessTokens": True}})
    for name in ("alice", "bob", "carol", "dave", "lead", "plain"):
        live.user(name)
    result = live.mmrc("apply", "-f", str(live.workspace(workspace())), "--auto-approve")
    assert result.exit_code == 0, result.output
    team, lead = live.team("alpha")["id"], live.user_id("lead")
    with live.sandbox.lock:
        member = live.sandbox.core.team_member(team, lead)
        assert member is not None
        member.scheme_admin = True
    return live


def as_user(live: LiveSandbox, username: str) -> LiveSandbox:
    """The CLI of `live` now runs with `username`'s personal access token."""
    live.token = token_for(live, username)
    return live


def plan(live: LiveSandbox, text: str, *args: str) -> tuple[int, str]:
    result = live.mmrc("plan", "-f", str(live.workspace(text)), "--detailed-exitcode", *args)
    return result.exit_code, result.output


def refusals(output: str) -> list[str]:
    """The permission errors, as `path: message` without the file position and hint."""
    found = []
    for line in output.splitlines():
        if "apply would fail with 403" in line:
            where = line.index("teams[")
            found.append(line[where : line.index(" (hint:")])
    return sorted(found)


def join_lock_team(live: LiveSandbox, username: str) -> None:
    """A non-admin account takes the apply lock as a member of the team that holds it."""
    lock_team = live.team("mmrc-lock")["id"]
    live.api.post(
        f"/api/v4/teams/{lock_team}/members",
        {"team_id": lock_team, "user_id": live.user_id(username)},
    )


def test_a_team_admin_may_manage_the_team_but_not_channels_it_is_not_in(
    live: LiveSandbox,
) -> None:
    lead = as_user(live, "lead")
    wanted = dict(
        description="new",  # manage_team: a team admin's
        more=", carol",  # add_user_to_team
        dave="",  # pruned: remove_user_from_team, a team admin's
        prune="true",
        secret="changed",  # lead is in the private #secret: channel_user may edit it
        extra="      - {name: fresh, display_name: Fresh, visibility: private}\n",
    )
    code, output = plan(lead, workspace(**wanted, dev="changed"))  # lead is not in #dev
    assert code == 1, output
    assert refusals(output) == [
        "teams[0].channels[0].purpose: changing purpose of team.alpha/channel.dev needs the "
        "manage_public_channel_properties permission on team.alpha/channel.dev, which lead "
        "lacks: apply would fail with 403"
    ]
    assert "workspace.yaml:10:" in output  # the line of #dev
    # nor may it read the members of a private channel it is not in
    assert (
        "teams[0].channels[3].members: the members of team.alpha/channel.hidden cannot be read "
        "with this token" in output
    )
    # without those the plan holds, and apply meets no 403
    wanted["hidden"] = HIDDEN.replace(", members: [sysadmin, bob]", "")
    text = workspace(**wanted)
    code, output = plan(lead, text, "--allow-destructive")
    assert code == 2, output
    assert "~ team.alpha/channel.secret (update in place)" in output  # a private channel it is in
    assert "channel.hidden" not in output  # found by name: a team admin may read it
    assert "cannot see every private channel" not in output
    path = str(lead.workspace(text))
    locked = lead.mmrc("apply", "-f", path, "--auto-approve", "--allow-destructive")
    assert locked.exit_code == 1  # the apply lock's team exists, and lead is not in it
    assert "cannot take the apply lock: this account cannot see the team 'mmrc-lock'" in (
        locked.output
    )
    join_lock_team(live, "lead")
    applied = lead.mmrc("apply", "-f", path, "--auto-approve", "--allow-destructive")
    assert applied.exit_code == 0, applied.output
    assert live.team("alpha")["description"] == "new"
    assert live.channel("alpha", "secret")["purpose"] == "changed"
    assert live.channel("alpha", "fresh")["type"] == "P"
    live.clear_requests()
    assert lead.mmrc("plan", "-f", path, "--detailed-exitcode").exit_code == 0
    # only what no listing showed it is looked up by name: the private #hidden
    lookups = [r["path"] for r in live.requests() if "/channels/name/" in r["path"]]
    assert [p.rsplit("/", 1)[1] for p in lookups] == ["hidden"]


def test_a_plain_member_gets_every_refusal_named_at_its_field(live: LiveSandbox) -> None:
    plain = as_user(live, "plain")
    text = workspace(
        description="new",  # manage_team: team admins only
        more=", carol",  # add_user_to_team: every team member may
        dave="",  # removing dave needs remove_user_from_team
        prune="true",
        dev="changed",  # plain is in #dev: channel_user may edit it
        ops="changed",  # ... but it is not in #ops
        secret="changed",  # ... and it is in #secret
        hidden="",
        extra="      - {name: fresh, display_name: Fresh}\n",  # create_public_channel: may
    )
    code, output = plan(plain, text)
    assert code == 1, output
    assert refusals(output) == [
        "teams[0].channels[1].purpose: changing purpose of team.alpha/channel.ops needs the "
        "manage_public_channel_properties permission on team.alpha/channel.ops, which plain "
        "lacks: apply would fail with 403",
        "teams[0].description: changing description of team.alpha needs the manage_team "
        "permission on team.alpha, which plain lacks: apply would fail with 403",
        "teams[0].prune.members: removing dave from team.alpha (prune.members) needs the "
        "remove_user_from_team permission on team.alpha, which plain lacks: apply would fail "
        "with 403",
    ]
    assert "(hint: give the account a role that has it there" in output
    # a token that only plans gets the plan shown
    code, output = plan(plain, text, "--no-permission-check", "--allow-destructive")
    assert code == 2, output
    assert "~ team.alpha (update in place)" in output


def test_a_private_channel_hidden_from_a_plain_member_is_a_warned_create(
    live: LiveSandbox,
) -> None:
    code, output = plan(as_user(live, "plain"), workspace())
    assert code == 2, output
    assert "+ team.alpha/channel.hidden (create)" in output
    assert (
        "team.alpha/channel.hidden: this token cannot see every private channel of team.alpha"
        in output
    )


def test_what_the_plan_refuses_really_is_a_403(live: LiveSandbox) -> None:
    text = workspace(description="new", ops="changed", hidden="")
    loaded = load_workspace(live.workspace(text))
    with Client(live.url, token_for(live, "plain"), retries=0) as client:
        planned = make_plan(loaded, client, PlanOptions(check_permissions=False))
        changes = [c.address for c in planned.plan.changes]
        assert changes == ["team.alpha", "team.alpha/channel.ops"]
        result = apply_plan(planned.plan, client, planned.observation)
    assert [(o.status, o.error_id) for o in result.outcomes] == [
        ("failed", "api.context.permissions.app_error"),
        ("not_attempted", None),
    ]
    assert result.outcomes[0].error is not None and "403" in result.outcomes[0].error


def test_what_the_plan_allows_a_plain_member_applies(live: LiveSandbox) -> None:
    plain = as_user(live, "plain")
    text = workspace(
        more=", carol",
        dev="changed",
        hidden="",
        extra="      - {name: fresh, display_name: Fresh, members: [carol]}\n",
    )
    code, output = plan(plain, text)
    assert code == 2, output
    path = str(plain.workspace(text))
    join_lock_team(live, "plain")
    applied = plain.mmrc("apply", "-f", path, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert live.channel("alpha", "dev")["purpose"] == "changed"
    assert plain.mmrc("plan", "-f", path, "--detailed-exitcode").exit_code == 0


def test_drift_with_a_member_token_reports_without_permission_errors(live: LiveSandbox) -> None:
    plain = as_user(live, "plain")
    text = workspace(description="new", hidden="")
    assert plan(plain, text)[0] == 1
    result = plain.mmrc("drift", "-f", str(plain.workspace(text)))
    assert result.exit_code == 0, result.output
    assert "description" in result.output and "403" not in result.output


def test_a_system_admin_is_never_checked_further(live: LiveSandbox) -> None:
    text = workspace(description="new", ops="changed", dave="", prune="true")
    live.clear_requests()
    code, output = plan(live, text)
    assert code == 2, output
    paths = [r["path"] for r in live.requests()]
    assert not [p for p in paths if p.endswith("/teams/members") or "/channels/members" in p]
