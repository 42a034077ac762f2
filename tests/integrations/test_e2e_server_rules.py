"""What real Mattermost does that the plan must account for (env pins, write-only
secrets, override switches, disabled integrations, ambiguous hooks), end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from integration_seeds import workspace
from integrations_helpers import ADMIN_TOKEN, CANARY, Mmrc

from reconciler import secret_state

MASK = "*" * 32

SSO_ONLY = """\
version: 1
settings:
  sso:
    gitlab:
      enable: true
      id: asd-gitlab-application-id
      secret: ${env:GITLAB_OAUTH_SECRET}
      token_endpoint: http://asd-gitlab/oauth/token
"""


def changes(mmrc: Mmrc, *args: str, **env: str) -> dict[str, Any]:
    result = mmrc.run("plan", *args, "--format", "json", **env)
    plan = json.loads(result.stdout)
    return {c["address"]: c for c in plan["changes"]} | {"__warnings__": plan["warnings"]}


@pytest.mark.parametrize(
    "server_options",
    [{"environment": {"MM_GITLABSETTINGS_ENABLE": "false", "MM_GITLABSETTINGS_SECRET": "pinned"}}],
)
def test_env_pinned_settings_are_reported_not_planned(mmrc: Mmrc) -> None:
    ws = mmrc.write(SSO_ONLY)
    found = changes(mmrc, "-f", str(ws))
    gitlab = found["settings.sso.gitlab"]
    assert set(gitlab["changed_fields"]) == {"id", "token_endpoint"}  # not enable, not secret
    warnings = "\n".join(found["__warnings__"])
    assert (
        "settings.sso.gitlab.enable is managed by the server's environment "
        "(MM_GITLABSETTINGS_ENABLE)" in warnings
    )
    assert "(MM_GITLABSETTINGS_SECRET)" in warnings
    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    again = mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=0)
    assert "MM_GITLABSETTINGS_ENABLE" in again.stdout + again.stderr
    assert CANARY not in mmrc.everything()


def test_secret_never_written_is_not_compared_until_rotate(mmrc: Mmrc) -> None:
    with mmrc.sandbox.lock:
        mmrc.sandbox.config.set("GitLabSettings.Secret", "set-by-hand-in-the-console")
    ws = mmrc.write(SSO_ONLY)
    found = changes(mmrc, "-f", str(ws))
    assert "secret" not in found["settings.sso.gitlab"]["changed_fields"]
    assert any("mmrc never wrote" in w for w in found["__warnings__"])

    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    with mmrc.sandbox.lock:
        assert mmrc.sandbox.config.effective()["GitLabSettings"]["Secret"] == (
            "set-by-hand-in-the-console"
        )
    rotated = changes(mmrc, "-f", str(ws), "--rotate-secrets")
    secret = rotated["settings.sso.gitlab"]["fields"][0]
    assert secret == {
        "field": "secret",
        "before": "(sensitive)",
        "after": "(sensitive)",
        "sensitive": True,
    }
    mmrc.run("apply", "-f", str(ws), "--auto-approve", "--rotate-secrets")
    with mmrc.sandbox.lock:
        config = mmrc.sandbox.config.effective()
    assert config["GitLabSettings"]["Secret"] == CANARY
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=0)

    # a new value in the environment → the fingerprint differs → one write
    new_value = CANARY + "-rotated"
    found = changes(mmrc, "-f", str(ws), GITLAB_OAUTH_SECRET=new_value)
    assert found["settings.sso.gitlab"]["changed_fields"] == ["secret"]
    assert any("differs from the fingerprint" in n for n in found["settings.sso.gitlab"]["notes"])
    mmrc.run("apply", "-f", str(ws), "--auto-approve", GITLAB_OAUTH_SECRET=new_value)
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=0, GITLAB_OAUTH_SECRET=new_value)
    assert CANARY not in mmrc.everything() and new_value not in mmrc.everything()


def test_saved_plan_holds_no_secret_and_other_plugins_survive(mmrc: Mmrc) -> None:
    with mmrc.sandbox.lock:
        mmrc.sandbox.config.set(
            "PluginSettings.Plugins", {"com.mattermost.calls": {"defaultenabled": True}}
        )
    ws = mmrc.write(SSO_ONLY)
    saved = mmrc.workdir / "plan.json"
    mmrc.run("plan", "-f", str(ws), "--out", str(saved))
    assert CANARY not in saved.read_text()
    mmrc.run("apply", str(saved), "--auto-approve")
    with mmrc.sandbox.lock:
        plugins = mmrc.sandbox.config.effective()["PluginSettings"]["Plugins"]
    assert plugins["com.mattermost.calls"] == {"defaultenabled": True}
    stored = plugins["mmrc"]["fingerprints"]["settings.sso.gitlab.secret"]
    assert CANARY not in json.dumps(plugins)
    assert secret_state.verify_fingerprint("settings.sso.gitlab.secret", CANARY, stored)
    assert CANARY not in mmrc.everything()


def test_missing_secret_error_names_the_variable_only(mmrc: Mmrc) -> None:
    ws = mmrc.write(SSO_ONLY)
    result = mmrc.run("plan", "-f", str(ws), expect=1, GITLAB_OAUTH_SECRET="")
    assert "GITLAB_OAUTH_SECRET is not set" in result.stderr
    assert CANARY not in mmrc.everything()


NO_OVERRIDE = """\
settings:
  integrations:
    bot_account_creation: true
"""


def test_username_override_off_is_a_plan_error_naming_the_switch(mmrc: Mmrc) -> None:
    ws = mmrc.write(workspace(settings=NO_OVERRIDE))
    result = mmrc.run("plan", "-f", str(ws), expect=1)
    assert "settings.integrations.post_username_override" in result.stderr
    assert "ServiceSettings.EnablePostUsernameOverride" in result.stderr
    assert "settings.integrations.post_icon_override" in result.stderr  # Redmine's icon_url


def test_override_switch_declared_in_the_same_workspace_is_written_first(mmrc: Mmrc) -> None:
    ws = mmrc.write(workspace())
    plan = json.loads(mmrc.run("plan", "-f", str(ws), "--format", "json").stdout)
    addresses = [c["address"] for c in plan["changes"]]
    assert addresses.index("settings.integrations") < addresses.index(
        "team.asd/incoming_webhook.Redmine"
    )
    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    with mmrc.sandbox.lock:
        hooks = {h["display_name"]: h for h in mmrc.sandbox.integrations.incoming.values()}
    assert hooks["Redmine"]["username"] == "redmine-bot"  # not blanked by the server
    assert hooks["Redmine"]["icon_url"] == "https://redmine.org/favicon.ico"


@pytest.mark.parametrize(
    "server_options", [{"environment": {"MM_SERVICESETTINGS_ENABLEPOSTUSERNAMEOVERRIDE": "false"}}]
)
def test_override_pinned_off_by_environment_is_an_error(mmrc: Mmrc) -> None:
    ws = mmrc.write(workspace())
    result = mmrc.run("plan", "-f", str(ws), expect=1)
    assert "pinned by the server's environment (MM_SERVICESETTINGS_ENABLEPOSTUSERNAMEOVERRIDE)" in (
        result.stderr
    )


DISABLED = """\
settings:
  integrations:
    post_username_override: true
    post_icon_override: true
    bot_account_creation: true
"""


def test_disabled_integrations_name_the_switch_to_turn_on(mmrc: Mmrc) -> None:
    with mmrc.sandbox.lock:
        mmrc.sandbox.config.set("ServiceSettings.EnableIncomingWebhooks", False)
        mmrc.sandbox.config.set("ServiceSettings.EnableCommands", False)
    ws = mmrc.write(workspace(settings=DISABLED))
    mmrc.run("apply", "-f", str(ws), "--auto-approve", expect=1)
    result = mmrc.run("plan", "-f", str(ws), expect=1)
    assert "settings.integrations.incoming_webhooks (ServiceSettings.EnableIncomingWebhooks)" in (
        result.stderr
    )
    assert "settings.integrations.slash_commands (ServiceSettings.EnableCommands)" in result.stderr
    # turning them on in the same workspace plans the switch first, then the hooks
    mmrc.write(workspace())
    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=0)


def test_two_live_hooks_with_one_name_are_ambiguous_without_leaking_ids(mmrc: Mmrc) -> None:
    ws = mmrc.write(workspace())
    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    sandbox = mmrc.sandbox
    with sandbox.lock:
        original = next(
            h for h in sandbox.integrations.incoming.values() if h["display_name"] == "Zammad"
        )
        channel = sandbox.core.channels[original["channel_id"]]
        twin = sandbox.integrations.create_incoming(
            original["user_id"], channel, {**original, "id": "", "description": "copy"}
        )
    result = mmrc.run("plan", "-f", str(ws), expect=1)
    assert "team.asd/incoming_webhook.Zammad is ambiguous" in result.stderr
    for hook in (original, twin):
        assert f"id {hook['id'][:4]}…" in result.stderr
        assert hook["id"] not in mmrc.everything()


def test_prune_refuses_to_guess_between_two_undeclared_outgoing_hooks_with_one_name(
    mmrc: Mmrc,
) -> None:
    ws = mmrc.write(workspace(prune=True))
    mmrc.run("apply", "-f", str(ws), "--auto-approve")
    with httpx.Client(
        base_url=mmrc.url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    ) as http:
        _two_hooks_one_name(mmrc, http, ws)


def _two_hooks_one_name(mmrc: Mmrc, http: httpx.Client, ws: Path) -> None:
    team = http.get("/api/v4/teams/name/asd").json()
    channel = http.get(f"/api/v4/teams/{team['id']}/channels/name/off-topic").json()
    ids = []
    for url in ("http://n8n.example/one", "http://n8n.example/two"):
        hook = {
            "team_id": team["id"],
            "channel_id": channel["id"],
            "display_name": "made by hand",
            "trigger_words": ["!hand"],
            "callback_urls": [url],
        }
        created = http.post("/api/v4/hooks/outgoing", json=hook)
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    result = mmrc.run("plan", "-f", str(ws), expect=1)
    assert "team.asd/outgoing_webhook.made by hand is ambiguous" in result.stderr
    listed = http.get("/api/v4/hooks/outgoing", params={"team_id": team["id"]}).json()
    assert {h["id"] for h in listed} >= set(ids)  # nothing was removed
