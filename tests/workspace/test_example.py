"""The example workspace.yaml at the repository root, and the committed JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.workspace import load_workspace, referenced_users
from reconciler.workspace.schema import workspace_json_schema_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workspace.yaml"
SCHEMA = ROOT / "schemas" / "workspace.schema.json"
LEGACY = {"dev", "tickets", "alerts", "general", "support", "development", "business", "finance"}


@pytest.fixture(autouse=True)
def _no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITLAB_OAUTH_SECRET", raising=False)  # validate never resolves


def test_example_validates_via_cli() -> None:
    result = CliRunner().invoke(cli, ["validate", "-f", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(
        "OK (2 teams, 13 channels, 2 bots, 6 webhooks, 1 command)"
    )


def test_example_content_follows_the_seeds() -> None:
    ws = load_workspace(EXAMPLE).workspace
    asd = next(team for team in ws.teams if team.name == "asd")
    renamed = {old for channel in asd.channels for old in channel.renamed_from}
    assert renamed == LEGACY
    assert {hook.display_name for hook in asd.incoming_webhooks} >= {
        "n8n",
        "Redmine",
        "Zammad",
        "ERPNext",
        "Grafana",
    }
    (outgoing,) = asd.outgoing_webhooks
    assert outgoing.trigger_words == ("!ticket",)
    assert outgoing.callback_urls == ("http://asd-n8n:5678/webhook/mattermost-ticket",)
    assert [command.trigger for command in asd.commands] == ["reply"]
    assert ws.settings is not None and ws.settings.sso is not None
    gitlab = ws.settings.sso.gitlab
    assert gitlab is not None
    assert gitlab.auth_endpoint == "https://gitlab.asd-pma.nl/oauth/authorize"
    assert gitlab.token_endpoint == "http://asd-gitlab/oauth/token"
    assert gitlab.user_api_endpoint == "http://asd-gitlab/api/v4/user"
    assert gitlab.secret == "${env:GITLAB_OAUTH_SECRET}"


def test_var_overrides_reach_the_model() -> None:
    result = CliRunner().invoke(
        cli, ["validate", "-f", str(EXAMPLE), "--var", "gitlab_public=https://git.example"]
    )
    assert result.exit_code == 0, result.output
    loaded = load_workspace(EXAMPLE, {"gitlab_public": "https://git.example"})
    assert loaded.workspace.settings is not None and loaded.workspace.settings.sso is not None
    gitlab = loaded.workspace.settings.sso.gitlab
    assert gitlab is not None and gitlab.auth_endpoint == "https://git.example/oauth/authorize"


def test_referenced_users_are_few_and_stable() -> None:
    members, guests = referenced_users(load_workspace(EXAMPLE).workspace)
    assert guests == {"klant.acme", "bouw.partner"}
    assert "n8n-bot" not in members  # bots are not users
    assert members == {
        "jan.devries",
        "sanne.bakker",
        "pieter.jansen",
        "fatima.elamrani",
        "daan.visser",
        "lotte.smit",
    }


def test_example_points_editors_at_the_schema() -> None:
    first = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./schemas/workspace.schema.json"


def test_committed_schema_is_current() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == workspace_json_schema_text(), (
        "schemas/workspace.schema.json is stale: run `mmrc schema > schemas/workspace.schema.json`"
    )


def test_schema_command_prints_the_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert result.output == workspace_json_schema_text()
    schema = json.loads(result.output)
    secret = schema["$defs"]["SsoProvider"]["properties"]["secret"]
    assert "env:" in secret["pattern"]
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["version"]
