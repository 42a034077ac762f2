"""Core state: users, bots, sessions/tokens, teams, channels, memberships, roles.

(Owned by the sandbox-core work; this first version only fixes the interface
`Sandbox` relies on.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reconciler.sandbox.app import AppError

if TYPE_CHECKING:
    from reconciler.sandbox.app import Request, Sandbox


class CoreStore:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def bootstrap(self) -> None:
        """Create the system admin (and its token) and apply the seed."""

    def authenticate(self, req: Request) -> None:
        """Set req.user from the token, or raise 401 api.context.session_expired.app_error."""
        raise AppError(
            401,
            "api.context.session_expired.app_error",
            "Invalid or expired session, please login again.",
        )

    def has_permission(
        self, user: Any, permission: str, *, team_id: str | None, channel_id: str | None
    ) -> bool:
        return False
