"""Messages that say what to do next: a refused token, a missing permission, YAML syntax,
`mmrc apply workspace.yaml`, and "did you mean" for users, bot owners and renamed channels."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from live_sandbox import LiveSandbox

from reconciler.cli import cli
from reconciler.commands.hints import permission_for

StartSandbox = Callable[..., LiveSandbox]


def validate(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", "-f", str(path)])
    return result.exit_code, result.output


def test_a_refused_token_names_mm_token_and_token_file(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    live = start_sandbox("empty")
    path = live.workspace("version: 1\n")
    result = live.mmrc("plan", "-f", str(path), MM_TOKEN="not-the-token")
    assert result.exit_code == 1
    assert "401" in result.output
    assert "Hint: the server did not accept the token: set MM_TOKEN" in result.output
    assert "--token-file FILE" in result.output


def test_a_missing_permission_is_named_with_the_role_to_give(start_sandbox: StartSandbox) -> None:
    live = start_sandbox("empty")
    live.api.put("/api/v4/config/patch", {"ServiceSettings": {"EnableUserAccessTokens": True}})
    user = live.user("plain")
    token = live.api.post(f"/api/v4/users/{user['id']}/tokens", {"description": "t"})["token"]
    result = live.mmrc("import", MM_TOKEN=token)
    assert result.exit_code == 1
    assert "GET /api/v4/bots failed: 403" in result.output
    assert (
        "Hint: the token's account lacks the read_bots permission for GET /api/v4/bots: "
        "give it that permission"
    ) in result.output
    assert "system_read_only_admin" in result.output


@pytest.mark.parametrize(
    ("method", "path", "permission"),
    [
        ("POST", "/api/v4/hooks/incoming", "manage_incoming_webhooks"),
        ("PUT", "/api/v4/commands/abc", "manage_slash_commands"),
        ("POST", "/api/v4/teams/t1/members", "add_user_to_team / remove_user_from_team"),
        ("GET", "/api/v4/audits?page=0", "manage_system"),
        ("GET", "/api/v4/nothing-known", None),
    ],
)
def test_permission_for(method: str, path: str, permission: str | None) -> None:
    assert permission_for(method, path) == permission


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "version: 1\nteams:\n\t- name: a\n",
            "3:1: (yaml): YAML syntax error: found character '\\t' that cannot start any token"
            "; while scanning for the next token "
            "(hint: YAML indents with spaces only: replace the tab with spaces)",
        ),
        (
            "version: 1\nteams:\n  - name: a\n    display_name: A\n   channels: []\n",
            "5:4: (yaml): YAML syntax error: expected <block end>, but found "
            "'<block mapping start>'; while parsing a block collection that began at line 3, "
            "column 3 (hint: check the indentation: this line must line up with the entries "
            "of the list or mapping that began on line 3)",
        ),
        (
            "version: 1\nteams: [{name: a, display_name: A}\nbots: []\n",
            "3:1: (yaml): YAML syntax error: expected ',' or ']', but got '<scalar>'; while "
            "parsing a flow sequence that began at line 2, column 8 "
            "(hint: the '[' on line 2 is not closed: add ']' (and ',' between items))",
        ),
        (
            'version: 1\nteams:\n  - name: "a\n    display_name: A\n',
            "5:1: (yaml): YAML syntax error: found unexpected end of stream; while scanning a "
            "quoted scalar that began at line 3, column 11 "
            "(hint: the quote on line 3 is not closed: add the closing quote)",
        ),
        (
            "version: 1\nteams:\n  - name: a\n    display_name: A: B\n",
            "4:20: (yaml): YAML syntax error: mapping values are not allowed here "
            "(hint: quote a value that contains ': ', or check this line's indentation)",
        ),
    ],
)
def test_yaml_syntax_errors_say_where_it_began_and_the_usual_cause(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "workspace.yaml"
    path.write_text(text, encoding="utf-8")
    code, output = validate(path)
    assert code == 1
    assert f"{path}:{expected}" in output


def test_apply_of_a_workspace_file_says_it_takes_a_saved_plan_or_f(tmp_path: Path) -> None:
    path = tmp_path / "workspace.yaml"
    path.write_text("version: 1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["apply", str(path), "--auto-approve"])
    assert result.exit_code == 1
    assert f"{path} is not a saved plan" in result.output
    assert "`mmrc plan -o plan.json`" in result.output
    assert f"run `mmrc apply -f {path}`" in result.output


def test_a_channel_renamed_in_the_same_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "workspace.yaml"
    path.write_text(
        "version: 1\n"
        "teams:\n"
        "  - name: asd\n"
        "    display_name: ASD\n"
        "    channels:\n"
        "      - {name: topic-erpnext, display_name: ERPNext, renamed_from: [topic-business]}\n"
        "    incoming_webhooks:\n"
        "      - {display_name: ERPNext, channel: topic-business}\n",
        encoding="utf-8",
    )
    code, output = validate(path)
    assert code == 1
    assert (
        f"{path}:8:33: teams[0].incoming_webhooks[0].channel: channel 'topic-business' is not "
        "declared in team 'asd' (hint: renamed to 'topic-erpnext' in this file: use the new name)"
    ) in output


USERS = """\
version: 1
bots: [{username: n8n-bot, display_name: n8n}]
teams:
  - name: asd
    display_name: ASD
    members: [jan.devries, jan.devris]
    incoming_webhooks:
      - {display_name: Grafana, channel: town-square, owner: n8n-bto}
      - {display_name: Zammad, channel: town-square, owner: nobody-at-all}
"""


def test_unknown_users_and_owners_get_a_did_you_mean(start_sandbox: StartSandbox) -> None:
    live = start_sandbox("empty")
    live.user("jan.devries")
    result = live.mmrc("plan", "-f", str(live.workspace(USERS)))
    assert result.exit_code == 1
    assert (
        "teams[0].members[1]: user 'jan.devris' does not exist on the server (mmrc manages "
        "memberships, not accounts) (hint: did you mean 'jan.devries'?)"
    ) in result.output
    assert (
        "teams[0].incoming_webhooks[0].owner: owner 'n8n-bto' is neither a bot the file "
        "declares (n8n-bot) nor a user on the server (hint: did you mean 'n8n-bot'?)"
    ) in result.output
    assert (
        "owner 'nobody-at-all' is neither a bot the file declares (n8n-bot) nor a user on the "
        "server (hint: declare the bot under bots:, or name an existing user)"
    ) in result.output
