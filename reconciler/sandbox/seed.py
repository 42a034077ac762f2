"""Seeds: the state a fresh sandbox starts from (`SandboxOptions.seed`).

- `empty`: only the system admin (the admin token's user).
- `demo`: ASD-PMA's Mattermost as it looked before adopting mmrc (see
  shared/seeds), described in seeds/demo.json and created through the API
  (seeding.py), exactly as the real-server harness creates it: team `asd` with
  the legacy channel names, channels made by hand (one archived), guests, hooks
  and a command made by hand, drift from the repository's workspace.yaml.
- `seed_large()`: a generator for benchmarks (100 teams x 200 channels, 5,000
  users), building records directly rather than through the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from reconciler.sandbox.ids import new_id, now_ms
from reconciler.sandbox.records import Channel, ChannelMember, Team, TeamMember, User

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox


def seed_empty(sb: Sandbox) -> None:
    return None


def seed_demo(sb: Sandbox) -> None:
    """seeds/demo.json, created through the API as `scripts/real-mattermost start --seed demo`
    creates it on the real server: the same requests, answered in-process."""
    import httpx

    from reconciler.sandbox.seeding import description, seed
    from reconciler.sandbox.server import SandboxTransport

    headers = {"Authorization": f"Bearer {sb.core.admin_token}"}
    with httpx.Client(
        transport=SandboxTransport(sb), base_url="http://sandbox.invalid", headers=headers
    ) as client:
        seed(client, description("demo"))
    sb.request_log.clear()


def seed_large(
    sb: Sandbox, teams: int = 100, channels_per_team: int = 200, users: int = 5000
) -> None:
    """Many teams, channels and users for benchmarks. Every user is in one team (50 a
    team by default) and its two default channels; other channels have the admin and
    three members; every fifth channel is private and every fiftieth archived."""
    core = sb.core
    admin = core.user(core.admin_user_id)
    assert admin is not None
    now = now_ms()
    made_users: list[User] = []
    for i in range(users):
        user = User(
            id=new_id(),
            username=f"user{i:05d}",
            email=f"user{i:05d}@large.example",
            create_at=now,
            update_at=now,
            first_name="User",
            last_name=f"{i:05d}",
        )
        core._index_user(user)
        made_users.append(user)
    per_team = max(1, users // teams) if teams else 0
    for t in range(teams):
        team = Team(
            id=new_id(),
            name=f"team{t:03d}",
            display_name=f"Team {t:03d}",
            create_at=now,
            update_at=now,
            email=admin.email,
            type="O",
            invite_id=new_id(),
            allow_open_invite=True,
        )
        core.teams[team.id] = team
        core.teams_by_name[team.name] = team.id
        core.channels_by_team[team.id] = {}
        core.team_members_by_team[team.id] = {}
        team_users = [admin, *made_users[t * per_team : (t + 1) * per_team]]
        for user in team_users:
            member = TeamMember(
                team_id=team.id,
                user_id=user.id,
                scheme_admin=user is admin,
                create_at=now,
            )
            core.team_members_by_team[team.id][user.id] = member
            core.team_members_by_user.setdefault(user.id, {})[team.id] = member
        for c in range(channels_per_team):
            if c == 0:
                name, display = "town-square", "Town Square"
            elif c == 1:
                name, display = "off-topic", "Off-Topic"
            else:
                name, display = f"channel-{c:04d}", f"Channel {c:04d}"
            channel = Channel(
                id=new_id(),
                team_id=team.id,
                type="P" if c > 1 and c % 5 == 0 else "O",
                name=name,
                display_name=display,
                create_at=now,
                update_at=now,
                delete_at=now if c > 1 and c % 50 == 0 else 0,
                creator_id="" if c < 2 else admin.id,
                purpose=f"Purpose of {display}",
            )
            core.channels[channel.id] = channel
            core.channels_by_name[(team.id, name)] = channel.id
            core.channels_by_team[team.id][channel.id] = None
            by_user = core.channel_members_by_channel.setdefault(channel.id, {})
            members = team_users if c < 2 else [admin, *team_users[1 + c % 7 : 4 + c % 7]]
            for user in members:
                cmember = ChannelMember(
                    channel_id=channel.id,
                    user_id=user.id,
                    scheme_admin=user is admin and c >= 2,
                    last_viewed_at=now,
                    last_update_at=now,
                )
                by_user[user.id] = cmember
                core.channel_members_by_user.setdefault(user.id, {})[channel.id] = cmember
    for family in ("users", "teams", "channels", "members"):
        core.touch(family)


def seed_large_default(sb: Sandbox) -> None:
    seed_large(sb)


SEEDS: dict[str, Callable[[Sandbox], None]] = {
    "empty": seed_empty,
    "demo": seed_demo,
    "large": seed_large_default,
}


def apply_seed(sb: Sandbox, name: str) -> None:
    try:
        seed = SEEDS[name or "empty"]
    except KeyError:
        known = ", ".join(sorted(SEEDS))
        raise ValueError(f"unknown sandbox seed {name!r} (known: {known})") from None
    seed(sb)
