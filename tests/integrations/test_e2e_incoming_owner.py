"""An incoming webhook's new owner, end to end: moved in place (the URL stays) on a server
with POST /hooks/incoming/{id}/move/{user_id} when the owner is a person; replaced
(delete + create: a new URL, said in the plan and written to the outputs file) on an
older server, and for a bot owner, which the move route refuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from integrations_helpers import Mmrc

from reconciler.kinds import integration_support as support
from reconciler.kinds.incoming_webhooks import MOVE_SINCE, can_move
from reconciler.sandbox.app import SERVER_VERSION
from reconciler.sandbox.routes.hooks import MOVE_INCOMING_SINCE

NEWEST = ".".join(map(str, MOVE_SINCE))
ADDRESS = "team.asd/incoming_webhook.n8n"


def workspace(owner: str | None) -> str:
    owner_line = f", owner: {owner}" if owner else ""
    return f"""\
version: 1
settings:
  integrations: {{incoming_webhooks: true, bot_account_creation: true}}
bots:
  - {{username: n8n-bot, display_name: n8n}}
teams:
  - name: asd
    display_name: ASD-PMA
    channels:
      - {{name: topic-tickets, display_name: Tickets, visibility: public}}
    incoming_webhooks:
      - {{display_name: n8n, channel: topic-tickets{owner_line}}}
"""


def hooks(mmrc: Mmrc) -> list[dict[str, Any]]:
    with mmrc.sandbox.lock:
        return [dict(h) for h in mmrc.sandbox.integrations.incoming.values() if not h["delete_at"]]


def owned_by_sysadmin(mmrc: Mmrc) -> tuple[Path, dict[str, Any]]:
    """The hook as someone made it by hand: owned by the admin who created it."""
    with mmrc.sandbox.lock:
        mmrc.sandbox.core.create_user("jan.devries", "jan@asd-pma.nl", password="Password-1")
    ws = mmrc.write(workspace(None))
    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    [hook] = hooks(mmrc)
    assert hook["user_id"] == mmrc.sandbox.core.admin_user_id
    return ws, hook


def plan_json(mmrc: Mmrc, ws: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(mmrc.run("plan", "-f", str(ws), "--format", "json").stdout)
    return data


def test_the_kind_and_the_sandbox_agree_on_the_version() -> None:
    assert NEWEST == MOVE_INCOMING_SINCE
    assert can_move(NEWEST) and can_move("12.0.1") and can_move("11.10")
    assert not any(can_move(v) for v in ("11.8.9", "10.11.0", "9.11.14", "", "dev"))
    default = support.version_tuple(SERVER_VERSION)
    assert default is not None and default < MOVE_SINCE  # 11.1.0, as tests/realserver runs


@pytest.mark.parametrize("server_options", [{"server_version": NEWEST}])
def test_a_person_becomes_owner_in_place_on_a_server_with_the_move_route(mmrc: Mmrc) -> None:
    ws, hook = owned_by_sysadmin(mmrc)
    mmrc.write(workspace("jan.devries"))
    [change] = plan_json(mmrc, ws)["changes"]
    assert (change["address"], change["action"]) == (ADDRESS, "update")
    assert change["changed_fields"] == ["owner"]
    text = mmrc.run("plan", "-f", str(ws)).stdout
    assert f"~ {ADDRESS} (update in place)" in text
    assert "owner changes through POST /hooks/incoming/{id}/move/{user_id}; the URL stays" in text
    assert "Warning" not in text

    out = mmrc.workdir / "outputs.json"
    mmrc.run("apply", "-f", str(ws), "--auto-approve", "--outputs-file", str(out))
    [moved] = hooks(mmrc)
    jan = mmrc.sandbox.core.user_by_username("jan.devries")
    assert jan is not None
    assert (moved["id"], moved["user_id"]) == (hook["id"], jan.id)  # same URL, new owner
    url = json.loads(out.read_text())["outputs"][ADDRESS]["url"]
    assert url.endswith(f"/hooks/{hook['id']}")
    with mmrc.sandbox.lock:
        calls = [entry.path for entry in mmrc.sandbox.request_log.entries]
    assert f"/api/v4/hooks/incoming/{hook['id']}/move/{jan.id}" in calls
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=0)


@pytest.mark.parametrize("server_options", [{}, {"server_version": "11.8.0"}])
def test_an_older_server_replaces_the_hook(mmrc: Mmrc, server_options: dict[str, str]) -> None:
    version = server_options.get("server_version", SERVER_VERSION)
    ws, hook = owned_by_sysadmin(mmrc)
    mmrc.write(workspace("jan.devries"))
    [change] = plan_json(mmrc, ws)["changes"]
    assert (change["address"], change["action"]) == (ADDRESS, "replace")
    text = mmrc.run("plan", "-f", str(ws)).stdout
    assert f"-/+ {ADDRESS} (replace)" in text
    assert f"Mattermost {version} cannot change an incoming webhook's owner in place" in text
    assert f"Warning: {ADDRESS}: the new owner 'jan.devries' replaces the incoming webhook" in text

    out = mmrc.workdir / "outputs.json"
    mmrc.run("apply", "-f", str(ws), "--auto-approve", "--outputs-file", str(out))
    [replaced] = hooks(mmrc)
    jan = mmrc.sandbox.core.user_by_username("jan.devries")
    assert jan is not None
    assert replaced["user_id"] == jan.id and replaced["id"] != hook["id"]
    url = json.loads(out.read_text())["outputs"][ADDRESS]["url"]
    assert url.endswith(f"/hooks/{replaced['id']}")  # the new URL, for the senders
    with mmrc.sandbox.lock:
        calls = [entry.path for entry in mmrc.sandbox.request_log.entries]
    assert not [c for c in calls if "/move/" in c]  # the route this server lacks was not called
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=0)


@pytest.mark.parametrize("server_options", [{"server_version": NEWEST}])
def test_a_bot_owner_replaces_the_hook_even_with_the_move_route(mmrc: Mmrc) -> None:
    ws, hook = owned_by_sysadmin(mmrc)
    mmrc.write(workspace("n8n-bot"))
    [change] = plan_json(mmrc, ws)["changes"]
    assert (change["address"], change["action"]) == (ADDRESS, "replace")
    assert "api.webhook.move_incoming.invalid_bot_owner" in change["notes"][0]
    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    [replaced] = hooks(mmrc)
    bot = mmrc.sandbox.core.user_by_username("n8n-bot")
    assert bot is not None and bot.is_bot
    assert replaced["user_id"] == bot.id and replaced["id"] != hook["id"]
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=0)
