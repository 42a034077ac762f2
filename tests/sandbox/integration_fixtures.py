"""Shared set-up for the integration tests: a team with public/private channels,
a plain member, a team admin and a bot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sandbox_helpers import add_channel, add_team, add_user, join, set_config

from reconciler.sandbox import Sandbox
from reconciler.sandbox.store import Channel, Team, User


@dataclass
class World:
    sb: Sandbox
    team: Team
    other_team: Team
    town: Channel
    tickets: Channel
    alerts: Channel
    private: Channel
    member: User
    team_admin: User
    bot: User


def build_world(sb: Sandbox) -> World:
    team = add_team(sb, "asd")
    other = add_team(sb, "partners")
    tickets = add_channel(sb, team, "tickets")
    alerts = add_channel(sb, team, "alerts")
    private = add_channel(sb, team, "finance", type="P")
    town = sb.core.channel_by_name(team.id, "town-square")
    assert town is not None
    member = add_user(sb, "jan.devries")
    team_admin = add_user(sb, "sanne.bakker")
    bot = add_user(sb, "n8n-bot")
    join(sb, team, member, tickets)
    join(sb, team, team_admin, tickets)
    with sb.lock:
        row = sb.core.team_member(team.id, team_admin.id)
        assert row is not None
        row.scheme_admin = True
    return World(sb, team, other, town, tickets, alerts, private, member, team_admin, bot)


def overrides(sb: Sandbox, on: bool = True) -> None:
    set_config(sb, "ServiceSettings.EnablePostUsernameOverride", on)
    set_config(sb, "ServiceSettings.EnablePostIconOverride", on)


def body(response: httpx.Response) -> Any:
    return response.json()
