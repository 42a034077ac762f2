"""The core records (users, bots, tokens, teams, channels, memberships, roles, schemes)
as dataclasses, each with `to_json()` giving the shape real Mattermost sends.

`to_dict()`/`from_dict()` (via `dataclasses.asdict` and the constructor) carry the
full state, secrets included, for `--state FILE`; `to_json()` is the API view.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

DEFAULT_USER_NOTIFY_PROPS: dict[str, str] = {
    "channel": "true",
    "comments": "never",
    "desktop": "mention",
    "desktop_sound": "true",
    "desktop_threads": "all",
    "email": "true",
    "email_threads": "all",
    "first_name": "false",
    "mention_keys": "",
    "push": "mention",
    "push_status": "online",
    "push_threads": "all",
}
DEFAULT_TIMEZONE: dict[str, str] = {
    "automaticTimezone": "",
    "manualTimezone": "",
    "useAutomaticTimezone": "true",
}
DEFAULT_CHANNEL_NOTIFY_PROPS: dict[str, str] = {
    "desktop": "default",
    "email": "default",
    "ignore_channel_mentions": "default",
    "mark_unread": "all",
    "push": "default",
    "channel_auto_follow_threads": "off",
}

R = TypeVar("R")


def _omitempty(out: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Go's `omitempty`: the fields that are not zero join `out` (in this order)."""
    out.update((name, value) for name, value in fields.items() if value)
    return out


@dataclass
class _Record:
    """What every record shares: `to_dict()`, the full state (secrets included) for
    `--state FILE`."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _stamps(record: User | Team | Channel) -> dict[str, Any]:
    """The `{id, create_at, update_at, delete_at}` a user's, team's or channel's JSON starts
    with."""
    return {
        "id": record.id,
        "create_at": record.create_at,
        "update_at": record.update_at,
        "delete_at": record.delete_at,
    }


def record_from_dict(cls: type[R], data: dict[str, Any]) -> R:
    """Build a record from its `to_dict()`, ignoring unknown keys (older state files)."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class User(_Record):
    id: str
    username: str
    email: str
    create_at: int
    update_at: int
    delete_at: int = 0
    first_name: str = ""
    last_name: str = ""
    nickname: str = ""
    position: str = ""
    roles: str = "system_user"
    locale: str = "en"
    auth_service: str = ""
    auth_data: str = ""
    password_hash: str = ""  # never sent
    email_verified: bool = True
    is_bot: bool = False
    bot_description: str = ""
    props: dict[str, str] = field(default_factory=dict)
    notify_props: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_USER_NOTIFY_PROPS))
    timezone: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TIMEZONE))
    last_password_update: int = 0
    last_picture_update: int = 0
    disable_welcome_email: bool = False

    @property
    def role_names(self) -> list[str]:
        return self.roles.split()

    @property
    def is_guest(self) -> bool:
        return "system_guest" in self.role_names

    @property
    def is_system_admin(self) -> bool:
        return "system_admin" in self.role_names

    def to_json(self) -> dict[str, Any]:
        # MM's User struct: omitempty fields are left out when zero (as encoding/json does).
        out: dict[str, Any] = {
            **_stamps(self),
            "username": self.username,
            "auth_data": self.auth_data,
            "auth_service": self.auth_service,
            "email": self.email,
            "nickname": self.nickname,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "position": self.position,
            "roles": self.roles,
            "notify_props": dict(self.notify_props),
            "locale": self.locale,
            "timezone": dict(self.timezone),
            "disable_welcome_email": self.disable_welcome_email,
        }
        return _omitempty(
            out,
            email_verified=self.email_verified,
            props=dict(self.props),
            last_password_update=self.last_password_update,
            last_picture_update=self.last_picture_update,
            is_bot=self.is_bot,
            bot_description=self.bot_description if self.is_bot else "",
        )


@dataclass
class Bot(_Record):
    user_id: str
    username: str
    owner_id: str
    create_at: int
    update_at: int
    delete_at: int = 0
    display_name: str = ""
    description: str = ""
    last_icon_update: int = 0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "user_id": self.user_id,
            "username": self.username,
            "owner_id": self.owner_id,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": self.delete_at,
        }
        return _omitempty(
            out,
            display_name=self.display_name,
            description=self.description,
            last_icon_update=self.last_icon_update,
        )


@dataclass
class AccessToken(_Record):
    """A personal access token (or a bot's token): `token` is the secret, `id` its handle."""

    id: str
    token: str
    user_id: str
    description: str
    is_active: bool = True

    def to_json(self, *, with_token: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "user_id": self.user_id,
            "description": self.description,
            "is_active": self.is_active,
        }
        if with_token:
            out["token"] = self.token
        return out


@dataclass
class Team(_Record):
    id: str
    name: str
    display_name: str
    create_at: int
    update_at: int
    delete_at: int = 0
    description: str = ""
    email: str = ""
    type: str = "O"
    company_name: str = ""
    allowed_domains: str = ""
    invite_id: str = ""
    allow_open_invite: bool = False
    last_team_icon_update: int = 0
    scheme_id: str | None = None
    group_constrained: bool | None = None
    policy_id: str | None = None
    cloud_limits_archived: bool = False

    def to_json(self, *, sanitize: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            **_stamps(self),
            "display_name": self.display_name,
            "name": self.name,
            "description": self.description,
            "email": "" if sanitize else self.email,
            "type": self.type,
            "company_name": self.company_name,
            "allowed_domains": self.allowed_domains,
            "invite_id": "" if sanitize else self.invite_id,
            "allow_open_invite": self.allow_open_invite,
            "scheme_id": self.scheme_id,
            "group_constrained": self.group_constrained,
            "policy_id": self.policy_id,
            "cloud_limits_archived": self.cloud_limits_archived,
        }
        return _omitempty(out, last_team_icon_update=self.last_team_icon_update)


@dataclass
class Channel(_Record):
    id: str
    team_id: str
    type: str
    name: str
    display_name: str
    create_at: int
    update_at: int
    delete_at: int = 0
    header: str = ""
    purpose: str = ""
    creator_id: str = ""
    last_post_at: int = 0
    last_root_post_at: int = 0
    total_msg_count: int = 0
    total_msg_count_root: int = 0
    extra_update_at: int = 0
    scheme_id: str | None = None
    props: dict[str, Any] | None = None
    group_constrained: bool | None = None
    shared: bool | None = None
    policy_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            **_stamps(self),
            "team_id": self.team_id,
            "type": self.type,
            "display_name": self.display_name,
            "name": self.name,
            "header": self.header,
            "purpose": self.purpose,
            "last_post_at": self.last_post_at,
            "total_msg_count": self.total_msg_count,
            "extra_update_at": self.extra_update_at,
            "creator_id": self.creator_id,
            "scheme_id": self.scheme_id,
            "props": self.props,
            "group_constrained": self.group_constrained,
            "shared": self.shared,
            "total_msg_count_root": self.total_msg_count_root,
            "policy_id": self.policy_id,
            "last_root_post_at": self.last_root_post_at,
            "banner_info": None,
            "policy_enforced": False,
            "default_category_name": "",
        }


def _join_roles(explicit: str, scheme_roles: list[str]) -> str:
    return " ".join([*explicit.split(), *scheme_roles])


@dataclass
class TeamMember(_Record):
    team_id: str
    user_id: str
    scheme_guest: bool = False
    scheme_user: bool = True
    scheme_admin: bool = False
    explicit_roles: str = ""
    delete_at: int = 0
    create_at: int = 0

    @property
    def roles(self) -> str:
        scheme: list[str] = []
        if self.scheme_guest:
            scheme.append("team_guest")
        if self.scheme_user:
            scheme.append("team_user")
        if self.scheme_admin:
            scheme.append("team_admin")
        return _join_roles(self.explicit_roles, scheme)

    @property
    def active(self) -> bool:
        return self.delete_at == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "team_id": self.team_id,
            "user_id": self.user_id,
            "roles": self.roles,
            "delete_at": self.delete_at,
            "scheme_guest": self.scheme_guest,
            "scheme_user": self.scheme_user,
            "scheme_admin": self.scheme_admin,
            "explicit_roles": self.explicit_roles,
        }


@dataclass
class ChannelMember(_Record):
    channel_id: str
    user_id: str
    scheme_guest: bool = False
    scheme_user: bool = True
    scheme_admin: bool = False
    explicit_roles: str = ""
    last_viewed_at: int = 0
    msg_count: int = 0
    mention_count: int = 0
    mention_count_root: int = 0
    urgent_mention_count: int = 0
    msg_count_root: int = 0
    last_update_at: int = 0
    notify_props: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CHANNEL_NOTIFY_PROPS))

    def role_names(self, scheme: Scheme | None = None) -> list[str]:
        """Scheme roles resolve through the channel's scheme when it has one."""
        guest = scheme.default_channel_guest_role if scheme else "channel_guest"
        user = scheme.default_channel_user_role if scheme else "channel_user"
        admin = scheme.default_channel_admin_role if scheme else "channel_admin"
        names = self.explicit_roles.split()
        if self.scheme_guest:
            names.append(guest)
        if self.scheme_user:
            names.append(user)
        if self.scheme_admin:
            names.append(admin)
        return names

    def to_json(self, scheme: Scheme | None = None) -> dict[str, Any]:
        return {
            "channel_id": self.channel_id,
            "user_id": self.user_id,
            "roles": " ".join(self.role_names(scheme)),
            "last_viewed_at": self.last_viewed_at,
            "msg_count": self.msg_count,
            "mention_count": self.mention_count,
            "mention_count_root": self.mention_count_root,
            "urgent_mention_count": self.urgent_mention_count,
            "msg_count_root": self.msg_count_root,
            "notify_props": dict(self.notify_props),
            "last_update_at": self.last_update_at,
            "scheme_guest": self.scheme_guest,
            "scheme_user": self.scheme_user,
            "scheme_admin": self.scheme_admin,
            "explicit_roles": self.explicit_roles,
        }


@dataclass
class Role(_Record):
    id: str
    name: str
    display_name: str
    description: str
    permissions: list[str]
    scheme_managed: bool
    built_in: bool
    create_at: int
    update_at: int
    delete_at: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "display_name": self.display_name,
            "description": self.description,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": self.delete_at,
            "permissions": list(self.permissions),
            "scheme_managed": self.scheme_managed,
            "built_in": self.built_in,
        }


@dataclass
class Scheme(_Record):
    """A channel scheme (made by channel moderation): three channel roles of its own."""

    id: str
    name: str
    display_name: str
    scope: str
    default_channel_admin_role: str
    default_channel_user_role: str
    default_channel_guest_role: str
    create_at: int
    update_at: int
    delete_at: int = 0
