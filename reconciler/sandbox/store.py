"""Core state: users, bots, sessions/tokens, teams, channels, memberships, roles, schemes.

Everything lives in dicts keyed for constant-time lookups (ids, names,
`(team_id, name)`, members by channel and by user). Lists that the API serves
in a sorted order are cached per generation and rebuilt only after a write to
that family, so paging through 20,000 channels sorts once.

Mutating methods implement Mattermost's app-layer semantics (implicit
memberships, soft deletes, guest eviction) and raise `AppError` with the real
ids; the route modules add the HTTP-level checks (permissions, URL params).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from reconciler.sandbox import permissions as perms
from reconciler.sandbox.app import AppError
from reconciler.sandbox.ids import new_id, now_ms
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
from reconciler.sandbox.validation import validate_channel, validate_team, validate_user

if TYPE_CHECKING:
    from reconciler.sandbox.app import Request, Sandbox

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

DEFAULT_CHANNELS = ("town-square", "off-topic")
DEFAULT_CHANNEL_DISPLAY = {"town-square": "Town Square", "off-topic": "Off-Topic"}
STATE_VERSION = 1

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


def session_expired() -> AppError:
    return AppError(
        401,
        "api.context.session_expired.app_error",
        "Invalid or expired session, please login again.",
        "token not found",
    )


def hash_password(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


class CoreStore:
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

    # -- bootstrap ------------------------------------------------------------------------
    def bootstrap(self) -> None:
        """Create the default roles and the system admin (and its token), then seed."""
        from reconciler.sandbox.seed import apply_seed

        self._create_default_roles()
        options = self.sandbox.options
        admin = self.create_user(
            options.admin_username,
            f"{options.admin_username}@sandbox.example",
            roles="system_admin system_user",
        )
        self.admin_user_id = admin.id
        self.admin_token = options.admin_token or new_id()
        options.admin_token = self.admin_token
        self.sessions[self.admin_token] = admin.id
        apply_seed(self.sandbox, options.seed)

    def _create_default_roles(self) -> None:
        now = now_ms()
        for name, (display, description, permissions, managed) in perms.DEFAULT_ROLES.items():
            self._add_role(
                Role(
                    id=new_id(),
                    name=name,
                    display_name=display,
                    description=description,
                    permissions=list(permissions),
                    scheme_managed=managed,
                    built_in=True,
                    create_at=now,
                    update_at=now,
                )
            )

    def _add_role(self, role: Role) -> None:
        self.roles[role.name] = role
        self.roles_by_id[role.id] = role.name

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

    # -- auth -------------------------------------------------------------------------------
    def token_from_request(self, req: Request) -> str:
        header = req.headers.get("authorization", "")
        cookie = req.headers.get("cookie", "")
        for part in cookie.split(";"):
            name, _, value = part.strip().partition("=")
            if name == "MMAUTHTOKEN" and value:
                return value
        scheme, _, value = header.partition(" ")
        if scheme.lower() in ("bearer", "token") and value.strip():
            return value.strip()
        return ""

    def user_for_token(self, token: str) -> User | None:
        user_id = self.sessions.get(token)
        if user_id is None:
            record = self.tokens.get(token)
            if record is None or not record.is_active:
                return None
            owner = self.users.get(record.user_id)
            if owner is None:
                return None
            if not owner.is_bot and not self.setting_bool("ServiceSettings.EnableUserAccessTokens"):
                return None
            user_id = record.user_id
        user = self.users.get(user_id)
        if user is None or user.delete_at:
            return None
        return user

    def authenticate(self, req: Request) -> None:
        """Set req.user from the token, or raise 401 api.context.session_expired.app_error."""
        token = self.token_from_request(req)
        user = self.user_for_token(token) if token else None
        if user is None:
            raise session_expired()
        req.user = user
        req.token = token

    def create_session(self, user_id: str) -> str:
        """A login session for a user (what /users/login would give); returns the token."""
        token = new_id()
        self.sessions[token] = user_id
        return token

    def create_access_token(self, user_id: str, description: str) -> AccessToken:
        record = AccessToken(id=new_id(), token=new_id(), user_id=user_id, description=description)
        self.tokens[record.token] = record
        self.tokens_by_id[record.id] = record
        return record

    def revoke_access_token(self, token_id: str) -> None:
        record = self.tokens_by_id.pop(token_id)
        self.tokens.pop(record.token, None)

    def revoke_sessions(self, user_id: str) -> None:
        """RevokeAllSessions: the user's login sessions end (access tokens stay)."""
        for token in [t for t, uid in self.sessions.items() if uid == user_id]:
            del self.sessions[token]

    # -- permissions ------------------------------------------------------------------------
    def role(self, name: str) -> Role | None:
        return self.roles.get(name)

    def role_by_id(self, role_id: str) -> Role | None:
        name = self.roles_by_id.get(role_id)
        return self.roles.get(name) if name else None

    def _roles_grant(self, names: Iterable[str], permission: str) -> bool:
        for name in names:
            role = self.roles.get(name)
            if role is not None and not role.delete_at and permission in role.permissions:
                return True
        return False

    def channel_scheme(self, channel: Channel) -> Scheme | None:
        return self.schemes.get(channel.scheme_id) if channel.scheme_id else None

    def has_permission(
        self,
        user: Any,
        permission: str,
        *,
        team_id: str | None = None,
        channel_id: str | None = None,
    ) -> bool:
        """Whether `user` holds `permission` at system level, or through its channel
        roles (channel_id) and team roles (team_id, or the channel's team)."""
        if user is None:
            return False
        if self._roles_grant(user.role_names, permission):
            return True
        if channel_id:
            channel = self.channels.get(channel_id)
            if channel is None:
                return False
            member = self.channel_member(channel_id, user.id)
            if member is not None and self._roles_grant(
                member.role_names(self.channel_scheme(channel)), permission
            ):
                return True
            team_id = team_id or channel.team_id
        if team_id:
            team_member = self.team_member(team_id, user.id)
            if team_member is not None and team_member.active:
                return self._roles_grant(team_member.roles.split(), permission)
        return False

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

    # -- users and bots ---------------------------------------------------------------------
    def _index_user(self, user: User) -> None:
        self.users[user.id] = user
        self.users_by_name[user.username] = user.id
        if user.email:
            self.users_by_email[user.email.lower()] = user.id
        self.touch("users")

    def create_user(
        self,
        username: str,
        email: str,
        *,
        password: str = "",
        roles: str = "system_user",
        first_name: str = "",
        last_name: str = "",
        nickname: str = "",
        position: str = "",
        locale: str = "en",
        auth_service: str = "",
        auth_data: str = "",
        is_bot: bool = False,
        bot_description: str = "",
        props: dict[str, str] | None = None,
    ) -> User:
        now = now_ms()
        user = User(
            id=new_id(),
            username=username.lower(),
            email=email.lower(),
            create_at=now,
            update_at=now,
            first_name=first_name,
            last_name=last_name,
            nickname=nickname,
            position=position,
            roles=roles,
            locale=locale or "en",
            auth_service=auth_service,
            auth_data=auth_data,
            password_hash=hash_password(password) if password else "",
            is_bot=is_bot,
            bot_description=bot_description,
            props=dict(props or {}),
            last_password_update=now if password else 0,
        )
        validate_user(user)
        if user.username in self.users_by_name:
            raise AppError(
                400,
                "app.user.save.username_exists.app_error",
                "An account with that username already exists.",
            )
        if user.email in self.users_by_email:
            raise AppError(
                400,
                "app.user.save.email_exists.app_error",
                "An account with that email already exists.",
            )
        self._index_user(user)
        return user

    def create_bot(self, username: str, display_name: str, description: str, owner_id: str) -> Bot:
        """A bot and its user (is_bot, email `<username>@localhost`, no password)."""
        user = self.create_user(
            username,
            f"{username.lower()}@localhost",
            first_name=display_name,
            is_bot=True,
            bot_description=description,
        )
        bot = Bot(
            user_id=user.id,
            username=user.username,
            owner_id=owner_id,
            create_at=user.create_at,
            update_at=user.update_at,
            display_name=display_name,
            description=description,
        )
        self.bots[user.id] = bot
        return bot

    def set_bot_active(self, bot: Bot, active: bool) -> None:
        now = now_ms()
        bot.delete_at = 0 if active else now
        bot.update_at = now
        user = self.users[bot.user_id]
        user.delete_at = bot.delete_at
        user.update_at = now
        self.touch("users")

    def patch_bot(
        self, bot: Bot, *, username: str | None, display_name: str | None, description: str | None
    ) -> None:
        user = self.users[bot.user_id]
        if username is not None and username.lower() != user.username:
            new_name = username.lower()
            if new_name in self.users_by_name:
                raise AppError(
                    400,
                    "app.user.save.username_exists.app_error",
                    "An account with that username already exists.",
                )
            del self.users_by_name[user.username]
            user.username = bot.username = new_name
            self.users_by_name[new_name] = user.id
        if display_name is not None:
            bot.display_name = display_name
            user.first_name = display_name
        if description is not None:
            bot.description = description
            user.bot_description = description
        bot.update_at = user.update_at = now_ms()
        self.touch("users")

    def set_user_active(self, user: User, active: bool) -> None:
        """App.UpdateActive: `delete_at` set (or cleared) with `update_at`. Deactivation
        revokes the login sessions and, with ServiceSettings.DisableBotsWhenOwnerIsDeactivated
        (default on), disables the bots the user owns. Memberships stay; access tokens stay
        but authenticate nobody while the user is inactive (user_for_token)."""
        now = now_ms()
        user.update_at = now
        user.delete_at = 0 if active else now
        self.touch("users")
        if active:
            return
        self.revoke_sessions(user.id)
        if self.setting_bool("ServiceSettings.DisableBotsWhenOwnerIsDeactivated"):
            for bot in list(self.bots.values()):
                if bot.owner_id == user.id and not bot.delete_at:
                    self.set_bot_active(bot, False)

    def permanent_delete_user(self, user: User) -> None:
        """App.PermanentDeleteUser: deactivate, then remove the user's sessions, access
        tokens, channel and team memberships (rows, not soft deletes), integrations and
        posts, its bot record, and the user."""
        self.set_user_active(user, False)
        for token in [t for t in self.tokens_by_id.values() if t.user_id == user.id]:
            self.revoke_access_token(token.id)
        for channel_id in list(self.channel_members_by_user.get(user.id, {})):
            self._drop_channel_member(channel_id, user.id)
        for team_id in self.team_members_by_user.pop(user.id, {}):
            self.team_members_by_team.get(team_id, {}).pop(user.id, None)
        self.channel_members_by_user.pop(user.id, None)
        self.sandbox.integrations.on_user_deleted(user.id)
        self.bots.pop(user.id, None)
        self.users_by_name.pop(user.username, None)
        self.users_by_email.pop(user.email.lower(), None)
        del self.users[user.id]
        self.touch("users")
        self.touch("members")

    def demote_to_guest(self, user: User) -> None:
        user.roles = "system_guest"
        user.update_at = now_ms()
        for member in self.team_members_by_user.get(user.id, {}).values():
            member.scheme_guest, member.scheme_user, member.scheme_admin = True, False, False
        for cmember in self.channel_members_by_user.get(user.id, {}).values():
            cmember.scheme_guest, cmember.scheme_user, cmember.scheme_admin = True, False, False
        self.touch("users")
        self.touch("members")

    def promote_guest(self, user: User) -> None:
        user.roles = "system_user"
        user.update_at = now_ms()
        for member in self.team_members_by_user.get(user.id, {}).values():
            member.scheme_guest, member.scheme_user = False, True
        for cmember in self.channel_members_by_user.get(user.id, {}).values():
            cmember.scheme_guest, cmember.scheme_user = False, True
        self.touch("users")
        self.touch("members")

    # -- teams --------------------------------------------------------------------------------
    def create_team(
        self,
        creator: User | None,
        *,
        name: str,
        display_name: str,
        type: str = "O",
        description: str = "",
        company_name: str = "",
        allowed_domains: str = "",
        allow_open_invite: bool | None = None,
        email: str = "",
    ) -> Team:
        """CreateTeamWithUser: save, make the default channels, join the creator as admin."""
        now = now_ms()
        team = Team(
            id=new_id(),
            name=name,
            display_name=display_name,
            create_at=now,
            update_at=now,
            description=description,
            email=(creator.email if creator else email),
            type=type,
            company_name=company_name,
            allowed_domains=allowed_domains,
            invite_id=new_id(),
            allow_open_invite=(type == "O") if allow_open_invite is None else allow_open_invite,
        )
        validate_team(team)
        if team.name in self.teams_by_name:
            raise AppError(
                400,
                "store.sql_team.save_team.existing.app_error",
                "A team with that name already exists",
            )
        self.teams[team.id] = team
        self.teams_by_name[team.name] = team.id
        self.channels_by_team[team.id] = {}
        self.team_members_by_team[team.id] = {}
        self.touch("teams")
        for channel_name in self.default_channel_names():
            self.create_channel(
                None,
                team_id=team.id,
                name=channel_name,
                display_name=DEFAULT_CHANNEL_DISPLAY.get(channel_name, channel_name),
                type="O",
            )
        if creator is not None:
            self.add_team_member(team, creator, skip_checks=True)
            member = self.team_member(team.id, creator.id)
            assert member is not None
            member.scheme_admin = not creator.is_guest
        return team

    def default_channel_names(self) -> list[str]:
        names = list(DEFAULT_CHANNELS)
        extra = self.setting("TeamSettings.ExperimentalDefaultChannels") or []
        for name in extra if isinstance(extra, list) else []:
            if isinstance(name, str) and name not in names:
                names.append(name)
        return names

    def touch_team(self, team: Team) -> None:
        team.update_at = now_ms()
        self.touch("teams")
        self.touch("channels")  # GET /channels sorts and decorates by team

    def _email_domain_ok(self, email: str, domains: str) -> bool:
        allowed = [
            d.strip().lower()
            for d in domains.replace(",", " ").replace("@", " ").split()
            if d.strip()
        ]
        return not allowed or any(email.lower().endswith("@" + d) for d in allowed)

    def add_team_member(self, team: Team, user: User, *, skip_checks: bool = False) -> TeamMember:
        """JoinUserToTeam: revive or create the row; non-guests join the default channels."""
        existing = self.team_member(team.id, user.id)
        if existing is not None and existing.active:
            return existing
        if not skip_checks:
            if not user.is_bot:
                domains_ok = (
                    self._email_domain_ok(
                        user.email,
                        self.setting("GuestAccountsSettings.RestrictCreationToDomains") or "",
                    )
                    if user.is_guest
                    else self._email_domain_ok(user.email, team.allowed_domains)
                    and self._email_domain_ok(
                        user.email, self.setting("TeamSettings.RestrictCreationToDomains") or ""
                    )
                )
                if not domains_ok:
                    raise AppError(
                        400,
                        "api.team.join_user_to_team.allowed_domains.app_error",
                        "The user cannot be added as the domain associated with the account "
                        "is not permitted. Contact your System Administrator for additional "
                        "details.",
                    )
            if self.active_member_count(team.id) >= self.setting_int(
                "TeamSettings.MaxUsersPerTeam"
            ):
                raise AppError(
                    400,
                    "app.team.join_user_to_team.max_accounts.app_error",
                    "This team has reached the maximum number of allowed accounts. Contact "
                    "your System Administrator to set a higher limit.",
                )
        if existing is not None:
            existing.delete_at = 0
            existing.scheme_guest = user.is_guest
            existing.scheme_user = not user.is_guest
            member = existing
        else:
            member = TeamMember(
                team_id=team.id,
                user_id=user.id,
                scheme_guest=user.is_guest,
                scheme_user=not user.is_guest,
                create_at=now_ms(),
            )
            self.team_members_by_team.setdefault(team.id, {})[user.id] = member
            self.team_members_by_user.setdefault(user.id, {})[team.id] = member
        self.touch("members")
        if not user.is_guest:
            for name in self.default_channel_names():
                channel = self.channel_by_name(team.id, name)
                if channel is not None:
                    self.add_channel_member(channel, user)
        return member

    def remove_team_member(self, team: Team, user: User) -> None:
        """LeaveTeam: soft-delete the row and remove the user from every channel of the team."""
        member = self.team_member(team.id, user.id)
        if member is None or not member.active:
            raise AppError(
                400,
                "api.team.remove_user_from_team.missing.app_error",
                "The user does not appear to be part of this team.",
            )
        for channel_id in list(self.channels_by_team.get(team.id, {})):
            self._drop_channel_member(channel_id, user.id)
        member.delete_at = now_ms()
        member.scheme_guest = member.scheme_user = member.scheme_admin = False
        member.explicit_roles = ""
        self.touch("members")

    def permanent_delete_team(self, team: Team) -> None:
        for channel_id in list(self.channels_by_team.get(team.id, {})):
            self.permanent_delete_channel(self.channels[channel_id])
        for user_id in list(self.team_members_by_team.get(team.id, {})):
            self.team_members_by_user.get(user_id, {}).pop(team.id, None)
        self.team_members_by_team.pop(team.id, None)
        self.channels_by_team.pop(team.id, None)
        self.teams_by_name.pop(team.name, None)
        del self.teams[team.id]
        self.touch("teams")
        self.touch("members")

    # -- channels -----------------------------------------------------------------------------
    def create_channel(
        self,
        creator: User | None,
        *,
        team_id: str,
        name: str,
        display_name: str,
        type: str = "O",
        purpose: str = "",
        header: str = "",
    ) -> Channel:
        now = now_ms()
        channel = Channel(
            id=new_id(),
            team_id=team_id,
            type=type,
            name=name,
            display_name=display_name.strip(),
            create_at=now,
            update_at=now,
            header=header,
            purpose=purpose,
            creator_id=creator.id if creator else "",
        )
        validate_channel(channel)
        if len(channel.name) > 64:
            raise AppError(
                500,
                "app.channel.create_channel.internal_error",
                "Unable to save channel.",
                "value too long for type character varying(64)",
            )
        if (team_id, name) in self.channels_by_name:
            raise AppError(
                400,
                "store.sql_channel.save_channel.exists.app_error",
                "A channel with that name already exists on the same team",
            )
        if len(self.channels_by_team.get(team_id, {})) >= self.setting_int(
            "TeamSettings.MaxChannelsPerTeam"
        ):
            raise AppError(
                400,
                "api.channel.create_channel.max_channel_limit.app_error",
                "Unable to create more than "
                f"{self.setting_int('TeamSettings.MaxChannelsPerTeam')} channels for current team",
            )
        self._index_channel(channel)
        if creator is not None:
            member = self.add_channel_member(channel, creator)
            member.scheme_admin = not creator.is_guest
        return channel

    def _index_channel(self, channel: Channel) -> None:
        self.channels[channel.id] = channel
        self.channels_by_name[(channel.team_id, channel.name)] = channel.id
        self.channels_by_team.setdefault(channel.team_id, {})[channel.id] = None
        self.channel_members_by_channel.setdefault(channel.id, {})
        self.touch("channels")

    def rename_channel(self, channel: Channel, new_name: str) -> None:
        del self.channels_by_name[(channel.team_id, channel.name)]
        channel.name = new_name
        self.channels_by_name[(channel.team_id, channel.name)] = channel.id

    def touch_channel(self, channel: Channel) -> None:
        channel.update_at = now_ms()
        self.touch("channels")

    def move_channel(self, channel: Channel, team: Team) -> None:
        del self.channels_by_name[(channel.team_id, channel.name)]
        del self.channels_by_team[channel.team_id][channel.id]
        channel.team_id = team.id
        self._index_channel(channel)

    def permanent_delete_channel(self, channel: Channel) -> None:
        for user_id in list(self.channel_members_by_channel.get(channel.id, {})):
            self._drop_channel_member(channel.id, user_id)
        if channel.scheme_id:
            self.delete_channel_scheme(channel)
        self.channel_members_by_channel.pop(channel.id, None)
        self.channels_by_name.pop((channel.team_id, channel.name), None)
        self.channels_by_team.get(channel.team_id, {}).pop(channel.id, None)
        del self.channels[channel.id]
        self.touch("channels")

    def add_channel_member(self, channel: Channel, user: User) -> ChannelMember:
        existing = self.channel_member(channel.id, user.id)
        if existing is not None:
            return existing
        now = now_ms()
        member = ChannelMember(
            channel_id=channel.id,
            user_id=user.id,
            scheme_guest=user.is_guest,
            scheme_user=not user.is_guest,
            last_viewed_at=now,
            last_update_at=now,
        )
        self.channel_members_by_channel.setdefault(channel.id, {})[user.id] = member
        self.channel_members_by_user.setdefault(user.id, {})[channel.id] = member
        self.touch("members")
        return member

    def _drop_channel_member(self, channel_id: str, user_id: str) -> bool:
        member = self.channel_members_by_channel.get(channel_id, {}).pop(user_id, None)
        if member is None:
            return False
        self.channel_members_by_user.get(user_id, {}).pop(channel_id, None)
        self.touch("members")
        return True

    def remove_channel_member(self, channel: Channel, user: User) -> None:
        """Hard delete; a guest's last channel in the team takes the team membership too."""
        self._drop_channel_member(channel.id, user.id)
        if user.is_guest:
            still_in_team = any(
                self.channels[cid].team_id == channel.team_id
                for cid in self.channel_members_by_user.get(user.id, {})
            )
            team = self.teams.get(channel.team_id)
            if not still_in_team and team is not None and self.is_team_member(team.id, user.id):
                self.remove_team_member(team, user)

    # -- channel schemes (moderation) ---------------------------------------------------------
    def create_channel_scheme(self, channel: Channel) -> Scheme:
        now = now_ms()
        names: dict[str, str] = {}
        for base in (perms.CHANNEL_ADMIN, perms.CHANNEL_USER, perms.CHANNEL_GUEST):
            source = self.roles[base]
            role = Role(
                id=new_id(),
                name=new_id(),
                display_name=f"Channel {base} Role for Scheme {channel.name}",
                description="",
                permissions=list(source.permissions),
                scheme_managed=True,
                built_in=False,
                create_at=now,
                update_at=now,
            )
            self._add_role(role)
            names[base] = role.name
        scheme = Scheme(
            id=new_id(),
            name=new_id(),
            display_name=f"Channel Scheme for {channel.name}",
            scope="channel",
            default_channel_admin_role=names[perms.CHANNEL_ADMIN],
            default_channel_user_role=names[perms.CHANNEL_USER],
            default_channel_guest_role=names[perms.CHANNEL_GUEST],
            create_at=now,
            update_at=now,
        )
        self.schemes[scheme.id] = scheme
        channel.scheme_id = scheme.id
        self.touch_channel(channel)
        return scheme

    def delete_channel_scheme(self, channel: Channel) -> None:
        scheme = self.schemes.pop(channel.scheme_id or "", None)
        if scheme is not None:
            for name in (
                scheme.default_channel_admin_role,
                scheme.default_channel_user_role,
                scheme.default_channel_guest_role,
            ):
                role = self.roles.pop(name, None)
                if role is not None:
                    self.roles_by_id.pop(role.id, None)
        channel.scheme_id = None
        self.touch_channel(channel)

    # -- persistence ----------------------------------------------------------------------------
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
