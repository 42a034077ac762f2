"""The ping answer (`GET /api/v4/system/ping`, no auth) → `ServerInfo`, or why the URL
is not a Mattermost server.

Mattermost answers the ping with JSON holding `status` and an `X-Version-Id`
header such as `10.11.0.12345.abcdef.true` (version, build, …, licensed).
Anything else (a redirect, an HTML page, no header) is `NotMattermostError`
with a hint; a 5xx is the server's own error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from reconciler.errors import ApiError, NotMattermostError
from reconciler.http.answers import decode, one_line
from reconciler.http.redaction import redact, strip_userinfo

if TYPE_CHECKING:
    import httpx

PING_PATH: Final = "/api/v4/system/ping"
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_HINT = "check that the URL is the Mattermost site URL (without /api/v4)"


@dataclass(frozen=True)
class ServerInfo:
    """What the ping told us. `version` is e.g. "10.11.0" (from `X-Version-Id`)."""

    url: str
    version: str
    build: str
    licensed_header: bool


def read_ping(
    url: str, response: httpx.Response, server_error: Callable[[httpx.Response], ApiError]
) -> ServerInfo:
    """`response` to the ping of the server at `url` as ServerInfo. Raises
    NotMattermostError when it is not Mattermost's answer, `server_error(response)`
    for a 5xx."""
    shown = strip_userinfo(url)
    version_id = response.headers.get("X-Version-Id", "").strip()
    content_type = response.headers.get("Content-Type", "").lower()
    status = response.status_code

    def not_mattermost(what: str) -> NotMattermostError:
        return NotMattermostError(
            f"{shown} is not a Mattermost server: {what}; {_HINT}",
            method="GET",
            path=PING_PATH,
            status=status,
        )

    if 300 <= status < 400:
        location = redact(strip_userinfo(response.headers.get("Location", "")))
        raise not_mattermost(f"GET {PING_PATH} was redirected ({status}) to {location!r}")
    if not version_id:
        if status >= 500:
            raise server_error(response)
        if "html" in content_type:
            raise not_mattermost(f"GET {PING_PATH} answered {status} with an HTML page")
        raise not_mattermost(f"GET {PING_PATH} answered {status} without an X-Version-Id header")
    if status >= 400:
        if status >= 500:
            raise server_error(response)
        raise not_mattermost(f"GET {PING_PATH} answered {status}")
    body = decode(response)
    if not isinstance(body, dict) or "status" not in body:
        raise not_mattermost(f"GET {PING_PATH} did not answer with Mattermost's ping JSON")
    parts = version_id.split(".")
    version = ".".join(parts[:3])
    if len(parts) < 5 or not _VERSION.match(version):
        raise not_mattermost(f"unrecognised X-Version-Id {one_line(version_id, 80)!r}")
    return ServerInfo(
        url=url,
        version=version,
        build=".".join(parts[3:-2]),
        licensed_header=parts[-1].lower() == "true",
    )
