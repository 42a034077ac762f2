"""What the integration kinds read: a team's incoming/outgoing webhooks and commands only
when the team declares that kind or prunes it, every team's list concurrently, and
nothing at all for a workspace that declares none (so a plain member can plan it)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from integrations_helpers import ADMIN_TOKEN, Mmrc

from reconciler.client import Client
from reconciler.engine.planner import Planned, make_plan
from reconciler.sandbox.integrations_store import decode_command, decode_incoming, decode_outgoing
from reconciler.workspace import load_workspace

TEAMS = ("alpha", "beta", "gamma", "delta")
LISTS = {
    "/api/v4/hooks/incoming": "incoming_webhook",
    "/api/v4/hooks/outgoing": "outgoing_webhook",
    "/api/v4/commands": "command",
}


def seed(mmrc: Mmrc) -> dict[str, str]:
    """Four teams, each with a channel `dev`, one hook of each kind and a command; plus a
    plain member of every team. Returns team name → id."""
    sb = mmrc.sandbox
    ids = {}
    with sb.lock:
        admin = sb.core.user(sb.core.admin_user_id)
        member = sb.core.create_user("jan.devries", "jan@asd-pma.nl", password="Password-1")
        for name in TEAMS:
            team = sb.core.create_team(admin, name=name, display_name=name.title(), type="O")
            dev = sb.core.create_channel(
                admin, team_id=team.id, name="dev", display_name="Dev", type="O"
            )
            sb.core.add_team_member(team, member)
            ids[name] = team.id
            sb.integrations.create_incoming(
                admin.id, dev, decode_incoming({"channel_id": dev.id, "display_name": "ci"})
            )
            sb.integrations.create_outgoing(
                decode_outgoing(
                    {
                        "team_id": team.id,
                        "creator_id": admin.id,
                        "display_name": "trigger",
                        "trigger_words": ["!go"],
                        "callback_urls": ["http://n8n:5678/go"],
                    }
                )
            )
            sb.integrations.create_command(
                decode_command(
                    {
                        "team_id": team.id,
                        "creator_id": admin.id,
                        "trigger": "reply",
                        "method": "P",
                        "url": "http://n8n:5678/reply",
                    }
                )
            )
    return ids


def team_yaml(name: str, extra: str = "") -> str:
    return f"""\
  - name: {name}
    display_name: {name.title()}
    channels:
      - {{name: dev, display_name: Dev}}
{extra}"""


HOOK = "    incoming_webhooks:\n      - {display_name: ci, channel: dev}\n"
ALL_THREE = (
    HOOK
    + "    outgoing_webhooks:\n"
    + '      - {display_name: trigger, trigger_words: ["!go"], callback_urls: ["http://n8n:5678/go"]}\n'
    + "    commands:\n      - {trigger: reply, url: http://n8n:5678/reply}\n"
)


def plan(mmrc: Mmrc, teams: str, client: Client | None = None) -> Planned:
    path = mmrc.write(f"version: 1\npolicy: {{classes: {{}}}}\nteams:\n{teams}")
    with Client(mmrc.url, ADMIN_TOKEN) if client is None else client as used:
        return make_plan(load_workspace(path), used)


def list_calls(mmrc: Mmrc) -> dict[str, int]:
    counts = dict.fromkeys(LISTS, 0)
    for entry in mmrc.sandbox.request_log.entries:
        if entry.method == "GET" and entry.path in LISTS:
            counts[entry.path] += 1
    return counts


def read_teams(planned: Planned, kind: str) -> set[str]:
    return {str(o.team) for o in planned.observation.of_kind(kind)}


def test_a_team_is_read_only_for_what_it_declares_or_prunes(mmrc: Mmrc) -> None:
    ids = seed(mmrc)
    sb = mmrc.sandbox
    with sb.lock:  # a hook alpha does not declare
        dev = sb.core.channel_by_name(ids["alpha"], "dev")
        assert dev is not None
        hook = decode_incoming({"channel_id": dev.id, "display_name": "grafana"})
        sb.integrations.create_incoming(sb.core.admin_user_id, dev, hook)
    planned = plan(
        mmrc,
        team_yaml("alpha", HOOK)  # declares incoming webhooks
        + team_yaml("beta", "    prune: {webhooks: true}\n")  # prunes both kinds of hook
        + team_yaml("gamma", "    prune: {commands: true}\n")  # prunes commands
        + team_yaml("delta"),  # declares and prunes nothing
    )
    assert read_teams(planned, "incoming_webhook") == {"alpha", "beta"}
    assert read_teams(planned, "outgoing_webhook") == {"beta"}
    assert read_teams(planned, "command") == {"gamma"}
    assert list_calls(mmrc) == {
        "/api/v4/hooks/incoming": 2,
        "/api/v4/hooks/outgoing": 1,
        "/api/v4/commands": 1,
    }
    removed = {c.address for c in planned.plan.changes if c.action.value == "remove"}
    assert removed == {
        "team.beta/incoming_webhook.ci",
        "team.beta/outgoing_webhook.trigger",
        "team.gamma/command.reply",
    }
    integrations = [a for a in planned.plan.unmanaged if "webhook." in a or "/command." in a]
    # alpha's undeclared hook was read and is listed; delta's hooks and the hooks and
    # commands of the teams that neither declare nor prune them were not read, so not listed
    assert integrations == ["team.alpha/incoming_webhook.grafana"]


def test_nothing_declared_reads_no_hooks_or_commands(mmrc: Mmrc) -> None:
    seed(mmrc)
    planned = plan(mmrc, "".join(team_yaml(name) for name in TEAMS))
    assert planned.plan.changes == ()
    assert list_calls(mmrc) == dict.fromkeys(LISTS, 0)


def test_a_plain_member_plans_a_workspace_without_integrations(mmrc: Mmrc) -> None:
    ids = seed(mmrc)
    with mmrc.sandbox.lock:
        member = mmrc.sandbox.core.user_by_username("jan.devries")
        assert member is not None
        token = mmrc.sandbox.core.create_session(member.id)
    teams = "".join(team_yaml(name) for name in TEAMS)
    ws = mmrc.write(f"version: 1\npolicy: {{classes: {{}}}}\nteams:\n{teams}")
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", MM_TOKEN=token, expect=0)
    assert list_calls(mmrc) == dict.fromkeys(LISTS, 0)
    # what the plan no longer reads is what a member may not read (each list is a 403)
    headers = {"Authorization": f"Bearer {token}"}
    for path in LISTS:
        params = {"team_id": ids["alpha"], "custom_only": "true"}
        assert httpx.get(f"{mmrc.url}{path}", params=params, headers=headers).status_code == 403


@contextmanager
def recording(client: Client) -> Iterator[list[tuple[str, float, float]]]:
    """Every list call of the integration kinds as (path, start, end), each held 0.2 s."""
    calls: list[tuple[str, float, float]] = []
    lock = threading.Lock()
    original = client.get

    def get(path: str, params: Any = None) -> Any:
        if path not in LISTS:
            return original(path, params)
        start = time.monotonic()
        time.sleep(0.2)
        try:
            return original(path, params)
        finally:
            with lock:
                calls.append((path, start, time.monotonic()))

    client.get = get  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        client.get = original  # type: ignore[method-assign]


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


def test_the_teams_are_read_concurrently(mmrc: Mmrc) -> None:
    seed(mmrc)
    client = Client(mmrc.url, ADMIN_TOKEN, parallelism=8)
    with recording(client) as calls:
        planned = plan(mmrc, "".join(team_yaml(name, ALL_THREE) for name in TEAMS), client)
    assert planned.plan.changes == ()  # converged: every hook and command as declared
    for path in LISTS:
        intervals = [(start, end) for p, start, end in calls if p == path]
        assert len(intervals) == len(TEAMS), path
        assert most_at_once(intervals) == len(TEAMS), path  # all four teams at once
