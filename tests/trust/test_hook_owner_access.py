"""An incoming webhook whose owner will not be a member of its private channel is refused
at plan time, at the hook's line (it would pass apply and fail at the first post, 403)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from live_sandbox import LiveSandbox

HEAD = """\
version: 1
policy: {classes: {}}
settings:
  integrations: {incoming_webhooks: true}
teams:
  - name: asd
    display_name: ASD
    members: [jan]
    channels:
      - {name: ops, display_name: Ops, visibility: private$MEMBERS}
    incoming_webhooks:
      - {display_name: alerts, channel: ops, owner: jan}
"""


@pytest.fixture
def live(start_sandbox: Callable[..., LiveSandbox]) -> LiveSandbox:
    live = start_sandbox("empty")
    live.user("jan")
    live.user("piet")
    return live


def text(members: str = "") -> str:
    return HEAD.replace("$MEMBERS", members)


def test_an_owner_outside_a_new_private_channel_is_refused_at_the_hook(live: LiveSandbox) -> None:
    path = live.workspace(text())
    result = live.mmrc("plan", "-f", str(path))
    assert result.exit_code == 1
    assert (
        f"{path}:12:46: teams[0].incoming_webhooks[0].owner: the owner 'jan' of incoming "
        "webhook 'alerts' is not a member of the private channel 'ops'"
    ) in result.output
    assert "403 web.incoming_webhook.permissions.app_error" in result.output


def test_an_owner_declared_as_a_member_passes_and_can_post(live: LiveSandbox) -> None:
    path = live.workspace(text(", members: [jan]"))
    out = live.tmp / "outputs.json"
    applied = live.mmrc("apply", "-f", str(path), "--auto-approve", "--outputs-file", str(out))
    assert applied.exit_code == 0, applied.output
    url = json.loads(out.read_text())["outputs"]["team.asd/incoming_webhook.alerts"]["url"]
    hook_id = url.rsplit("/hooks/", 1)[1]
    assert live.api.post(f"/hooks/{hook_id}", {"text": "it posts"}) is not None


def test_an_existing_channel_whose_members_the_file_does_not_manage(live: LiveSandbox) -> None:
    setup = live.workspace(text(", members: [piet]"), "setup.yaml")
    setup.write_text(
        setup.read_text()
        .replace("owner: jan", "owner: piet")
        .replace("members: [jan]", "members: [jan, piet]")
    )
    assert live.mmrc("apply", "-f", str(setup), "--auto-approve").exit_code == 0
    # membership no longer managed: the owner's membership is read from the server
    unmanaged = live.workspace(text())
    refused = live.mmrc("plan", "-f", str(unmanaged))
    assert refused.exit_code == 1
    assert "the owner 'jan' of incoming webhook 'alerts' is not a member" in refused.output
    channel = live.channel("asd", "ops")["id"]
    live.api.post(f"/api/v4/channels/{channel}/members", {"user_id": live.user_id("jan")})
    assert live.mmrc("plan", "-f", str(unmanaged)).exit_code == 0


def test_a_hook_already_unable_to_post_and_left_alone_is_a_warning(live: LiveSandbox) -> None:
    setup = live.workspace(text(", members: [jan]"), "setup.yaml")
    assert live.mmrc("apply", "-f", str(setup), "--auto-approve").exit_code == 0
    channel = live.channel("asd", "ops")["id"]
    live.api.delete(f"/api/v4/channels/{channel}/members/{live.user_id('jan')}")  # by hand
    result = live.mmrc("plan", "-f", str(live.workspace(text())))
    assert result.exit_code == 0, result.output
    assert "Warning: team.asd: the owner 'jan' of incoming webhook 'alerts' is not a member" in (
        result.output
    )
    assert "(already so; add jan to the channel's members" in result.output
