"""What the integration stores share: records as JSON dicts, Go-style decoding,
validation helpers and app errors, and `IntegrationState`, the state every family
(incoming and outgoing webhooks, slash commands, posts) works on.

Records are the JSON shapes Mattermost serves (MM server/public/model
incoming_webhook.go, outgoing_webhook.go, command.go, post.go), kept as dicts.
"""

from __future__ import annotations

import copy
import re
import string
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reconciler.sandbox.app import AppError
from reconciler.sandbox.ids import new_id, now_ms

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox

Record = dict[str, Any]
# The timestamps every record carries, in the order Mattermost sends them.
STAMPS: dict[str, Any] = {"create_at": 0, "update_at": 0, "delete_at": 0}

_USERNAME_RE = re.compile(r"^[a-z0-9.\-_]+$")
_RESERVED_USERNAMES = frozenset({"all", "channel", "matterbot", "system"})


def is_valid_username(name: str) -> bool:
    return (
        0 < len(name) <= 64
        and bool(_USERNAME_RE.match(name))
        and name not in _RESERVED_USERNAMES
        and name[0].isalpha()
    )


def is_valid_http_url(url: str) -> bool:
    """model.IsValidHTTPURL: http(s) scheme, and Go's url.ParseRequestURI accepts it with a
    host (real server: a space in the host or a bad %-escape is refused)."""
    if not (url.startswith("http://") or url.startswith("https://")):
        return False
    return _go_request_uri_has_host(url)


# Characters Go's url package lets stand unescaped in a host (net/url shouldEscape, encodeHost).
_HOST_CHARS = frozenset(string.ascii_letters + string.digits + "-_.~!$&'()*+,;=:[]<>\"")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _go_request_uri_has_host(url: str) -> bool:
    """What url.ParseRequestURI refuses, for an absolute http(s) URL: control characters, a bad
    %-escape in the path, a host character it would escape, a port that is not digits."""
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        return False
    rest = url.split("://", 1)[1].split("?", 1)[0]
    authority, slash, path = rest.partition("/")
    if _BAD_ESCAPE.search(path if slash else ""):
        return False
    host = authority.rpartition("@")[2]
    if host.startswith("["):  # an IPv6 literal: what follows "]" must be a port
        literal, bracket, port = host[1:].partition("]")
        return bool(literal and bracket) and (not port or _is_port(port))
    host, colon, port = host.rpartition(":") if ":" in host else (host, "", "")
    if colon and port and not port.isdigit():
        return False
    if not host or _BAD_ESCAPE.search(host):
        return False
    return all(char in _HOST_CHARS or char == "%" or ord(char) >= 0x80 for char in host)


def _is_port(text: str) -> bool:
    return text.startswith(":") and (text[1:].isdigit() or text == ":")


def bad_request(error_id: str, message: str, detail: str = "") -> AppError:
    return AppError(400, error_id, message, detail)


def not_found(error_id: str, message: str, detail: str = "") -> AppError:
    return AppError(404, error_id, message, detail)


def channel_not_found(channel_id: str) -> AppError:
    return not_found(
        "app.channel.get.existing.app_error",
        "Unable to find the existing channel.",
        f"id={channel_id}",
    )


def go_len(values: list[str]) -> int:
    """len(fmt.Sprintf("%s", []string{...})): "[a b c]"."""
    return len(("[" + " ".join(values) + "]").encode())


def check_valid(checks: Iterable[tuple[bool, str]], error_id: str, message: str) -> None:
    """IsValid: the first failed check is 400 `error_id` with `message` (a `{}` in either
    is the check's name)."""
    failed = next((name for bad, name in checks if bad), None)
    if failed is not None:
        raise bad_request(error_id.format(failed), message.format(failed))


def decode(body: Any, fields: dict[str, Any], name: str) -> Record:
    """Decode like encoding/json into a struct: unknown keys ignored, null → zero value,
    keys matched case-insensitively, a wrong JSON type → 400 invalid_body_param."""
    from reconciler.sandbox.app import invalid_body_param

    if not isinstance(body, dict):
        raise invalid_body_param(name)
    lowered = {key.lower(): key for key in body}
    record: Record = {}
    for key, zero in fields.items():
        source = key if key in body else lowered.get(key.lower())
        value = body.get(source) if source is not None else None
        if value is None:
            record[key] = copy.deepcopy(zero)
            continue
        if isinstance(zero, bool):
            ok = isinstance(value, bool)
        elif isinstance(zero, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(zero, str):
            ok = isinstance(value, str)
        elif isinstance(zero, list):
            ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        else:
            ok = True
        if not ok:
            raise invalid_body_param(name)
        record[key] = copy.deepcopy(value)
    return record


def stamp_new(record: Record, *, token: bool = False) -> Record:
    """PreSave: a new id and creation time (and a token when the record has none)."""
    now = now_ms()
    record.update(id=new_id(), create_at=now, update_at=now, delete_at=0)
    if token and not record["token"]:
        record["token"] = new_id()
    return record


def new_token(record: Record) -> str:
    """A regenerated token (an outgoing webhook's or a command's)."""
    record["token"] = new_id()
    record["update_at"] = now_ms()
    return str(record["token"])


def replace_keeping(old: Record, new: Record, *names: str) -> Record:
    """A full-replacement update: `new`, with `names` (identity fields) kept from `old`
    and a new `update_at`."""
    new.update({name: old[name] for name in names}, update_at=now_ms())
    return new


def soft_delete(record: Record) -> None:
    record["delete_at"] = record["update_at"] = now_ms()


def live(records: dict[str, Record], record_id: str) -> Record | None:
    """The record unless it is unknown or deleted."""
    record = records.get(record_id)
    return None if record is None or record["delete_at"] else record


class IntegrationState:
    """Hooks, commands and posts by id (the families' modules add the rules)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.incoming: dict[str, Record] = {}
        self.outgoing: dict[str, Record] = {}
        self.commands: dict[str, Record] = {}
        self.posts: dict[str, Record] = {}
        self.posts_by_channel: dict[str, list[str]] = {}

    def _setting(self, name: str) -> bool:
        return self.sandbox.config.get_bool(f"ServiceSettings.{name}")
