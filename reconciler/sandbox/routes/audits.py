"""The audit log: `GET /api/v4/audits` and what it records.

Real Mattermost saves an `Audits` row whenever a handler calls
`c.LogAudit(extraInfo)`: `{id, create_at, user_id, action, extra_info,
ip_address, session_id}` where `action` is the request's URL path and
`extra_info` a short text ("attempt", "success", "name=…"). The sandbox records
one row for every successful write (POST/PUT/PATCH/DELETE) under `/api/v4/`
made with a user's token, with `extra_info` "success". `GET /api/v4/audits`
(newest first, `page`/`per_page`, at most 200 a page) needs the sysadmin's
`manage_system` (real MM: `read_audits`, which only system admins hold); others get 403.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import TYPE_CHECKING, Any

from reconciler.sandbox.app import Request, Response, json_response, route
from reconciler.sandbox.ids import new_id, now_ms

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 60
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AuditLog:
    """The last `capacity` audit rows, oldest first in memory."""

    def __init__(self, capacity: int = 20000) -> None:
        self.entries: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._lock = threading.Lock()

    def record_request(self, sb: Sandbox, req: Request, status: int) -> None:
        """Record a successful write to /api/v4 made with a user's token."""
        if req.method not in WRITE_METHODS or status >= 400 or req.user is None:
            return
        if not req.path.startswith("/api/v4/"):
            return
        token = sb.core.tokens.get(req.token) if req.token else None
        self.add(
            user_id=str(req.user.id),
            action=req.path,
            extra_info="success",
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
    return json_response(sb.audits.page(page, per_page))
