"""Mattermost's own validation rules, as pure functions over plain strings.

Each `*_problem` function returns None when the server would accept the value
and otherwise a short message saying why not. The constants are the server's
(model/channel.go, model/team.go, model/user.go, model/incoming_webhook.go,
model/outgoing_webhook.go, model/command.go; see
docs/workspace-format.md). The sandbox and `import` reuse them, so keep them
free of workspace specifics.

Usernames: the server's `IsValidUsername` accepts `^[a-z0-9.\\-_]+$`, 1 to 64
characters, except the reserved `all`, `channel`, `matterbot` and `system`.
The web app's sign-up form is stricter (3 to 22 characters, starting with a
letter), but that is a UI rule the API does not enforce, so neither do we.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

CHANNEL_NAME_RE = re.compile(r"^[a-z0-9]+([a-z\-\_0-9]+|(__)?)[a-z0-9]*\Z")
CHANNEL_NAME_MAX = 64  # the column is varchar(64); IsValid forgets to check it
TEAM_NAME_RE = re.compile(r"^[a-z0-9]+([a-z\-0-9]+|(__)?)[a-z0-9]+\Z")
TEAM_NAME_MIN = 2
TEAM_NAME_MAX = 64
RESERVED_TEAM_PREFIXES: tuple[str, ...] = (
    "admin",
    "api",
    "channel",
    "claim",
    "error",
    "files",
    "help",
    "landing",
    "login",
    "mfa",
    "oauth",
    "plug",
    "plugins",
    "post",
    "signup",
    "boards",
    "playbooks",
)
USERNAME_RE = re.compile(r"^[a-z0-9.\-_]+\Z")
USERNAME_MIN = 1
USERNAME_MAX = 64
RESERVED_USERNAMES: frozenset[str] = frozenset({"all", "channel", "matterbot", "system"})
BUILTIN_COMMAND_TRIGGERS: frozenset[str] = frozenset(
    {
        "away",
        "code",
        "collapse",
        "dnd",
        "expand",
        "groupmsg",
        "header",
        "help",
        "invite",
        "invite_people",
        "join",
        "kick",
        "leave",
        "logout",
        "me",
        "msg",
        "mute",
        "offline",
        "online",
        "open",
        "purpose",
        "remove",
        "rename",
        "search",
        "settings",
        "shortcuts",
        "shrug",
        "status",
        "marketplace",
    }
)

DISPLAY_NAME_MAX = 64
CHANNEL_PURPOSE_MAX = 250
CHANNEL_HEADER_MAX = 1024
TEAM_DESCRIPTION_MAX = 255
BOT_DESCRIPTION_MAX = 1024
HOOK_DESCRIPTION_MAX = 500
HOOK_USERNAME_MAX = 64
HOOK_ICON_URL_MAX = 1024  # bytes
OUTGOING_CONTENT_TYPE_MAX = 128
OUTGOING_RENDERED_MAX = 1024  # trigger_words / callback_urls joined with ","
COMMAND_TRIGGER_MAX = 128  # bytes
COMMAND_URL_MAX = 1024
COMMAND_DESCRIPTION_MAX = 128

DEFAULT_CHANNEL = "town-square"
_DM_LIKE = re.compile(r"^[a-z0-9]{26}__[a-z0-9]{26}$")
_GM_LIKE = re.compile(r"^[0-9a-f]{40}$")


def channel_name_problem(name: str) -> str | None:
    if not name:
        return "must not be empty"
    if len(name) > CHANNEL_NAME_MAX:
        return f"is {len(name)} characters long; Mattermost allows at most {CHANNEL_NAME_MAX}"
    if not CHANNEL_NAME_RE.match(name):
        return (
            f"{name!r} is not a valid channel name: use lowercase letters, digits, '-' and '_', "
            "starting with a letter or digit"
        )
    if _DM_LIKE.match(name) or _GM_LIKE.match(name):
        return f"{name!r} looks like a direct or group message channel name, which is reserved"
    return None


def team_name_problem(name: str) -> str | None:
    if len(name) < TEAM_NAME_MIN or len(name) > TEAM_NAME_MAX:
        return f"must be {TEAM_NAME_MIN} to {TEAM_NAME_MAX} characters long (is {len(name)})"
    if not TEAM_NAME_RE.match(name):
        return (
            f"{name!r} is not a valid team name: use lowercase letters, digits and '-', "
            "starting and ending with a letter or digit"
        )
    lowered = name.lower()
    for word in RESERVED_TEAM_PREFIXES:
        if lowered.startswith(word):
            return f"{name!r} starts with the reserved word {word!r}, which Mattermost refuses"
    return None


@functools.lru_cache(maxsize=65536)  # one person is named in many channels
def username_problem(name: str) -> str | None:
    if len(name) < USERNAME_MIN or len(name) > USERNAME_MAX:
        return f"must be {USERNAME_MIN} to {USERNAME_MAX} characters long (is {len(name)})"
    if not USERNAME_RE.match(name):
        return f"{name!r} is not a valid username: use lowercase letters, digits, '.', '-' and '_'"
    if name in RESERVED_USERNAMES:
        return f"{name!r} is a reserved username"
    return None


def length_problem(
    value: str, maximum: int, *, minimum: int = 0, unit: str = "chars"
) -> str | None:
    """Checks a length in characters (runes) or, with unit="bytes", in UTF-8 bytes."""
    size = len(value.encode("utf-8")) if unit == "bytes" else len(value)
    noun = "bytes" if unit == "bytes" else "characters"
    if size < minimum:
        return "must not be empty" if minimum == 1 else f"must be at least {minimum} {noun}"
    if size > maximum:
        return f"is {size} {noun} long; Mattermost allows at most {maximum}"
    return None


def http_url_problem(url: str) -> str | None:
    """An http(s) URL with a host, as the server's IsValidHTTPURL demands."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return f"{url!r} is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return f"{url!r} must start with http:// or https://"
    if not parts.hostname:
        return f"{url!r} has no host"
    return None


def command_trigger_problem(trigger: str) -> str | None:
    if not trigger:
        return "must not be empty"
    if len(trigger.encode("utf-8")) > COMMAND_TRIGGER_MAX:
        return f"is longer than {COMMAND_TRIGGER_MAX} bytes"
    if trigger.startswith("/"):
        return f"{trigger!r} must not start with '/' (write {trigger.lstrip('/')!r})"
    if any(ch.isspace() for ch in trigger):
        return f"{trigger!r} must not contain spaces"
    if trigger != trigger.lower():
        return f"{trigger!r} must be lowercase (Mattermost lowercases triggers)"
    if trigger in BUILTIN_COMMAND_TRIGGERS:
        return f"/{trigger} is a built-in Mattermost command"
    return None
