"""Users, bots, sessions and access tokens (the core store's fifth layer; see
core_state).

A request authenticates with a login session (`sessions`) or an access token
(`tokens`; a person's only while ServiceSettings.EnableUserAccessTokens is on, a
bot's always); neither works for a deactivated account. Deactivation
(App.UpdateActive) revokes the sessions and disables the bots the user owns; a
permanent delete removes the user and everything that points at it.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from reconciler.sandbox.app import AppError
from reconciler.sandbox.core_teams import TeamStore
from reconciler.sandbox.ids import new_id, now_ms
from reconciler.sandbox.records import AccessToken, Bot, User
from reconciler.sandbox.validation import validate_user

if TYPE_CHECKING:
    from reconciler.sandbox.app import Request


def session_expired() -> AppError:
    return AppError(
        401,
        "api.context.session_expired.app_error",
        "Invalid or expired session, please login again.",
        "token not found",
    )


def hash_password(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


class UserStore(TeamStore):
    """Authentication, users and their (de)activation, guests, bots."""

    # -- auth ------------------------------------------------------------------------
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

    def revoke_sessions(self, user_id: str) -> None:
        """RevokeAllSessions: the user's login sessions end (access tokens stay)."""
        for token in [t for t, uid in self.sessions.items() if uid == user_id]:
            del self.sessions[token]

    def create_access_token(self, user_id: str, description: str) -> AccessToken:
        record = AccessToken(id=new_id(), token=new_id(), user_id=user_id, description=description)
        self.tokens[record.token] = record
        self.tokens_by_id[record.id] = record
        return record

    def revoke_access_token(self, token_id: str) -> None:
        record = self.tokens_by_id.pop(token_id)
        self.tokens.pop(record.token, None)

    # -- users -----------------------------------------------------------------------
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

    # -- bots ------------------------------------------------------------------------
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
