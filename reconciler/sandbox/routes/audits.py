"""The audit log: `GET /api/v4/audits` and what it records.

Real Mattermost saves an `Audits` row whenever a handler calls
`c.LogAudit(extraInfo)`: `{id, create_at, user_id, action, extra_info,
ip_address, session_id}` where `action` is the request's URL path and
`extra_info` a short text ("attempt", "success", "name=…"). Only some handlers
do: `AUDITED` lists, per route, the rows a successful write leaves, as the real
server (11.1) showed them (docs/fidelity.md); every other write (team create,
PUT and privacy, config patch, moderation, bots, team members, incoming-hook
deletion, …) leaves none. `GET /api/v4/audits` (newest first, `page`/`per_page`,
at most 200 a page; `null` when empty) needs the sysadmin's `manage_system`
(real MM: `read_audits`, which only system admins hold); others get 403.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reconciler.sandbox.app import Request, Response, json_response, route
from reconciler.sandbox.ids import new_id, now_ms

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 60
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CHANNEL = "name={channel}"
_MEMBER = "name={channel} user_id={user_id}"
_BOTH = ("attempt", "success")
# (method, route) → the extra_info of each row a successful write leaves, in order.
AUDITED: dict[tuple[str, str], tuple[str, ...]] = {
    ("PUT", "/api/v4/teams/{team_id}/patch"): ("",),
    ("POST", "/api/v4/channels"): ("name={name}",),
    ("PUT", "/api/v4/channels/{channel_id}"): (_CHANNEL,),
    ("PUT", "/api/v4/channels/{channel_id}/patch"): ("",),
    ("PUT", "/api/v4/channels/{channel_id}/privacy"): (_CHANNEL,),
    ("DELETE", "/api/v4/channels/{channel_id}"): (_CHANNEL,),
    ("POST", "/api/v4/channels/{channel_id}/restore"): (_CHANNEL,),
    ("POST", "/api/v4/channels/{channel_id}/members"): (_MEMBER,),
    ("DELETE", "/api/v4/channels/{channel_id}/members/{user_id}"): (_MEMBER,),
    ("POST", "/api/v4/hooks/incoming"): _BOTH,
    ("PUT", "/api/v4/hooks/incoming/{hook_id}"): _BOTH,
    ("POST", "/api/v4/hooks/outgoing"): _BOTH,
    ("PUT", "/api/v4/hooks/outgoing/{hook_id}"): _BOTH,
    ("POST", "/api/v4/hooks/outgoing/{hook_id}/regen_token"): _BOTH,
    ("DELETE", "/api/v4/hooks/outgoing/{hook_id}"): _BOTH,
    ("POST", "/api/v4/commands"): _BOTH,
    ("PUT", "/api/v4/commands/{command_id}"): _BOTH,
    ("PUT", "/api/v4/commands/{command_id}/regen_token"): _BOTH,
    ("DELETE", "/api/v4/commands/{command_id}"): _BOTH,
    ("PUT", "/api/v4/users/{user_id}/patch"): ("",),
    ("PUT", "/api/v4/config"): ("updateConfig",),
}


class AuditLog:
    """The last `capacity` audit rows, oldest first in memory."""

    def __init__(self, capacity: int = 20000) -> None:
        self.entries: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._lock = threading.Lock()

    def record_request(
        self,
        sb: Sandbox,
        req: Request,
        status: int,
        answer: Callable[[], dict[str, Any] | None],
    ) -> None:
        """Record the rows Mattermost leaves for a successful write made with a user's token
        (`answer`: the write's JSON, read only when a row names a new channel or member)."""
        if req.method not in WRITE_METHODS or status >= 400 or req.user is None:
            return
        infos = AUDITED.get((req.method, req.route))
        if not infos:
            return
        created = answer() if req.method == "POST" else None
        channel = sb.core.channel(req.params.get("channel_id", ""))
        values = {
            "channel": channel.name if channel is not None else "",
            "user_id": req.params.get("user_id", ""),
            "name": str((created or {}).get("name") or ""),
        }
        if req.method == "POST" and req.route.endswith("/members"):
            values["user_id"] = str((created or {}).get("user_id") or "")
        token = sb.core.tokens.get(req.token) if req.token else None
        for info in infos:
            self.add(
                user_id=str(req.user.id),
                action=req.path,
                extra_info=info.format(**values),
                ip_address=req.remote_addr,
                session_id=str(token.id) if token is not None else "",
            )

    def add(
        self,
        *,
        user_id: str,
        action: str,
        extra_info: str = "",
        ip_address: str = "",
        session_id: str = "",
        create_at: int | None = None,
    ) -> dict[str, Any]:
        entry = {
            "id": new_id(),
            "create_at": now_ms() if create_at is None else create_at,
            "user_id": user_id,
            "action": action,
            "extra_info": extra_info,
            "ip_address": ip_address,
            "session_id": session_id,
        }
        with self._lock:
            self.entries.append(entry)
        return entry

    def page(self, page: int, per_page: int) -> list[dict[str, Any]]:
        with self._lock:
            newest_first = list(reversed(self.entries))
        start = page * per_page
        return newest_first[start : start + per_page]

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()


@route("GET", "/api/v4/audits")
def get_audits(sb: Sandbox, req: Request) -> Response:
    sb.require_permission(req, "manage_system")
    page = max(0, req.int_arg("page", 0))
    per_page = min(MAX_PER_PAGE, max(1, req.int_arg("per_page", DEFAULT_PER_PAGE)))
    rows = sb.audits.page(page, per_page)
    return json_response(rows or None)  # Go's nil slice: an empty page is `null`
