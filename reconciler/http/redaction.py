"""What may be shown: secrets out of URLs, paths, messages and httpx's log records.

The token and incoming-webhook ids (`/hooks/<id>`, `/api/v4/hooks/incoming/<id>`;
the id is a credential) never appear in an error message, repr or log record.
`redact` replaces them (and token-like query values, and any secrets it is
given) with `<redacted>`; `install_log_filter` makes the `httpx`/`httpcore`
loggers, which show full URLs, go through it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit, urlunsplit

REDACTED: Final = "<redacted>"

# /api/v4/hooks/incoming/<id>: the id of an incoming webhook is its credential.
_INCOMING_HOOK_API = re.compile(r"(/hooks/incoming/)([^/?#\s\"']+)")
# /hooks/<id> (the posting endpoint), but not /api/v4/hooks/{incoming,outgoing}.
_HOOK_POST = re.compile(
    r"(/hooks/)(?!(?:incoming|outgoing|<redacted>)(?:[/?#\s\"']|$))([^/?#\s\"']+)"
)
_SECRET_QUERY = re.compile(
    r"([?&;](?:access_token|token|secret|password|client_secret)=)([^&#\s\"']*)", re.IGNORECASE
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with webhook ids, token-like query values and the given secrets replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _INCOMING_HOOK_API.sub(rf"\1{REDACTED}", text)
    text = _HOOK_POST.sub(rf"\1{REDACTED}", text)
    return _SECRET_QUERY.sub(rf"\1{REDACTED}", text)


def hook_ids(path: str) -> list[str]:
    """The webhook ids in `path` (to scrub them from server messages too)."""
    found = [m.group(2) for m in _INCOMING_HOOK_API.finditer(path)]
    found += [m.group(2) for m in _HOOK_POST.finditer(path)]
    return found


def path_only(path: str) -> str:
    """`path` without its query and fragment."""
    return path.split("?", 1)[0].split("#", 1)[0]


def strip_userinfo(url: str) -> str:
    """`url` with any `user:password@` replaced."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"{REDACTED}@{host}", parts.path, parts.query, ""))


class _RedactingFilter(logging.Filter):
    """Rewrites httpx/httpcore log records (which show full URLs) through `redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to fix; drop its arguments
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        return True


_LIBRARY_LOGGERS: Final = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
_FILTER = _RedactingFilter()


def install_log_filter() -> None:
    for name in _LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
