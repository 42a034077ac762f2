"""The server's model `IsValid` checks (MM model/channel.go, team.go, user.go, bot.go),
raising AppError with Mattermost's ids, in Mattermost's order."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from reconciler.sandbox.app import AppError
from reconciler.sandbox.ids import is_valid_id
from reconciler.workspace.rules import RESERVED_TEAM_PREFIXES, RESERVED_USERNAMES

if TYPE_CHECKING:
    from reconciler.sandbox.records import Channel, Team, User

# Mattermost's model (utils.go validSimpleAlphaNum / validAlphaNum, user.go). Go's `$` ends
# the text; Python's also matches before a final newline, hence \Z (real server: "abc\n" is
# refused).
CHANNEL_NAME_RE = re.compile(r"^[a-z0-9]+([a-z\-\_0-9]+|(__)?)[a-z0-9]*\Z")
TEAM_NAME_RE = re.compile(r"^[a-z0-9]+([a-z\-0-9]+|(__)?)[a-z0-9]+\Z")
USERNAME_RE = re.compile(r"^[a-z0-9.\-_]+\Z")
_DM_LIKE = re.compile(r"^[a-z0-9]{26}__[a-z0-9]{26}$")
_GM_LIKE = re.compile(r"^[0-9a-f]{40}$")
_EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")

CHANNEL_DISPLAY_NAME_MAX = 64
CHANNEL_NAME_MAX = 64
CHANNEL_HEADER_MAX = 1024
CHANNEL_PURPOSE_MAX = 250
TEAM_DISPLAY_NAME_MAX = 64
TEAM_NAME_MAX = 64
TEAM_NAME_MIN = 2
TEAM_DESCRIPTION_MAX = 255
TEAM_COMPANY_MAX = 64
TEAM_EMAIL_MAX = 128
TEAM_DOMAINS_MAX = 500
USER_NAME_PART_MAX = 64
USER_POSITION_MAX = 128
USER_EMAIL_MAX = 128
USER_PASSWORD_MAX = 72
USER_PASSWORD_MIN = 8
BOT_DISPLAY_NAME_MAX = 64
BOT_DESCRIPTION_MAX = 1024


def _invalid(model: str, field: str, message: str, detail: str = "") -> AppError:
    return AppError(400, f"model.{model}.is_valid.{field}.app_error", message, detail)


def is_valid_email(value: str) -> bool:
    return bool(_EMAIL_RE.match(value)) and value == value.lower()


def is_valid_username(value: str) -> bool:
    return (
        1 <= len(value) <= 64 and bool(USERNAME_RE.match(value)) and value not in RESERVED_USERNAMES
    )


def is_valid_channel_name(name: str) -> bool:
    return bool(name) and bool(CHANNEL_NAME_RE.match(name))


def is_reserved_team_name(name: str) -> bool:
    lowered = name.lower()
    return any(lowered.startswith(word) for word in RESERVED_TEAM_PREFIXES)


def is_valid_team_name(name: str) -> bool:
    return bool(TEAM_NAME_RE.match(name)) and len(name) >= TEAM_NAME_MIN


def validate_channel(channel: Channel) -> None:
    if not is_valid_id(channel.id):
        raise _invalid("channel", "id", "Invalid Id.")
    if len(channel.display_name) > CHANNEL_DISPLAY_NAME_MAX:
        raise _invalid("channel", "display_name", "Invalid display name.", f"id={channel.id}")
    if not is_valid_channel_name(channel.name):
        raise _invalid(
            "channel",
            "1_or_more",
            "Name must be 1 or more lowercase alphanumeric characters.",
            f"id={channel.id}",
        )
    if _DM_LIKE.match(channel.name) or _GM_LIKE.match(channel.name):
        raise _invalid("channel", "name", "Invalid channel name.", f"id={channel.id}")
    if channel.type not in ("O", "P", "D", "G"):
        raise _invalid("channel", "type", "Invalid type.", f"id={channel.id}")
    if len(channel.header) > CHANNEL_HEADER_MAX:
        raise _invalid("channel", "header", "Invalid header.", f"id={channel.id}")
    if len(channel.purpose) > CHANNEL_PURPOSE_MAX:
        raise _invalid("channel", "purpose", "Invalid purpose.", f"id={channel.id}")
    if len(channel.creator_id) > 26:
        raise _invalid("channel", "creator_id", "Invalid creator id.")


def validate_team(team: Team) -> None:
    if not is_valid_id(team.id):
        raise _invalid("team", "id", "Invalid Id.")
    if len(team.email) > TEAM_EMAIL_MAX or (team.email and not is_valid_email(team.email)):
        raise _invalid("team", "email", "Invalid email.", f"id={team.id}")
    if not team.display_name or len(team.display_name) > TEAM_DISPLAY_NAME_MAX:
        raise _invalid("team", "name", "Invalid name.", f"id={team.id}")
    if len(team.name) > TEAM_NAME_MAX:
        raise _invalid("team", "url", "Invalid URL Identifier.", f"id={team.id}")
    if len(team.description) > TEAM_DESCRIPTION_MAX:
        raise _invalid("team", "description", "Invalid description.", f"id={team.id}")
    if team.invite_id and not is_valid_id(team.invite_id):
        raise _invalid("team", "invite_id", "Invalid invite id.", f"id={team.id}")
    if is_reserved_team_name(team.name):
        raise _invalid(
            "team", "reserved", "This URL is unavailable. Please try another.", f"id={team.id}"
        )
    if not is_valid_team_name(team.name):
        raise _invalid(
            "team",
            "characters",
            "Name must be 2 or more lowercase alphanumeric characters.",
            f"id={team.id}",
        )
    if team.type not in ("O", "I"):
        raise _invalid("team", "type", "Invalid type.", f"id={team.id}")
    if len(team.company_name) > TEAM_COMPANY_MAX:
        raise _invalid("team", "company", "Invalid company name.", f"id={team.id}")
    if len(team.allowed_domains) > TEAM_DOMAINS_MAX:
        raise _invalid("team", "domains", "Invalid allowed domains.", f"id={team.id}")


def validate_user(user: User) -> None:
    if not is_valid_id(user.id):
        raise _invalid("user", "id", "Invalid user id.")
    if not is_valid_username(user.username):
        raise _invalid(
            "user", "username", "Username must begin with a letter...", f"user_id={user.id}"
        )
    if len(user.email) > USER_EMAIL_MAX or not user.email or not is_valid_email(user.email):
        raise _invalid("user", "email", "Invalid email.", f"user_id={user.id}")
    if len(user.nickname) > USER_NAME_PART_MAX:
        raise _invalid("user", "nickname", "Invalid nickname.", f"user_id={user.id}")
    if len(user.position) > USER_POSITION_MAX:
        raise _invalid("user", "position", "Invalid position.", f"user_id={user.id}")
    if len(user.first_name) > USER_NAME_PART_MAX:
        raise _invalid("user", "first_name", "Invalid first name.", f"user_id={user.id}")
    if len(user.last_name) > USER_NAME_PART_MAX:
        raise _invalid("user", "last_name", "Invalid last name.", f"user_id={user.id}")


def validate_password(password: str) -> None:
    if len(password) > USER_PASSWORD_MAX:
        raise _invalid("user", "password_limit", "Unable to set a password over 72 characters.")
    if len(password) < USER_PASSWORD_MIN:
        raise AppError(
            400,
            "model.user.is_valid.pwd.app_error",
            f"Your password must contain at least {USER_PASSWORD_MIN} characters.",
        )


def validate_bot_fields(username: str, display_name: str, description: str) -> None:
    if not is_valid_username(username):
        raise _invalid("bot", "username", "Invalid username.")
    if len(display_name) > BOT_DISPLAY_NAME_MAX:
        raise _invalid("bot", "display_name", "Invalid display name.")
    if len(description) > BOT_DESCRIPTION_MAX:
        raise _invalid("bot", "description", "Invalid description.")
