"""Seeds: the state a fresh sandbox starts from (`SandboxOptions.seed`).

- `empty`: only the system admin (the admin token's user).
- `demo`: ASD-PMA's Mattermost as it looked before adopting mmrc (see
  shared/seeds): team `asd` with the legacy channel names, a few channels made
  by hand (one archived), drift from the repository's workspace.yaml (a display
  name and a purpose differ, the team is open, a member is missing), and every
  user and guest that file names (guests are real guests). Hooks and commands
  come from `sb.integrations.seed_demo()`.
- `seed_large()`: a generator for benchmarks (100 teams x 200 channels, 5,000
  users), building records directly rather than through the API.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.sandbox.ids import new_id, now_ms
from reconciler.sandbox.records import Channel, ChannelMember, Team, TeamMember, User

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox

DEMO_MEMBERS = (
    "jan.devries",
    "sanne.bakker",
    "pieter.jansen",
    "fatima.elamrani",
    "daan.visser",
    "lotte.smit",
)
DEMO_GUESTS = ("klant.acme", "bouw.partner")
GUEST_DOMAINS = {"klant.acme": "acme.example", "bouw.partner": "bouwpartner.example"}
MISSING_MEMBER = "lotte.smit"  # drift: in workspace.yaml's team, not yet on the server

# (name, display name, type, purpose, header, members besides the admin; None = everyone)
DEMO_CHANNELS: tuple[tuple[str, str, str, str, str, tuple[str, ...] | None], ...] = (
    ("dev", "Dev", "O", "Development discussies", "", None),
    ("tickets", "Tickets", "O", "Ticket notificaties (via n8n)", "", None),
    ("alerts", "Alerts", "O", "Systeem alerts", "", None),
    ("general", "General", "O", "Algemene communicatie", "", None),
    (
        "support",
        "Support",
        "P",
        "Support team discussies",
        "",
        ("sanne.bakker", "fatima.elamrani"),  # drift: jan.devries is missing
    ),
    ("development", "Development", "O", "Development updates", "Redmine", None),
    ("business", "Business", "O", "Business updates", "", None),
    ("finance", "Finance", "P", "Facturen (ERPNext)", "", ("jan.devries",)),
    # made by hand, outside any naming convention
    ("random", "Random", "O", "", "", ("jan.devries", "daan.visser")),
    (
        "project-alpha",
        "Project Alpha",  # drift: workspace.yaml says "Project Alpha (Acme)"
        "P",
        "Project Alpha met Acme Corp",
        "",
        ("jan.devries", "pieter.jansen", "daan.visser"),
    ),
)
ARCHIVED_CHANNEL = ("project-beta", "Project Beta", "O", "Afgerond project", "")


def seed_empty(sb: Sandbox) -> None:
    return None


def _workspace_users() -> tuple[list[str], list[str]]:
    """(members, guests) named by the repository's workspace.yaml, or the fixed lists."""
    path = Path(__file__).resolve().parents[2] / "workspace.yaml"
    try:
        from reconciler.workspace import users as ws_users
        from reconciler.workspace.loader import load_workspace

        loaded = load_workspace(path)
        members, guests = ws_users.referenced_users(loaded.workspace)
    except Exception:  # no workspace (installed package) or an invalid one: fixed lists
        return list(DEMO_MEMBERS), list(DEMO_GUESTS)
    if not members:
        return list(DEMO_MEMBERS), list(DEMO_GUESTS)
    return sorted(members), sorted(guests)


def _name_parts(username: str) -> tuple[str, str]:
    first, _, last = username.partition(".")
    return first.title(), last.replace("devries", "de Vries").replace(
        "elamrani", "El Amrani"
    ).title()


def seed_demo(sb: Sandbox) -> None:
    core = sb.core
    admin = core.user(core.admin_user_id)
    assert admin is not None
    members, guests = _workspace_users()
    users: dict[str, User] = {}
    for username in members:
        first, last = _name_parts(username)
        users[username] = core.create_user(
            username,
            f"{username}@asd-pma.nl",
            password="Welkom-2024!",
            first_name=first,
            last_name=last,
        )
    for username in guests:
        first, last = _name_parts(username)
        domain = GUEST_DOMAINS.get(username, "partner.example")
        users[username] = core.create_user(
            username,
            f"{username}@{domain}",
            password="Welkom-2024!",
            first_name=first,
            last_name=last,
        )
    team = core.create_team(
        admin,
        name="asd",
        display_name="ASD-PMA",
        type="O",  # drift: workspace.yaml has it invite-only
        description="Team communicatie",
    )
    team.allow_open_invite = True
    for username in members:
        if username != MISSING_MEMBER:
            core.add_team_member(team, users[username], skip_checks=True)
    for name, purpose in (("town-square", "Algemene aankondigingen"), ("off-topic", "")):
        channel = core.channel_by_name(team.id, name)
        if channel is not None:
            channel.purpose = purpose  # drift: off-topic has no purpose yet
    by_name: dict[str, Channel] = {}
    for name, display, ctype, purpose, header, who in DEMO_CHANNELS:
        channel = core.create_channel(
            admin,
            team_id=team.id,
            name=name,
            display_name=display,
            type=ctype,
            purpose=purpose,
            header=header,
        )
        by_name[name] = channel
        names = [m for m in members if m != MISSING_MEMBER] if who is None else list(who)
        for username in names:
            user = users.get(username)
            if user is not None and core.is_team_member(team.id, user.id):
                core.add_channel_member(channel, user)
    name, display, ctype, purpose, header = ARCHIVED_CHANNEL
    archived = core.create_channel(
        admin, team_id=team.id, name=name, display_name=display, type=ctype, purpose=purpose
    )
    archived.delete_at = now_ms()
    # guests: demoted (converting any membership), then given their one channel
    for username in guests:
        core.demote_to_guest(users[username])
    acme = users.get("klant.acme")
    if acme is not None:
        core.add_team_member(team, acme, skip_checks=True)
        core.add_channel_member(by_name["project-alpha"], acme)
    core.touch("channels")
    seed_integrations = getattr(sb.integrations, "seed_demo", None)
    if callable(seed_integrations):
        seed_integrations()


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
