"""The core store: users, bots, sessions/tokens, teams, channels, memberships, roles,
schemes — `CoreStore`, the top of the layers described in core_state (each family's
rules live in core_roles, core_channels, core_teams and core_users), with the
bootstrap (default roles, the system admin and its token, the seed) and the
state-file round trip.

Mutating methods implement Mattermost's app-layer semantics (implicit
memberships, soft deletes, guest eviction) and raise `AppError` with the real
ids; the route modules add the HTTP-level checks (permissions, URL params).
"""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.core_users import UserStore
from reconciler.sandbox.ids import new_id
from reconciler.sandbox.records import (
    AccessToken,
    Bot,
    Channel,
    ChannelMember,
    Role,
    Scheme,
    Team,
    TeamMember,
    User,
    record_from_dict,
)

__all__ = [
    "AccessToken",
    "Bot",
    "Channel",
    "ChannelMember",
    "CoreStore",
    "Role",
    "Scheme",
    "Team",
    "TeamMember",
    "User",
]

STATE_VERSION = 1


class CoreStore(UserStore):
    """The whole core state with Mattermost's app-layer rules (see the layers above)."""

    def bootstrap(self) -> None:
        """Create the default roles and the system admin (and its token), then seed."""
        from reconciler.sandbox.seed import apply_seed

        self._create_default_roles()
        options = self.sandbox.options
        admin = self.create_user(
            options.admin_username,
            f"{options.admin_username}@sandbox.example",
            # The first admin of a real server always has a password (so its JSON carries
            # last_password_update); nobody logs in with this one.
            password=new_id(),
            roles="system_admin system_user",
        )
        self.admin_user_id = admin.id
        self.admin_token = options.admin_token or new_id()
        options.admin_token = self.admin_token
        self.sessions[self.admin_token] = admin.id
        apply_seed(self.sandbox, options.seed)

    # -- persistence -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "admin_user_id": self.admin_user_id,
            "admin_token": self.admin_token,
            "sessions": dict(self.sessions),
            "users": [u.to_dict() for u in self.users.values()],
            "bots": [b.to_dict() for b in self.bots.values()],
            "tokens": [t.to_dict() for t in self.tokens.values()],
            "roles": [r.to_dict() for r in self.roles.values()],
            "schemes": [s.to_dict() for s in self.schemes.values()],
            "teams": [t.to_dict() for t in self.teams.values()],
            "channels": [c.to_dict() for c in self.channels.values()],
            "team_members": [
                m.to_dict()
                for by_user in self.team_members_by_team.values()
                for m in by_user.values()
            ],
            "channel_members": [
                m.to_dict()
                for by_user in self.channel_members_by_channel.values()
                for m in by_user.values()
            ],
        }

    def load_dict(self, data: dict[str, Any]) -> None:
        """Replace the whole core state by a `to_dict()` snapshot."""
        self._reset()
        for raw in data.get("roles", []):
            self._add_role(record_from_dict(Role, raw))
        for raw in data.get("users", []):
            self._index_user(record_from_dict(User, raw))
        for raw in data.get("bots", []):
            bot = record_from_dict(Bot, raw)
            self.bots[bot.user_id] = bot
        for raw in data.get("tokens", []):
            token = record_from_dict(AccessToken, raw)
            self.tokens[token.token] = token
            self.tokens_by_id[token.id] = token
        for raw in data.get("schemes", []):
            scheme = record_from_dict(Scheme, raw)
            self.schemes[scheme.id] = scheme
        for raw in data.get("teams", []):
            team = record_from_dict(Team, raw)
            self.teams[team.id] = team
            self.teams_by_name[team.name] = team.id
            self.channels_by_team.setdefault(team.id, {})
            self.team_members_by_team.setdefault(team.id, {})
        for raw in data.get("channels", []):
            self._index_channel(record_from_dict(Channel, raw))
        for raw in data.get("team_members", []):
            member = record_from_dict(TeamMember, raw)
            self.team_members_by_team.setdefault(member.team_id, {})[member.user_id] = member
            self.team_members_by_user.setdefault(member.user_id, {})[member.team_id] = member
        for raw in data.get("channel_members", []):
            cmember = record_from_dict(ChannelMember, raw)
            self.channel_members_by_channel.setdefault(cmember.channel_id, {})[cmember.user_id] = (
                cmember
            )
            self.channel_members_by_user.setdefault(cmember.user_id, {})[cmember.channel_id] = (
                cmember
            )
        self.sessions = dict(data.get("sessions", {}))
        self.admin_user_id = str(data.get("admin_user_id", ""))
        self.admin_token = str(data.get("admin_token", ""))
        if self.admin_token:
            self.sandbox.options.admin_token = self.admin_token
        for family in self._generation:
            self.touch(family)
