"""A slash command's owner, as the real server settled it (docs/fidelity.md).

Mattermost 11.1's POST /commands makes the session's user the creator whatever the body's
`creator_id` says; from 11.4 an account with manage_others_slash_commands may name another.
mmrc refuses, at plan time and at the `owner` field, an owner the server cannot give.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from integration_seeds import workspace
from integrations_helpers import ADMIN_TOKEN, Mmrc

from reconciler.kinds.commands import CREATOR_SINCE, can_set_creator
from reconciler.sandbox.app import SERVER_VERSION


def owner_line(text: str) -> int:
    """The 1-based line of the command's `owner:` in a workspace text."""
    lines = text.splitlines()
    trigger = next(i for i, line in enumerate(lines) if "trigger: reply" in line)
    return next(i for i in range(trigger, len(lines)) if "owner:" in lines[i]) + 1


def test_the_default_server_refuses_a_foreign_owner_at_the_field(mmrc: Mmrc) -> None:
    assert not can_set_creator(SERVER_VERSION)
    text = workspace(command_owner="n8n-bot")
    ws = mmrc.write(text)
    refused = mmrc.run("plan", "-f", str(ws), expect=1)
    assert f"{ws}:{owner_line(text)}:" in refused.stderr
    assert "teams[0].commands[0].owner" in refused.stderr
    assert "ignores creator_id before Mattermost 11.4.0" in refused.stderr
    assert "remove `owner:`" in refused.stderr
    assert not mmrc.sandbox.integrations.commands  # nothing was written


def test_the_applying_account_may_own_it(mmrc: Mmrc) -> None:
    ws = mmrc.write(workspace(command_owner="sysadmin"))
    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode")  # converged
    (command,) = mmrc.sandbox.integrations.commands.values()
    assert command["creator_id"] == mmrc.sandbox.core.admin_user_id


@pytest.mark.parametrize(
    ("server_options", "honoured"),
    [({}, False), ({"server_version": ".".join(map(str, CREATOR_SINCE))}, True)],
)
def test_post_commands_creator_id_by_version(
    mmrc: Mmrc, server_options: dict[str, Any], honoured: bool
) -> None:
    sb = mmrc.sandbox
    with sb.lock:
        admin = sb.core.user(sb.core.admin_user_id)
        team = sb.core.create_team(admin, name="owners", display_name="Owners", type="O")
        other = sb.core.create_user("other", "other@example.com", password="password1")
    answer = httpx.post(
        f"{mmrc.url}/api/v4/commands",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        json={
            "team_id": team.id,
            "trigger": "owned",
            "url": "http://127.0.0.1:9/owned",
            "method": "P",
            "creator_id": other.id,
        },
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["creator_id"] == (other.id if honoured else admin.id)
