"""What a token and a server URL may look like before any request is built.

A token goes into the `Authorization` header, so a line break, another control
character or a non-ASCII character in it would make the HTTP library fail
with the whole header (the token) in its message, or with an encoding error.
`token_problem` says what is wrong without ever quoting the token;
`url_problem` says why a server URL cannot be used, quoting it without any
`user:password@` part.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

from reconciler.http.redaction import REDACTED

# Printable ASCII without the space: what an HTTP header token (RFC 9110 token68 and
# Mattermost's 26-character ids) is made of.
_TOKEN_CHARACTER: Final = re.compile(r"[\x21-\x7e]")
_USERINFO: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")


def token_problem(token: str) -> str | None:
    """Why `token` cannot be sent as a bearer token (None when it can). Never quotes it."""
    if not token:
        return "it is empty"
    lines = token.splitlines()
    if len(lines) > 1:
        return (
            f"it holds {len(lines)} lines (only the token may be given: no comment, no second line)"
        )
    for position, character in enumerate(token, start=1):
        if _TOKEN_CHARACTER.fullmatch(character):
            continue
        if character == " " or character == "\t":
            what = "a space"
        elif ord(character) < 0x20 or ord(character) == 0x7F:
            what = "a control character"
        else:
            what = "a non-ASCII character"
        return f"it holds {what} at position {position} (a token is printable ASCII only)"
    return None


def shown_url(text: str) -> str:
    """`text` (a URL, possibly malformed) with any `user:password@` replaced."""
    return _USERINFO.sub(rf"\g<1>{REDACTED}@", text.strip())


def url_problem(text: str) -> str | None:
    """Why `text` is not a usable server URL (None when it is)."""
    stripped = text.strip()
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c.isspace() for c in stripped):
        return "it holds a space or a control character"
    try:
        parts = urlsplit(stripped)
        port = parts.port
        host = parts.hostname
    except ValueError as error:  # "Invalid IPv6 URL", "Port out of range 0-65535", …
        return f"it cannot be parsed ({_reason(error)})"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "expected http(s)://host[:port][/path]"
    if not host:
        return "it names no host"
    if port == 0:
        return "port 0 is not a port a server listens on"
    import httpx  # here: `mmrc validate` checks options without loading the HTTP client

    try:
        httpx.URL(stripped)
    except httpx.InvalidURL:
        return "it cannot be parsed (an invalid host name or character)"
    return None


def _reason(error: ValueError) -> str:
    message = str(error)
    # Only urllib's fixed texts are shown, never an echo of the input.
    if message.startswith("Invalid IPv6 URL"):
        return "an unclosed or invalid [IPv6] host"
    if message.startswith("Port out of range"):
        return "the port is out of range 1-65535"
    if message.startswith("Port could not be cast"):
        return "the port is not a number"
    return "malformed"
