"""Small helpers for the core sandbox tests (direct store set-up, error assertions)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from reconciler.sandbox import Sandbox, SandboxOptions
from reconciler.sandbox.store import Channel, Team, User

ADMIN_TOKEN = "sandboxadmintoken0000000000"


def make_sandbox(**options: Any) -> Sandbox:
    options.setdefault("admin_token", ADMIN_TOKEN)
    return Sandbox(SandboxOptions(**options))


ID_RE = re.compile(r"^[ybndrfg8ejkmcpqxot1uwisza345h769]{26}$")


def assert_error(response: httpx.Response, status: int, error_id: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert body["id"] == error_id, body
    assert body["status_code"] == status
    assert set(body) == {"id", "message", "detailed_error", "request_id", "status_code"}
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def add_user(sb: Sandbox, username: str, *, guest: bool = False) -> User:
    with sb.lock:
        user = sb.core.create_user(username, f"{username}@example.com", password="password1")
        if guest:
            sb.core.demote_to_guest(user)
        return user


def add_team(sb: Sandbox, name: str = "alpha", type: str = "O") -> Team:
    with sb.lock:
        admin = sb.core.user(sb.core.admin_user_id)
        return sb.core.create_team(admin, name=name, display_name=name.title(), type=type)


def add_channel(sb: Sandbox, team: Team, name: str, type: str = "O") -> Channel:
    with sb.lock:
        admin = sb.core.user(sb.core.admin_user_id)
        return sb.core.create_channel(
            admin, team_id=team.id, name=name, display_name=name.title(), type=type
        )


def join(sb: Sandbox, team: Team, user: User, *channels: Channel) -> None:
    with sb.lock:
        sb.core.add_team_member(team, user)
        for channel in channels:
            sb.core.add_channel_member(channel, user)


def set_config(sb: Sandbox, path: str, value: Any) -> None:
    with sb.lock:
        sb.config.set(path, value)
