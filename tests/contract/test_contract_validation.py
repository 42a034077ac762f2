"""Model validation of teams and channels, as both servers answer it (moved here from
tests/sandbox so that the real server judges the sandbox's tables)."""

from __future__ import annotations

from typing import Any

import pytest
from contract_server import Server

TEAM = {"display_name": "ASD-PMA", "type": "O"}


def assert_error(response: Any, status: int, error_id: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["id"] == error_id and body["status_code"] == status, body


@pytest.mark.parametrize(
    ("body", "error_id"),
    [
        (
            {"name": "a", "display_name": "A", "type": "O"},
            "model.team.is_valid.characters.app_error",
        ),
        (
            {"name": "a_b", "display_name": "A", "type": "O"},
            "model.team.is_valid.characters.app_error",
        ),
        (
            {"name": "Upper", "display_name": "A", "type": "O"},
            "model.team.is_valid.characters.app_error",
        ),
        ({"name": "x" * 65, "display_name": "A", "type": "O"}, "model.team.is_valid.url.app_error"),
        (
            {"name": "apitest", "display_name": "A", "type": "O"},
            "model.team.is_valid.reserved.app_error",
        ),
        (
            {"name": "help-desk", "display_name": "A", "type": "O"},
            "model.team.is_valid.reserved.app_error",
        ),
        ({"name": "okname", "display_name": "", "type": "O"}, "model.team.is_valid.name.app_error"),
        (
            {"name": "okname", "display_name": "x" * 65, "type": "O"},
            "model.team.is_valid.name.app_error",
        ),
        (
            {"name": "okname", "display_name": "A", "type": "P"},
            "model.team.is_valid.type.app_error",
        ),
        (
            {"name": "okname", "display_name": "A", "type": "O", "description": "d" * 256},
            "model.team.is_valid.description.app_error",
        ),
        (
            {"name": "okname", "display_name": "A", "type": "O", "company_name": "c" * 65},
            "model.team.is_valid.company.app_error",
        ),
        (
            {"name": "okname", "display_name": "A", "type": "O", "id": "x" * 26},
            "store.sql_team.save_team.existing.app_error",
        ),
    ],
)
def test_create_team_validation(server: Server, body: dict[str, object], error_id: str) -> None:
    assert_error(server.admin.post("/api/v4/teams", json=body), 400, error_id)


def test_valid_team_name_edges(server: Server) -> None:
    suffix = server.name("")
    for name in ("ab" + suffix, "a__b" + suffix, "a-b-c" + suffix, "x" * 54 + suffix, "9" + suffix):
        body = {**TEAM, "name": name}
        assert server.admin.post("/api/v4/teams", json=body).status_code == 201, name


@pytest.mark.parametrize(
    ("name", "extra", "status", "error_id"),
    [
        ("Upper", {}, 400, "model.channel.is_valid.1_or_more.app_error"),
        ("has.dot", {}, 400, "model.channel.is_valid.1_or_more.app_error"),
        ("-lead", {}, 400, "model.channel.is_valid.1_or_more.app_error"),
        ("a" * 26 + "__" + "b" * 26, {}, 400, "model.channel.is_valid.name.app_error"),
        (
            "0123456789abcdef0123456789abcdef01234567",
            {},
            400,
            "model.channel.is_valid.name.app_error",
        ),
        ("ok", {"display_name": "d" * 65}, 400, "model.channel.is_valid.display_name.app_error"),
        ("ok", {"purpose": "p" * 251}, 400, "model.channel.is_valid.purpose.app_error"),
        ("ok", {"header": "h" * 1025}, 400, "model.channel.is_valid.header.app_error"),
        ("ok", {"type": "X"}, 400, "model.channel.is_valid.type.app_error"),
        ("ok", {"id": "i" * 26}, 400, "store.sql_channel.save_channel.existing.app_error"),
        ("ok", {"display_name": ""}, 400, "api.context.invalid_body_param.app_error"),
        ("a" * 65, {}, 500, "app.channel.create_channel.internal_error"),
    ],
)
def test_create_channel_validation(
    server: Server, name: str, extra: dict[str, Any], status: int, error_id: str
) -> None:
    team = server.team()
    body = {"team_id": team["id"], "name": name, "display_name": "C", "type": "O", **extra}
    assert_error(server.admin.post("/api/v4/channels", json=body), status, error_id)


def test_accepted_channel_names(server: Server) -> None:
    team = server.team()
    for name in ("a", "trailing-", "x__y", "9", "a" * 64):
        body = {"team_id": team["id"], "name": name, "display_name": "C", "type": "O"}
        assert server.admin.post("/api/v4/channels", json=body).status_code == 201, name


@pytest.mark.parametrize(
    ("fields", "error_id"),
    [
        ({"trigger": "/reply"}, "model.command.is_valid.trigger.app_error"),
        ({"trigger": "two words"}, "model.command.is_valid.trigger.app_error"),
        ({"trigger": "t" * 129}, "model.command.is_valid.trigger.app_error"),
        ({"url": ""}, "model.command.is_valid.url.app_error"),
        ({"url": "asd-n8n/reply"}, "model.command.is_valid.url_http.app_error"),
        ({"method": "POST"}, "model.command.is_valid.method.app_error"),
        ({"display_name": "d" * 65}, "model.command.is_valid.display_name.app_error"),
        ({"description": "d" * 129}, "model.command.is_valid.description.app_error"),
    ],
)
def test_command_is_valid_ids(server: Server, fields: dict[str, Any], error_id: str) -> None:
    team = server.team()
    body = {
        "team_id": team["id"],
        "trigger": "Reply",
        "method": "P",
        "url": "http://asd-n8n:5678/webhook/mattermost-reply",
        "display_name": "Reply",
        "auto_complete": True,
        **fields,
    }
    assert_error(server.admin.post("/api/v4/commands", json=body), 400, error_id)
