"""The core store's state: the indexes, the settings the core reads, the generation
counters behind its sorted-list caches, and the plain lookups.

The core store (users, bots, sessions and tokens, teams, channels, memberships, roles,
schemes) is one object built in layers, each a class in its own module that adds one
family's app-layer rules on top of the layer below:

    CoreState (here) → RoleStore (core_roles) → ChannelStore (core_channels)
    → TeamStore (core_teams) → UserStore (core_users) → CoreStore (store: bootstrap,
    persistence)

Everything lives in dicts keyed for constant-time lookups (ids, names,
`(team_id, name)`, members by channel and by user). Lists that the API serves
in a sorted order are cached per generation and rebuilt only after a write to
that family, so paging through 20,000 channels sorts once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from reconciler.sandbox.ids import now_ms
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
)

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox

# Defaults of the settings the core reads (MM model/config.go SetDefaults).
SETTING_DEFAULTS: dict[str, Any] = {
    "ServiceSettings.EnableUserAccessTokens": False,
    "ServiceSettings.EnableBotAccountCreation": False,
    "ServiceSettings.EnableAPITeamDeletion": False,
    "ServiceSettings.EnableAPIChannelDeletion": False,
    "ServiceSettings.EnableAPIUserDeletion": False,
    "ServiceSettings.DisableBotsWhenOwnerIsDeactivated": True,
    "TeamSettings.EnableUserDeactivation": False,
    "GuestAccountsSettings.Enable": False,
    "TeamSettings.MaxUsersPerTeam": 50,
    "TeamSettings.MaxChannelsPerTeam": 2000,
    "TeamSettings.RestrictCreationToDomains": "",
    "TeamSettings.ExperimentalDefaultChannels": [],
}

T = TypeVar("T")


class CoreState:
    """The indexes and the reads every layer shares."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        # Fallback settings for when the config store does not (yet) answer a key.
        self.settings_fallback: dict[str, Any] = {}
        self._reset()

    def _reset(self) -> None:
        self.users: dict[str, User] = {}
        self.users_by_name: dict[str, str] = {}
        self.users_by_email: dict[str, str] = {}
        self.bots: dict[str, Bot] = {}
        self.sessions: dict[str, str] = {}  # session token -> user id
        self.tokens: dict[str, AccessToken] = {}  # token secret -> record
        self.tokens_by_id: dict[str, AccessToken] = {}
        self.teams: dict[str, Team] = {}
        self.teams_by_name: dict[str, str] = {}
        self.channels: dict[str, Channel] = {}
        self.channels_by_name: dict[tuple[str, str], str] = {}
        self.channels_by_team: dict[str, dict[str, None]] = {}
        self.team_members_by_team: dict[str, dict[str, TeamMember]] = {}
        self.team_members_by_user: dict[str, dict[str, TeamMember]] = {}
        self.channel_members_by_channel: dict[str, dict[str, ChannelMember]] = {}
        self.channel_members_by_user: dict[str, dict[str, ChannelMember]] = {}
        self.roles: dict[str, Role] = {}
        self.roles_by_id: dict[str, str] = {}
        self.schemes: dict[str, Scheme] = {}
        self.admin_user_id = ""
        self.admin_token = ""
        self._generation: dict[str, int] = {"users": 0, "teams": 0, "channels": 0, "members": 0}
        self._sorted_cache: dict[tuple[Any, ...], tuple[int, list[Any]]] = {}

    # -- settings and licence ---------------------------------------------------------------
    def setting(self, path: str) -> Any:
        """A config value by dotted path, read from the config store when it answers."""
        default = SETTING_DEFAULTS.get(path)
        config = self.sandbox.config
        for name in ("get", "get_value"):
            getter = getattr(config, name, None)
            if callable(getter):
                try:
                    value = getter(path)
                except (KeyError, AttributeError, TypeError, ValueError):
                    continue
                if value is not None:
                    return value
        if isinstance(default, bool):
            getter = getattr(config, "get_bool", None)
            if callable(getter):
                try:
                    return bool(getter(path))
                except (KeyError, AttributeError, TypeError, ValueError):
                    pass
        return self.settings_fallback.get(path, default)

    def setting_bool(self, path: str) -> bool:
        value = self.setting(path)
        if isinstance(value, str):
            return value.lower() == "true"
        return bool(value)

    def setting_int(self, path: str) -> int:
        try:
            return int(self.setting(path))
        except (TypeError, ValueError):
            return int(SETTING_DEFAULTS.get(path, 0))

    def is_licensed(self) -> bool:
        return bool(self.sandbox.options.licensed)

    # -- generations and sorted caches ------------------------------------------------------
    def touch(self, family: str) -> None:
        self._generation[family] += 1

    def sorted_cached(
        self,
        key: tuple[Any, ...],
        family: str,
        items: Callable[[], Iterable[T]],
        sort_key: Callable[[T], Any],
    ) -> list[T]:
        generation = self._generation[family]
        cached = self._sorted_cache.get(key)
        if cached is not None and cached[0] == generation:
            return cached[1]
        result = sorted(items(), key=sort_key)
        self._sorted_cache[key] = (generation, result)
        return result

    def touch_team(self, team: Team) -> None:
        team.update_at = now_ms()
        self.touch("teams")
        self.touch("channels")  # GET /channels sorts and decorates by team

    def touch_channel(self, channel: Channel) -> None:
        channel.update_at = now_ms()
        self.touch("channels")

    # -- lookups ----------------------------------------------------------------------------
    def user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def user_by_username(self, username: str) -> User | None:
        user_id = self.users_by_name.get(username.lower())
        return self.users.get(user_id) if user_id else None

    def user_by_email(self, email: str) -> User | None:
        user_id = self.users_by_email.get(email.lower())
        return self.users.get(user_id) if user_id else None

    def bot(self, user_id: str) -> Bot | None:
        return self.bots.get(user_id)

    def team(self, team_id: str) -> Team | None:
        return self.teams.get(team_id)

    def team_by_name(self, name: str) -> Team | None:
        team_id = self.teams_by_name.get(name)
        return self.teams.get(team_id) if team_id else None

    def channel(self, channel_id: str) -> Channel | None:
        return self.channels.get(channel_id)

    def channel_by_name(
        self, team_id: str, name: str, include_deleted: bool = False
    ) -> Channel | None:
        channel_id = self.channels_by_name.get((team_id, name))
        channel = self.channels.get(channel_id) if channel_id else None
        if channel is None or (channel.delete_at and not include_deleted):
            return None
        return channel

    def team_member(self, team_id: str, user_id: str) -> TeamMember | None:
        """The membership row, removed ones (delete_at > 0) included."""
        return self.team_members_by_team.get(team_id, {}).get(user_id)

    def is_team_member(self, team_id: str, user_id: str) -> bool:
        member = self.team_member(team_id, user_id)
        return member is not None and member.active

    def channel_member(self, channel_id: str, user_id: str) -> ChannelMember | None:
        return self.channel_members_by_channel.get(channel_id, {}).get(user_id)

    def team_channels(self, team_id: str) -> list[Channel]:
        return [self.channels[cid] for cid in self.channels_by_team.get(team_id, {})]

    def active_team_members(self, team_id: str) -> list[TeamMember]:
        return [m for m in self.team_members_by_team.get(team_id, {}).values() if m.active]

    def active_member_count(self, team_id: str) -> int:
        """GetActiveMemberCount: members whose account is active (what MaxUsersPerTeam
        limits; deactivated users keep their membership but do not count)."""
        return sum(
            1
            for m in self.team_members_by_team.get(team_id, {}).values()
            if m.active and not self.users[m.user_id].delete_at
        )

    def channel_members(self, channel_id: str) -> list[ChannelMember]:
        return list(self.channel_members_by_channel.get(channel_id, {}).values())

    def user_team_members(self, user_id: str) -> list[TeamMember]:
        return [m for m in self.team_members_by_user.get(user_id, {}).values() if m.active]

    def user_channel_members(self, user_id: str) -> list[ChannelMember]:
        return list(self.channel_members_by_user.get(user_id, {}).values())
