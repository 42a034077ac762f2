"""`mmrc import` against the sandbox: import → validate passes → plan shows no changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from importer_helpers import (
    assert_zero_diff,
    channel_of,
    import_to,
    load,
    mmrc,
    team_of,
)

from reconciler.importer import template_safe
from reconciler.importer.naming import naming_exceptions, secret_env_name
from reconciler.sandbox.seed import seed_large
from reconciler.workspace.templating import Templater

CANARY = "canary-secret-Zx81-never-in-a-file"

StartSandbox = Callable[..., Any]


def test_demo_import_validates_and_plans_empty(start_sandbox: StartSandbox, tmp_path: Path) -> None:
    live = start_sandbox("demo")
    path = tmp_path / "workspace.yaml"
    result = import_to(live, path)
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    assert f"from {live.url} (Mattermost " in text
    assert "secret: ${env:MM_GITLAB_SECRET}  # secret: set ${env:MM_GITLAB_SECRET} before plan" in (
        text
    )
    assert "- {team: asd, channel: dev, reason:" in text
    assert "# imported: breaks the naming policy" in text
    data = load(path)
    asd = team_of(data, "asd")
    assert asd["prune"] == {
        "channels": False,
        "members": False,
        "webhooks": False,
        "commands": False,
    }
    assert channel_of(asd, "project-beta")["archived"] is True
    assert channel_of(asd, "development")["header"] == "Redmine"
    assert "members" not in asd  # only with --members
    assert [h["display_name"] for h in asd["incoming_webhooks"]] == ["Grafana", "Zammad", "n8n"]
    assert asd["outgoing_webhooks"][0]["callback_urls"] == [
        "http://asd-n8n:5678/webhook/mattermost-ticket"
    ]
    assert asd["commands"][0]["trigger"] == "reply"
    assert "owner" not in asd["commands"][0]  # the importing account's: implicit
    exceptions = {(e["team"], e["channel"]) for e in data["policy"]["exceptions"]}
    assert ("asd", "dev") in exceptions and ("asd", "project-alpha") not in exceptions
    assert ("asd", "town-square") not in exceptions  # exempt by the default policy
    # the summary on stderr
    assert "teams: 1" in result.stderr and "channels: 13" in result.stderr
    assert "asd/dev" in result.stderr
    assert "MM_GITLAB_SECRET  (settings.sso.gitlab.secret)" in result.stderr
    assert result.stdout == ""  # -o: nothing on stdout

    planned = assert_zero_diff(live, path)
    # the hand-set secret: warned about, never written
    assert "settings.sso.gitlab.secret: the server holds a value mmrc never wrote" in (
        planned.output
    )


def test_import_to_stdout(start_sandbox: StartSandbox, tmp_path: Path) -> None:
    live = start_sandbox("demo")
    result = mmrc(live, "import")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# yaml-language-server")
    assert "Imported from" in result.stderr and "Imported from" not in result.stdout
    path = tmp_path / "from-stdout.yaml"
    path.write_text(result.stdout)
    assert_zero_diff(live, path)


def test_imported_secret_is_written_only_with_rotate_secrets(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    live = start_sandbox("demo")
    path = tmp_path / "workspace.yaml"
    import_to(live, path)
    rotated = mmrc(live, "plan", "-f", str(path), "--rotate-secrets", "--detailed-exitcode")
    assert rotated.exit_code == 2, rotated.output
    assert "settings.sso.gitlab" in rotated.stdout
    assert "secret: (sensitive)" in rotated.stdout
    unset = live.mmrc("plan", "-f", str(path))  # no MM_GITLAB_SECRET in the environment
    assert unset.exit_code == 1
    assert "MM_GITLAB_SECRET is not set" in unset.output


def _credentials(live: Any) -> list[str]:
    store = live.sandbox.integrations
    found = [str(hook_id) for hook_id in store.incoming]
    found += [str(h["token"]) for h in store.outgoing.values()]
    found += [str(c["token"]) for c in store.commands.values()]
    return [value for value in found if value]


@pytest.mark.parametrize("extra", [(), ("--members",), ("--split",)])
def test_no_secret_hook_id_or_token_is_written(
    start_sandbox: StartSandbox, tmp_path: Path, extra: tuple[str, ...]
) -> None:
    live = start_sandbox("demo")
    live.api.put("/api/v4/config/patch", {"GitLabSettings": {"Secret": CANARY}})
    credentials = _credentials(live)
    assert len(credentials) == 5  # 3 incoming hook ids, 1 outgoing token, 1 command token
    path = tmp_path / "out" / "workspace.yaml"
    result = import_to(live, path, *extra)
    written = "".join(p.read_text() for p in path.parent.rglob("*.yaml"))
    assert "${env:MM_GITLAB_SECRET}" in written
    for text in (written, result.stdout, result.stderr):
        assert CANARY not in text
        for value in credentials:
            assert value not in text
    assert live.token not in written


def test_split_writes_one_file_per_team_with_include(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    live = start_sandbox("demo")
    live.api.post("/api/v4/teams", {"name": "partners", "display_name": "Partners", "type": "I"})
    path = tmp_path / "ws" / "workspace.yaml"
    import_to(live, path, "--split")
    root = load(path)
    assert root["include"] == ["teams/asd.yaml", "teams/partners.yaml"]
    assert "teams" not in root
    assert "settings" in root and "policy" in root
    for name in ("asd", "partners"):
        part = load(path.parent / "teams" / f"{name}.yaml")
        assert [t["name"] for t in part["teams"]] == [name]
        assert set(part) == {"version", "teams"}
    assert team_of(load(path.parent / "teams" / "partners.yaml"), "partners")["visibility"] == (
        "invite-only"
    )
    assert_zero_diff(live, path)


def test_split_needs_an_output_file(start_sandbox: StartSandbox) -> None:
    live = start_sandbox("demo")
    result = mmrc(live, "import", "--split")
    assert result.exit_code == 1  # a usage error: 2 means "changes present"
    assert "-o FILE" in result.output


def test_team_option_limits_the_import(start_sandbox: StartSandbox, tmp_path: Path) -> None:
    live = start_sandbox("demo")
    live.api.post("/api/v4/teams", {"name": "partners", "display_name": "Partners", "type": "O"})
    path = tmp_path / "workspace.yaml"
    import_to(live, path, "--team", "partners")
    data = load(path)
    assert [t["name"] for t in data["teams"]] == ["partners"]
    assert "policy" not in data  # partners has only the exempt default channels
    assert data["settings"]["sso"]["gitlab"]["secret"] == "${env:MM_GITLAB_SECRET}"
    planned = assert_zero_diff(live, path)
    assert "team.asd" in planned.stdout  # listed as unmanaged, not changed
    unknown = mmrc(live, "import", "--team", "nope")
    assert unknown.exit_code == 1
    assert "no such team on the server: nope" in unknown.output


def test_members_round_trip(start_sandbox: StartSandbox, tmp_path: Path) -> None:
    live = start_sandbox("demo")
    path = tmp_path / "workspace.yaml"
    result = import_to(live, path, "--members")
    asd = team_of(load(path), "asd")
    assert asd["members"] == [
        "daan.visser",
        "fatima.elamrani",
        "jan.devries",
        "pieter.jansen",
        "sanne.bakker",
    ]
    assert asd["guests"] == ["klant.acme"]
    assert "sysadmin" not in path.read_text()  # the importing account is implicit
    alpha = channel_of(asd, "project-alpha")
    assert alpha["members"] == ["daan.visser", "jan.devries", "pieter.jansen"]
    assert alpha["guests"] == ["klant.acme"]
    assert "members" not in channel_of(asd, "town-square")  # everyone is there implicitly
    assert "members" not in channel_of(asd, "project-beta")  # archived
    assert "team memberships: 6" in result.stderr
    # the demo server has guest accounts on (a real server demotes no one otherwise)
    assert load(path)["settings"]["guest_accounts"]["enable"] is True
    assert_zero_diff(live, path)
    # the lists are managed: a member removed by hand is drift
    channel_id = live.channel("asd", "finance")["id"]
    live.api.delete(f"/api/v4/channels/{channel_id}/members/{live.user_id('jan.devries')}")
    again = mmrc(live, "plan", "-f", str(path), "--detailed-exitcode")
    assert again.exit_code == 2, again.output
    assert "team.asd/channel.finance/member.jan.devries (create)" in again.stdout


def test_duplicate_incoming_display_names_are_skipped(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    live = start_sandbox("demo")
    channel_id = live.channel("asd", "dev")["id"]
    for _ in range(2):
        live.api.post("/api/v4/hooks/incoming", {"channel_id": channel_id, "display_name": "Twice"})
    path = tmp_path / "workspace.yaml"
    result = import_to(live, path)
    text = path.read_text()
    assert "display_name: Twice" not in text
    assert "# skipped incoming_webhook.Twice: 2 live incoming webhooks share" in text
    assert "team.asd/incoming_webhook.Twice: 2 live incoming webhooks share" in result.stderr
    assert_zero_diff(live, path)


def test_moderation_only_for_channels_with_their_own_scheme(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    live = start_sandbox("demo")
    channel_id = live.channel("asd", "alerts")["id"]
    live.api.put(
        f"/api/v4/channels/{channel_id}/moderations/patch",
        [{"name": "create_post", "roles": {"members": False}}],
    )
    path = tmp_path / "workspace.yaml"
    import_to(live, path)
    asd = team_of(load(path), "asd")
    moderation = channel_of(asd, "alerts")["moderation"]
    assert moderation["members"]["post"] is False
    assert moderation["members"]["reactions"] is True
    assert "manage_members" not in moderation.get("guests", {})
    assert all("moderation" not in c for c in asd["channels"] if c["name"] != "alerts")
    assert_zero_diff(live, path)


def test_template_like_strings_and_odd_values_round_trip(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    live = start_sandbox("demo")
    channel_id = live.channel("asd", "general")["id"]
    live.api.put(
        f"/api/v4/channels/{channel_id}/patch",
        {"purpose": "Use {{ vars }} and {% if %} here", "header": "yes\nline two: {#x#}"},
    )
    path = tmp_path / "workspace.yaml"
    import_to(live, path)
    assert_zero_diff(live, path)


def test_env_pinned_settings_are_left_out(start_sandbox: StartSandbox, tmp_path: Path) -> None:
    live = start_sandbox("demo", environment={"MM_SERVICESETTINGS_ENABLECOMMANDS": "true"})
    path = tmp_path / "workspace.yaml"
    result = import_to(live, path)
    integrations = load(path)["settings"]["integrations"]
    assert "slash_commands" not in integrations
    assert "incoming_webhooks" in integrations
    assert "pinned by the server's environment (MM_SERVICESETTINGS_ENABLECOMMANDS)" in (
        path.read_text()
    )
    assert "MM_SERVICESETTINGS_ENABLECOMMANDS" in result.stderr
    assert_zero_diff(live, path)


def test_large_generated_server(start_sandbox: StartSandbox, tmp_path: Path) -> None:
    live = start_sandbox("empty")
    with live.sandbox.lock:
        seed_large(live.sandbox, teams=10, channels_per_team=50, users=500)
    path = tmp_path / "workspace.yaml"
    result = import_to(live, path)
    data = load(path)
    assert len(data["teams"]) == 10
    assert sum(len(t["channels"]) for t in data["teams"]) == 500
    assert len(data["policy"]["exceptions"]) == 480  # channel-NNNN names: no class prefix
    assert "Naming policy exceptions (480)" in result.stderr
    assert "… and 460 more" in result.stderr
    private = channel_of(team_of(data, "team003"), "channel-0010")
    assert private["visibility"] == "private"
    assert_zero_diff(live, path)


def test_large_generated_server_with_members(start_sandbox: StartSandbox, tmp_path: Path) -> None:
    live = start_sandbox("empty")
    with live.sandbox.lock:
        seed_large(live.sandbox, teams=3, channels_per_team=20, users=60)
    path = tmp_path / "workspace.yaml"
    import_to(live, path, "--members", "--split")
    team = team_of(load(path.parent / "teams" / "team001.yaml"), "team001")
    assert len(team["members"]) == 20
    assert channel_of(team, "channel-0003")["members"] == ["user00023", "user00024", "user00025"]
    assert_zero_diff(live, path)


# -- units ---------------------------------------------------------------------------------


def test_secret_env_names_are_unique() -> None:
    assert secret_env_name("sso.gitlab", "secret") == "MM_GITLAB_SECRET"
    assert secret_env_name("sso.office365", "secret") == "MM_OFFICE365_SECRET"
    taken = ["MM_GITLAB_SECRET"]
    assert secret_env_name("sso.gitlab", "secret", taken) == "MM_GITLAB_SECRET_2"


def test_naming_exceptions_follow_the_default_policy() -> None:
    found = naming_exceptions(
        [("asd", "dev"), ("asd", "team-support"), ("asd", "town-square"), ("asd", "dev")]
    )
    assert [(e.team, e.channel) for e in found] == [("asd", "dev")]
    assert found[0].as_policy().reason


@pytest.mark.parametrize(
    "text",
    ["plain", "{{ x }}", "a {% if %} b", "{# c #}", "{% endraw %} {{ y }}", "end\n", ""],
)
def test_template_safe_gives_the_text_back(text: str) -> None:
    assert Templater({}).render(template_safe(text)) == text
